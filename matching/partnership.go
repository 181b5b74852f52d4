package matching

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PartnershipStatus is where a partnership stands.
//
// A partnership is proposed by one organisation to another (the partner).
// The partner accepts or declines it; an accepted partnership is
// activated by either side when the work starts, and completed by either
// side when it is done. Either side may end an accepted or active
// partnership early. Declined, completed and ended are final.
type PartnershipStatus string

// The partnership statuses.
const (
	PartnershipProposed  PartnershipStatus = "proposed"
	PartnershipAccepted  PartnershipStatus = "accepted"
	PartnershipDeclined  PartnershipStatus = "declined"
	PartnershipActive    PartnershipStatus = "active"
	PartnershipCompleted PartnershipStatus = "completed"
	PartnershipEnded     PartnershipStatus = "ended"
)

// PartnershipStatuses lists every status, in the order a partnership
// moves through them.
var PartnershipStatuses = []PartnershipStatus{PartnershipProposed, PartnershipAccepted, PartnershipDeclined,
	PartnershipActive, PartnershipCompleted, PartnershipEnded}

// Valid reports whether s is one of PartnershipStatuses.
func (s PartnershipStatus) Valid() bool { return slices.Contains(PartnershipStatuses, s) }

// PartnershipAction is a change of status one side asks for.
type PartnershipAction string

// The partnership actions.
const (
	ActionAccept   PartnershipAction = "accept"
	ActionDecline  PartnershipAction = "decline"
	ActionActivate PartnershipAction = "activate"
	ActionComplete PartnershipAction = "complete"
	ActionEnd      PartnershipAction = "end"
)

// PartnershipActions lists every action.
var PartnershipActions = []PartnershipAction{ActionAccept, ActionDecline, ActionActivate, ActionComplete, ActionEnd}

// transition is one rule of the state machine: the statuses an action may
// start from, where it leads, and whether only the partner may take it.
type transition struct {
	from        []PartnershipStatus
	to          PartnershipStatus
	partnerOnly bool
}

var transitions = map[PartnershipAction]transition{
	ActionAccept:   {from: []PartnershipStatus{PartnershipProposed}, to: PartnershipAccepted, partnerOnly: true},
	ActionDecline:  {from: []PartnershipStatus{PartnershipProposed}, to: PartnershipDeclined, partnerOnly: true},
	ActionActivate: {from: []PartnershipStatus{PartnershipAccepted}, to: PartnershipActive},
	ActionComplete: {from: []PartnershipStatus{PartnershipActive}, to: PartnershipCompleted},
	ActionEnd:      {from: []PartnershipStatus{PartnershipAccepted, PartnershipActive}, to: PartnershipEnded},
}

// Limits on a partnership agreement.
const (
	MaxPurposeLen       = 2000
	MaxRoleLen          = 500
	MaxOutcomes         = 20
	MaxOutcomeLen       = 500
	MaxHealthCommentLen = 2000
	// MaxReviewYears is how far past its creation a review date may lie.
	MaxReviewYears = 10
)

// DateLayout is how dates without a time (a review date) are written.
const DateLayout = "2006-01-02"

// Actor is who asks for a change to a partnership: one of its two
// organisations, or the operator, who may act for either side.
type Actor struct {
	OrganisationID string
	Operator       bool
}

// Partnership is an agreement between two organisations: the one that
// proposed it and the partner it was proposed to.
type Partnership struct {
	ID         string
	ProposerID string
	PartnerID  string
	Status     PartnershipStatus
	// Purpose says what the partnership is for.
	Purpose string
	// Roles is each side's role, keyed by organisation ID; either side may
	// be left out.
	Roles map[string]string
	// Outcomes are the written outcomes the partnership aims for.
	Outcomes []string
	// ReviewOn is the date the partners review it, at midnight UTC.
	ReviewOn  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Health sums up the health checks recorded so far.
	Health HealthSummary
	// Evaluations counts the closing evaluations posted (at most one a
	// side); LowEvaluations those that scored any criterion at
	// HealthFlagScore or below.
	Evaluations, LowEvaluations int
}

// IsParty reports whether orgID is one of the two organisations.
func (p *Partnership) IsParty(orgID string) bool {
	return orgID != "" && (orgID == p.ProposerID || orgID == p.PartnerID)
}

// VisibleTo reports whether a may see and act on the partnership: the
// operator and the two organisations may; to anyone else it does not
// exist.
func (p *Partnership) VisibleTo(a Actor) bool { return a.Operator || p.IsParty(a.OrganisationID) }

// Validate checks the agreement: a purpose (at most 2000 characters);
// roles only for the two organisations, each non-empty and at most 500
// characters; 1 to 20 outcomes, each non-empty and at most 500
// characters; a review date (midnight UTC) neither before the day the
// partnership was created nor more than MaxReviewYears after it; and two
// different organisations. It returns a *ValidationError naming every bad
// field by its API name.
func (p *Partnership) Validate() error {
	ve := &ValidationError{}
	switch {
	case p.PartnerID == "":
		ve.Add("partner_id", "is required")
	case p.PartnerID == p.ProposerID:
		ve.Add("partner_id", "must be another organisation: an organisation cannot partner with itself")
	}
	checkRequiredText(ve, "purpose", p.Purpose, MaxPurposeLen)
	for _, id := range sortedRoleKeys(p.Roles) {
		f := "roles." + clipField(id)
		if !p.IsParty(id) {
			ve.Add(f, "is not one of the two organisations of the partnership")
			continue
		}
		checkRequiredText(ve, f, p.Roles[id], MaxRoleLen)
	}
	switch n := len(p.Outcomes); {
	case n == 0:
		ve.Add("outcomes", "must list at least one written outcome")
	case n > MaxOutcomes:
		ve.Add("outcomes", "must list at most %d outcomes (got %d)", MaxOutcomes, n)
	default:
		for i, o := range p.Outcomes {
			checkRequiredText(ve, fmt.Sprintf("outcomes[%d]", i), o, MaxOutcomeLen)
		}
	}
	p.checkReviewOn(ve)
	return ve.Err()
}

func (p *Partnership) checkReviewOn(ve *ValidationError) {
	r := p.ReviewOn
	if r.IsZero() {
		ve.Add("review_on", "is required (a date, YYYY-MM-DD)")
		return
	}
	if r.Location() != time.UTC || !r.Equal(Date(r)) {
		ve.Add("review_on", "must be a date (midnight UTC)")
		return
	}
	created := Date(p.CreatedAt)
	if r.Before(created) {
		ve.Add("review_on", "must not be before the partnership was created (%s)", created.Format(DateLayout))
	}
	if last := created.AddDate(MaxReviewYears, 0, 0); r.After(last) {
		ve.Add("review_on", "must be within %d years of the partnership's creation (by %s)", MaxReviewYears, last.Format(DateLayout))
	}
}

// Date returns the day t falls on in UTC, at midnight UTC.
func Date(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// checkRequiredText is checkText for text that must say something.
func checkRequiredText(ve *ValidationError, field, s string, max int) {
	if strings.TrimSpace(s) == "" {
		ve.Add(field, "is required")
		return
	}
	checkText(ve, field, s, max)
}

func sortedRoleKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// clipField shortens an outside key used in a field name.
func clipField(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Transition decides the status an action by actor leads to, without
// changing p:
//
//	accept, decline  proposed → accepted, declined   the partner only
//	activate         accepted → active               either side
//	complete         active → completed              either side
//	end              accepted or active → ended      either side
//
// The operator may take any action for either side. It returns an error
// wrapping ErrNotFound when actor is neither side nor the operator (the
// partnership is private to its two organisations), ErrForbidden when
// the proposer tries to accept or decline, ErrConflict (naming the
// current status) when the action is not allowed from the current status,
// and a *ValidationError for an unknown action.
func (p *Partnership) Transition(action PartnershipAction, actor Actor) (PartnershipStatus, error) {
	if _, ok := transitions[action]; !ok {
		return p.Status, Invalid("action", "unknown action %s (one of accept, decline, activate, complete, end)", quote(string(action)))
	}
	if !p.VisibleTo(actor) {
		return p.Status, fmt.Errorf("%w: no partnership %s", ErrNotFound, quote(p.ID))
	}
	return step(action, p.Status, actor.Operator || actor.OrganisationID == p.PartnerID,
		"only the organisation a partnership was proposed to may %s it", "partnership", nil)
}

// step is the state machine partnerships and consortia share: the status
// action leads to from status, where mayAnswer says whether the actor may
// answer a proposal (accept or decline it); forbidden words the refusal
// when it may not (with the action for %s), what names the thing, and
// rename (nil: none) maps the statuses to the names the thing uses for
// them, both ways. It returns an error wrapping ErrForbidden or
// ErrConflict (naming the status), and assumes the action is known.
func step(action PartnershipAction, status PartnershipStatus, mayAnswer bool, forbidden, what string,
	rename map[PartnershipStatus]PartnershipStatus) (PartnershipStatus, error) {
	rule := transitions[action]
	if rule.partnerOnly && !mayAnswer {
		return status, fmt.Errorf("%w: "+forbidden, ErrForbidden, action)
	}
	from := status
	for k, v := range rename {
		if v == status {
			from = k
		}
	}
	if !slices.Contains(rule.from, from) {
		shown := make([]PartnershipStatus, len(rule.from))
		for i, s := range rule.from {
			shown[i] = cmp.Or(rename[s], s)
		}
		return status, fmt.Errorf("%w: cannot %s a %s that is %s (only one that is %s)", ErrConflict, action, what, status, joinStatuses(shown))
	}
	return cmp.Or(rename[rule.to], rule.to), nil
}

func joinStatuses(ss []PartnershipStatus) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

// Editable returns nil when the agreement may still be changed (proposed,
// accepted or active), and an error wrapping ErrConflict naming the
// status otherwise.
func (p *Partnership) Editable() error {
	switch p.Status {
	case PartnershipProposed, PartnershipAccepted, PartnershipActive:
		return nil
	}
	return fmt.Errorf("%w: the agreement of a partnership that is %s cannot be changed", ErrConflict, p.Status)
}

// CanRecordHealth returns nil when health checks may be recorded
// (accepted or active), and an error wrapping ErrConflict naming the
// status otherwise.
func (p *Partnership) CanRecordHealth() error {
	switch p.Status {
	case PartnershipAccepted, PartnershipActive:
		return nil
	}
	return fmt.Errorf("%w: health checks are recorded while a partnership is accepted or active, and this one is %s", ErrConflict, p.Status)
}

// StayedGood reports whether the partnership counts as a trust signal for
// its two organisations: it is completed, was scored at least once (a
// health check or a closing evaluation), and no health check and no
// evaluation ever scored a criterion at HealthFlagScore or below. A low
// evaluation posted after completion takes the signal back.
func (p *Partnership) StayedGood() bool {
	return p.Status == PartnershipCompleted && p.Health.Checks+p.Evaluations > 0 &&
		p.Health.LowChecks == 0 && p.LowEvaluations == 0
}

// TrustChange is how a change of p from before to after moves each of its
// organisations' count of trusted partnerships: +1, -1 or 0.
func TrustChange(before, after *Partnership) int {
	switch b, a := before.StayedGood(), after.StayedGood(); {
	case a && !b:
		return 1
	case b && !a:
		return -1
	}
	return 0
}

// PartnershipFilter selects partnerships, in ID order.
type PartnershipFilter struct {
	Page
	// OrganisationID keeps those it is party to ("" for every one).
	OrganisationID string
	// Status keeps those in one status ("" for any).
	Status PartnershipStatus
}
