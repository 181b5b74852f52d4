package matching_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
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

func TestEngineLoadAndCounts(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 5)
	checkCounts(t, e, 3, 3, 4)
	if got := e.Revision(); got != 5 {
		t.Errorf("Revision() = %d, want 5", got)
	}
	res := mustMatch(t, e, tuesdays())
	// The main hall is booked on the 19th; everything else is free.
	checkMatched(t, res, w.studio.ID, w.annexRoom.ID, w.labRoom.ID)
	if got := res.Excluded[matching.ExcludedUnavailable]; got != 1 {
		t.Errorf("excluded unavailable = %d, want 1 (%v)", got, res.Excluded)
	}
	m := findMatch(res, w.studio.ID)
	if m == nil {
		t.Fatal("studio not matched")
	}
	if m.VenueID != w.hall.ID || m.VenueName != "Mill Road Hall" || m.OrganisationID != w.trust.ID || m.Location != w.hall.Location {
		t.Errorf("studio match %+v does not carry its venue", m)
	}
	ex := explain(t, e, tuesdays(), w.main.ID)
	if ex.Matched || !slices.Equal(failureReasons(ex), []string{matching.ExcludedUnavailable}) {
		t.Errorf("main hall explanation: matched %v, failures %v; want only unavailable", ex.Matched, ex.Failures)
	}
	if len(ex.Conflicts) != 1 || ex.Conflicts[0].Reason != matching.ReasonBooked {
		t.Errorf("main hall conflicts %v, want one booked", ex.Conflicts)
	}

	// A new snapshot replaces the model whole.
	l := e.Load()
	if err := l.Organisation(&w.trust); err != nil {
		t.Fatal(err)
	}
	if err := l.Venue(&w.annex); err != nil {
		t.Fatal(err)
	}
	if err := l.Space(&w.annexRoom); err != nil {
		t.Fatal(err)
	}
	// Until Commit, queries see the old model.
	checkCounts(t, e, 3, 3, 4)
	l.Commit(9)
	checkCounts(t, e, 1, 1, 1)
	if got := e.Revision(); got != 9 {
		t.Errorf("Revision() after a second load = %d, want 9", got)
	}
	checkMatched(t, mustMatch(t, e, tuesdays()), w.annexRoom.ID)
}

func TestEngineLoaderRejectsBadRecords(t *testing.T) {
	w := newApplyWorld()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	if err := l.Venue(&w.hall); err == nil {
		t.Error("a venue of an unknown organisation: got no error")
	}
	if err := l.Organisation(&w.trust); err != nil {
		t.Fatal(err)
	}
	bad := w.hall
	bad.Timezone = "Mars/Olympus"
	if err := l.Venue(&bad); err == nil {
		t.Error("a venue in an unknown zone: got no error")
	}
	bad = w.hall
	bad.ID = "hall-1"
	if err := l.Venue(&bad); err == nil {
		t.Error("a venue whose ID is not a UUID: got no error")
	}
	if err := l.Space(&w.studio); err == nil {
		t.Error("a space of an unknown venue: got no error")
	}
	if err := l.Booked(uuidN(999), []matching.Session{session(localTime(2027, 1, 1, 9, 0), time.Hour)}); err != nil {
		t.Errorf("bookings of a space that has gone: got %v, want them ignored", err)
	}
}

func TestEngineApplyVenueMoveCarriesItsSpaces(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays()

	// The annex moves 40 km north: beyond twice the radius, so its room is
	// neither matched nor counted.
	far := w.annex
	far.Location = offsetKm(cambridge, 40, 0)
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Venues: []matching.Venue{far}})
	res := mustMatch(t, e, req)
	checkMatched(t, res, w.studio.ID, w.labRoom.ID)
	if res.Excluded[matching.ExcludedTooFar] != 0 {
		t.Errorf("a room 40 km away is counted too_far within twice 10 km: %v", res.Excluded)
	}
	if ex := explain(t, e, req, w.annexRoom.ID); !slices.Equal(failureReasons(ex), []string{matching.ExcludedTooFar}) {
		t.Errorf("moved annex room: failures %v, want too_far", ex.Failures)
	}

	// 15 km away: counted too_far.
	mid := w.annex
	mid.Location = offsetKm(cambridge, 0, -15)
	mustApply(t, e, &matching.ChangeSet{Revision: 3, Venues: []matching.Venue{mid}})
	if got := mustMatch(t, e, req).Excluded[matching.ExcludedTooFar]; got != 1 {
		t.Errorf("a room 15 km away: too_far = %d, want 1", got)
	}

	// Back within reach, 6 km south: matched at its new distance, with
	// its venue's new location.
	near := w.annex
	near.Location = offsetKm(cambridge, -6, 0)
	near.Name = "Annex at the Park"
	mustApply(t, e, &matching.ChangeSet{Revision: 4, Venues: []matching.Venue{near}})
	res = mustMatch(t, e, req)
	m := findMatch(res, w.annexRoom.ID)
	if m == nil {
		t.Fatalf("annex room not matched after moving back: %v", res.Excluded)
	}
	if want := math.Round(geo.DistanceM(cambridge, near.Location)) / 1000; m.DistanceKm != want {
		t.Errorf("annex room distance %.3f km, want %.3f", m.DistanceKm, want)
	}
	if m.Location != near.Location || m.VenueName != "Annex at the Park" {
		t.Errorf("annex room at %v named %q, want the venue's new place and name", m.Location, m.VenueName)
	}
	checkCounts(t, e, 3, 3, 4)
}

func TestEngineApplyVenueAccessibilityAndOwner(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays()
	req.Requirements.StepFree = true
	checkMatched(t, mustMatch(t, e, req))

	hall := w.hall
	hall.Accessibility.StepFree = true
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Venues: []matching.Venue{hall}})
	checkMatched(t, mustMatch(t, e, req), w.studio.ID) // the main hall is booked

	// The trust sells the hall to the laboratory: the dance company will
	// not work with its new owner.
	hall.OrganisationID = w.lab.ID
	mustApply(t, e, &matching.ChangeSet{Revision: 3, Venues: []matching.Venue{hall}})
	req.OrganisationID = w.dance.ID
	res := mustMatch(t, e, req)
	checkMatched(t, res)
	if got := res.Excluded[matching.ExcludedValuesConflict]; got != 3 {
		t.Errorf("values_conflict = %d, want 3 (the hall's two rooms and the lab's) %v", got, res.Excluded)
	}
	req.OrganisationID = ""
	if m := findMatch(mustMatch(t, e, req), w.studio.ID); m == nil || m.OrganisationID != w.lab.ID {
		t.Errorf("studio match %+v, want it owned by the lab", m)
	}

	// Deleting the trust leaves the hall, which is no longer its own.
	mustApply(t, e, &matching.ChangeSet{Revision: 4, DeletedOrganisations: []string{w.trust.ID}})
	checkCounts(t, e, 2, 2, 3)
	checkMatched(t, mustMatch(t, e, req), w.studio.ID)
	// Deleting the lab takes the hall and its rooms with it.
	mustApply(t, e, &matching.ChangeSet{Revision: 5, DeletedOrganisations: []string{w.lab.ID}})
	checkCounts(t, e, 1, 0, 0)
	checkMatched(t, mustMatch(t, e, tuesdays()))
}

// TestEngineApplyVenueZone: a venue's rooms read their opening hours in
// the venue's zone, so a venue that changes zone changes what its rooms
// can take at once.
func TestEngineApplyVenueZone(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays() // 18:00 to 20:00 in London; every room opens 08:00 to 22:00 local
	checkMatched(t, mustMatch(t, e, req), w.studio.ID, w.annexRoom.ID, w.labRoom.ID)

	annex := w.annex
	annex.Timezone = "America/New_York" // 13:00 to 15:00 there: still open
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Venues: []matching.Venue{annex}})
	checkMatched(t, mustMatch(t, e, req), w.studio.ID, w.annexRoom.ID, w.labRoom.ID)

	annex.Timezone = "Asia/Tokyo" // 03:00 to 05:00 there: closed
	mustApply(t, e, &matching.ChangeSet{Revision: 3, Venues: []matching.Venue{annex}})
	res := mustMatch(t, e, req)
	checkMatched(t, res, w.studio.ID, w.labRoom.ID)
	if ex := explain(t, e, req, w.annexRoom.ID); ex.Matched || !slices.Equal(failureReasons(ex), []string{matching.ExcludedUnavailable}) {
		t.Errorf("annex room in Tokyo: explanation %+v, want unavailable", ex)
	}
}

func TestEngineApplySpaceChangesVenue(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays()

	// The studio is now counted as a room of the annex, 4 km east.
	studio := w.studio
	studio.VenueID = w.annex.ID
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Spaces: []matching.Space{studio}})
	res := mustMatch(t, e, req)
	m := findMatch(res, w.studio.ID)
	if m == nil {
		t.Fatal("studio not matched after changing venue")
	}
	if m.VenueID != w.annex.ID || m.Location != w.annex.Location {
		t.Errorf("studio in venue %s at %v, want the annex at %v", m.VenueID, m.Location, w.annex.Location)
	}
	checkCounts(t, e, 3, 3, 4)

	// Moving the annex moves the studio with it.
	annex := w.annex
	annex.Location = offsetKm(cambridge, 50, 0)
	mustApply(t, e, &matching.ChangeSet{Revision: 3, Venues: []matching.Venue{annex}})
	checkMatched(t, mustMatch(t, e, req), w.labRoom.ID)

	// Deleting the hall deletes only the room still in it.
	mustApply(t, e, &matching.ChangeSet{Revision: 4, DeletedVenues: []string{w.hall.ID}})
	checkCounts(t, e, 3, 2, 3)
	annex.Location = w.annex.Location
	mustApply(t, e, &matching.ChangeSet{Revision: 5, Venues: []matching.Venue{annex}})
	checkMatched(t, mustMatch(t, e, req), w.studio.ID, w.annexRoom.ID, w.labRoom.ID)
	if ex := explain(t, e, req, w.main.ID); !slices.Equal(failureReasons(ex), []string{"not_found"}) {
		t.Errorf("deleted main hall: failures %v, want not_found", ex.Failures)
	}

	// Deleting the annex takes both its rooms.
	mustApply(t, e, &matching.ChangeSet{Revision: 6, DeletedVenues: []string{w.annex.ID}})
	checkCounts(t, e, 3, 1, 1)
	checkMatched(t, mustMatch(t, e, req), w.labRoom.ID)
}

func TestEngineApplyDeletes(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays()

	mustApply(t, e, &matching.ChangeSet{Revision: 2, DeletedSpaces: []string{w.studio.ID}})
	checkCounts(t, e, 3, 3, 3)
	checkMatched(t, mustMatch(t, e, req), w.annexRoom.ID, w.labRoom.ID)

	// Deleting the trust deletes both its venues and their rooms.
	mustApply(t, e, &matching.ChangeSet{Revision: 3, DeletedOrganisations: []string{w.trust.ID}})
	checkCounts(t, e, 2, 1, 1)
	res := mustMatch(t, e, req)
	checkMatched(t, res, w.labRoom.ID)
	if n := len(res.Excluded); n != 0 {
		t.Errorf("excluded %v, want nothing (the booked main hall has gone)", res.Excluded)
	}
	for _, id := range []string{w.main.ID, w.annexRoom.ID} {
		if ex := explain(t, e, req, id); ex.Matched || !slices.Equal(failureReasons(ex), []string{"not_found"}) {
			t.Errorf("space %s of a deleted organisation: %+v, want not_found", id, ex)
		}
	}
	// Its venues can no longer be written to.
	if err := e.Apply(&matching.ChangeSet{Revision: 4, Venues: []matching.Venue{w.hall}}); err == nil {
		t.Error("a venue of a deleted organisation: got no error")
	}
	// Deletes of unknown records are no-ops.
	mustApply(t, e, &matching.ChangeSet{Revision: 5, DeletedSpaces: []string{uuidN(404), "not-a-uuid"},
		DeletedVenues: []string{uuidN(405)}, DeletedOrganisations: []string{uuidN(406)}})
	checkCounts(t, e, 2, 1, 1)

	// A deleted organisation comes back with a new venue in one set.
	hall := w.hall
	hall.Location = offsetKm(cambridge, 2, 2)
	mustApply(t, e, &matching.ChangeSet{Revision: 6, Organisations: []matching.Organisation{w.trust},
		Venues: []matching.Venue{hall}, Spaces: []matching.Space{w.main}})
	checkCounts(t, e, 3, 2, 2)
	// Its old booking went with it.
	checkMatched(t, mustMatch(t, e, req), w.main.ID, w.labRoom.ID)
}

func TestEngineApplyBookingsReplace(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays()
	first, second := req.Sessions[0], req.Sessions[1]

	mustApply(t, e, &matching.ChangeSet{Revision: 2, Bookings: map[string][]matching.Session{
		w.studio.ID: {session(second.Start.Add(-time.Hour), 90*time.Minute)}, // overlaps 18:00–18:30
	}})
	checkMatched(t, mustMatch(t, e, req), w.annexRoom.ID, w.labRoom.ID)
	ex := explain(t, e, req, w.studio.ID)
	if len(ex.Conflicts) != 1 || ex.Conflicts[0].Reason != matching.ReasonBooked || !ex.Conflicts[0].Start.Equal(second.Start) {
		t.Errorf("studio conflicts %v, want the second session booked", ex.Conflicts)
	}

	// A new list replaces the old one: a booking ending as the session
	// starts does not overlap it.
	mustApply(t, e, &matching.ChangeSet{Revision: 3, Bookings: map[string][]matching.Session{
		w.studio.ID: {session(first.Start.Add(-2*time.Hour), 2*time.Hour), session(second.End, time.Hour)},
		w.main.ID:   {session(first.Start, time.Hour)},
	}})
	res := mustMatch(t, e, req)
	checkMatched(t, res, w.studio.ID, w.annexRoom.ID, w.labRoom.ID)
	ex = explain(t, e, req, w.main.ID)
	if len(ex.Conflicts) != 1 || !ex.Conflicts[0].Start.Equal(first.Start) {
		t.Errorf("main hall conflicts %v, want only the first session (its old booking replaced)", ex.Conflicts)
	}

	// Without require_all_sessions the main hall matches for one session.
	req.RequireAllSessions = false
	m := findMatch(mustMatch(t, e, req), w.main.ID)
	if m == nil || m.SessionsAvailable != 1 || m.SessionsRequested != 2 || len(m.Conflicts) != 1 {
		t.Errorf("main hall match %+v, want 1 of 2 sessions with one conflict", m)
	}

	// An empty list clears them.
	mustApply(t, e, &matching.ChangeSet{Revision: 4, Bookings: map[string][]matching.Session{w.main.ID: nil}})
	req.RequireAllSessions = true
	checkMatched(t, mustMatch(t, e, req), w.studio.ID, w.main.ID, w.annexRoom.ID, w.labRoom.ID)

	// Updating a space keeps its bookings; dropping its closures frees it.
	mustApply(t, e, &matching.ChangeSet{Revision: 5, Bookings: map[string][]matching.Session{w.main.ID: {first}}})
	main := w.main
	main.Closures = []matching.Closure{{Start: second.Start.Add(-24 * time.Hour), End: second.Start.Add(24 * time.Hour), Reason: "floor repairs"}}
	mustApply(t, e, &matching.ChangeSet{Revision: 6, Spaces: []matching.Space{main}})
	ex = explain(t, e, req, w.main.ID)
	want := []string{matching.ReasonBooked, matching.ReasonClosure}
	var got []string
	for _, c := range ex.Conflicts {
		got = append(got, c.Reason)
	}
	if !slices.Equal(got, want) {
		t.Errorf("main hall conflicts %v, want %v", got, want)
	}
	main.Closures = nil
	mustApply(t, e, &matching.ChangeSet{Revision: 7, Spaces: []matching.Space{main}})
	ex = explain(t, e, req, w.main.ID)
	if len(ex.Conflicts) != 1 || ex.Conflicts[0].Reason != matching.ReasonBooked {
		t.Errorf("main hall conflicts %v after its closure was lifted, want the booking only", ex.Conflicts)
	}
	// Bookings of unknown spaces are ignored.
	mustApply(t, e, &matching.ChangeSet{Revision: 8, Bookings: map[string][]matching.Session{uuidN(77): {first}}})
}

func TestEngineApplyOrganisationUpdate(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays()
	req.OrganisationID = w.dance.ID
	res := mustMatch(t, e, req)
	checkMatched(t, res, w.studio.ID, w.annexRoom.ID)
	if got := res.Excluded[matching.ExcludedValuesConflict]; got != 1 {
		t.Errorf("values_conflict = %d, want 1 (the lab's studio)", got)
	}
	ex := explain(t, e, req, w.labRoom.ID)
	if !slices.Equal(failureReasons(ex), []string{matching.ExcludedValuesConflict}) || !strings.Contains(ex.Failures[0].Detail, "Granta Labs") {
		t.Errorf("lab studio failures %v, want a values conflict naming Granta Labs", ex.Failures)
	}

	// The lab stops testing on animals; its venue and rooms stay.
	lab := w.lab
	lab.Practices = nil
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Organisations: []matching.Organisation{lab}})
	checkMatched(t, mustMatch(t, e, req), w.studio.ID, w.annexRoom.ID, w.labRoom.ID)
	checkCounts(t, e, 3, 3, 4)

	// The trust now excludes a practice of the requester: the conflict
	// works in both directions.
	dance := w.dance
	dance.Practices = []string{"alcohol-sponsorship"}
	trust := w.trust
	trust.Exclusions = []string{"alcohol-sponsorship"}
	mustApply(t, e, &matching.ChangeSet{Revision: 3, Organisations: []matching.Organisation{dance, trust}})
	res = mustMatch(t, e, req)
	checkMatched(t, res, w.labRoom.ID)
	if got := res.Excluded[matching.ExcludedValuesConflict]; got != 3 {
		t.Errorf("values_conflict = %d, want 3 (the trust's rooms) %v", got, res.Excluded)
	}
	// The organisation update kept the trust's venues: deleting it still
	// deletes them.
	mustApply(t, e, &matching.ChangeSet{Revision: 4, DeletedOrganisations: []string{w.trust.ID}})
	checkCounts(t, e, 2, 1, 1)

	// An unknown requester is a bad request.
	req.OrganisationID = uuidN(12345)
	if _, err := e.MatchVenues(req); err == nil {
		t.Error("an unknown requester: got no error")
	}
}

func TestEngineApplyRevisions(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 10)
	req := tuesdays()

	// At or below the engine's revision: seen already, ignored.
	for _, rev := range []int64{9, 10} {
		mustApply(t, e, &matching.ChangeSet{Revision: rev, DeletedSpaces: []string{w.studio.ID}})
		if e.Revision() != 10 {
			t.Errorf("after a set at revision %d: Revision() = %d, want 10", rev, e.Revision())
		}
		checkCounts(t, e, 3, 3, 4)
	}
	mustApply(t, e, &matching.ChangeSet{Revision: 11, DeletedSpaces: []string{w.studio.ID}})
	if e.Revision() != 11 {
		t.Errorf("Revision() = %d, want 11", e.Revision())
	}
	checkCounts(t, e, 3, 3, 3)
	checkMatched(t, mustMatch(t, e, req), w.annexRoom.ID, w.labRoom.ID)

	// A reload set is refused and changes nothing.
	if err := e.Apply(&matching.ChangeSet{Revision: 20, Reload: true, DeletedSpaces: []string{w.annexRoom.ID}}); err == nil {
		t.Error("a Reload set: got no error")
	}
	if e.Revision() != 11 {
		t.Errorf("Revision() after a Reload set = %d, want 11", e.Revision())
	}
	checkCounts(t, e, 3, 3, 3)

	// A set with a bad record applies the rest, moves the revision on and
	// reports the record.
	err := e.Apply(&matching.ChangeSet{Revision: 12,
		Spaces:        []matching.Space{{ID: uuidN(500), VenueID: uuidN(501), Name: "Orphan"}},
		DeletedSpaces: []string{w.annexRoom.ID}})
	if err == nil || !strings.Contains(err.Error(), uuidN(501)) {
		t.Errorf("a space of an unknown venue: got %v, want an error naming the venue", err)
	}
	checkCounts(t, e, 3, 3, 2)
	if e.Revision() != 12 {
		t.Errorf("Revision() = %d, want 12", e.Revision())
	}
}

// TestEngineApplyMoveOutOfDeletedVenue: a room moved to another venue
// just before its old venue is deleted arrives in one change set with the
// delete. It must survive with its booked periods, which the set does not
// name (ChangeSet.Bookings replaces only the spaces it names).
func TestEngineApplyMoveOutOfDeletedVenue(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	req := tuesdays()
	main := w.main // booked on the 19th at load
	main.VenueID = w.annex.ID
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Spaces: []matching.Space{main}, DeletedVenues: []string{w.hall.ID}})
	checkCounts(t, e, 3, 2, 3)
	ex := explain(t, e, req, w.main.ID)
	if len(ex.Conflicts) != 1 || ex.Conflicts[0].Reason != matching.ReasonBooked {
		t.Errorf("moved main hall conflicts %v, want its booking on the 19th kept", ex.Conflicts)
	}

	// The same when the old owner is deleted and the venue passes to
	// another organisation.
	annex := w.annex
	annex.OrganisationID = w.lab.ID
	mustApply(t, e, &matching.ChangeSet{Revision: 3, Venues: []matching.Venue{annex}, Spaces: []matching.Space{main, w.annexRoom},
		DeletedOrganisations: []string{w.trust.ID}})
	checkCounts(t, e, 2, 2, 3)
	ex = explain(t, e, req, w.main.ID)
	if len(ex.Conflicts) != 1 || ex.Conflicts[0].Reason != matching.ReasonBooked {
		t.Errorf("main hall conflicts %v after its venue changed owner, want its booking kept", ex.Conflicts)
	}
	if ex.Match != nil || ex.Matched {
		t.Errorf("main hall matched while booked")
	}
	req.RequireAllSessions = false
	if m := findMatch(mustMatch(t, e, req), w.main.ID); m == nil || m.OrganisationID != w.lab.ID || m.VenueID != w.annex.ID {
		t.Errorf("main hall match %+v, want it in the annex, owned by the lab", m)
	}
}

// TestEngineMinimaAreInclusive: a room exactly as high or as large as asked
// meets the request, whatever the decimals.
func TestEngineMinimaAreInclusive(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	for _, ceiling := range []float64{2.7, 3.3, 3.7, 4.1, 5.9} {
		studio := w.studio
		studio.CeilingHeightM = ceiling
		mustApply(t, e, &matching.ChangeSet{Revision: e.Revision() + 1, Spaces: []matching.Space{studio}})
		req := tuesdays()
		req.Activity = "tap" // no ceiling of its own
		req.Requirements.MinCeilingM = ceiling
		res := mustMatch(t, e, req)
		if findMatch(res, w.studio.ID) == nil {
			t.Errorf("a %.1f m ceiling does not meet a %.1f m requirement: %v", ceiling, ceiling, explain(t, e, req, w.studio.ID).Failures)
		}
	}
	// Floor area per dancer from a deployment's own profile.
	e2 := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{Activities: map[string]matching.ActivityProfile{
		"yoga": {MinAreaPerDancerM2: 2.2, MinCeilingM: 2.7},
	}})
	l := e2.Load()
	_ = l.Organisation(&w.trust)
	_ = l.Venue(&w.hall)
	studio := w.studio
	studio.FloorAreaM2, studio.CeilingHeightM = 6.6, 2.7 // 3 × 2.2, which is 6.6000000000000005 in float64
	if err := l.Space(&studio); err != nil {
		t.Fatal(err)
	}
	l.Commit(1)
	req := tuesdays()
	req.Activity, req.GroupSize = "yoga", 3
	if res := mustMatch(t, e2, req); findMatch(res, studio.ID) == nil {
		t.Errorf("6.6 m² and 2.7 m do not hold 3 at 2.2 m² and 2.7 m each: %v", res.Excluded)
	}
}

// TestEngineSessionsAndOpeningHours: opening hours are local wall-clock
// times; a session may end at midnight (24:00) but not run past it.
func TestEngineSessionsAndOpeningHours(t *testing.T) {
	w := newApplyWorld()
	e := w.load(t, 1)
	late := w.studio
	late.OpeningHours = []matching.OpeningHours{{Day: "fri", Opens: 18 * 60, Closes: 23*60 + 59},
		{Day: "sat", Opens: 18 * 60, Closes: 24 * 60}, {Day: "sun", Opens: 0, Closes: 2 * 60}}
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Spaces: []matching.Space{late}})
	sat := localTime(2027, 3, 27, 0, 0) // the night the clocks go forward
	tests := []struct {
		name       string
		start, end time.Time
		want       string // "" free, or the conflict
	}{
		{"22:00 to midnight", sat.Add(22 * time.Hour), localTime(2027, 3, 28, 0, 0), ""},
		{"Friday 22:00 to midnight, closing at 23:59", localTime(2027, 3, 26, 22, 0), sat, matching.ReasonOutsideHours},
		{"Friday 22:00 to 23:59", localTime(2027, 3, 26, 22, 0), localTime(2027, 3, 26, 23, 59), ""},
		{"Friday 22:00 to 23:59:30", localTime(2027, 3, 26, 22, 0), localTime(2027, 3, 26, 23, 59).Add(30 * time.Second), matching.ReasonOutsideHours},
		{"18:00 to 19:30", sat.Add(18 * time.Hour), sat.Add(19*time.Hour + 30*time.Minute), ""},
		{"17:30 to 19:00", sat.Add(17*time.Hour + 30*time.Minute), sat.Add(19 * time.Hour), matching.ReasonOutsideHours},
		{"23:00 to 00:30", sat.Add(23 * time.Hour), localTime(2027, 3, 28, 0, 30), matching.ReasonOutsideHours},
		{"Sunday 00:30 to 02:00, across the gap", localTime(2027, 3, 28, 0, 30), localTime(2027, 3, 28, 2, 0), ""},
		{"Sunday 00:30 to 03:00, after closing", localTime(2027, 3, 28, 0, 30), localTime(2027, 3, 28, 3, 0), matching.ReasonOutsideHours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tuesdays()
			req.Sessions = []matching.Session{{Start: tt.start, End: tt.end}}
			ex := explain(t, e, req, w.studio.ID)
			var got string
			if len(ex.Conflicts) > 0 {
				got = ex.Conflicts[0].Reason
			}
			if got != tt.want || ex.Matched != (tt.want == "") {
				t.Errorf("got conflict %q (matched %v), want %q", got, ex.Matched, tt.want)
			}
		})
	}
}

// TestEngineTieBreaks: equal scores rank the nearer space first, then by
// ID.
func TestEngineTieBreaks(t *testing.T) {
	tx := seed.Taxonomy()
	e := matching.NewEngine(tx, matching.EngineOptions{})
	l := e.Load()
	owner := matching.Organisation{ID: uuidN(1), Name: "Owner", Type: matching.OrgCommunity, Location: cambridge}
	_ = l.Organisation(&owner)
	// Due north of the centre, so distances grow exactly with latitude.
	at := func(n int, m float64) *matching.Venue {
		v := &matching.Venue{ID: uuidN(100 + n), OrganisationID: owner.ID, Name: fmt.Sprintf("V%d", n),
			Location: geo.MustPoint(cambridge.Lat()+m/geo.EarthRadiusM*180/math.Pi, cambridge.Lon()), Timezone: "Europe/London"}
		if err := l.Venue(v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	room := func(id int, v *matching.Venue, price int) {
		s := newApplyWorld().studio
		s.ID, s.VenueID, s.Name = uuidN(id), v.ID, fmt.Sprintf("room %d", id)
		s.Prices = []matching.Price{{Tier: "standard", PencePerHour: price}}
		if err := l.Space(&s); err != nil {
			t.Fatal(err)
		}
	}
	// 100 m further (1% of 10 km: 0.0025 off the score) is made up by
	// £1 an hour less (1/60 of £60: 0.0025 on it).
	near, far := at(1, 1000), at(2, 1100)
	room(30, near, 3000)
	room(20, far, 2900)
	room(11, near, 3000) // same place and score as room 30: by ID
	l.Commit(1)
	res := mustMatch(t, e, tuesdays())
	want := []string{uuidN(11), uuidN(30), uuidN(20)}
	if got := matchIDs(res); !slices.Equal(got, want) {
		for _, m := range res.Matches {
			t.Logf("%s %.6f %.3f km", m.SpaceName, m.Score, m.DistanceKm)
		}
		t.Errorf("order %v, want %v", got, want)
	}
	if res.Matches[0].Score != res.Matches[2].Score {
		t.Errorf("scores %v and %v, want a tie", res.Matches[0].Score, res.Matches[2].Score)
	}
}
