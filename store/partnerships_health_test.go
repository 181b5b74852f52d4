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

func TestHealthChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		p := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &p)

		checkErr(t, "health while proposed", db.AddHealthCheck(t.Context(), ptr(healthCheck(p.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 4))), matching.ErrConflict)
		transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept)
		for _, c := range []struct {
			name string
			h    matching.HealthCheck
			want error
		}{
			{"by an outsider", healthCheck(p.ID, pr.outsider.ID, t0, 4, 4, 4, 4, 4, 4), matching.ErrNotFound},
			{"of no partnership", healthCheck(uuid.NewString(), pr.partner.ID, t0, 4, 4, 4, 4, 4, 4), matching.ErrNotFound},
			{"a zero", healthCheck(p.ID, pr.partner.ID, t0, 4, 0, 4, 4, 4, 4), matching.ErrInvalid},
			{"a six", healthCheck(p.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 6), matching.ErrInvalid},
		} {
			checkErr(t, c.name, db.AddHealthCheck(t.Context(), &c.h), c.want)
		}
		if _, n := partnershipCount(t, db); n != 0 {
			t.Fatalf("refused checks stored %d rows", n)
		}

		// Times with and without fractions of a second, to check ordering
		// on both databases.
		a := addCheck(t, db, healthCheck(p.ID, pr.proposer.ID, t0.Add(time.Hour), 1, 1, 1, 1, 1, 1))
		b := addCheck(t, db, healthCheck(p.ID, pr.partner.ID, t0.Add(2*time.Hour).Truncate(time.Second), 5, 2, 5, 5, 5, 5))
		transition(t, db, p.ID, pr.as(pr.proposer), matching.ActionActivate)
		c := addCheck(t, db, healthCheck(p.ID, pr.proposer.ID, t0.Add(3*time.Hour+time.Microsecond), 4, 4, 4, 3, 4, 4))

		got := getPartnership(t, db, p.ID)
		h := got.Health
		if h.Latest == nil || h.Latest.ID != c.ID || h.Latest.Scores != c.Scores || h.Latest.Comment != "going well" || !h.Latest.CreatedAt.Equal(c.CreatedAt) {
			t.Errorf("Latest: got %+v, want %+v", h.Latest, c)
		}
		if len(h.ByOrganisation) != 2 || h.ByOrganisation[pr.proposer.ID].ID != c.ID || h.ByOrganisation[pr.partner.ID].ID != b.ID {
			t.Errorf("ByOrganisation: got %+v, want the proposer's %s and the partner's %s", h.ByOrganisation, c.ID, b.ID)
		}
		// The proposer's ones are old news; the partner still scores
		// clarity of purpose at 2.
		if !slices.Equal(h.Flags, []string{"clarity_of_purpose"}) || h.Checks != 3 || h.LowChecks != 2 {
			t.Errorf("Flags, Checks, LowChecks: got %v, %d, %d, want [clarity_of_purpose], 3, 2", h.Flags, h.Checks, h.LowChecks)
		}
		if !got.UpdatedAt.After(t0) {
			t.Errorf("UpdatedAt: got %v, want it stamped by the check", got.UpdatedAt)
		}

		hid := func(h *matching.HealthCheck) string { return h.ID }
		for _, x := range []struct {
			name string
			page matching.Page
			want []string
		}{
			{"all, newest first", matching.Page{}, []string{c.ID, b.ID, a.ID}},
			{"first page", matching.Page{Limit: 2}, []string{c.ID, b.ID}},
			{"second page", matching.Page{AfterID: b.ID, Limit: 2}, []string{a.ID}},
			{"past the end", matching.Page{AfterID: a.ID}, []string{}},
		} {
			checks, err := db.ListHealthChecks(t.Context(), p.ID, x.page)
			if err != nil {
				t.Fatalf("ListHealthChecks: %v", err)
			}
			if got := ids(checks, hid); !slices.Equal(got, x.want) {
				t.Errorf("ListHealthChecks %s: got %v, want %v", x.name, got, x.want)
			}
		}

		transition(t, db, p.ID, pr.as(pr.partner), matching.ActionEnd)
		checkErr(t, "health once ended", db.AddHealthCheck(t.Context(), ptr(healthCheck(p.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 4))), matching.ErrConflict)
	})
}

func ptr[T any](v T) *T { return &v }

func trusted(t *testing.T, db *store.DB, id string) int {
	t.Helper()
	o, err := db.GetOrganisation(t.Context(), id)
	if err != nil {
		t.Fatalf("GetOrganisation: %v", err)
	}
	return o.TrustedPartnerships
}

func TestCompletionTrust(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		both := matching.Actor{Operator: true}
		for _, c := range []struct {
			name    string
			scores  [][]int // one check per entry, alternating sides
			end     matching.PartnershipAction
			trusted bool
		}{
			{"completed, health good", [][]int{{4, 4, 4, 4, 4, 4}, {3, 5, 3, 5, 3, 5}}, matching.ActionComplete, true},
			{"completed, one low check long ago", [][]int{{4, 4, 2, 4, 4, 4}, {5, 5, 5, 5, 5, 5}, {5, 5, 5, 5, 5, 5}}, matching.ActionComplete, false},
			{"completed without a check", nil, matching.ActionComplete, false},
			{"ended, health good", [][]int{{5, 5, 5, 5, 5, 5}}, matching.ActionEnd, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := [2]int{trusted(t, db, pr.proposer.ID), trusted(t, db, pr.partner.ID)}
				p := newPartnership(pr.proposer.ID, pr.partner.ID)
				createPartnership(t, db, &p)
				transition(t, db, p.ID, both, matching.ActionAccept, matching.ActionActivate)
				for i, s := range c.scores {
					by := []string{pr.proposer.ID, pr.partner.ID}[i%2]
					addCheck(t, db, healthCheck(p.ID, by, t0.Add(time.Duration(i)*time.Hour), s...))
				}
				rev := revision(t, db)
				done := transition(t, db, p.ID, both, c.end)
				if done.StayedGood() != c.trusted {
					t.Errorf("StayedGood: got %v, want %v", done.StayedGood(), c.trusted)
				}
				add := 0
				if c.trusted {
					add = 1
				}
				after := [2]int{trusted(t, db, pr.proposer.ID), trusted(t, db, pr.partner.ID)}
				if after != [2]int{before[0] + add, before[1] + add} {
					t.Errorf("trusted partnerships: got %v, want %v + %d", after, before, add)
				}
				if got := trusted(t, db, pr.outsider.ID); got != 0 {
					t.Errorf("the outsider's trusted partnerships: got %d, want 0", got)
				}
				// A change to both organisations, so every replica reloads
				// them; nothing otherwise.
				cs := changesSince(t, db, rev)
				wantOrgs := []string{}
				if c.trusted {
					wantOrgs = []string{pr.proposer.ID, pr.partner.ID}
				}
				if got := sorted(orgIDs(cs.Organisations)); !slices.Equal(got, sorted(wantOrgs)) {
					t.Errorf("changed organisations: got %v, want %v", got, sorted(wantOrgs))
				}
				for _, o := range cs.Organisations {
					if o.TrustedPartnerships != trusted(t, db, o.ID) {
						t.Errorf("ChangesSince: organisation %s has %d trusted partnerships, the store %d", o.ID, o.TrustedPartnerships, trusted(t, db, o.ID))
					}
				}
			})
		}

		// Every read of organisations carries the count.
		sink, _ := snapshot(t, db)
		orgs, err := db.ListOrganisations(t.Context(), matching.OrganisationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for what, list := range map[string][]matching.Organisation{"Snapshot": sink.orgs, "ListOrganisations": orgs} {
			for _, o := range list {
				if want := map[string]int{pr.proposer.ID: 1, pr.partner.ID: 1}[o.ID]; o.TrustedPartnerships != want {
					t.Errorf("%s: %s has %d trusted partnerships, want %d", what, o.Name, o.TrustedPartnerships, want)
				}
			}
		}

		// Editing an organisation leaves its count alone, whatever the
		// edited value says.
		o, err := db.GetOrganisation(t.Context(), pr.proposer.ID)
		if err != nil {
			t.Fatal(err)
		}
		o.Name, o.TrustedPartnerships = "Renamed", 0
		if err := saveOrganisation(t.Context(), db, o); err != nil {
			t.Fatal(err)
		}
		if got := trusted(t, db, o.ID); got != 1 {
			t.Errorf("after UpdateOrganisation: got %d trusted partnerships, want 1", got)
		}
	})
}

func TestUpdatePartnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		p := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &p)
		newReview := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		got, _, err := db.UpdatePartnership(t.Context(), p.ID, pr.as(pr.partner), func(q *matching.Partnership) error {
			q.Purpose, q.Outcomes, q.ReviewOn = "Youth dance, twice weekly", []string{"40 young people"}, newReview
			q.Roles = map[string]string{pr.partner.ID: "hosts"}
			q.Status, q.ProposerID = matching.PartnershipCompleted, pr.outsider.ID // not saved
			return nil
		})
		if err != nil {
			t.Fatalf("UpdatePartnership: %v", err)
		}
		stored := getPartnership(t, db, p.ID)
		for what, q := range map[string]*matching.Partnership{"returned": got, "stored": stored} {
			checkFields(t, what, []field{
				{"Purpose", q.Purpose, "Youth dance, twice weekly"},
				{"Outcomes", q.Outcomes, []string{"40 young people"}},
				{"Roles", q.Roles, map[string]string{pr.partner.ID: "hosts"}},
				{"ReviewOn", q.ReviewOn, newReview},
				{"CreatedAt", q.CreatedAt, t0},
			})
			if !q.UpdatedAt.After(t0) {
				t.Errorf("%s UpdatedAt: got %v, want after %v", what, q.UpdatedAt, t0)
			}
		}
		if stored.Status != matching.PartnershipProposed || stored.ProposerID != pr.proposer.ID {
			t.Errorf("stored status %s proposer %s: want the edit to leave both", stored.Status, stored.ProposerID)
		}

		refusedEdit := func(q *matching.Partnership) error { q.Purpose = "changed"; return nil }
		for _, c := range []struct {
			name  string
			actor matching.Actor
			edit  func(q *matching.Partnership) error
			want  error
		}{
			{"by an outsider", pr.as(pr.outsider), refusedEdit, matching.ErrNotFound},
			{"invalid result", pr.as(pr.proposer), func(q *matching.Partnership) error {
				q.Purpose, q.Outcomes = "changed", nil
				return nil
			}, matching.ErrInvalid},
			{"edit refuses", pr.as(pr.proposer), func(q *matching.Partnership) error {
				q.Purpose = "changed"
				return matching.Invalid("purpose", "no")
			}, matching.ErrInvalid},
		} {
			_, _, err := db.UpdatePartnership(t.Context(), p.ID, c.actor, c.edit)
			checkErr(t, c.name, err, c.want)
			if got := getPartnership(t, db, p.ID).Purpose; got != "Youth dance, twice weekly" {
				t.Errorf("%s: purpose became %q", c.name, got)
			}
		}

		for _, path := range [][]matching.PartnershipAction{
			{matching.ActionDecline},
			{matching.ActionAccept, matching.ActionActivate, matching.ActionComplete},
			{matching.ActionAccept, matching.ActionEnd},
		} {
			q := newPartnership(pr.proposer.ID, pr.partner.ID)
			createPartnership(t, db, &q)
			transition(t, db, q.ID, pr.as(pr.partner), path...)
			_, _, err := db.UpdatePartnership(t.Context(), q.ID, pr.as(pr.proposer), refusedEdit)
			checkErr(t, "edit once "+string(path[len(path)-1]), err, matching.ErrConflict)
		}
	})
}

func TestPartnershipsGoWithTheirOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		p := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &p)
		transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept)
		addCheck(t, db, healthCheck(p.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 4))
		if err := db.DeleteOrganisation(t.Context(), pr.partner.ID); err != nil {
			t.Fatal(err)
		}
		if n, checks := partnershipCount(t, db); n != 0 || checks != 0 {
			t.Errorf("after deleting the partner: %d partnerships and %d checks, want none", n, checks)
		}
	})
}

// TestConcurrentCompletion completes one partnership from many
// goroutines at once: exactly one wins, the rest get a conflict, and the
// organisations' trust counts go up once.
func TestConcurrentCompletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		p := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &p)
		transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept, matching.ActionActivate)
		addCheck(t, db, healthCheck(p.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 4))
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				actor := []matching.Actor{pr.as(pr.proposer), pr.as(pr.partner)}[i%2]
				_, errs[i] = db.TransitionPartnership(t.Context(), p.ID, matching.ActionComplete, actor)
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, matching.ErrConflict):
				t.Errorf("a losing completion: got %v, want a conflict", err)
			}
		}
		if won != 1 {
			t.Errorf("%d completions succeeded, want 1", won)
		}
		if a, b := trusted(t, db, pr.proposer.ID), trusted(t, db, pr.partner.ID); a != 1 || b != 1 {
			t.Errorf("trusted partnerships: got %d and %d, want 1 each", a, b)
		}
	})
}
