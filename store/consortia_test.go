package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func newConsortium(lead string, members ...string) matching.ConsortiumPartnership {
	c := matching.ConsortiumPartnership{ID: uuid.NewString(), Name: "Fenland Dance Futures", Purpose: "Youth dance across the Fens",
		LeadID: lead, Status: matching.ConsortiumForming, Roles: map[string]string{lead: "leads the bid"},
		Bid: matching.Bid{Title: "Youth dance 2026–28", Commissioner: "Cambridgeshire County Council",
			Deadline: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)},
		CreatedAt: t0, UpdatedAt: t0}
	for _, m := range members {
		c.Members = append(c.Members, matching.ConsortiumInvitee{OrganisationID: m, Response: matching.MemberInvited})
	}
	return c
}

func TestConsortiumLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		third := newOrg("Ely Arts", 52.4, 0.26)
		createOrg(t, db, &third, "")
		c := newConsortium(pr.proposer.ID, pr.partner.ID, third.ID)
		if err := db.CreateConsortium(t.Context(), &c); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetConsortium(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantMembers := []string{pr.partner.ID, third.ID}
		slices.Sort(wantMembers)
		if got.Status != matching.ConsortiumForming || got.Name != c.Name || got.LeadID != c.LeadID || !got.Bid.Deadline.Equal(c.Bid.Deadline) ||
			len(got.Members) != 2 || got.Members[0].OrganisationID != wantMembers[0] || got.Members[1].OrganisationID != wantMembers[1] ||
			got.Members[0].Response != matching.MemberInvited || got.Roles[c.LeadID] != "leads the bid" {
			t.Errorf("GetConsortium: got %+v", got)
		}
		// Each member is told, once; the lead is not.
		checkEvent(t, recordedEvents(t, db), matching.EventConsortiumInvited, c.ID, "", []string{pr.partner.ID, third.ID},
			map[string]any{"consortium_id": c.ID, "lead_id": c.LeadID, "status": "forming"})

		// Lists are each party's own.
		for _, c2 := range []struct {
			org  string
			want int
		}{{pr.proposer.ID, 1}, {pr.partner.ID, 1}, {third.ID, 1}, {pr.outsider.ID, 0}, {"", 1}} {
			cs, err := db.ListConsortia(t.Context(), matching.ConsortiumFilter{OrganisationID: c2.org})
			if err != nil || len(cs) != c2.want {
				t.Errorf("ListConsortia(%q): got %d, %v; want %d", c2.org, len(cs), err, c2.want)
			}
		}

		// The lead cannot answer, an outsider finds nothing, and it is not
		// active before every member accepts.
		_, err = db.TransitionConsortium(t.Context(), c.ID, matching.ActionAccept, pr.as(pr.proposer))
		checkErr(t, "accept by the lead", err, matching.ErrForbidden)
		_, err = db.TransitionConsortium(t.Context(), c.ID, matching.ActionAccept, pr.as(pr.outsider))
		checkErr(t, "accept by an outsider", err, matching.ErrNotFound)
		after, err := db.TransitionConsortium(t.Context(), c.ID, matching.ActionAccept, pr.as(pr.partner))
		if err != nil || after.Status != matching.ConsortiumForming {
			t.Fatalf("first accept: got %v, %v; want forming", after, err)
		}
		_, err = db.TransitionConsortium(t.Context(), c.ID, matching.ActionActivate, pr.as(pr.proposer))
		checkErr(t, "activate while forming", err, matching.ErrConflict)
		h := healthCheck(c.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 4)
		checkErr(t, "health check while forming", db.AddConsortiumHealthCheck(t.Context(), &h), matching.ErrConflict)
		after, err = db.TransitionConsortium(t.Context(), c.ID, matching.ActionAccept, matching.Actor{OrganisationID: third.ID})
		if err != nil || after.Status != matching.PartnershipAccepted {
			t.Fatalf("last accept: got %v, %v; want accepted", after, err)
		}
		stored, _ := db.GetConsortium(t.Context(), c.ID)
		for _, m := range stored.Members {
			if m.Response != matching.MemberAccepted || m.RespondedAt.IsZero() {
				t.Errorf("member %s: %s at %v, want accepted", m.OrganisationID, m.Response, m.RespondedAt)
			}
		}

		// Health checks, as for partnerships.
		if err := db.AddConsortiumHealthCheck(t.Context(), &h); err != nil {
			t.Fatal(err)
		}
		low := healthCheck(c.ID, pr.proposer.ID, t0.Add(time.Minute), 4, 2, 4, 4, 4, 4)
		if err := db.AddConsortiumHealthCheck(t.Context(), &low); err != nil {
			t.Fatal(err)
		}
		outsider := healthCheck(c.ID, pr.outsider.ID, t0, 4, 4, 4, 4, 4, 4)
		checkErr(t, "an outsider's check", db.AddConsortiumHealthCheck(t.Context(), &outsider), matching.ErrNotFound)
		stored, _ = db.GetConsortium(t.Context(), c.ID)
		if stored.Health.Checks != 2 || stored.Health.LowChecks != 1 || !slices.Equal(stored.Health.Flags, []string{"clarity_of_purpose"}) ||
			stored.Health.Latest == nil || stored.Health.Latest.ID != low.ID {
			t.Errorf("health: got %+v", stored.Health)
		}
		checks, err := db.ListConsortiumHealthChecks(t.Context(), c.ID, matching.Page{})
		if err != nil || len(checks) != 2 || checks[0].ID != low.ID {
			t.Errorf("ListConsortiumHealthChecks: got %+v, %v", checks, err)
		}
		for _, a := range []matching.PartnershipAction{matching.ActionActivate, matching.ActionComplete} {
			if _, err := db.TransitionConsortium(t.Context(), c.ID, a, matching.Actor{OrganisationID: third.ID}); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}

		// One decline declines a forming consortium.
		d := newConsortium(pr.partner.ID, pr.proposer.ID, third.ID)
		if err := db.CreateConsortium(t.Context(), &d); err != nil {
			t.Fatal(err)
		}
		after, err = db.TransitionConsortium(t.Context(), d.ID, matching.ActionDecline, matching.Actor{OrganisationID: third.ID})
		if err != nil || after.Status != matching.PartnershipDeclined {
			t.Fatalf("decline: got %v, %v", after, err)
		}
		_, err = db.TransitionConsortium(t.Context(), d.ID, matching.ActionAccept, pr.as(pr.proposer))
		checkErr(t, "accept once declined", err, matching.ErrConflict)

		// Refused: unknown members, an invalid consortium.
		bad := newConsortium(pr.proposer.ID, uuid.NewString())
		checkErr(t, "an unknown member", db.CreateConsortium(t.Context(), &bad), matching.ErrConflict)
		bad = newConsortium(pr.proposer.ID)
		checkErr(t, "no members", db.CreateConsortium(t.Context(), &bad), matching.ErrInvalid)
		if cs, _ := db.ListConsortia(t.Context(), matching.ConsortiumFilter{}); len(cs) != 2 {
			t.Errorf("refused consortia were stored: %d consortia", len(cs))
		}
	})
}

// Every member accepting at once: the consortium ends up accepted, with
// every answer recorded, whatever the order.
func TestConsortiumAcceptsRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		lead := newOrg("Lead", 52.2, 0.12)
		createOrg(t, db, &lead, "")
		var members []string
		for i := range 5 {
			o := newOrg("Member "+string(rune('A'+i)), 52.2, 0.12)
			createOrg(t, db, &o, "")
			members = append(members, o.ID)
		}
		c := newConsortium(lead.ID, members...)
		if err := db.CreateConsortium(t.Context(), &c); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, len(members)*2)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = db.TransitionConsortium(t.Context(), c.ID, matching.ActionAccept, matching.Actor{OrganisationID: members[i/2]})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, matching.ErrConflict):
				t.Errorf("a losing accept: got %v, want a conflict", err)
			}
		}
		if ok != len(members) {
			t.Errorf("%d accepts won, want one a member (%d)", ok, len(members))
		}
		got, _ := db.GetConsortium(t.Context(), c.ID)
		if got.Status != matching.PartnershipAccepted {
			t.Errorf("status: got %s, want accepted", got.Status)
		}
	})
}
