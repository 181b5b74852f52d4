package matching_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"commonground/matching"
)

// endsAfter is a context that is done from its n-th look at Err on, so a
// test can end it part-way through a search, whatever the clock.
type endsAfter struct {
	context.Context
	looks, n atomic.Int64
}

func (c *endsAfter) Err() error {
	if c.looks.Add(1) >= c.n.Load() {
		return context.Canceled
	}
	return nil
}

func TestMatchPartnersContext(t *testing.T) {
	w, r := buildPartnerWorld(t, 1, partnerTaxonomies()["shared"])
	e := w.load(t, r)
	ids := sortedKeys(w.orgs)
	req := matching.PartnerRequest{OrganisationID: ids[0], RadiusKm: matching.MaxMatchRadiusKm, Limit: matching.MaxPartnerLimit}
	want, err := e.MatchPartners(req)
	if err != nil {
		t.Fatal(err)
	}
	seen := want.TotalMatches
	for _, n := range want.Excluded {
		seen += n
	}
	if seen < 2*256 {
		t.Fatalf("the request sees %d organisations; the test needs more than two looks at the context", seen)
	}

	t.Run("never done", func(t *testing.T) {
		got, err := e.MatchPartnersContext(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("MatchPartnersContext with a context that never ends answers differently from MatchPartners")
		}
	})
	t.Run("done before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if got, err := e.MatchPartnersContext(ctx, req); !errors.Is(err, context.Canceled) || got != nil {
			t.Errorf("got %v, %v; want nil and context.Canceled", got, err)
		}
	})
	t.Run("done part-way", func(t *testing.T) {
		ctx := &endsAfter{Context: context.Background()}
		ctx.n.Store(3) // the first look passes, as does the first in the walk
		got, err := e.MatchPartnersContext(ctx, req)
		if !errors.Is(err, context.Canceled) || got != nil {
			t.Fatalf("got %v, %v; want nil and context.Canceled", got, err)
		}
		// Looked at once before the walk and once every 256 organisations:
		// it stopped at the first look that found ctx done.
		if looks := ctx.looks.Load(); looks != 3 {
			t.Errorf("looked at the context %d times, want 3: it went on after ctx was done", looks)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		if _, err := e.MatchPartnersContext(ctx, req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want context.DeadlineExceeded", err)
		}
	})
}
