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

// pair is two registered organisations and an outsider.
type pair struct {
	proposer, partner, outsider matching.Organisation
}

func newPair(t *testing.T, db *store.DB) pair {
	t.Helper()
	p := pair{newOrg("Fen Edge Dance", 52.2, 0.12), newOrg("Arbury Youth Service", 52.22, 0.12), newOrg("Outsider", 52.3, 0.1)}
	for _, o := range []*matching.Organisation{&p.proposer, &p.partner, &p.outsider} {
		createOrg(t, db, o, "")
	}
	return p
}

func (p pair) as(o matching.Organisation) matching.Actor { return matching.Actor{OrganisationID: o.ID} }

func newPartnership(proposer, partner string) matching.Partnership {
	return matching.Partnership{
		ID: uuid.NewString(), ProposerID: proposer, PartnerID: partner, Status: matching.PartnershipProposed,
		Purpose:   "Weekly youth dance in Arbury",
		Roles:     map[string]string{proposer: "teaches", partner: "hosts and recruits"},
		Outcomes:  []string{"30 young people dance weekly", "two young leaders trained"},
		ReviewOn:  time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func createPartnership(t *testing.T, db *store.DB, p *matching.Partnership) {
	t.Helper()
	if err := db.CreatePartnership(t.Context(), p); err != nil {
		t.Fatalf("CreatePartnership: %v", err)
	}
}

func getPartnership(t *testing.T, db *store.DB, id string) *matching.Partnership {
	t.Helper()
	p, err := db.GetPartnership(t.Context(), id)
	if err != nil {
		t.Fatalf("GetPartnership(%s): %v", id, err)
	}
	return p
}

// transition applies actions in turn, failing t on any error.
func transition(t *testing.T, db *store.DB, id string, actor matching.Actor, actions ...matching.PartnershipAction) *matching.Partnership {
	t.Helper()
	var p *matching.Partnership
	for _, a := range actions {
		var err error
		if p, err = db.TransitionPartnership(t.Context(), id, a, actor); err != nil {
			t.Fatalf("TransitionPartnership(%s): %v", a, err)
		}
	}
	return p
}

func healthCheck(partnershipID, orgID string, at time.Time, scores ...int) matching.HealthCheck {
	h := matching.HealthCheck{ID: uuid.NewString(), PartnershipID: partnershipID, OrganisationID: orgID, Comment: "going well", CreatedAt: at}
	copy(h.Scores[:], scores)
	return h
}

func addCheck(t *testing.T, db *store.DB, h matching.HealthCheck) matching.HealthCheck {
	t.Helper()
	if err := db.AddHealthCheck(t.Context(), &h); err != nil {
		t.Fatalf("AddHealthCheck: %v", err)
	}
	return h
}

func partnershipCount(t *testing.T, db *store.DB) (partnerships, checks int64) {
	t.Helper()
	if err := db.Gorm().Raw("SELECT COUNT(*) FROM partnerships").Scan(&partnerships).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm().Raw("SELECT COUNT(*) FROM partnership_health").Scan(&checks).Error; err != nil {
		t.Fatal(err)
	}
	return partnerships, checks
}

func TestCreateAndGetPartnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		want := newPartnership(pr.proposer.ID, pr.partner.ID)
		rev := revision(t, db)
		createPartnership(t, db, &want)
		got := getPartnership(t, db, want.ID)
		checkFields(t, "partnership", []field{
			{"ID", got.ID, want.ID},
			{"ProposerID", got.ProposerID, want.ProposerID},
			{"PartnerID", got.PartnerID, want.PartnerID},
			{"Status", got.Status, matching.PartnershipProposed},
			{"Purpose", got.Purpose, want.Purpose},
			{"Roles", got.Roles, want.Roles},
			{"Outcomes", got.Outcomes, want.Outcomes},
			{"ReviewOn", got.ReviewOn, want.ReviewOn},
			{"ReviewOn.Location", got.ReviewOn.Location(), time.UTC},
			{"CreatedAt", got.CreatedAt, t0},
			{"UpdatedAt", got.UpdatedAt, t0},
			{"Health.Checks", got.Health.Checks, 0},
			{"Health.Latest", got.Health.Latest, (*matching.HealthCheck)(nil)},
			{"Health.Flags", got.Health.Flags, []string{}},
			{"Health.ByOrganisation", got.Health.ByOrganisation, map[string]matching.HealthCheck{}},
		})
		// Partnerships are not in the read model: no change to follow.
		if got := revision(t, db); got != rev {
			t.Errorf("revision after CreatePartnership: got %d, want %d", got, rev)
		}

		t.Run("no roles", func(t *testing.T) {
			p := newPartnership(pr.proposer.ID, pr.partner.ID)
			p.Roles = nil
			createPartnership(t, db, &p)
			if got := getPartnership(t, db, p.ID).Roles; got == nil || len(got) != 0 {
				t.Errorf("Roles: got %#v, want an empty map", got)
			}
		})

		_, err := db.GetPartnership(t.Context(), uuid.NewString())
		checkErr(t, "GetPartnership(unknown)", err, matching.ErrNotFound)
	})
}

func TestCreatePartnershipRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		taken := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &taken)
		for _, c := range []struct {
			name string
			edit func(p *matching.Partnership)
			want error
		}{
			{"invalid agreement", func(p *matching.Partnership) { p.Purpose = "" }, matching.ErrInvalid},
			{"with itself", func(p *matching.Partnership) { p.PartnerID = p.ProposerID; p.Roles = nil }, matching.ErrInvalid},
			{"not proposed", func(p *matching.Partnership) { p.Status = matching.PartnershipActive }, matching.ErrInvalid},
			{"unknown partner", func(p *matching.Partnership) {
				p.PartnerID = uuid.NewString()
				p.Roles = nil
			}, matching.ErrConflict},
			{"ID taken", func(p *matching.Partnership) { p.ID = taken.ID }, matching.ErrConflict},
			{"text the database cannot hold", func(p *matching.Partnership) { p.Outcomes = []string{"a\x00b"} }, matching.ErrInvalid},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := newPartnership(pr.proposer.ID, pr.partner.ID)
				c.edit(&p)
				checkErr(t, "CreatePartnership", db.CreatePartnership(t.Context(), &p), c.want)
				if n, _ := partnershipCount(t, db); n != 1 {
					t.Errorf("partnerships after a refused create: got %d, want 1", n)
				}
			})
		}
	})
}

func TestListPartnerships(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		var made []string
		for i := range 5 {
			a, b := pr.proposer.ID, pr.partner.ID
			if i == 4 {
				a, b = pr.partner.ID, pr.outsider.ID // the proposer is not party
			}
			p := newPartnership(a, b)
			p.ID = uuid.Must(uuid.NewV7()).String()
			createPartnership(t, db, &p)
			made = append(made, p.ID)
		}
		transition(t, db, made[1], pr.as(pr.partner), matching.ActionAccept)
		transition(t, db, made[2], pr.as(pr.partner), matching.ActionDecline)
		addCheck(t, db, healthCheck(made[1], pr.proposer.ID, t0, 5, 5, 2, 5, 5, 5))

		list := func(f matching.PartnershipFilter) []matching.Partnership {
			t.Helper()
			ps, err := db.ListPartnerships(t.Context(), f)
			if err != nil {
				t.Fatalf("ListPartnerships(%+v): %v", f, err)
			}
			return ps
		}
		pid := func(p *matching.Partnership) string { return p.ID }
		for _, c := range []struct {
			name string
			f    matching.PartnershipFilter
			want []string
		}{
			{"proposer's", matching.PartnershipFilter{OrganisationID: pr.proposer.ID}, made[:4]},
			{"partner's", matching.PartnershipFilter{OrganisationID: pr.partner.ID}, made},
			{"outsider's", matching.PartnershipFilter{OrganisationID: pr.outsider.ID}, made[4:]},
			{"stranger's", matching.PartnershipFilter{OrganisationID: uuid.NewString()}, []string{}},
			{"every one", matching.PartnershipFilter{}, made},
			{"proposed", matching.PartnershipFilter{OrganisationID: pr.proposer.ID, Status: matching.PartnershipProposed}, []string{made[0], made[3]}},
			{"declined", matching.PartnershipFilter{Status: matching.PartnershipDeclined}, made[2:3]},
			{"first page", matching.PartnershipFilter{OrganisationID: pr.partner.ID, Page: matching.Page{Limit: 2}}, made[:2]},
			{"next page", matching.PartnershipFilter{OrganisationID: pr.partner.ID, Page: matching.Page{AfterID: made[1], Limit: 2}}, made[2:4]},
			{"last page", matching.PartnershipFilter{OrganisationID: pr.partner.ID, Page: matching.Page{AfterID: made[3], Limit: 2}}, made[4:]},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := ids(list(c.f), pid); !slices.Equal(got, c.want) {
					t.Errorf("got %v, want %v", got, c.want)
				}
			})
		}
		// Lists carry the health summary.
		ps := list(matching.PartnershipFilter{Status: matching.PartnershipAccepted})
		if len(ps) != 1 || ps[0].Health.Checks != 1 || ps[0].Health.Latest == nil || !slices.Equal(ps[0].Health.Flags, []string{"coordination"}) {
			t.Errorf("accepted partnership's health: got %+v, want one check flagging coordination", ps[0].Health)
		}
	})
}

func TestTransitionPartnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		p := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &p)
		steps := []struct {
			action matching.PartnershipAction
			actor  matching.Actor
			want   error // nil: allowed
			status matching.PartnershipStatus
		}{
			{matching.ActionAccept, pr.as(pr.outsider), matching.ErrNotFound, matching.PartnershipProposed},
			{matching.ActionAccept, pr.as(pr.proposer), matching.ErrForbidden, matching.PartnershipProposed},
			{matching.ActionActivate, pr.as(pr.partner), matching.ErrConflict, matching.PartnershipProposed},
			{matching.ActionEnd, pr.as(pr.proposer), matching.ErrConflict, matching.PartnershipProposed},
			{matching.ActionAccept, pr.as(pr.partner), nil, matching.PartnershipAccepted},
			{matching.ActionAccept, pr.as(pr.partner), matching.ErrConflict, matching.PartnershipAccepted},
			{matching.ActionDecline, pr.as(pr.partner), matching.ErrConflict, matching.PartnershipAccepted},
			{matching.ActionComplete, pr.as(pr.proposer), matching.ErrConflict, matching.PartnershipAccepted},
			{matching.ActionActivate, pr.as(pr.proposer), nil, matching.PartnershipActive},
			{matching.ActionActivate, pr.as(pr.partner), matching.ErrConflict, matching.PartnershipActive},
			{matching.ActionComplete, matching.Actor{Operator: true}, nil, matching.PartnershipCompleted},
			{matching.ActionEnd, pr.as(pr.partner), matching.ErrConflict, matching.PartnershipCompleted},
		}
		for i, s := range steps {
			got, err := db.TransitionPartnership(t.Context(), p.ID, s.action, s.actor)
			if s.want != nil {
				checkErr(t, string(s.action), err, s.want)
			} else if err != nil {
				t.Fatalf("step %d %s: %v", i, s.action, err)
			} else if got.Status != s.status || !got.UpdatedAt.After(t0) {
				t.Errorf("step %d %s: got status %s updated %v, want %s updated after %v", i, s.action, got.Status, got.UpdatedAt, s.status, t0)
			}
			if stored := getPartnership(t, db, p.ID).Status; stored != s.status {
				t.Fatalf("step %d %s: stored status %s, want %s", i, s.action, stored, s.status)
			}
		}
		_, err := db.TransitionPartnership(t.Context(), uuid.NewString(), matching.ActionAccept, pr.as(pr.partner))
		checkErr(t, "TransitionPartnership(unknown)", err, matching.ErrNotFound)

		t.Run("declined and ended are final", func(t *testing.T) {
			for _, path := range [][]matching.PartnershipAction{
				{matching.ActionDecline},
				{matching.ActionAccept, matching.ActionEnd},
				{matching.ActionAccept, matching.ActionActivate, matching.ActionEnd},
			} {
				q := newPartnership(pr.proposer.ID, pr.partner.ID)
				createPartnership(t, db, &q)
				transition(t, db, q.ID, pr.as(pr.partner), path...)
				for _, a := range matching.PartnershipActions {
					_, err := db.TransitionPartnership(t.Context(), q.ID, a, matching.Actor{Operator: true})
					checkErr(t, "after "+string(path[len(path)-1])+", "+string(a), err, matching.ErrConflict)
				}
			}
		})
	})
}

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
		if err := db.UpdateOrganisation(t.Context(), o); err != nil {
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
		got, err := db.UpdatePartnership(t.Context(), p.ID, pr.as(pr.partner), func(q *matching.Partnership) error {
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
			_, err := db.UpdatePartnership(t.Context(), p.ID, c.actor, c.edit)
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
			_, err := db.UpdatePartnership(t.Context(), q.ID, pr.as(pr.proposer), refusedEdit)
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
