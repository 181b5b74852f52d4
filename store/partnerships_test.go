package store_test

import (
	"slices"
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
