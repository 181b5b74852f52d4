package store_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func TestEmitDueReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		day := func(d int) time.Time { return time.Date(2026, 8, d, 0, 0, 0, 0, time.UTC) }
		agreed := func(review time.Time, actions ...matching.PartnershipAction) string {
			p := newPartnership(pr.proposer.ID, pr.partner.ID)
			p.ReviewOn = review
			createPartnership(t, db, &p)
			if len(actions) > 0 {
				transition(t, db, p.ID, pr.as(pr.partner), actions...)
			}
			return p.ID
		}
		accept, activate := matching.ActionAccept, matching.ActionActivate
		dueLast := agreed(day(20).AddDate(0, 0, 14), accept) // the window's last day
		dueToday := agreed(day(20), accept, activate)        // today, active
		agreed(day(25))                                      // proposed: not yet agreed
		agreed(day(20).AddDate(0, 0, 15), accept)            // beyond the window
		agreed(day(19), accept)                              // yesterday in London
		agreed(day(22), accept, matching.ActionEnd)          // over

		// 23:30 UTC on the 19th is 00:30 on the 20th in London (BST).
		now := time.Date(2026, 8, 19, 23, 30, 0, 0, time.UTC)
		before := outboxCounts(t, db)
		n, err := db.EmitDueReviews(t.Context(), now)
		if err != nil || n != 2 {
			t.Fatalf("EmitDueReviews: got %d, %v; want 2", n, err)
		}
		got := recordedEvents(t, db)
		both := []string{pr.proposer.ID, pr.partner.ID}
		e := checkEvent(t, got, matching.EventPartnershipReviewDue, dueLast, "", both, map[string]any{"review_on": "2026-09-03", "status": "accepted"})
		if !strings.Contains(e.Summary, "3 September 2026") {
			t.Errorf("summary %q does not give the review date", e.Summary)
		}
		checkEvent(t, got, matching.EventPartnershipReviewDue, dueToday, "", both, map[string]any{"review_on": "2026-08-20", "status": "active"})

		if n, err := db.EmitDueReviews(t.Context(), now.Add(20*time.Hour)); err != nil || n != 0 {
			t.Errorf("EmitDueReviews again: got %d, %v; want 0", n, err)
		}
		after := outboxCounts(t, db)
		if want := [3]int64{before[0] + 2, before[1] + 4, before[2] + 2}; after != want {
			t.Errorf("events, notifications, jobs: got %v, want %v", after, want)
		}

		// A review moved to a new date (by the operator, whose edits apply
		// at once) is announced again, once.
		_, _, err = db.UpdatePartnership(t.Context(), dueToday, matching.Actor{Operator: true}, func(p *matching.Partnership) error {
			p.ReviewOn = day(27)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.EmitDueReviews(t.Context(), now); err != nil || n != 1 {
			t.Errorf("EmitDueReviews after moving a review: got %d, %v; want 1", n, err)
		}
	})
}

func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		owner, booker, space := bookingFixture(t, db)
		var calls atomic.Int32
		var bookings []string
		for week := range 5 {
			id := uuid.NewString()
			req := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID, Purpose: "class",
				Sessions: []matching.Session{sessionAt(week, 10, 11)}}
			if _, _, err := db.Book(as(t, booker), id, req, nil, renderID(&calls)); err != nil {
				t.Fatal(err)
			}
			bookings = append(bookings, id)
		}
		all, err := db.ListNotifications(t.Context(), owner.ID, false, matching.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 5 {
			t.Fatalf("owner's inbox: got %d, want 5", len(all))
		}
		for i, n := range all { // newest first
			if want := bookings[4-i]; n.Event.SubjectID != want || n.Event.Event != matching.EventBookingConfirmed || n.ReadAt != nil {
				t.Errorf("inbox[%d]: got %s about %s read %v, want unread booking.confirmed about %s", i, n.Event.Event, n.Event.SubjectID, n.ReadAt, want)
			}
		}
		if mine, _ := db.ListNotifications(t.Context(), booker.ID, false, matching.Page{}); len(mine) != 0 {
			t.Errorf("booker's inbox: got %d, want none (it did the booking)", len(mine))
		}

		// Pages of two follow on.
		var paged []string
		pg := matching.Page{Limit: 2}
		for range 5 {
			ns, err := db.ListNotifications(t.Context(), owner.ID, false, pg)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range ns {
				paged = append(paged, n.ID)
			}
			if len(ns) < 2 {
				break
			}
			pg.AfterID = ns[len(ns)-1].ID
		}
		if got, want := paged, ids(all, func(n *matching.Notification) string { return n.ID }); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("paged: got %v, want %v", got, want)
		}

		// Reading keeps the first time; another organisation's is not found.
		at := t0.Add(time.Hour)
		n, err := db.MarkNotificationRead(t.Context(), owner.ID, all[1].ID, at)
		if err != nil || n.ReadAt == nil || !n.ReadAt.Equal(at) || n.Event.Summary == "" {
			t.Fatalf("MarkNotificationRead: got %+v, %v; want read at %v", n, err, at)
		}
		n, err = db.MarkNotificationRead(t.Context(), owner.ID, all[1].ID, at.Add(time.Hour))
		if err != nil || !n.ReadAt.Equal(at) {
			t.Errorf("read again: got %v, %v; want the first read_at %v", n.ReadAt, err, at)
		}
		_, err = db.MarkNotificationRead(t.Context(), booker.ID, all[0].ID, at)
		checkErr(t, "another organisation's notification", err, matching.ErrNotFound)
		_, err = db.MarkNotificationRead(t.Context(), owner.ID, uuid.NewString(), at)
		checkErr(t, "no such notification", err, matching.ErrNotFound)

		unread, err := db.ListNotifications(t.Context(), owner.ID, true, matching.Page{})
		if err != nil || len(unread) != 4 {
			t.Fatalf("unread: got %d, %v; want 4", len(unread), err)
		}
		for _, u := range unread {
			if u.ID == all[1].ID {
				t.Errorf("unread lists the notification read")
			}
		}
	})
}

func TestMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		owner, booker, space := bookingFixture(t, db)
		outsider := newOrg("Outsider", 52.3, 0.1)
		createOrg(t, db, &outsider, "")
		var calls atomic.Int32
		bookingID := uuid.NewString()
		req := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID, Purpose: "class",
			Sessions: []matching.Session{sessionAt(0, 10, 11)}}
		if _, _, err := db.Book(as(t, booker), bookingID, req, nil, renderID(&calls)); err != nil {
			t.Fatal(err)
		}
		p := newPartnership(owner.ID, booker.ID)
		createPartnership(t, db, &p)

		long := strings.Repeat("word ", 40)
		for _, tc := range []struct {
			subject, id string
			from        matching.Organisation
			author      string
			to          string
		}{
			{"booking", bookingID, booker, "Sam", owner.ID},
			{"booking", bookingID, owner, "", booker.ID},
			{"partnership", p.ID, owner, "Alex", booker.ID},
		} {
			m := &matching.Message{SubjectType: tc.subject, SubjectID: tc.id, OrganisationID: tc.from.ID, AuthorName: tc.author, Body: long + tc.from.Name}
			if err := db.PostMessage(as(t, tc.from), m); err != nil {
				t.Fatalf("PostMessage from %s: %v", tc.from.Name, err)
			}
			if want := tc.author; want != "" && m.AuthorName != want || want == "" && m.AuthorName != tc.from.Name {
				t.Errorf("author_name: got %q, want %q or the organisation's name", m.AuthorName, tc.author)
			}
			var e recorded
			for _, x := range recordedEvents(t, db) {
				if x.Event == matching.EventMessagePosted && x.Data["message_id"] == m.ID {
					e = x
				}
			}
			if want := tc.from.Name + ": " + strings.TrimSpace(long[:80]) + "…"; e.Summary != want {
				t.Errorf("summary: got %q, want %q", e.Summary, want)
			}
			if len(e.Told) != 1 || e.Told[0] != tc.to || e.Jobs != 1 {
				t.Errorf("told %v with %d jobs, want %s with 1", e.Told, e.Jobs, tc.to)
			}
		}

		ms, err := db.ListMessages(t.Context(), "booking", bookingID, matching.Page{})
		if err != nil || len(ms) != 2 || ms[0].OrganisationID != booker.ID || ms[1].OrganisationID != owner.ID {
			t.Fatalf("ListMessages: got %+v, %v; want the booker's then the owner's", ms, err)
		}
		next, err := db.ListMessages(t.Context(), "booking", bookingID, matching.Page{AfterID: ms[0].ID, Limit: 5})
		if err != nil || len(next) != 1 || next[0].ID != ms[1].ID {
			t.Errorf("after the first: got %+v, %v; want the second", next, err)
		}

		before := outboxCounts(t, db)
		for _, tc := range []struct {
			name string
			m    matching.Message
			want error
		}{
			{"outsider on a booking", matching.Message{SubjectType: "booking", SubjectID: bookingID, OrganisationID: outsider.ID, Body: "hi"}, matching.ErrNotFound},
			{"outsider on a partnership", matching.Message{SubjectType: "partnership", SubjectID: p.ID, OrganisationID: outsider.ID, Body: "hi"}, matching.ErrNotFound},
			{"no such booking", matching.Message{SubjectType: "booking", SubjectID: uuid.NewString(), OrganisationID: owner.ID, Body: "hi"}, matching.ErrNotFound},
			{"a booking's ID as a partnership", matching.Message{SubjectType: "partnership", SubjectID: bookingID, OrganisationID: owner.ID, Body: "hi"}, matching.ErrNotFound},
			{"empty", matching.Message{SubjectType: "booking", SubjectID: bookingID, OrganisationID: owner.ID, Body: ""}, matching.ErrInvalid},
			{"too long", matching.Message{SubjectType: "booking", SubjectID: bookingID, OrganisationID: owner.ID, Body: strings.Repeat("x", matching.MaxMessageLength+1)}, matching.ErrInvalid},
			{"NUL", matching.Message{SubjectType: "booking", SubjectID: bookingID, OrganisationID: owner.ID, Body: "a\x00b"}, matching.ErrInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m := tc.m
				checkErr(t, tc.name, db.PostMessage(t.Context(), &m), tc.want)
			})
		}
		if got := outboxCounts(t, db); got != before {
			t.Errorf("events, notifications, jobs: got %v, want %v unchanged", got, before)
		}
		if n := countRows(t, db, "messages"); n != 3 {
			t.Errorf("messages: got %d rows, want 3", n)
		}
	})
}
