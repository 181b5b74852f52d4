package matching_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"commonground/matching"
)

// worstConsortiumRequest is the most a request may ask: MaxRequirements
// capabilities (the taxonomy's first, in its order), the largest radius
// and team, and the most teams, around Cambridge, where the oracle world's
// organisations crowd. Unbounded, it runs into maxSearchNodes.
func worstConsortiumRequest(w *pWorld) matching.ConsortiumRequest {
	req := matching.ConsortiumRequest{Near: cambridge, RadiusKm: matching.MaxMatchRadiusKm,
		MaxMembers: matching.MaxConsortiumMembers, Limit: matching.MaxConsortia}
	for _, c := range w.tax.Categories[:matching.MaxRequirements] {
		req.Requirements = append(req.Requirements, c.Slug)
	}
	return req
}

// checkSound fails t when a bounded answer is not marked so, or when one of
// its teams breaks what every team must keep (the oracle's checkTeams).
func checkSound(t *testing.T, w *pWorld, req matching.ConsortiumRequest, got *matching.ConsortiumResult) {
	t.Helper()
	if got.Exhaustive {
		t.Errorf("got exhaustive true for a search that stopped early, want false")
	}
	if len(got.Consortia) == 0 {
		t.Errorf("got no team, want the best found before the search stopped")
	}
	if errs := w.checkTeams(req, got); len(errs) > 0 {
		t.Errorf("unsound teams:\n  %s", strings.Join(errs, "\n  "))
	}
}

// unboundedTook is how long the search for req takes with no budget: the
// yardstick of the timing checks, as slow as the machine (or the race
// detector) makes it.
func unboundedTook(t *testing.T, e *matching.Engine, req matching.ConsortiumRequest) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := e.BuildConsortia(req); err != nil {
		t.Fatalf("BuildConsortia: %v", err)
	}
	return time.Since(start)
}

func TestSearchConsortiaBudget(t *testing.T) {
	w, r := buildPartnerWorld(t, 1, partnerTaxonomies()["shared"])
	e := w.load(t, r)
	req := worstConsortiumRequest(w)
	full := unboundedTook(t, e, req)
	for _, budget := range []time.Duration{time.Millisecond, 5 * time.Millisecond} {
		t.Run(budget.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			start := time.Now()
			got, err := e.SearchConsortia(ctx, req)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("SearchConsortia: %v", err)
			}
			// The whole search takes hundreds of milliseconds; past its
			// budget it should stop within about one check of done.
			if took > full/4 {
				t.Errorf("took %v with a budget of %v, want at most a quarter of the unbounded search's %v", took, budget, full)
			}
			checkSound(t, w, req, got)
			t.Logf("took %v (unbounded %v), %d candidates, %d teams", took, full, got.Candidates, len(got.Consortia))
		})
	}
}

func TestSearchConsortiaCancelled(t *testing.T) {
	w, r := buildPartnerWorld(t, 1, partnerTaxonomies()["shared"])
	e := w.load(t, r)
	req := worstConsortiumRequest(w)

	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got, err := e.SearchConsortia(ctx, req)
		if err != nil {
			t.Fatalf("SearchConsortia: %v", err)
		}
		checkSound(t, w, req, got)
		// The search looks at ctx at fixed points: a search cancelled
		// before it starts stops at the first, whatever the clock.
		again, _ := e.SearchConsortia(ctx, req)
		if !reflect.DeepEqual(got, again) {
			t.Errorf("two searches cancelled before they start answer differently")
		}
	})

	t.Run("during", func(t *testing.T) {
		full := unboundedTook(t, e, req)
		ctx, cancel := context.WithCancel(context.Background())
		type answer struct {
			res *matching.ConsortiumResult
			err error
			at  time.Time
		}
		done := make(chan answer, 1)
		go func() {
			res, err := e.SearchConsortia(ctx, req)
			done <- answer{res, err, time.Now()}
		}()
		time.Sleep(5 * time.Millisecond)
		cancelled := time.Now()
		cancel()
		select {
		case a := <-done:
			if a.err != nil {
				t.Fatalf("SearchConsortia: %v", a.err)
			}
			if lag := a.at.Sub(cancelled); lag > full/4 {
				t.Errorf("answered %v after the cancel, want at most a quarter of the unbounded search's %v", lag, full)
			}
			checkSound(t, w, req, a.res)
		case <-time.After(5 * time.Second):
			t.Fatal("the search did not stop within 5s of the cancel")
		}
	})
}

// TestSearchConsortiaUnbounded checks that a context that never ends
// changes nothing: SearchConsortia answers as BuildConsortia does.
func TestSearchConsortiaUnbounded(t *testing.T) {
	w, r := buildPartnerWorld(t, 2, partnerTaxonomies()["shared"])
	e := w.load(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for i := range 40 {
		req := w.randomConsortiumRequest(r)
		req.RadiusKm = 1 + 10*r.Float64()
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			want, err := e.BuildConsortia(req)
			if err != nil {
				t.Fatalf("BuildConsortia: %v", err)
			}
			got, err := e.SearchConsortia(ctx, req)
			if err != nil {
				t.Fatalf("SearchConsortia: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("SearchConsortia(%+v):\ngot  %+v\nwant %+v", req, got, want)
			}
		})
	}
}

// TestSearchConsortiaDoesNotHoldTheEngine changes the read model while a
// long search runs: the change must not wait for the search, and the
// search must answer from the model as it was when it started (run with
// -race to see that it reads nothing of the engine's state meanwhile).
func TestSearchConsortiaDoesNotHoldTheEngine(t *testing.T) {
	w, r := buildPartnerWorld(t, 3, partnerTaxonomies()["shared"])
	e := w.load(t, r)
	req := worstConsortiumRequest(w)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var finished atomic.Bool
	type answer struct {
		res *matching.ConsortiumResult
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := e.SearchConsortia(ctx, req)
		finished.Store(true)
		done <- answer{res, err}
	}()
	time.Sleep(30 * time.Millisecond)
	// Delete every organisation within reach: the search's teams.
	cs := &matching.ChangeSet{Revision: 2}
	for _, id := range sortedKeys(w.orgs) {
		cs.DeletedOrganisations = append(cs.DeletedOrganisations, id)
	}
	start := time.Now()
	if err := e.Apply(cs); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	took := time.Since(start)
	searching := !finished.Load()
	a := <-done
	if a.err != nil {
		t.Fatalf("SearchConsortia: %v", a.err)
	}
	if took > 200*time.Millisecond {
		t.Errorf("Apply took %v during a search, want at most 200ms", took)
	} else if !searching {
		t.Fatalf("the search ended before the change was applied; the test needs a longer search")
	}
	if errs := w.checkTeams(req, a.res); len(errs) > 0 || len(a.res.Consortia) == 0 {
		t.Errorf("teams from the model before the change: got %d, errors:\n  %s", len(a.res.Consortia), strings.Join(errs, "\n  "))
	}
}

// TestSearchConsortiaPause checks that a search calls Pause between chunks
// of its work, and answers as it would without it.
func TestSearchConsortiaPause(t *testing.T) {
	w, r := buildPartnerWorld(t, 1, partnerTaxonomies()["shared"])
	e := w.load(t, r)
	req := worstConsortiumRequest(w)
	want, err := e.BuildConsortia(req)
	if err != nil {
		t.Fatalf("BuildConsortia: %v", err)
	}
	pauses := 0
	req.Pause = func() { pauses++ }
	got, err := e.SearchConsortia(context.Background(), req)
	if err != nil {
		t.Fatalf("SearchConsortia: %v", err)
	}
	// The search runs into its bound of two million teams: a pause every
	// 1024 at most.
	if pauses < 1000 {
		t.Errorf("got %d pauses in a search of millions of teams, want a pause every few thousand", pauses)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with pauses the answer differs:\ngot  %+v\nwant %+v", got, want)
	}
}
