package matching_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// Helpers shared by the engine tests of package matching_test.

// cambridge is the centre of the hand-made data sets.
var cambridge = geo.MustPoint(52.2053, 0.1218)

func zone(name string) *time.Location {
	loc, err := matching.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var london = zone("Europe/London")

// uuidN is a fixed, valid UUID for small test data sets.
func uuidN(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// offsetKm is the point northKm north and eastKm east of p.
func offsetKm(p orb.Point, northKm, eastKm float64) orb.Point {
	lat := p.Lat() + northKm/111.195
	lon := p.Lon() + eastKm/(111.195*math.Cos(p.Lat()*math.Pi/180))
	return geo.MustPoint(lat, lon)
}

// everyDay opens a space from opens to closes (minutes) every day.
func everyDay(opens, closes matching.ClockTime) []matching.OpeningHours {
	out := make([]matching.OpeningHours, len(matching.Days))
	for i, d := range matching.Days {
		out[i] = matching.OpeningHours{Day: d, Opens: opens, Closes: closes}
	}
	return out
}

func localTime(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, london)
}

func session(start time.Time, d time.Duration) matching.Session {
	return matching.Session{Start: start, End: start.Add(d)}
}

func mustMatch(t testing.TB, e *matching.Engine, req *matching.VenueRequest) *matching.VenueResult {
	t.Helper()
	res, err := e.MatchVenues(req)
	if err != nil {
		t.Fatalf("MatchVenues: %v", err)
	}
	return res
}

func mustApply(t testing.TB, e *matching.Engine, cs *matching.ChangeSet) {
	t.Helper()
	if err := e.Apply(cs); err != nil {
		t.Fatalf("Apply(revision %d): %v", cs.Revision, err)
	}
}

func matchIDs(res *matching.VenueResult) []string {
	ids := make([]string, len(res.Matches))
	for i, m := range res.Matches {
		ids[i] = m.SpaceID
	}
	return ids
}

func findMatch(res *matching.VenueResult, spaceID string) *matching.VenueMatch {
	for i := range res.Matches {
		if res.Matches[i].SpaceID == spaceID {
			return &res.Matches[i]
		}
	}
	return nil
}

// applyWorld is a small county for the Apply tests: a dance company, a
// community trust with two venues, and a laboratory that tests on animals.
type applyWorld struct {
	dance, trust, lab matching.Organisation
	hall, annex, labV matching.Venue
	studio, main      matching.Space // in hall
	annexRoom         matching.Space // in annex
	labRoom           matching.Space // in labV
}

const (
	orgDance = iota + 1
	orgTrust
	orgLab
	venueHall
	venueAnnex
	venueLab
	spaceStudio
	spaceMain
	spaceAnnex
	spaceLab
)

func newApplyWorld() *applyWorld {
	w := &applyWorld{}
	org := func(n int, name string, t matching.OrgType) matching.Organisation {
		return matching.Organisation{ID: uuidN(n), Name: name, Type: t, Location: cambridge}
	}
	w.dance = org(orgDance, "Fen Dance Company", matching.OrgArts)
	w.dance.Values = []string{"animal-welfare"}
	w.trust = org(orgTrust, "Mill Road Trust", matching.OrgCommunity)
	w.lab = org(orgLab, "Granta Labs", matching.OrgBusiness)
	w.lab.Practices = []string{"animal-testing"}
	venue := func(n, owner int, name string, at orb.Point) matching.Venue {
		return matching.Venue{ID: uuidN(n), OrganisationID: uuidN(owner), Name: name, Location: at, Timezone: "Europe/London"}
	}
	w.hall = venue(venueHall, orgTrust, "Mill Road Hall", offsetKm(cambridge, 1, 0))
	w.annex = venue(venueAnnex, orgTrust, "Mill Road Annex", offsetKm(cambridge, 0, 4))
	w.labV = venue(venueLab, orgLab, "Granta Park", offsetKm(cambridge, -3, 0))
	space := func(n int, v *matching.Venue, name string, floor matching.Floor) matching.Space {
		return matching.Space{ID: uuidN(n), VenueID: v.ID, OrganisationID: v.OrganisationID, Location: v.Location,
			Name: name, Kind: "studio", Capacity: 40, FloorAreaM2: 120, CeilingHeightM: 4, Floor: floor,
			Mirrors: true, Barres: true, ClimateControl: true,
			Prices:       []matching.Price{{Tier: "standard", PencePerHour: 3000}},
			OpeningHours: everyDay(8*60, 22*60)}
	}
	w.studio = space(spaceStudio, &w.hall, "Studio", matching.FloorSprung)
	w.main = space(spaceMain, &w.hall, "Main Hall", matching.FloorWood)
	w.annexRoom = space(spaceAnnex, &w.annex, "Annex Room", matching.FloorSemiSprung)
	w.labRoom = space(spaceLab, &w.labV, "Lab Studio", matching.FloorSprung)
	return w
}

// load builds an engine from the world through Load and Commit.
func (w *applyWorld) load(t *testing.T, rev int64) *matching.Engine {
	t.Helper()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	for _, o := range []*matching.Organisation{&w.dance, &w.trust, &w.lab} {
		if err := l.Organisation(o); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []*matching.Venue{&w.hall, &w.annex, &w.labV} {
		if err := l.Venue(v); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*matching.Space{&w.studio, &w.main, &w.annexRoom, &w.labRoom} {
		if err := l.Space(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Booked(w.main.ID, []matching.Session{session(localTime(2027, 1, 19, 18, 0), 2*time.Hour)}); err != nil {
		t.Fatal(err)
	}
	l.Commit(rev)
	return e
}

// tuesdays is a request for two Tuesday evenings in January 2027 within
// 10 km of Cambridge.
func tuesdays() *matching.VenueRequest {
	return &matching.VenueRequest{
		Near: cambridge, RadiusKm: 10, GroupSize: 12, Activity: "contemporary",
		Sessions: []matching.Session{
			session(localTime(2027, 1, 12, 18, 0), 2*time.Hour),
			session(localTime(2027, 1, 19, 18, 0), 2*time.Hour),
		},
		RequireAllSessions: true,
	}
}

func checkCounts(t *testing.T, e *matching.Engine, orgs, venues, spaces int) {
	t.Helper()
	o, v, s := e.Counts()
	if o != orgs || v != venues || s != spaces {
		t.Errorf("Counts() = %d, %d, %d; want %d, %d, %d", o, v, s, orgs, venues, spaces)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func checkMatched(t *testing.T, res *matching.VenueResult, want ...string) {
	t.Helper()
	if got := matchIDs(res); !sameSet(got, want) {
		t.Errorf("matched %v, want %v (excluded %v)", got, want, res.Excluded)
	}
}

func explain(t *testing.T, e *matching.Engine, req *matching.VenueRequest, spaceID string) *matching.Explanation {
	t.Helper()
	r := *req
	r.ExplainSpaceID = spaceID
	ex := mustMatch(t, e, &r).Explanation
	if ex == nil {
		t.Fatalf("no explanation for %s", spaceID)
	}
	return ex
}

func failureReasons(ex *matching.Explanation) []string {
	var out []string
	for _, f := range ex.Failures {
		out = append(out, f.Reason)
	}
	return out
}
