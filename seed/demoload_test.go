package seed_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

var _ seed.DemoStore = (*store.DB)(nil)

// logBuffer collects log lines; safe for concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// demoHeld is what the store holds of the demo county.
type demoHeld struct {
	counts                      store.Counts
	partnerships, completed     int
	bookings, confirmedSessions int
}

func held(t *testing.T, db *store.DB) demoHeld {
	t.Helper()
	ctx := store.WithoutTimeout(context.Background()) // a bulk load, as app.New runs it
	c, err := db.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := db.ListPartnerships(ctx, matching.PartnershipFilter{})
	if err != nil {
		t.Fatal(err)
	}
	h := demoHeld{counts: c, partnerships: len(ps)}
	for _, p := range ps {
		if p.Status == matching.PartnershipCompleted {
			h.completed++
		}
	}
	bs, err := db.ListBookings(ctx, matching.BookingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	h.bookings = len(bs)
	for _, b := range bs {
		h.confirmedSessions += len(b.ConfirmedSessions())
	}
	return h
}

func TestLoadDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithoutTimeout(context.Background()) // a bulk load, as app.New runs it
		var logs logBuffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		now := time.Now()
		if err := seed.LoadDemo(ctx, db, 1, now, log); err != nil {
			t.Fatalf("LoadDemo into an empty store: got %v, want nil", err)
		}
		ds := seed.Demo(1)
		stories := seed.DemoPartnerships(ds, seed.Taxonomy(), 1, now, 12)
		completed := 0
		for _, s := range stories {
			if s.Completed {
				completed++
			}
		}
		got := held(t, db)
		want := store.Counts{Organisations: int64(len(ds.Organisations)), Venues: int64(len(ds.Venues)), Spaces: int64(len(ds.Spaces))}
		if got.counts.Organisations != want.Organisations || got.counts.Venues != want.Venues || got.counts.Spaces != want.Spaces {
			t.Errorf("got %+v, want the demo county's %+v", got.counts, want)
		}
		if got.partnerships != len(stories) || got.completed != completed {
			t.Errorf("got %d partnerships, %d completed; want %d, %d", got.partnerships, got.completed, len(stories), completed)
		}
		if got.bookings == 0 || got.confirmedSessions == 0 {
			t.Errorf("got %d bookings with %d confirmed sessions, want some", got.bookings, got.confirmedSessions)
		}
		for _, msg := range []string{"loaded demo county", "loaded demo partnerships", "loaded demo bookings"} {
			if !strings.Contains(logs.String(), msg) {
				t.Errorf("log lacks %q:\n%s", msg, logs.String())
			}
		}

		// A second load, as on a restart, finds the county and adds nothing.
		err := seed.LoadDemo(ctx, db, 1, now, log)
		if !errors.Is(err, seed.ErrNotEmpty) {
			t.Fatalf("LoadDemo into the loaded store: got %v, want ErrNotEmpty", err)
		}
		if again := held(t, db); again != got {
			t.Errorf("after a second LoadDemo: got %+v, want %+v unchanged", again, got)
		}
	})
}

// TestLoadDemoNeverIntoData: one organisation of anyone's is enough to
// keep the demo county out.
func TestLoadDemoNeverIntoData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithoutTimeout(context.Background()) // a bulk load, as app.New runs it
		now := time.Now()
		org := &matching.Organisation{ID: "0190f5e4-0000-7000-8000-000000000001", Name: "Mill Road Movers",
			Type: matching.OrgArts, Location: geo.MustPoint(52.1985, 0.1405), CreatedAt: now, UpdatedAt: now}
		if err := db.CreateOrganisation(ctx, org, ""); err != nil {
			t.Fatal(err)
		}
		err := seed.LoadDemo(ctx, db, 1, now, slog.New(slog.DiscardHandler))
		if !errors.Is(err, seed.ErrNotEmpty) {
			t.Fatalf("got %v, want ErrNotEmpty", err)
		}
		got := held(t, db)
		if want := (demoHeld{counts: store.Counts{Organisations: 1}}); got != want {
			t.Errorf("got %+v, want %+v: the one organisation and nothing else", got, want)
		}
	})
}

// lateReplica is a replica that found the store empty just before another
// replica loaded the demo county into it.
type lateReplica struct{ *store.DB }

func (lateReplica) ListOrganisations(context.Context, matching.OrganisationFilter) ([]matching.Organisation, error) {
	return nil, nil
}

func TestLoadDemoLosesTheRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithoutTimeout(context.Background()) // a bulk load, as app.New runs it
		now := time.Now()
		if err := seed.LoadDemo(ctx, db, 1, now, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		before := held(t, db)
		var logs logBuffer
		if err := seed.LoadDemo(ctx, lateReplica{db}, 1, now, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
			t.Fatalf("the replica that lost: got %v, want nil", err)
		}
		if !strings.Contains(logs.String(), "demo county already being loaded by another replica") {
			t.Errorf("log lacks the lost race:\n%s", logs.String())
		}
		if after := held(t, db); after != before {
			t.Errorf("after the lost race: got %+v, want %+v unchanged", after, before)
		}
	})
}
