package seed

import (
	"reflect"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
)

func TestDemoPartnerships(t *testing.T) {
	ds, tax := Demo(1), Taxonomy()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	got := DemoPartnerships(ds, tax, 1, now, 12)
	if again := DemoPartnerships(Demo(1), tax, 1, now, 12); !reflect.DeepEqual(got, again) {
		t.Fatal("the same dataset and seed gave different stories")
	}
	if len(got) != 12 {
		t.Fatalf("got %d stories, want 12 from the demo county", len(got))
	}
	byID := map[string]int{}
	for i := range ds.Organisations {
		byID[ds.Organisations[i].ID] = i
	}
	seen := map[string]bool{}
	completed := 0
	for i, st := range got {
		p := st.Partnership
		a, b := &ds.Organisations[byID[p.ProposerID]], &ds.Organisations[byID[p.PartnerID]]
		if seen[a.ID] || seen[b.ID] {
			t.Errorf("story %d: an organisation in two partnerships", i)
		}
		seen[a.ID], seen[b.ID] = true, true
		if err := p.Validate(); err != nil {
			t.Errorf("story %d: %v", i, err)
		}
		if !tax.Compatible(a, b) || geo.DistanceM(a.Location, b.Location) > demoReach {
			t.Errorf("story %d: %s and %s are incompatible or too far apart", i, a.Name, b.Name)
		}
		if _, _, ok := firstMet(a, b, tax); !ok {
			t.Errorf("story %d: %s offers nothing %s needs", i, b.Name, a.Name)
		}
		low := false
		for _, h := range st.Checks {
			if err := h.Validate(); err != nil {
				t.Errorf("story %d check: %v", i, err)
			}
			low = low || h.Scores.Low()
		}
		switch {
		case st.Completed && (low || len(st.Checks) == 0 || !st.Accepted):
			t.Errorf("story %d: completed without good health", i)
		case st.Accepted && !st.Completed && !low:
			t.Errorf("story %d: the active partnership should flag a criterion", i)
		}
		if st.Completed {
			completed++
		}
	}
	if completed != 6 {
		t.Errorf("%d completed, want 6 of 12", completed)
	}
}

func TestDemoBookings(t *testing.T) {
	ds := Demo(1)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	got := DemoBookings(ds, 1, now, 20)
	if again := DemoBookings(Demo(1), 1, now, 20); !reflect.DeepEqual(got, again) {
		t.Fatal("the same dataset, seed and day gave different bookings")
	}
	if len(got) < 5 {
		t.Fatalf("got %d bookings, want several", len(got))
	}
	spaces := map[string]*matching.Space{}
	for i := range ds.Spaces {
		spaces[ds.Spaces[i].ID] = &ds.Spaces[i]
	}
	for i, req := range got {
		sp := spaces[req.SpaceID]
		if sp == nil || !sp.InstantBook || sp.OrganisationID == req.OrganisationID {
			t.Fatalf("booking %d: space %v, booker %s: want another organisation's instant space", i, sp != nil, req.OrganisationID)
		}
		if err := req.Validate(now); err != nil {
			t.Errorf("booking %d: %v", i, err)
		}
		loc, _ := matching.LoadLocation("Europe/London")
		open := 0
		for _, s := range req.Sessions {
			if sp.OpenFor(s, loc) {
				open++
			}
		}
		if open == 0 {
			t.Errorf("booking %d: no session within the space's opening hours", i)
		}
	}
}
