package store_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// countSink counts what a snapshot hands it and keeps nothing.
type countSink struct {
	orgs, offers, needs, venues, spaces int
}

func (c *countSink) Organisation(o *matching.Organisation) error {
	c.orgs++
	c.offers += len(o.Offers)
	c.needs += len(o.Needs)
	return nil
}
func (c *countSink) Venue(*matching.Venue) error             { c.venues++; return nil }
func (c *countSink) Space(*matching.Space) error             { c.spaces++; return nil }
func (c *countSink) Booked(string, []matching.Session) error { return nil }

// loadScale fills db with seed.Generate's data set of n spaces (seed 1).
func loadScale(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	err := seed.Generate(seed.ScaleOptions{Seed: 1, Spaces: n, BatchSize: 5000}, func(ds *seed.Dataset) error {
		return db.InsertBatch(context.Background(), ds.Organisations, ds.Venues, ds.Spaces)
	})
	if err != nil {
		tb.Fatalf("load %d spaces: %v", n, err)
	}
}

func benchmarkSnapshot(b *testing.B, db *store.DB) {
	b.Helper()
	c, err := db.Count(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var sink countSink
		if _, err := db.Snapshot(b.Context(), &sink); err != nil {
			b.Fatal(err)
		}
		if int64(sink.spaces) != c.Spaces || int64(sink.venues) != c.Venues || int64(sink.orgs) != c.Organisations {
			b.Fatalf("snapshot: got %d organisations, %d venues, %d spaces, want %+v", sink.orgs, sink.venues, sink.spaces, c)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.Spaces), "ns/space")
}

// BenchmarkSnapshot snapshots 100,000 spaces (about 17,000 organisations
// and 50,000 venues) from an in-memory SQLite database.
func BenchmarkSnapshot(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	loadScale(b, db, 100000)
	benchmarkSnapshot(b, db)
}

// BenchmarkSnapshotURL snapshots the database at CG_SNAPSHOT_URL as it
// is (for example a PostgreSQL database loaded once with
// `go run . seed --scale 1000000`); it is skipped when the variable is unset.
func BenchmarkSnapshotURL(b *testing.B) {
	url := os.Getenv("CG_SNAPSHOT_URL")
	if url == "" {
		b.Skip("set CG_SNAPSHOT_URL to a loaded database to run")
	}
	db, err := store.Open(b.Context(), url, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	benchmarkSnapshot(b, db)
}
