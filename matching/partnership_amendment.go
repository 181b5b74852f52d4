package matching

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Once a partnership is accepted, its agreement changes only by consent:
// a change one side asks for is an Amendment that waits, while the
// agreement in force (the partnership's own fields) stays, until the
// other side accepts it (and it applies) or declines it. At most one
// amendment of a partnership waits at a time. The operator, who acts for
// either side, may accept or decline a waiting amendment, and its own
// edits apply at once, as a correction.

// AmendmentStatus is where an amendment stands.
type AmendmentStatus string

// The amendment statuses.
const (
	AmendmentProposed AmendmentStatus = "proposed"
	AmendmentAccepted AmendmentStatus = "accepted"
	AmendmentDeclined AmendmentStatus = "declined"
	// AmendmentLapsed is an amendment still waiting when its partnership
	// was completed or ended: nobody answered it, and nobody can.
	AmendmentLapsed AmendmentStatus = "lapsed"
)

// AmendmentAction is an answer to an amendment.
type AmendmentAction string

// The amendment actions.
const (
	AmendmentAccept  AmendmentAction = "accept"
	AmendmentDecline AmendmentAction = "decline"
)

// Agreement is what two organisations agreed a partnership is for.
type Agreement struct {
	Purpose  string
	Roles    map[string]string
	Outcomes []string
	ReviewOn time.Time
}

// Agreement returns p's agreement in force (sharing nothing with p).
func (p *Partnership) Agreement() Agreement {
	return Agreement{Purpose: p.Purpose, Roles: maps.Clone(p.Roles), Outcomes: slices.Clone(p.Outcomes), ReviewOn: p.ReviewOn}
}

// setAgreement makes a p's agreement in force.
func (p *Partnership) setAgreement(a Agreement) {
	p.Purpose, p.Roles, p.Outcomes, p.ReviewOn = a.Purpose, maps.Clone(a.Roles), slices.Clone(a.Outcomes), a.ReviewOn
	if p.Roles == nil {
		p.Roles = map[string]string{}
	}
}

// AgreementChanges are the fields an amendment changes; nil fields stay.
type AgreementChanges struct {
	Purpose  *string
	Roles    map[string]string // nil: unchanged; replaces every role when set
	Outcomes []string          // nil: unchanged
	ReviewOn *time.Time
}

// Empty reports whether c changes nothing.
func (c AgreementChanges) Empty() bool {
	return c.Purpose == nil && c.Roles == nil && c.Outcomes == nil && c.ReviewOn == nil
}

// DiffAgreements returns the changes that turn from into to: only the
// fields that differ.
func DiffAgreements(from, to Agreement) AgreementChanges {
	var c AgreementChanges
	if from.Purpose != to.Purpose {
		c.Purpose = &to.Purpose
	}
	if !maps.Equal(orEmptyMap(from.Roles), orEmptyMap(to.Roles)) {
		c.Roles = orEmptyMap(maps.Clone(to.Roles))
	}
	if !slices.Equal(from.Outcomes, to.Outcomes) {
		c.Outcomes = slices.Clone(to.Outcomes)
		if c.Outcomes == nil {
			c.Outcomes = []string{}
		}
	}
	if !from.ReviewOn.Equal(to.ReviewOn) {
		r := to.ReviewOn
		c.ReviewOn = &r
	}
	return c
}

func orEmptyMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Apply returns a with c's changes.
func (c AgreementChanges) Apply(a Agreement) Agreement {
	if c.Purpose != nil {
		a.Purpose = *c.Purpose
	}
	if c.Roles != nil {
		a.Roles = maps.Clone(c.Roles)
	}
	if c.Outcomes != nil {
		a.Outcomes = slices.Clone(c.Outcomes)
	}
	if c.ReviewOn != nil {
		a.ReviewOn = *c.ReviewOn
	}
	return a
}

// Amendment is a change of a partnership's agreement one side proposed,
// numbered N (from 1) within its partnership.
type Amendment struct {
	PartnershipID string
	N             int
	Status        AmendmentStatus
	// ProposedBy is the organisation that asked for it; DecidedBy the one
	// that answered ("" while proposed, or when the operator answered).
	ProposedBy string
	DecidedBy  string
	Changes    AgreementChanges
	CreatedAt  time.Time
	DecidedAt  time.Time // zero while proposed
}

// AgreementVersion is one agreement both sides consented to: version 1
// is the agreement as accepted, and each accepted amendment (Amendment
// its number) or operator's correction (Amendment 0) adds the next.
type AgreementVersion struct {
	PartnershipID string
	Version       int
	Amendment     int
	Agreement
	AgreedAt time.Time
}

// NeedsConsent reports whether an edit of p's agreement by actor waits for
// the other side as an amendment: the partnership is accepted or active
// and the actor is not the operator. A proposed partnership's agreement is
// still the proposal, changed at once.
func (p *Partnership) NeedsConsent(actor Actor) bool {
	return !actor.Operator && (p.Status == PartnershipAccepted || p.Status == PartnershipActive)
}

// ProposeAmendment decides whether actor may propose changes to p's
// agreement as amendment n, given the amendment already waiting (nil if
// none), and returns it. The changes must leave a valid agreement. It
// returns an error wrapping ErrNotFound when actor is not party to p,
// ErrForbidden for the operator (amendments are the organisations' own
// word), ErrConflict when p is not accepted or active or another
// amendment waits (naming it), and a *ValidationError for an invalid
// result.
func (p *Partnership) ProposeAmendment(actor Actor, open *Amendment, n int, c AgreementChanges, now time.Time) (*Amendment, error) {
	if !p.VisibleTo(actor) {
		return nil, fmt.Errorf("%w: no partnership %s", ErrNotFound, quote(p.ID))
	}
	if actor.Operator {
		return nil, fmt.Errorf("%w: amendments are proposed by the two organisations, with their own tokens", ErrForbidden)
	}
	if p.Status != PartnershipAccepted && p.Status != PartnershipActive {
		return nil, fmt.Errorf("%w: amendments are proposed while a partnership is accepted or active, and this one is %s", ErrConflict, p.Status)
	}
	if open != nil {
		return nil, fmt.Errorf("%w: amendment %d of this partnership waits for an answer: it must be accepted or declined before another is proposed", ErrConflict, open.N)
	}
	q := *p
	q.setAgreement(c.Apply(p.Agreement()))
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return &Amendment{PartnershipID: p.ID, N: n, Status: AmendmentProposed, ProposedBy: actor.OrganisationID,
		Changes: c, CreatedAt: now}, nil
}

// Other returns the organisation of p that is not orgID.
func (p *Partnership) Other(orgID string) string {
	if orgID == p.ProposerID {
		return p.PartnerID
	}
	return p.ProposerID
}

// DecideAmendment checks actor may answer amendment a of p with action
// and, for an accept, applies its changes to p's agreement. Only the side
// that did not propose it answers (or the operator); it must still be
// proposed, and p accepted or active. It returns an error wrapping
// ErrNotFound when actor is not party to p, ErrForbidden when the side
// that proposed it answers, ErrConflict when it was answered already or
// p is no longer accepted or active, and a *ValidationError for an
// unknown action or when the changes no longer make a valid agreement.
func (p *Partnership) DecideAmendment(a *Amendment, action AmendmentAction, actor Actor, now time.Time) error {
	if action != AmendmentAccept && action != AmendmentDecline {
		return Invalid("action", "unknown action %s (accept or decline)", quote(string(action)))
	}
	if !p.VisibleTo(actor) {
		return fmt.Errorf("%w: no partnership %s", ErrNotFound, quote(p.ID))
	}
	if !actor.Operator && actor.OrganisationID == a.ProposedBy {
		return fmt.Errorf("%w: an amendment is answered by the other organisation, not the one that proposed it", ErrForbidden)
	}
	if a.Status != AmendmentProposed {
		return fmt.Errorf("%w: amendment %d was %s already", ErrConflict, a.N, a.Status)
	}
	if p.Status != PartnershipAccepted && p.Status != PartnershipActive {
		return fmt.Errorf("%w: amendments are answered while a partnership is accepted or active, and this one is %s", ErrConflict, p.Status)
	}
	if action == AmendmentAccept {
		q := *p
		q.setAgreement(a.Changes.Apply(p.Agreement()))
		if err := q.Validate(); err != nil {
			return err
		}
		p.setAgreement(q.Agreement())
		a.Status = AmendmentAccepted
	} else {
		a.Status = AmendmentDeclined
	}
	if !actor.Operator {
		a.DecidedBy = actor.OrganisationID
	}
	a.DecidedAt = now
	return nil
}
