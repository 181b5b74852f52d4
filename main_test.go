package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// server is one run of the service in the test process.
type server struct {
	base string
	done chan error
	stop context.CancelFunc
}

// start runs the service as `go run .` would, with env as its
// environment, and waits until it logs the address it serves.
func start(t *testing.T, env map[string]string) *server {
	t.Helper()
	env["COMMONGROUND_ADDR"] = "127.0.0.1:0"
	env["COMMONGROUND_LOG_FORMAT"] = "json"
	getenv := func(k string) string { return env[k] }
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{done: make(chan error, 1), stop: cancel}
	go func() {
		err := run(ctx, nil, getenv, pw)
		pw.Close()
		s.done <- err
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" && !sent {
				addr <- line.Addr
				sent = true
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case a := <-addr:
		s.base = "http://" + a
	case err := <-s.done:
		t.Fatalf("service exited before serving: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("service did not start serving within 60s")
	}
	return s
}

// shutdown stops the service as SIGTERM would and checks it exits cleanly
// within 10 seconds.
func (s *server) shutdown(t *testing.T) {
	t.Helper()
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("service did not stop within 10s")
	}
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: decode: %v", url, err)
		}
	}
	return res.StatusCode
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry struct {
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			ID         string  `json:"id"`
			Kind       string  `json:"kind"`
			DistanceKm float64 `json:"distance_km"`
		} `json:"properties"`
	} `json:"features"`
}

// TestServeDemoCountyAndRestart is what a newcomer does: start the service
// on a fresh database, ask for spaces near Cambridge, write something,
// restart, and find it still there — on SQLite and PostgreSQL.
func TestServeDemoCountyAndRestart(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "commonground.db")
			if d == store.Postgres {
				url = storetest.URL(t, store.Postgres)
			}
			env := map[string]string{"DATABASE_URL": url}
			s := start(t, env)

			var fc featureCollection
			if code := getJSON(t, s.base+"/v1/nearby?lat=52.2053&lon=0.1218&radius_km=3&kind=spaces", &fc); code != 200 {
				t.Fatalf("nearby: got status %d, want 200", code)
			}
			if fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
				t.Fatalf("nearby: got %s with %d features, want a FeatureCollection of Cambridge spaces", fc.Type, len(fc.Features))
			}
			for i, f := range fc.Features {
				if f.Properties.DistanceKm > 3 {
					t.Errorf("feature %d is %.3f km away, want within 3", i, f.Properties.DistanceKm)
				}
				if i > 0 && f.Properties.DistanceKm < fc.Features[i-1].Properties.DistanceKm {
					t.Errorf("feature %d (%.3f km) after %.3f km: not nearest first", i, f.Properties.DistanceKm, fc.Features[i-1].Properties.DistanceKm)
				}
			}

			// Six completed demo partnerships count for both their partners.
			trusted, next := 0, ""
			for range 10 {
				var page struct {
					Items []struct {
						TrustedPartnerships int `json:"trusted_partnerships"`
					}
					NextCursor *string `json:"next_cursor"`
				}
				getJSON(t, s.base+"/v1/organisations?limit=500"+next, &page)
				for _, o := range page.Items {
					trusted += o.TrustedPartnerships
				}
				if page.NextCursor == nil {
					break
				}
				next = "&cursor=" + *page.NextCursor
			}
			if trusted != 12 {
				t.Errorf("demo county: trusted partnerships add up to %d, want 12 (6 completed, two sides each)", trusted)
			}

			body := `{"name":"Mill Road Movers","type":"arts","location":{"lat":52.1985,"lon":0.1405},"values":["inclusion"]}`
			res, err := http.Post(s.base+"/v1/organisations", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var created struct {
				Organisation struct{ ID string } `json:"organisation"`
				Token        string              `json:"token"`
			}
			json.NewDecoder(res.Body).Decode(&created)
			res.Body.Close()
			if res.StatusCode != 201 || created.Token == "" {
				t.Fatalf("register: got %d, token %q; want 201 and a token", res.StatusCode, created.Token)
			}
			var before struct{ Items []json.RawMessage }
			getJSON(t, s.base+"/v1/organisations?limit=500", &before)
			s.shutdown(t)

			s = start(t, env)
			defer s.shutdown(t)
			var org struct{ Name string }
			if code := getJSON(t, s.base+"/v1/organisations/"+created.Organisation.ID, &org); code != 200 || org.Name != "Mill Road Movers" {
				t.Fatalf("after restart: got %d %q, want 200 \"Mill Road Movers\"", code, org.Name)
			}
			var after struct{ Items []json.RawMessage }
			getJSON(t, s.base+"/v1/organisations?limit=500", &after)
			if len(after.Items) != len(before.Items) {
				t.Errorf("after restart: %d organisations on the first page, want %d (demo county loaded twice?)", len(after.Items), len(before.Items))
			}
		})
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		env     map[string]string
		wantErr string
	}{
		{map[string]string{}, ""},
		{map[string]string{"COMMONGROUND_SEED": "none"}, ""},
		{map[string]string{"COMMONGROUND_SEED": "demo:42"}, ""},
		{map[string]string{"COMMONGROUND_SEED": "everything"}, "COMMONGROUND_SEED"},
		{map[string]string{"COMMONGROUND_LOG_FORMAT": "xml"}, "COMMONGROUND_LOG_FORMAT"},
		{map[string]string{"COMMONGROUND_LOG_LEVEL": "loud"}, "COMMONGROUND_LOG_LEVEL"},
		{map[string]string{"COMMONGROUND_ADMIN_TOKEN": "short"}, "COMMONGROUND_ADMIN_TOKEN"},
		{map[string]string{"COMMONGROUND_WRITE_RATE": "0"}, ""},
		{map[string]string{"COMMONGROUND_WRITE_RATE": "2.5", "COMMONGROUND_WRITE_BURST": "5"}, ""},
		{map[string]string{"COMMONGROUND_WRITE_RATE": "-1"}, "COMMONGROUND_WRITE_RATE"},
		{map[string]string{"COMMONGROUND_WRITE_RATE": "lots"}, "COMMONGROUND_WRITE_RATE"},
		{map[string]string{"COMMONGROUND_WRITE_BURST": "0"}, "COMMONGROUND_WRITE_BURST"},
		{map[string]string{"COMMONGROUND_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12,,::1"}, ""},
		{map[string]string{"COMMONGROUND_TRUSTED_PROXIES": "proxy.internal"}, "COMMONGROUND_TRUSTED_PROXIES"},
		{map[string]string{"COMMONGROUND_TRUSTED_PROXIES": "10.0.0.0/33"}, "COMMONGROUND_TRUSTED_PROXIES"},
		{map[string]string{"COMMONGROUND_TRUSTED_PROXIES": "fe80::1%eth0"}, "COMMONGROUND_TRUSTED_PROXIES"},
		{map[string]string{"COMMONGROUND_DB_TIMEOUT": "1500ms"}, ""},
		{map[string]string{"COMMONGROUND_DB_TIMEOUT": "5"}, "COMMONGROUND_DB_TIMEOUT"},
		{map[string]string{"COMMONGROUND_DB_TIMEOUT": "0s"}, "COMMONGROUND_DB_TIMEOUT"},
		{map[string]string{"COMMONGROUND_DB_TIMEOUT": "-1s"}, "COMMONGROUND_DB_TIMEOUT"},
		{map[string]string{"COMMONGROUND_SMTP_URL": "smtp://user:secret-pw@mail.example.org:587"}, ""},
		{map[string]string{"COMMONGROUND_SMTP_URL": "smtps://mail.example.org"}, ""},
		{map[string]string{"COMMONGROUND_SMTP_URL": "http://mail.example.org"}, "COMMONGROUND_SMTP_URL"},
		{map[string]string{"COMMONGROUND_SMTP_URL": "smtp://mail.example.org:99999"}, "COMMONGROUND_SMTP_URL"},
		{map[string]string{"COMMONGROUND_MAIL_FROM": "Hall <hall@example.org>"}, ""},
		{map[string]string{"COMMONGROUND_MAIL_FROM": "not an address"}, "COMMONGROUND_MAIL_FROM"},
		{map[string]string{"COMMONGROUND_MAIL_FROM": "a@example.org, b@example.org"}, "COMMONGROUND_MAIL_FROM"},
		{map[string]string{"COMMONGROUND_PUBLIC_URL": "https://commonground.example.org/"}, ""},
		{map[string]string{"COMMONGROUND_PUBLIC_URL": "commonground.example.org"}, "COMMONGROUND_PUBLIC_URL"},
		{map[string]string{"COMMONGROUND_PUBLIC_URL": "ftp://commonground.example.org"}, "COMMONGROUND_PUBLIC_URL"},
		{map[string]string{"COMMONGROUND_WEBHOOK_RETRY_BASE": "250ms"}, ""},
		{map[string]string{"COMMONGROUND_WEBHOOK_RETRY_BASE": "5"}, "COMMONGROUND_WEBHOOK_RETRY_BASE"},
		{map[string]string{"COMMONGROUND_WEBHOOK_RETRY_BASE": "0s"}, "COMMONGROUND_WEBHOOK_RETRY_BASE"},
		{map[string]string{"COMMONGROUND_WEBHOOK_RETRY_BASE": "2h"}, "COMMONGROUND_WEBHOOK_RETRY_BASE"},
		{map[string]string{"COMMONGROUND_WEBHOOK_ALLOW_PRIVATE": "true"}, ""},
		{map[string]string{"COMMONGROUND_WEBHOOK_ALLOW_PRIVATE": "sometimes"}, "COMMONGROUND_WEBHOOK_ALLOW_PRIVATE"},
		{map[string]string{"COMMONGROUND_TILE_URL": "none"}, ""},
		{map[string]string{"COMMONGROUND_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}, ""},
		{map[string]string{"COMMONGROUND_TILE_URL": "https://tiles.example.org/{z}/{x}.png"}, "COMMONGROUND_TILE_URL"},
		{map[string]string{"COMMONGROUND_TILE_URL": "javascript:alert(1)//{z}/{x}/{y}"}, "COMMONGROUND_TILE_URL"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			cfg, err := loadConfig(func(k string) string { return tt.env[k] })
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one naming %s", err, tt.wantErr)
			}
			if tt.wantErr == "" && len(tt.env) == 0 {
				if cfg.Addr != ":8080" || cfg.DatabaseURL != "sqlite:commonground.db" || cfg.Seed != "demo" ||
					cfg.WriteRate != 10 || cfg.WriteBurst != 50 || len(cfg.TrustedProxies) != 0 {
					t.Errorf("defaults: got %+v, want :8080, sqlite:commonground.db, demo, 10 writes/s in bursts of 50, no trusted proxy", cfg)
				}
				if cfg.DBTimeout != 5*time.Second {
					t.Errorf("default DBTimeout: got %s, want 5s", cfg.DBTimeout)
				}
				if cfg.TileURL != "https://tile.openstreetmap.org/{z}/{x}/{y}.png" {
					t.Errorf("default TileURL: got %q, want OpenStreetMap's standard tiles", cfg.TileURL)
				}
			}
			if v := tt.env["COMMONGROUND_DB_TIMEOUT"]; v == "1500ms" && cfg.DBTimeout != 1500*time.Millisecond {
				t.Errorf("DBTimeout: got %s, want 1.5s", cfg.DBTimeout)
			}
		})
	}
}

func TestTrustedProxiesConfig(t *testing.T) {
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"COMMONGROUND_TRUSTED_PROXIES": " 10.0.0.7 ,172.16.9.1/12,2001:db8::/32,::1"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range cfg.TrustedProxies {
		got = append(got, p.String())
	}
	want := []string{"10.0.0.7/32", "172.16.0.0/12", "2001:db8::/32", "::1/128"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestBadDatabaseURLFails(t *testing.T) {
	err := run(context.Background(), nil, func(k string) string {
		return map[string]string{"DATABASE_URL": "mysql://nope", "COMMONGROUND_ADDR": "127.0.0.1:0"}[k]
	}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("got %v, want an error naming DATABASE_URL", err)
	}
}

func TestImportCSV(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "import.db")
	env := map[string]string{"DATABASE_URL": url, "COMMONGROUND_SEED": "none"}
	getenv := func(k string) string { return env[k] }

	db, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org := &matching.Organisation{ID: "0190f5e4-0000-7000-8000-000000000001", Name: "East Cambs District Council",
		Type: matching.OrgCouncil, Location: geo.MustPoint(52.399, 0.262), CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := db.CreateOrganisation(ctx, org, ""); err != nil {
		t.Fatal(err)
	}
	db.Close()

	bad := filepath.Join(t.TempDir(), "bad.csv")
	good, _ := os.ReadFile("seed/testdata/venues-example.csv")
	lines := strings.SplitN(string(good), "\n", 3)
	// The second data row with a capacity of "lots".
	os.WriteFile(bad, []byte(lines[0]+"\n"+lines[1]+"\n"+strings.Replace(lines[2], ",meeting room,20,", ",meeting room,lots,", 1)), 0o600)

	tests := []struct {
		name       string
		args       []string
		wantErr    string
		wantSpaces int64
	}{
		{"unknown organisation", []string{"import", "--venues", "seed/testdata/venues-example.csv", "--organisation", "nobody"}, "not found", 0},
		{"bad row names row and column", []string{"import", "--venues", bad, "--organisation", org.ID}, "row[3].capacity", 0},
		{"missing flags", []string{"import"}, "--venues", 0},
		{"example file", []string{"import", "--venues", "seed/testdata/venues-example.csv", "--organisation", org.ID}, "", int64(strings.Count(strings.TrimSpace(string(good)), "\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(ctx, tt.args, getenv, io.Discard)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
			db, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			c, _ := db.Count(ctx)
			if c.Spaces != tt.wantSpaces {
				t.Errorf("got %d spaces in the database, want %d", c.Spaces, tt.wantSpaces)
			}
		})
	}
}

// TestBackupCommand: backup --to writes a copy of a SQLite database that
// opens as a store with the data in it; it refuses to overwrite a file,
// and points PostgreSQL users to pg_dump.
func TestBackupCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "live.db")
	db, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org := &matching.Organisation{ID: "0190f5e4-0000-7000-8000-000000000001", Name: "Ely Dance Collective",
		Type: matching.OrgArts, Location: geo.MustPoint(52.399, 0.262), CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := db.CreateOrganisation(ctx, org, ""); err != nil {
		t.Fatal(err)
	}
	defer db.Close() // open, as a running service's would be
	getenv := func(k string) string { return map[string]string{"DATABASE_URL": url}[k] }
	to := filepath.Join(dir, "copy.db")

	if err := run(ctx, []string{"backup"}, getenv, io.Discard); err == nil || !strings.Contains(err.Error(), "--to") {
		t.Errorf("backup without --to: got %v, want an error naming --to", err)
	}
	if err := run(ctx, []string{"backup", "--to", to}, getenv, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	copied, err := store.Open(ctx, "sqlite:"+to, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	got, err := copied.GetOrganisation(ctx, org.ID)
	if err != nil || got.Name != org.Name {
		t.Errorf("organisation in the copy: got %+v, %v; want %q", got, err, org.Name)
	}
	if err := run(ctx, []string{"backup", "--to", to}, getenv, io.Discard); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup onto the copy again: got %v, want an error saying the file exists", err)
	}
	t.Run("postgres", func(t *testing.T) {
		pgURL := storetest.SharedURL(t, store.Postgres)
		err := run(ctx, []string{"backup", "--to", filepath.Join(dir, "pg.db")}, func(k string) string {
			return map[string]string{"DATABASE_URL": pgURL}[k]
		}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("backup of PostgreSQL: got %v, want an error pointing to pg_dump", err)
		}
	})
}

// TestStopWhileWaitingForDatabase: a service started against a database
// that never answers keeps waiting, and stops cleanly soon after SIGTERM.
func TestStopWhileWaitingForDatabase(t *testing.T) {
	silent := storetest.NewProxy(t, "")
	env := map[string]string{
		"DATABASE_URL":            "postgres://postgres@" + silent.Addr() + "/test?sslmode=disable",
		"COMMONGROUND_ADDR":       "127.0.0.1:0",
		"COMMONGROUND_DB_TIMEOUT": "200ms",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs strings.Builder
	pr, pw := io.Pipe()
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, pw); pw.Close() }()
	copied := make(chan struct{})
	go func() { io.Copy(&logs, pr); close(copied) }()
	time.Sleep(1500 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after SIGTERM while waiting: got %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still waiting for the database 10s after SIGTERM")
	}
	<-copied
	if !strings.Contains(logs.String(), "database unavailable; trying again") {
		t.Errorf("log lacks the retries:\n%s", logs.String())
	}
}

func TestNotifyConfig(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Notify
	if n.SMTP != nil || n.MailFrom != "Common Ground <noreply@localhost>" || n.PublicURL != "http://localhost:8080" ||
		n.WebhookRetryBase != 5*time.Second || n.WebhookAllowPrivate {
		t.Errorf("defaults: got %+v, want no mail, Common Ground <noreply@localhost>, http://localhost:8080, 5s, private addresses refused", n)
	}
	env := map[string]string{
		"COMMONGROUND_SMTP_URL":              "smtps://mailer:secret-pw@mail.example.org",
		"COMMONGROUND_PUBLIC_URL":            "https://commonground.example.org/",
		"COMMONGROUND_WEBHOOK_RETRY_BASE":    "250ms",
		"COMMONGROUND_WEBHOOK_ALLOW_PRIVATE": "true",
	}
	cfg, err = loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	n = cfg.Notify
	if n.SMTP == nil || n.SMTP.Host != "mail.example.org" || !n.SMTP.ImplicitTLS || n.SMTP.Username != "mailer" {
		t.Errorf("SMTP: got %+v, want smtps to mail.example.org as mailer", n.SMTP)
	}
	if n.PublicURL != "https://commonground.example.org" || n.WebhookRetryBase != 250*time.Millisecond || !n.WebhookAllowPrivate {
		t.Errorf("got %+v, want the public URL without its slash, 250ms, private addresses allowed", n)
	}
	_, err = loadConfig(func(k string) string {
		return map[string]string{"COMMONGROUND_SMTP_URL": "smtp://mailer:secret-pw@mail.example.org:0"}[k]
	})
	if err == nil || strings.Contains(err.Error(), "secret-pw") {
		t.Errorf("bad SMTP URL: got error %v, want one that does not show the password", err)
	}
}

func TestImportPostcodes(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "postcodes.db")
	getenv := func(k string) string { return map[string]string{"DATABASE_URL": url, "COMMONGROUND_SEED": "none"}[k] }
	good := "seed/testdata/onspd-test.csv"
	bad := filepath.Join(t.TempDir(), "bad.csv")
	// A good row, then one whose latitude is out of range.
	os.WriteFile(bad, []byte("pcds,lat,long\nCB1 1AA,52.1997,0.1376\nCB1 1AB,95,0.1\n"), 0o600)
	tests := []struct {
		name    string
		args    []string
		wantErr string
		want    int64
	}{
		{"bad file writes nothing", []string{"import", "--postcodes", bad}, "line 3: lat", 0},
		{"missing file", []string{"import", "--postcodes", filepath.Join(t.TempDir(), "none.csv")}, "no such file", 0},
		{"postcodes and venues", []string{"import", "--postcodes", good, "--venues", good}, "either --postcodes", 0},
		{"ONSPD layout", []string{"import", "--postcodes", good}, "", 5},
		{"again: upserts", []string{"import", "--postcodes", good}, "", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(ctx, tt.args, getenv, io.Discard)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
			db, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n, err := db.CountPostcodes(ctx); err != nil || n != tt.want {
				t.Errorf("got %d postcodes, %v; want %d", n, err, tt.want)
			}
		})
	}
	db, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p, err := db.Postcode(ctx, "PE19 1AA"); err != nil || p.Point != geo.MustPoint(52.228, -0.27) {
		t.Errorf("PE19 1AA: %+v, %v", p, err)
	}
	if _, err := db.Postcode(ctx, "CB7 4ZZ"); err == nil {
		t.Error("CB7 4ZZ has no coordinates in the file, but was imported")
	}
}
