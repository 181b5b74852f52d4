package matching_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/matching"
)

const (
	proposer = "11111111-0000-4000-8000-000000000001"
	partner  = "22222222-0000-4000-8000-000000000002"
	outsider = "33333333-0000-4000-8000-000000000003"
)

var created = time.Date(2027, 3, 14, 15, 9, 26, 0, time.UTC)

func validPartnership() matching.Partnership {
	return matching.Partnership{
		ID: "p1", ProposerID: proposer, PartnerID: partner, Status: matching.PartnershipProposed,
		Purpose:   "Weekly dance sessions for young people in Arbury",
		Roles:     map[string]string{proposer: "teaches the sessions", partner: "provides the hall and youth workers"},
		Outcomes:  []string{"30 young people dance every week", "two young leaders trained"},
		ReviewOn:  time.Date(2027, 9, 1, 0, 0, 0, 0, time.UTC),
		CreatedAt: created, UpdatedAt: created,
	}
}

func TestPartnershipValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		edit   func(p *matching.Partnership)
		fields []string // the fields named, in order; none: valid
	}{
		{"valid", func(p *matching.Partnership) {}, nil},
		{"roles may leave a side out", func(p *matching.Partnership) { delete(p.Roles, partner) }, nil},
		{"no roles at all", func(p *matching.Partnership) { p.Roles = nil }, nil},
		{"review on the day it was created", func(p *matching.Partnership) { p.ReviewOn = matching.Date(created) }, nil},
		{"review ten years on", func(p *matching.Partnership) { p.ReviewOn = matching.Date(created).AddDate(10, 0, 0) }, nil},
		{"purpose of 2000 characters", func(p *matching.Partnership) { p.Purpose = strings.Repeat("é", 2000) }, nil},
		{"20 outcomes", func(p *matching.Partnership) { p.Outcomes = slices.Repeat([]string{"x"}, 20) }, nil},
		{"no partner", func(p *matching.Partnership) { p.PartnerID = ""; delete(p.Roles, partner) }, []string{"partner_id"}},
		{"partner with itself", func(p *matching.Partnership) { p.PartnerID = proposer; p.Roles = nil }, []string{"partner_id"}},
		{"no purpose", func(p *matching.Partnership) { p.Purpose = "" }, []string{"purpose"}},
		{"blank purpose", func(p *matching.Partnership) { p.Purpose = " \n\t" }, []string{"purpose"}},
		{"purpose too long", func(p *matching.Partnership) { p.Purpose = strings.Repeat("a", 2001) }, []string{"purpose"}},
		{"purpose with NUL", func(p *matching.Partnership) { p.Purpose = "a\x00b" }, []string{"purpose"}},
		{"purpose not UTF-8", func(p *matching.Partnership) { p.Purpose = "a\xffb" }, []string{"purpose"}},
		{"role of an outsider", func(p *matching.Partnership) { p.Roles[outsider] = "watches" }, []string{"roles." + outsider}},
		{"empty role", func(p *matching.Partnership) { p.Roles[partner] = "" }, []string{"roles." + partner}},
		{"role too long", func(p *matching.Partnership) { p.Roles[proposer] = strings.Repeat("a", 501) }, []string{"roles." + proposer}},
		{"no outcomes", func(p *matching.Partnership) { p.Outcomes = nil }, []string{"outcomes"}},
		{"21 outcomes", func(p *matching.Partnership) { p.Outcomes = slices.Repeat([]string{"x"}, 21) }, []string{"outcomes"}},
		{"empty outcome", func(p *matching.Partnership) { p.Outcomes = []string{"x", " "} }, []string{"outcomes[1]"}},
		{"outcome too long", func(p *matching.Partnership) { p.Outcomes = []string{strings.Repeat("a", 501)} }, []string{"outcomes[0]"}},
		{"no review date", func(p *matching.Partnership) { p.ReviewOn = time.Time{} }, []string{"review_on"}},
		{"review before creation", func(p *matching.Partnership) { p.ReviewOn = matching.Date(created).AddDate(0, 0, -1) }, []string{"review_on"}},
		{"review too far off", func(p *matching.Partnership) { p.ReviewOn = matching.Date(created).AddDate(10, 0, 1) }, []string{"review_on"}},
		{"review not at midnight", func(p *matching.Partnership) { p.ReviewOn = p.ReviewOn.Add(time.Hour) }, []string{"review_on"}},
		{"review in another zone", func(p *matching.Partnership) { p.ReviewOn = p.ReviewOn.In(time.FixedZone("X", 0)) }, []string{"review_on"}},
		{"everything wrong", func(p *matching.Partnership) {
			p.PartnerID, p.Purpose, p.Outcomes, p.ReviewOn = "", "", nil, time.Time{}
			p.Roles = map[string]string{"b-stranger": "x", "a-stranger": "y"}
		}, []string{"partner_id", "purpose", "roles.a-stranger", "roles.b-stranger", "outcomes", "review_on"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := validPartnership()
			c.edit(&p)
			err := p.Validate()
			if got := validationFields(t, err); !slices.Equal(got, c.fields) {
				t.Errorf("Validate: got fields %v (%v), want %v", got, err, c.fields)
			}
		})
	}
}

// validationFields returns the fields a *ValidationError names (nil for
// no error), failing t for any other error.
func validationFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *matching.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, matching.ErrInvalid) {
		t.Fatalf("got error %v (%T), want a *ValidationError wrapping ErrInvalid", err, err)
	}
	var out []string
	for _, fe := range ve.Errors {
		if fe.Message == "" {
			t.Errorf("field %s has no message", fe.Field)
		}
		out = append(out, fe.Field)
	}
	return out
}

var (
	asProposer = matching.Actor{OrganisationID: proposer}
	asPartner  = matching.Actor{OrganisationID: partner}
	asOutsider = matching.Actor{OrganisationID: outsider}
	asOperator = matching.Actor{Operator: true}
	nobody     = matching.Actor{}
)

func TestPartnershipTransition(t *testing.T) {
	type st = matching.PartnershipStatus
	for _, c := range []struct {
		from    st
		action  matching.PartnershipAction
		actor   matching.Actor
		to      st    // when allowed
		wantErr error // when not
	}{
		// Allowed.
		{matching.PartnershipProposed, matching.ActionAccept, asPartner, matching.PartnershipAccepted, nil},
		{matching.PartnershipProposed, matching.ActionDecline, asPartner, matching.PartnershipDeclined, nil},
		{matching.PartnershipProposed, matching.ActionAccept, asOperator, matching.PartnershipAccepted, nil},
		{matching.PartnershipAccepted, matching.ActionActivate, asProposer, matching.PartnershipActive, nil},
		{matching.PartnershipAccepted, matching.ActionActivate, asPartner, matching.PartnershipActive, nil},
		{matching.PartnershipAccepted, matching.ActionEnd, asProposer, matching.PartnershipEnded, nil},
		{matching.PartnershipActive, matching.ActionComplete, asProposer, matching.PartnershipCompleted, nil},
		{matching.PartnershipActive, matching.ActionComplete, asPartner, matching.PartnershipCompleted, nil},
		{matching.PartnershipActive, matching.ActionEnd, asPartner, matching.PartnershipEnded, nil},
		{matching.PartnershipActive, matching.ActionEnd, asOperator, matching.PartnershipEnded, nil},
		// The proposer never answers its own proposal.
		{matching.PartnershipProposed, matching.ActionAccept, asProposer, "", matching.ErrForbidden},
		{matching.PartnershipProposed, matching.ActionDecline, asProposer, "", matching.ErrForbidden},
		{matching.PartnershipAccepted, matching.ActionAccept, asProposer, "", matching.ErrForbidden},
		// Outsiders do not see it.
		{matching.PartnershipProposed, matching.ActionAccept, asOutsider, "", matching.ErrNotFound},
		{matching.PartnershipActive, matching.ActionComplete, asOutsider, "", matching.ErrNotFound},
		{matching.PartnershipActive, matching.ActionEnd, nobody, "", matching.ErrNotFound},
		// Not from this status.
		{matching.PartnershipAccepted, matching.ActionAccept, asPartner, "", matching.ErrConflict},
		{matching.PartnershipDeclined, matching.ActionAccept, asPartner, "", matching.ErrConflict},
		{matching.PartnershipActive, matching.ActionDecline, asPartner, "", matching.ErrConflict},
		{matching.PartnershipProposed, matching.ActionActivate, asProposer, "", matching.ErrConflict},
		{matching.PartnershipActive, matching.ActionActivate, asProposer, "", matching.ErrConflict},
		{matching.PartnershipProposed, matching.ActionComplete, asProposer, "", matching.ErrConflict},
		{matching.PartnershipAccepted, matching.ActionComplete, asPartner, "", matching.ErrConflict},
		{matching.PartnershipProposed, matching.ActionEnd, asProposer, "", matching.ErrConflict},
		{matching.PartnershipCompleted, matching.ActionEnd, asProposer, "", matching.ErrConflict},
		{matching.PartnershipEnded, matching.ActionActivate, asOperator, "", matching.ErrConflict},
		{matching.PartnershipDeclined, matching.ActionEnd, asPartner, "", matching.ErrConflict},
		{matching.PartnershipCompleted, matching.ActionComplete, asPartner, "", matching.ErrConflict},
		// Unknown action.
		{matching.PartnershipProposed, "approve", asPartner, "", matching.ErrInvalid},
	} {
		t.Run(string(c.from)+"/"+string(c.action)+"/"+actorName(c.actor), func(t *testing.T) {
			p := validPartnership()
			p.Status = c.from
			got, err := p.Transition(c.action, c.actor)
			if p.Status != c.from {
				t.Errorf("Transition changed the partnership's status to %s", p.Status)
			}
			if c.wantErr == nil {
				if err != nil || got != c.to {
					t.Errorf("got %s, %v, want %s", got, err, c.to)
				}
				return
			}
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("got %s, %v, want an error wrapping %v", got, err, c.wantErr)
			}
			if c.wantErr == matching.ErrConflict && !strings.Contains(err.Error(), string(c.from)) {
				t.Errorf("error %q does not name the current status %s", err, c.from)
			}
		})
	}
}

func actorName(a matching.Actor) string {
	switch {
	case a.Operator:
		return "operator"
	case a.OrganisationID == proposer:
		return "proposer"
	case a.OrganisationID == partner:
		return "partner"
	case a.OrganisationID == "":
		return "nobody"
	}
	return "outsider"
}

func TestPartnershipStatusRules(t *testing.T) {
	for _, c := range []struct {
		status           matching.PartnershipStatus
		editable, health bool
	}{
		{matching.PartnershipProposed, true, false},
		{matching.PartnershipAccepted, true, true},
		{matching.PartnershipDeclined, false, false},
		{matching.PartnershipActive, true, true},
		{matching.PartnershipCompleted, false, false},
		{matching.PartnershipEnded, false, false},
	} {
		t.Run(string(c.status), func(t *testing.T) {
			p := validPartnership()
			p.Status = c.status
			for _, x := range []struct {
				what string
				err  error
				want bool
			}{{"Editable", p.Editable(), c.editable}, {"CanRecordHealth", p.CanRecordHealth(), c.health}} {
				if x.want && x.err != nil {
					t.Errorf("%s: got %v, want nil", x.what, x.err)
				}
				if !x.want && (!errors.Is(x.err, matching.ErrConflict) || !strings.Contains(x.err.Error(), string(c.status))) {
					t.Errorf("%s: got %v, want an ErrConflict naming %s", x.what, x.err, c.status)
				}
			}
			if !c.status.Valid() {
				t.Errorf("%s.Valid(): got false", c.status)
			}
		})
	}
	if matching.PartnershipStatus("paused").Valid() {
		t.Errorf(`"paused".Valid(): got true`)
	}
}

func TestPartnershipVisibleTo(t *testing.T) {
	p := validPartnership()
	for _, c := range []struct {
		actor matching.Actor
		want  bool
	}{{asProposer, true}, {asPartner, true}, {asOperator, true}, {asOutsider, false}, {nobody, false}} {
		if got := p.VisibleTo(c.actor); got != c.want {
			t.Errorf("VisibleTo(%s): got %v, want %v", actorName(c.actor), got, c.want)
		}
	}
}
