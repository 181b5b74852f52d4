package matching_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
)

// Tests of Engine.Apply: changes reach the read model, on the hand-made
// county of applyWorld (engine_helpers_test.go).

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
