package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"commonground/store"
	"commonground/store/storetest"
)

// tourBlocks returns the shell blocks of the README's tour, in order: the
// ```sh blocks between the heading "## A tour" and the next "## " heading.
func tourBlocks(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []string
	var cur *strings.Builder
	inTour := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			inTour = line == "## A tour"
		case !inTour:
		case cur == nil && line == "```sh":
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

// tourPrelude makes every curl of the tour fail the run on an HTTP error
// (status 400 or more), printing the problem body.
const tourPrelude = "curl() { command curl --fail-with-body \"$@\"; }\n"

// TestReadmeTour runs the README's tour, every block in order as written,
// against a fresh service with the demo county, on SQLite and PostgreSQL:
// any failing command or HTTP error fails the test.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("the README tour starts the service with the demo county; skipped with -short")
	}
	for _, tool := range []string{"bash", "curl", "jq", "date"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the README tour needs %s, and CI must install it: %v", tool, err)
			}
			t.Skipf("the README tour needs %s: %v", tool, err)
		}
	}
	blocks := tourBlocks(t)
	if len(blocks) < 4 {
		t.Fatalf("found %d shell blocks in the README's tour, want at least 4", len(blocks))
	}
	script := tourPrelude + strings.Join(blocks, "\n")
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "commonground.db")
			if d == store.Postgres {
				url = storetest.URL(t, store.Postgres)
			}
			s := start(t, map[string]string{"DATABASE_URL": url})
			defer s.shutdown(t)

			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
			cmd.Env = append(os.Environ(), "CG="+s.base)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("the tour failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
			}
			// The story's turning points, in the order the tour tells them.
			out := stdout.String()
			want := []string{
				`{"name":"Ely","kind":"city"`,
				`{"name":"Main Hall","fit_to_dance":`,
				`{"name":"Mill Road Movers","capacity_hours_per_month":40}`,
				`"venue_name":"Arbury Community Centre"`,
				`{"reason":"too_small","detail":"holds 40, the group is 60"}`,
				`{"status":"quote","tier":"community","total_pence":36000}`,
				`{"status":"requested","sessions":10}`,
				`{"event":"booking.requested","summary":"Mill Road Movers asks to book Main Hall`,
				`"confirmed"`, `{"author_name":"Sam Okafor","body":"The keys are at reception."}`,
				`"declined"`, "\n10\n", "LOCATION:Main Hall\\, Arbury Community Centre\\, CB4 2JG",
				`{"name":"Arbury Youth Hub"`, `"accepted"`, `"active"`, `["communication"]`,
				`{"score":`, `"cancelled"`,
				`{"name":"Sam Okafor","role":"admin"}`, `{"name":"Jo Reyes","role":"member"}`,
				`{"name":"room display","token":"cg_"}`, `{"action":"api_key.created","by":"Sam Okafor"}`,
			}
			at := 0
			for _, w := range want {
				i := strings.Index(out[at:], w)
				if i < 0 {
					t.Fatalf("the tour's output lacks %s after position %d:\n%s", w, at, out)
				}
				at += i + len(w)
			}
		})
	}
}
