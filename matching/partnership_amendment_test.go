package matching_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"commonground/matching"
)

func accepted() matching.Partnership {
	p := validPartnership()
	p.Status = matching.PartnershipAccepted
	return p
}

func TestDiffAndApplyAgreement(t *testing.T) {
	p := validPartnership()
	from := p.Agreement()
	to := p.Agreement()
	to.Purpose = "Twice weekly"
	to.Outcomes = append(to.Outcomes, "a show in June")
	c := matching.DiffAgreements(from, to)
	if c.Purpose == nil || *c.Purpose != "Twice weekly" || c.Roles != nil || c.ReviewOn != nil || len(c.Outcomes) != 3 {
		t.Fatalf("diff: got %+v, want purpose and outcomes only", c)
	}
	if got := c.Apply(from); !reflect.DeepEqual(got, to) {
		t.Errorf("apply: got %+v, want %+v", got, to)
	}
	if !matching.DiffAgreements(from, p.Agreement()).Empty() {
		t.Error("the diff of an agreement with itself is not empty")
	}
	// The agreement shares nothing with the partnership.
	a := p.Agreement()
	a.Roles[outsider] = "x"
	a.Outcomes[0] = "changed"
	if _, ok := p.Roles[outsider]; ok || p.Outcomes[0] == "changed" {
		t.Error("changing an Agreement changed the partnership")
	}
}

func TestProposeAmendment(t *testing.T) {
	purpose := "Twice weekly"
	change := matching.AgreementChanges{Purpose: &purpose}
	open := &matching.Amendment{N: 1, Status: matching.AmendmentProposed, ProposedBy: partner}
	for _, c := range []struct {
		name   string
		status matching.PartnershipStatus
		actor  matching.Actor
		open   *matching.Amendment
		change matching.AgreementChanges
		want   error
	}{
		{"accepted, by the proposer", matching.PartnershipAccepted, matching.Actor{OrganisationID: proposer}, nil, change, nil},
		{"active, by the partner", matching.PartnershipActive, matching.Actor{OrganisationID: partner}, nil, change, nil},
		{"by an outsider", matching.PartnershipAccepted, matching.Actor{OrganisationID: outsider}, nil, change, matching.ErrNotFound},
		{"by the operator", matching.PartnershipAccepted, matching.Actor{Operator: true}, nil, change, matching.ErrForbidden},
		{"while one waits", matching.PartnershipAccepted, matching.Actor{OrganisationID: proposer}, open, change, matching.ErrConflict},
		{"completed", matching.PartnershipCompleted, matching.Actor{OrganisationID: proposer}, nil, change, matching.ErrConflict},
		{"invalid result", matching.PartnershipAccepted, matching.Actor{OrganisationID: proposer}, nil,
			matching.AgreementChanges{Outcomes: []string{}}, matching.ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := validPartnership()
			p.Status = c.status
			before := p.Agreement()
			a, err := p.ProposeAmendment(c.actor, c.open, 2, c.change, created)
			if !errors.Is(err, c.want) {
				t.Fatalf("err: got %v, want %v", err, c.want)
			}
			if !reflect.DeepEqual(p.Agreement(), before) {
				t.Error("proposing changed the agreement in force")
			}
			if err == nil && (a.N != 2 || a.Status != matching.AmendmentProposed || a.ProposedBy != c.actor.OrganisationID) {
				t.Errorf("amendment: got %+v", a)
			}
		})
	}
}

func TestDecideAmendment(t *testing.T) {
	purpose := "Twice weekly"
	review := time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC)
	newAmendment := func() *matching.Amendment {
		return &matching.Amendment{N: 1, Status: matching.AmendmentProposed, ProposedBy: proposer,
			Changes: matching.AgreementChanges{Purpose: &purpose, ReviewOn: &review}}
	}
	t.Run("the other side accepts", func(t *testing.T) {
		p, a := accepted(), newAmendment()
		if err := p.DecideAmendment(a, matching.AmendmentAccept, matching.Actor{OrganisationID: partner}, created); err != nil {
			t.Fatal(err)
		}
		if p.Purpose != purpose || !p.ReviewOn.Equal(review) || a.Status != matching.AmendmentAccepted || a.DecidedBy != partner {
			t.Errorf("got purpose %q review %v status %s by %s", p.Purpose, p.ReviewOn, a.Status, a.DecidedBy)
		}
	})
	t.Run("the other side declines", func(t *testing.T) {
		p, a := accepted(), newAmendment()
		was := p.Agreement()
		if err := p.DecideAmendment(a, matching.AmendmentDecline, matching.Actor{OrganisationID: partner}, created); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Agreement(), was) || a.Status != matching.AmendmentDeclined {
			t.Errorf("a decline changed the agreement or left status %s", a.Status)
		}
	})
	for _, c := range []struct {
		name   string
		edit   func(p *matching.Partnership, a *matching.Amendment)
		actor  matching.Actor
		action matching.AmendmentAction
		want   error
	}{
		{"its proposer accepts", nil, matching.Actor{OrganisationID: proposer}, matching.AmendmentAccept, matching.ErrForbidden},
		{"its proposer declines", nil, matching.Actor{OrganisationID: proposer}, matching.AmendmentDecline, matching.ErrForbidden},
		{"an outsider", nil, matching.Actor{OrganisationID: outsider}, matching.AmendmentAccept, matching.ErrNotFound},
		{"answered already", func(_ *matching.Partnership, a *matching.Amendment) { a.Status = matching.AmendmentDeclined },
			matching.Actor{OrganisationID: partner}, matching.AmendmentAccept, matching.ErrConflict},
		{"partnership ended", func(p *matching.Partnership, _ *matching.Amendment) { p.Status = matching.PartnershipEnded },
			matching.Actor{OrganisationID: partner}, matching.AmendmentAccept, matching.ErrConflict},
		{"unknown action", nil, matching.Actor{OrganisationID: partner}, "withdraw", matching.ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, a := accepted(), newAmendment()
			if c.edit != nil {
				c.edit(&p, a)
			}
			was := p.Agreement()
			err := p.DecideAmendment(a, c.action, c.actor, created)
			if !errors.Is(err, c.want) {
				t.Fatalf("err: got %v, want %v", err, c.want)
			}
			if !reflect.DeepEqual(p.Agreement(), was) {
				t.Error("a refused answer changed the agreement")
			}
		})
	}
	t.Run("the operator answers for the other side", func(t *testing.T) {
		p, a := accepted(), newAmendment()
		if err := p.DecideAmendment(a, matching.AmendmentAccept, matching.Actor{Operator: true}, created); err != nil {
			t.Fatal(err)
		}
		if a.DecidedBy != "" || p.Purpose != purpose {
			t.Errorf("decided by %q, purpose %q", a.DecidedBy, p.Purpose)
		}
	})
}

func TestEvaluationValidate(t *testing.T) {
	p := validPartnership()
	good := func() matching.Evaluation {
		return matching.Evaluation{Scores: matching.HealthScores{4, 4, 4, 4, 4, 4}, OutcomesMet: []matching.OutcomeResult{
			{Outcome: p.Outcomes[1], Met: matching.OutcomeMetPartly}, {Outcome: p.Outcomes[0], Met: matching.OutcomeMetYes}}}
	}
	for _, c := range []struct {
		name   string
		edit   func(e *matching.Evaluation)
		fields []string
	}{
		{"valid, any order", func(e *matching.Evaluation) {}, nil},
		{"score 0", func(e *matching.Evaluation) { e.Scores[3] = 0 }, []string{"trust"}},
		{"score 6", func(e *matching.Evaluation) { e.Scores[0] = 6 }, []string{"commitment"}},
		{"an outcome not agreed", func(e *matching.Evaluation) { e.OutcomesMet[0].Outcome = "world peace" },
			[]string{"outcomes_met[0].outcome", "outcomes_met"}},
		{"an outcome twice", func(e *matching.Evaluation) { e.OutcomesMet[0].Outcome = p.Outcomes[0] },
			[]string{"outcomes_met[1].outcome", "outcomes_met"}},
		{"an outcome left out", func(e *matching.Evaluation) { e.OutcomesMet = e.OutcomesMet[:1] }, []string{"outcomes_met"}},
		{"met maybe", func(e *matching.Evaluation) { e.OutcomesMet[1].Met = "maybe" }, []string{"outcomes_met[1].met"}},
		{"NUL comment", func(e *matching.Evaluation) { e.Comment = "a\x00" }, []string{"comment"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := good()
			c.edit(&e)
			err := e.Validate(&p)
			if got := validationFields(t, err); !slices.Equal(got, c.fields) {
				t.Errorf("Validate: got fields %v (%v), want %v", got, err, c.fields)
			}
		})
	}
}

func TestCanEvaluate(t *testing.T) {
	for _, c := range []struct {
		status matching.PartnershipStatus
		actor  matching.Actor
		want   error
	}{
		{matching.PartnershipCompleted, matching.Actor{OrganisationID: partner}, nil},
		{matching.PartnershipCompleted, matching.Actor{OrganisationID: proposer}, nil},
		{matching.PartnershipCompleted, matching.Actor{OrganisationID: outsider}, matching.ErrNotFound},
		{matching.PartnershipCompleted, matching.Actor{Operator: true}, matching.ErrForbidden},
		{matching.PartnershipActive, matching.Actor{OrganisationID: partner}, matching.ErrConflict},
		{matching.PartnershipEnded, matching.Actor{OrganisationID: partner}, matching.ErrConflict},
	} {
		p := validPartnership()
		p.Status = c.status
		if err := p.CanEvaluate(c.actor); !errors.Is(err, c.want) {
			t.Errorf("%s by %+v: got %v, want %v", c.status, c.actor, err, c.want)
		}
	}
}
