package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// as returns a context whose principal is a key of org, as the API
// passes it to the store.
func as(t *testing.T, org matching.Organisation) context.Context {
	return matching.WithPrincipal(t.Context(), matching.Principal{Kind: matching.PrincipalKey, OrganisationID: org.ID, Role: matching.RoleAdmin})
}

// recorded is one events row with the organisations told of it and the
// delivery jobs naming it.
type recorded struct {
	ID, Event, SubjectType, SubjectID, Summary, Actor string
	Data                                              map[string]any
	Told                                              []string // notified organisations, sorted
	Jobs                                              int      // event.deliver jobs naming it
}

// recordedEvents reads every event in the store, oldest first.
func recordedEvents(t *testing.T, db *store.DB) []recorded {
	t.Helper()
	g := db.Gorm().WithContext(t.Context())
	var rows []struct {
		ID, Event, SubjectType, SubjectID, Summary, Data, ActorOrganisationID string
	}
	if err := g.Raw("SELECT id, event, subject_type, subject_id, summary, data, actor_organisation_id FROM events ORDER BY created_at, id").Scan(&rows).Error; err != nil {
		t.Fatalf("read events: %v", err)
	}
	var jobs []struct {
		Kind string
		Args []byte
	}
	args := "args::text" // River keeps args as jsonb on PostgreSQL, as SQLite's binary JSON on SQLite
	if db.Dialect() == store.SQLite {
		args = "json(args)"
	}
	if err := g.Raw("SELECT kind, " + args + " AS args FROM river_job").Scan(&jobs).Error; err != nil {
		t.Fatalf("read river_job: %v", err)
	}
	out := make([]recorded, len(rows))
	for i, r := range rows {
		e := recorded{ID: r.ID, Event: r.Event, SubjectType: r.SubjectType, SubjectID: r.SubjectID, Summary: r.Summary, Actor: r.ActorOrganisationID}
		if err := json.Unmarshal([]byte(r.Data), &e.Data); err != nil {
			t.Errorf("event %s: data %q is not a JSON object: %v", r.Event, r.Data, err)
		}
		if err := g.Raw("SELECT organisation_id FROM notifications WHERE event_id = ? ORDER BY organisation_id", r.ID).Scan(&e.Told).Error; err != nil {
			t.Fatalf("read notifications: %v", err)
		}
		for _, j := range jobs {
			var args store.EventJob
			if j.Kind == (store.EventJob{}).Kind() && json.Unmarshal(j.Args, &args) == nil && args.EventID == r.ID {
				e.Jobs++
			}
		}
		out[i] = e
	}
	return out
}

// outboxCounts is the number of events, notifications and jobs.
func outboxCounts(t *testing.T, db *store.DB) [3]int64 {
	t.Helper()
	return [3]int64{countRows(t, db, "events"), countRows(t, db, "notifications"), countRows(t, db, "river_job")}
}

// checkEvent fails t unless got is one event called event about subject
// id, from actor, told exactly to told, with one delivery job, and data
// holding want.
func checkEvent(t *testing.T, got []recorded, event, subjectID, actor string, told []string, want map[string]any) recorded {
	t.Helper()
	var found []recorded
	for _, e := range got {
		if e.Event == event && e.SubjectID == subjectID {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s about %s: got %d events, want 1 (all: %+v)", event, subjectID, len(found), got)
	}
	e := found[0]
	slices.Sort(told)
	if !slices.Equal(e.Told, told) {
		t.Errorf("%s: told %v, want %v", event, e.Told, told)
	}
	if e.Actor != actor {
		t.Errorf("%s: actor_organisation_id %q, want %q", event, e.Actor, actor)
	}
	if e.Jobs != 1 {
		t.Errorf("%s: got %d event.deliver jobs naming it, want 1", event, e.Jobs)
	}
	if e.Summary == "" {
		t.Errorf("%s: empty summary", event)
	}
	for k, v := range want {
		if got, _ := json.Marshal(e.Data[k]); string(got) != string(mustJSON(t, v)) {
			t.Errorf("%s: data.%s = %s, want %s", event, k, got, mustJSON(t, v))
		}
	}
	return e
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBookEmits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		owner, booker, instant := bookingFixture(t, db)
		v := newVenue(owner.ID, "Guildhall", 52.2, 0.12)
		createVenue(t, db, &v)
		asked := newSpace(v.ID, "Long Room")
		asked.InstantBook = false
		createSpace(t, db, &asked)
		var calls atomic.Int32

		for _, tc := range []struct {
			space              matching.Space
			event, status, say string
		}{
			{instant, matching.EventBookingConfirmed, "confirmed", "Booker booked Studio for 2 sessions."},
			{asked, matching.EventBookingRequested, "requested", "Booker asks to book Long Room for 2 sessions."},
		} {
			t.Run(tc.event, func(t *testing.T) {
				id := uuid.NewString()
				req := &matching.BookingRequest{SpaceID: tc.space.ID, OrganisationID: booker.ID, Purpose: "class",
					Sessions: []matching.Session{sessionAt(0, 10, 11), sessionAt(1, 10, 11)}}
				if _, _, err := db.Book(as(t, booker), id, req, nil, renderID(&calls)); err != nil {
					t.Fatalf("Book: %v", err)
				}
				e := checkEvent(t, recordedEvents(t, db), tc.event, id, booker.ID, []string{owner.ID},
					map[string]any{"booking_id": id, "space_id": tc.space.ID, "organisation_id": booker.ID, "status": tc.status})
				if e.Summary != tc.say || e.SubjectType != "booking" {
					t.Errorf("got summary %q about %s, want %q about booking", e.Summary, e.SubjectType, tc.say)
				}
			})
		}

		t.Run("refused and replayed", func(t *testing.T) {
			before := outboxCounts(t, db)
			// Conflicts with the confirmed booking above: nothing booked.
			req := &matching.BookingRequest{SpaceID: instant.ID, OrganisationID: booker.ID, Purpose: "again",
				Sessions: []matching.Session{sessionAt(0, 10, 11)}}
			idem := &matching.Idempotency{Key: "k1", RequestHash: "h1"}
			if _, o, err := db.Book(as(t, booker), uuid.NewString(), req, idem, renderID(&calls)); err != nil || o.Booked() {
				t.Fatalf("Book: got booked %v, err %v; want a refusal", o != nil && o.Booked(), err)
			}
			if _, _, err := db.Book(as(t, booker), uuid.NewString(), req, idem, renderID(&calls)); err != nil {
				t.Fatalf("replay: %v", err)
			}
			if got := outboxCounts(t, db); got != before {
				t.Errorf("events, notifications, jobs: got %v, want %v unchanged", got, before)
			}
		})

		t.Run("render fails", func(t *testing.T) {
			before := outboxCounts(t, db)
			req := &matching.BookingRequest{SpaceID: asked.ID, OrganisationID: booker.ID, Purpose: "class",
				Sessions: []matching.Session{sessionAt(3, 10, 11)}}
			boom := errors.New("render failed")
			_, _, err := db.Book(as(t, booker), uuid.NewString(), req, nil, func(*matching.BookingOutcome) (matching.Reply, error) {
				return matching.Reply{}, boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Book: got %v, want the render error", err)
			}
			if got := outboxCounts(t, db); got != before {
				t.Errorf("events, notifications, jobs: got %v, want %v unchanged", got, before)
			}
		})
	})
}

func TestChangeBookingEmits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		owner, booker, space := bookingFixture(t, db)
		space.InstantBook = false
		if _, err := db.UpdateSpace(t.Context(), space.ID, func(s *matching.Space) error { s.InstantBook = false; return nil }); err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int32
		book := func(week int) string {
			id := uuid.NewString()
			req := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID, Purpose: "class",
				Sessions: []matching.Session{sessionAt(week, 10, 11), sessionAt(week+1, 10, 11)}}
			if _, _, err := db.Book(as(t, booker), id, req, nil, renderID(&calls)); err != nil {
				t.Fatalf("Book: %v", err)
			}
			return id
		}
		approved, declined := book(0), book(4)
		if _, err := db.ChangeBooking(as(t, owner), approved, matching.ApproveBooking, nil); err != nil {
			t.Fatalf("approve: %v", err)
		}
		if _, err := db.ChangeBooking(as(t, owner), declined, matching.DeclineBooking, nil); err != nil {
			t.Fatalf("decline: %v", err)
		}
		// The requester cancels one session far ahead, then the owner the
		// whole booking.
		if _, err := db.CancelOccurrence(as(t, booker), approved, 1, t0, nil); err != nil {
			t.Fatalf("cancel occurrence: %v", err)
		}
		if _, err := db.ChangeBooking(as(t, owner), approved, matching.CancelBooking, nil); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		got := recordedEvents(t, db)
		checkEvent(t, got, matching.EventBookingConfirmed, approved, owner.ID, []string{booker.ID},
			map[string]any{"status": "confirmed", "booking_id": approved})
		checkEvent(t, got, matching.EventBookingDeclined, declined, owner.ID, []string{booker.ID},
			map[string]any{"status": "declined"})
		var cancels []recorded
		for _, e := range got {
			if e.Event == matching.EventBookingCancelled {
				cancels = append(cancels, e)
			}
		}
		if len(cancels) != 2 {
			t.Fatalf("got %d booking.cancelled events, want 2", len(cancels))
		}
		if occ := cancels[0].Data["occurrence"]; occ != float64(1) || !slices.Equal(cancels[0].Told, []string{owner.ID}) {
			t.Errorf("session cancelled: got occurrence %v told %v, want 1 told the owner", occ, cancels[0].Told)
		}
		if want := "One session (Mon 11 Jan 2027 10:00 GMT) of Booker's booking of Studio was cancelled by Booker."; cancels[0].Summary != want {
			t.Errorf("session cancelled: got summary %q, want %q", cancels[0].Summary, want)
		}
		if _, has := cancels[1].Data["occurrence"]; has || !slices.Equal(cancels[1].Told, []string{booker.ID}) {
			t.Errorf("booking cancelled: got data %v told %v, want no occurrence, told the requester", cancels[1].Data, cancels[1].Told)
		}

		// A change refused leaves nothing behind.
		before := outboxCounts(t, db)
		_, err := db.ChangeBooking(as(t, owner), declined, matching.ApproveBooking, nil)
		checkErr(t, "approve a declined booking", err, matching.ErrConflict)
		_, err = db.ChangeBooking(as(t, booker), approved, matching.CancelBooking, func(*matching.Booking) error {
			return matching.ErrForbidden
		})
		checkErr(t, "cancel not allowed", err, matching.ErrForbidden)
		if got := outboxCounts(t, db); got != before {
			t.Errorf("events, notifications, jobs: got %v, want %v unchanged", got, before)
		}
	})
}

func TestPartnershipEmits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		prop, part := pr.proposer.ID, pr.partner.ID
		p := newPartnership(prop, part)
		if err := db.CreatePartnership(as(t, pr.proposer), &p); err != nil {
			t.Fatalf("CreatePartnership: %v", err)
		}
		step := func(org matching.Organisation, a matching.PartnershipAction) {
			t.Helper()
			if _, err := db.TransitionPartnership(as(t, org), p.ID, a, pr.as(org)); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		step(pr.partner, matching.ActionAccept)
		step(pr.proposer, matching.ActionActivate)
		low := healthCheck(p.ID, part, t0, 4, 4, 2, 4, 4, 4)
		if err := db.AddHealthCheck(as(t, pr.partner), &low); err != nil {
			t.Fatal(err)
		}
		good := healthCheck(p.ID, prop, t0, 4, 4, 4, 4, 4, 4)
		if err := db.AddHealthCheck(as(t, pr.proposer), &good); err != nil {
			t.Fatal(err)
		}
		step(pr.partner, matching.ActionComplete)

		got := recordedEvents(t, db)
		e := checkEvent(t, got, matching.EventPartnershipProposed, p.ID, prop, []string{part},
			map[string]any{"partnership_id": p.ID, "status": "proposed"})
		if !strings.Contains(e.Summary, pr.proposer.Name) || !strings.Contains(e.Summary, pr.partner.Name) {
			t.Errorf("proposed: summary %q does not name both organisations", e.Summary)
		}
		checkEvent(t, got, matching.EventPartnershipAccepted, p.ID, part, []string{prop}, map[string]any{"status": "accepted"})
		checkEvent(t, got, matching.EventPartnershipActivated, p.ID, prop, []string{part}, map[string]any{"status": "active"})
		checkEvent(t, got, matching.EventPartnershipHealthFlagged, p.ID, part, []string{prop},
			map[string]any{"health_check_id": low.ID, "flagged": []string{"coordination"}})
		checkEvent(t, got, matching.EventPartnershipCompleted, p.ID, part, []string{prop}, map[string]any{"status": "completed"})
		if len(got) != 5 {
			t.Errorf("got %d events, want 5 (the good health check tells nobody)", len(got))
		}

		// Decline and end, by the operator: both parties are told.
		q := newPartnership(prop, part)
		createPartnership(t, db, &q)
		operator := matching.WithPrincipal(t.Context(), matching.Principal{Kind: matching.PrincipalOperator})
		if _, err := db.TransitionPartnership(operator, q.ID, matching.ActionDecline, matching.Actor{Operator: true}); err != nil {
			t.Fatal(err)
		}
		checkEvent(t, recordedEvents(t, db), matching.EventPartnershipDeclined, q.ID, "", []string{prop, part}, nil)

		// A transition refused emits nothing.
		r := newPartnership(prop, part)
		createPartnership(t, db, &r)
		before := outboxCounts(t, db)
		_, err := db.TransitionPartnership(as(t, pr.proposer), r.ID, matching.ActionAccept, pr.as(pr.proposer))
		checkErr(t, "proposer accepts", err, matching.ErrForbidden)
		_, err = db.TransitionPartnership(as(t, pr.partner), r.ID, matching.ActionComplete, pr.as(pr.partner))
		checkErr(t, "complete a proposal", err, matching.ErrConflict)
		if got := outboxCounts(t, db); got != before {
			t.Errorf("events, notifications, jobs: got %v, want %v unchanged", got, before)
		}
	})
}
