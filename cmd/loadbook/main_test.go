package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"commonground/store"
	"commonground/store/storetest"
)

// TestRun runs a short load on each database and reads its report: some
// bookings made, none overlapping.
func TestRun(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "loadbook.db")
			if d == store.Postgres {
				url = postgresURL(t)
			}
			var out bytes.Buffer
			args := []string{"-url", url, "-duration", "1s", "-connections", "4", "-orgs", "3", "-spaces", "2", "-days", "3"}
			if err := run(context.Background(), args, &out); err != nil {
				t.Fatalf("got %v, want none; report:\n%s", err, out.String())
			}
			booked := regexp.MustCompile(`(?m)^\s*201 booked\s+(\d+)`).FindStringSubmatch(out.String())
			if booked == nil {
				t.Fatalf("no 201 row in the report:\n%s", out.String())
			}
			if n, _ := strconv.Atoi(booked[1]); n == 0 {
				t.Errorf("got no bookings in a second, want some:\n%s", out.String())
			}
			if !regexp.MustCompile(`overlap check: \d+ confirmed occurrences, 0 overlapping pairs`).MatchString(out.String()) {
				t.Errorf("report lacks a passed overlap check:\n%s", out.String())
			}
		})
	}
}

// TestRunFair runs a short load with a turnaround and a cap on each
// database: both checks pass, and the cap held someone back.
func TestRunFair(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "loadbook.db")
			if d == store.Postgres {
				url = postgresURL(t)
			}
			var out bytes.Buffer
			args := []string{"-url", url, "-duration", "1s", "-connections", "4", "-orgs", "3", "-spaces", "2", "-days", "3",
				"-turnaround", "30", "-cap", "3"}
			if err := run(context.Background(), args, &out); err != nil {
				t.Fatalf("got %v, want none; report:\n%s", err, out.String())
			}
			for _, re := range []string{`turnaround check \(30 min\): 0 pairs`, `cap check \(3 h\): 0 organisation-space pairs over the cap, [0-3]\.\d h the most held`} {
				if !regexp.MustCompile(re).MatchString(out.String()) {
					t.Errorf("report lacks %s:\n%s", re, out.String())
				}
			}
		})
	}
}

// TestFreshDatabase: a PostgreSQL run gets a schema of its own, dropped
// afterwards unless kept; a SQLite URL is used as given.
func TestFreshDatabase(t *testing.T) {
	if got, drop, err := freshDatabase("sqlite:x.db", false); err != nil || got != "sqlite:x.db" {
		t.Errorf("sqlite: got %q, %v; want the URL as given", got, err)
	} else {
		drop()
	}
	base := postgresURL(t)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if sqlDB, err := admin.DB(); err == nil {
			sqlDB.Close()
		}
	}()
	// schema is the name in url's search_path, and whether it exists.
	schema := func(url string) (string, bool) {
		m := regexp.MustCompile(`search_path=(loadbook_[0-9a-f]+)`).FindStringSubmatch(url)
		if m == nil {
			t.Fatalf("URL %q has no loadbook schema in its search_path", url)
		}
		var n int64
		if err := admin.Raw("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", m[1]).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return m[1], n == 1
	}
	for _, keep := range []bool{false, true} {
		url, drop, err := freshDatabase(base, keep)
		if err != nil {
			t.Fatal(err)
		}
		name, exists := schema(url)
		if !exists {
			t.Errorf("keep %v: schema %s not made", keep, name)
		}
		drop()
		if _, exists := schema(url); exists != keep {
			t.Errorf("keep %v: after the run schema %s exists: %v, want %v", keep, name, exists, keep)
		}
		if keep {
			admin.Exec("DROP SCHEMA " + name + " CASCADE")
		}
	}
}

// postgresURL is TEST_DATABASE_URL, or skips t.
func postgresURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv(storetest.EnvURL)
	if url == "" {
		t.Skipf("PostgreSQL tests skipped: set %s", storetest.EnvURL)
	}
	return url
}
