package matching_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/matching"
	"commonground/seed"
)

func TestNeedValidateRoomFields(t *testing.T) {
	tax := seed.Taxonomy()
	win := func(day string, start, end matching.ClockTime) matching.Window {
		return matching.Window{Day: matching.Weekday(day), Start: start, End: end}
	}
	for _, tc := range []struct {
		name   string
		need   matching.Need
		fields []string // the fields the error names, in order; none: valid
	}{
		{"every room field", matching.Need{Category: "space.dance-studio", GroupSize: 24, Activity: "tap", MaxPencePerHour: 4000,
			Windows: []matching.Window{win("tue", 1080, 1200), win("tue", 1200, 1440), win("sat", 0, 60)}}, nil},
		{"a room need saying nothing more", matching.Need{Category: "space.hall"}, nil},
		{"room fields on a skill", matching.Need{Category: "skill.dance-teaching", GroupSize: 10, Activity: "tap", MaxPencePerHour: 100,
			Windows: []matching.Window{win("mon", 60, 120)}}, []string{"group_size", "activity", "max_pence_per_hour", "windows"}},
		{"bad size, activity and budget", matching.Need{Category: "space.hall", GroupSize: -1, Activity: "juggling", MaxPencePerHour: -5},
			[]string{"group_size", "activity", "max_pence_per_hour"}},
		{"too big", matching.Need{Category: "space.hall", GroupSize: matching.MaxCapacity + 1, MaxPencePerHour: matching.MaxPencePerHour + 1},
			[]string{"group_size", "max_pence_per_hour"}},
		{"bad windows", matching.Need{Category: "space.hall", Windows: []matching.Window{
			win("funday", 60, 120), win("mon", 600, 600), win("mon", 1440, 1500), win("tue", 600, 700), win("tue", 650, 800)}},
			[]string{"windows[0].day", "windows[1].end", "windows[2].start", "windows[2].end", "windows[4]"}},
		{"too many windows", matching.Need{Category: "space.hall", Windows: slices.Repeat([]matching.Window{win("mon", 60, 120)}, matching.MaxNeedWindows+1)},
			[]string{"windows"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.need.Validate(tax)
			var got []string
			var ve *matching.ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Errors {
					got = append(got, fe.Field)
				}
			} else if err != nil {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields named: got %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
}

// groupsDemo is the demo county in an engine, loaded once.
var groupsDemo = sync.OnceValues(func() (*matching.Engine, *seed.Dataset) {
	ds := seed.Demo(1)
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	for i := range ds.Organisations {
		if err := l.Organisation(&ds.Organisations[i]); err != nil {
			panic(err)
		}
	}
	for i := range ds.Venues {
		if err := l.Venue(&ds.Venues[i]); err != nil {
			panic(err)
		}
	}
	for i := range ds.Spaces {
		if err := l.Space(&ds.Spaces[i]); err != nil {
			panic(err)
		}
	}
	l.Commit(1)
	return e, ds
})

// groupsNow is the now of the demo tests: a Monday morning in January.
var groupsNow = time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC)

// busiestDemoRoom is the demo room with the most groups within 15 km,
// the first by ID among equals.
func busiestDemoRoom(tb testing.TB) (id, name string, n int) {
	e, ds := groupsDemo()
	for _, s := range ds.Spaces {
		res, err := e.MatchGroups(matching.GroupRequest{SpaceID: s.ID, Now: groupsNow})
		if err != nil {
			tb.Fatal(err)
		}
		if res.TotalMatches > n || (res.TotalMatches == n && s.ID < id) {
			id, name, n = s.ID, s.Name, res.TotalMatches
		}
	}
	return id, name, n
}

func TestMatchGroupsErrors(t *testing.T) {
	e, ds := groupsDemo()
	for _, id := range []string{"", "not-a-uuid", "00000000-0000-4000-8000-000000000000"} {
		if _, err := e.MatchGroups(matching.GroupRequest{SpaceID: id, Now: groupsNow}); !errors.Is(err, matching.ErrNotFound) {
			t.Errorf("space %q: got %v, want ErrNotFound", id, err)
		}
	}
	for _, req := range []matching.GroupRequest{{RadiusKm: -1}, {RadiusKm: matching.MaxMatchRadiusKm + 1}, {Limit: -1}, {Limit: matching.MaxGroupLimit + 1}} {
		req.SpaceID, req.Now = ds.Spaces[0].ID, groupsNow
		var ve *matching.ValidationError
		if _, err := e.MatchGroups(req); !errors.As(err, &ve) {
			t.Errorf("%+v: got %v, want a *ValidationError", req, err)
		}
	}
}

// TestMatchGroupsOwnNeedsAndLimit: an owner's own needs are never
// offered its room, and a limit keeps the best.
func TestMatchGroupsOwnNeedsAndLimit(t *testing.T) {
	e, ds := groupsDemo()
	id, _, n := busiestDemoRoom(t)
	if n < 3 {
		t.Fatalf("the busiest demo room has %d groups; the demo needs more", n)
	}
	var owner string
	for _, s := range ds.Spaces {
		if s.ID == id {
			owner = s.OrganisationID
		}
	}
	all, err := e.MatchGroups(matching.GroupRequest{SpaceID: id, Limit: matching.MaxGroupLimit, Now: groupsNow})
	if err != nil {
		t.Fatal(err)
	}
	some, err := e.MatchGroups(matching.GroupRequest{SpaceID: id, Limit: 2, Now: groupsNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(some.Matches) != 2 || some.TotalMatches != all.TotalMatches {
		t.Fatalf("limit 2: got %d of %d, want 2 of %d", len(some.Matches), some.TotalMatches, all.TotalMatches)
	}
	for i, m := range some.Matches {
		if m.NeedID != all.Matches[i].NeedID {
			t.Errorf("limit 2, match %d: got %s, want %s", i, m.NeedID, all.Matches[i].NeedID)
		}
	}
	for i, m := range all.Matches {
		if m.OrganisationID == owner {
			t.Errorf("match %d is the owner's own need", i)
		}
		if i > 0 && m.Score > all.Matches[i-1].Score {
			t.Errorf("match %d scores %v, above match %d's %v", i, m.Score, i-1, all.Matches[i-1].Score)
		}
		for _, w := range m.FreeWindows {
			if !w.End.After(w.Start) || w.Start.Before(groupsNow) || w.End.After(groupsNow.Add(matching.GroupHorizon)) {
				t.Errorf("match %d: free window %v–%v outside the horizon", i, w.Start, w.End)
			}
		}
		for _, r := range m.Reasons {
			if r.Detail == "" || strings.Contains(r.Detail, "%!") {
				t.Errorf("match %d: reason %s reads %q", i, r.Factor, r.Detail)
			}
		}
	}
}

// BenchmarkMatchGroups asks for the groups of the busiest demo room.
func BenchmarkMatchGroups(b *testing.B) {
	e, _ := groupsDemo()
	id, _, _ := busiestDemoRoom(b)
	req := matching.GroupRequest{SpaceID: id, Now: groupsNow}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.MatchGroups(req); err != nil {
			b.Fatal(err)
		}
	}
}
