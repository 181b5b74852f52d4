package main

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// database is a PostgreSQL database made for one scenario.
type database struct {
	url  string // URL of the new database
	drop func()
}

// withDatabase returns rawURL with its database name and, if addr is not
// empty, its host:port replaced.
func withDatabase(rawURL, name, addr string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	if addr != "" {
		u.Host = addr
	}
	return u.String(), nil
}

// freshDatabase creates an empty database on the server at adminURL and
// returns it with a function that drops it (with any connections left).
func freshDatabase(ctx context.Context, adminURL string) (*database, error) {
	b := make([]byte, 4)
	crand.Read(b)
	name := "faults_" + hex.EncodeToString(b)
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(cctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	dbURL, err := withDatabase(adminURL, name, "")
	if err != nil {
		return nil, err
	}
	return &database{url: dbURL, drop: func() {
		dctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		conn, err := pgx.Connect(dctx, adminURL)
		if err != nil {
			fmt.Fprintln(os.Stderr, "faults: drop database", name+":", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "faults: drop database", name+":", err)
		}
	}}, nil
}

// redact hides a password in a URL for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(bad URL)"
	}
	return u.Redacted()
}

// cluster is a throwaway PostgreSQL cluster made with pg_createcluster on
// a free port of its own, so it can be restarted without touching the
// machine's main cluster.
type cluster struct {
	version, name string
	port          int
	adminURL      string // postgres database as postgres, trust auth
}

// clusterUnavailable says why no throwaway cluster can be made here, or ""
// if one can.
func clusterUnavailable(version string) string {
	for _, tool := range []string{"pg_createcluster", "pg_ctlcluster", "pg_dropcluster"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " is not installed (Debian's postgresql-common)"
		}
	}
	if _, err := os.Stat(filepath.Join("/usr/lib/postgresql", version, "bin", "postgres")); err != nil {
		return "PostgreSQL " + version + " server binaries are not installed (-pg-version)"
	}
	if u, err := user.Current(); err != nil || (u.Uid != "0" && u.Username != "postgres") {
		return "making a cluster needs root or the postgres user"
	}
	return ""
}

// pgCmd runs one of postgresql-common's tools.
func pgCmd(ctx context.Context, name string, args ...string) error {
	cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// createCluster makes and starts cluster faults<port> of the given
// version, listening on localhost only, with trust authentication. Call drop when
// done, also when createCluster fails part way (it is safe then).
func createCluster(ctx context.Context, version string) (*cluster, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c := &cluster{version: version, name: fmt.Sprintf("faults%d", port), port: port}
	if c.name == "main" {
		return nil, errors.New("refusing to use cluster main")
	}
	c.adminURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	err = pgCmd(ctx, "pg_createcluster", version, c.name, "-p", fmt.Sprint(port),
		"--", "--auth-host=trust", "--auth-local=trust")
	if err != nil {
		return c, err
	}
	if err := c.ctl(ctx, "start"); err != nil {
		return c, err
	}
	return c, c.waitUp(ctx, 30*time.Second)
}

// ctl runs pg_ctlcluster ACTION on the cluster (start, stop, restart).
func (c *cluster) ctl(ctx context.Context, action string) error {
	return pgCmd(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, action)
}

// waitUp waits until the cluster accepts connections.
func (c *cluster) waitUp(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		var conn *pgx.Conn
		conn, err = pgx.Connect(cctx, c.adminURL)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("cluster %s/%s not up within %s: %w", c.version, c.name, timeout, err)
}

// drop stops and removes the cluster and its data.
func (c *cluster) drop() {
	if c == nil || c.name == "" || c.name == "main" {
		return
	}
	if err := pgCmd(context.Background(), "pg_dropcluster", "--stop", c.version, c.name); err != nil {
		fmt.Fprintln(os.Stderr, "faults: drop cluster:", err)
	}
}
