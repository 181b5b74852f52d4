package matching

import (
	"fmt"
	"strings"
	"time"
)

// NumHealthCriteria is how many criteria a health check scores.
const NumHealthCriteria = 6

// HealthCriteria names the criteria a partnership's health is judged on,
// in the order scores, flags and the API list them.
var HealthCriteria = [NumHealthCriteria]string{
	"commitment", "clarity_of_purpose", "coordination", "trust", "communication", "conflict_resolution",
}

// HealthCriterion is one health criterion as people read it: its slug
// (one of HealthCriteria), a label, and the questions a side asks itself
// before scoring it.
type HealthCriterion struct {
	Slug    string
	Label   string
	Prompts []string
}

// WithHealthCriteria returns a copy of t carrying the health criteria cs.
// It returns an error unless cs lists exactly HealthCriteria, in order,
// each with a label and at least one prompt.
func (t *Taxonomy) WithHealthCriteria(cs []HealthCriterion) (*Taxonomy, error) {
	if len(cs) != NumHealthCriteria {
		return nil, fmt.Errorf("health criteria: got %d, want %d", len(cs), NumHealthCriteria)
	}
	for i, c := range cs {
		if c.Slug != HealthCriteria[i] || c.Label == "" || len(c.Prompts) == 0 {
			return nil, fmt.Errorf("health criterion %d: got %q (label %q, %d prompts), want %q with a label and prompts",
				i, c.Slug, c.Label, len(c.Prompts), HealthCriteria[i])
		}
	}
	out := *t
	out.HealthCriteria = make([]HealthCriterion, len(cs))
	for i, c := range cs {
		out.HealthCriteria[i] = HealthCriterion{Slug: c.Slug, Label: c.Label, Prompts: append([]string(nil), c.Prompts...)}
	}
	return &out, nil
}

// Health scores run from MinHealthScore (poor) to MaxHealthScore (strong);
// a score at HealthFlagScore or below flags its criterion.
const (
	MinHealthScore  = 1
	MaxHealthScore  = 5
	HealthFlagScore = 2
)

// HealthScores are one check's scores, in HealthCriteria order.
type HealthScores [NumHealthCriteria]int

// Low reports whether any score is at HealthFlagScore or below.
func (s HealthScores) Low() bool {
	for _, x := range s {
		if x <= HealthFlagScore {
			return true
		}
	}
	return false
}

// HealthCheck is one side's scoring of a partnership's health at one time.
type HealthCheck struct {
	ID             string
	PartnershipID  string
	OrganisationID string // the side that scored it
	Scores         HealthScores
	Comment        string
	CreatedAt      time.Time
}

// Validate checks every score is a whole number from 1 to 5 and the
// comment is at most 2000 characters. It returns a *ValidationError
// naming each bad criterion by its name in HealthCriteria.
func (h *HealthCheck) Validate() error {
	ve := &ValidationError{}
	for i, x := range h.Scores {
		if x < MinHealthScore || x > MaxHealthScore {
			ve.Add(HealthCriteria[i], "must be a whole number from %d to %d (got %d)", MinHealthScore, MaxHealthScore, x)
		}
	}
	checkText(ve, "comment", h.Comment, MaxHealthCommentLen)
	return ve.Err()
}

// newer reports whether h was recorded after than (the greater ID breaks
// a tie in time).
func (h *HealthCheck) newer(than *HealthCheck) bool {
	if !h.CreatedAt.Equal(than.CreatedAt) {
		return h.CreatedAt.After(than.CreatedAt)
	}
	return strings.Compare(h.ID, than.ID) > 0
}

// HealthSummary is what a partnership shows of its health checks.
type HealthSummary struct {
	// Latest is the newest check by either side (nil before the first).
	Latest *HealthCheck
	// ByOrganisation is the newest check of each side that has scored.
	ByOrganisation map[string]HealthCheck
	// Flags are the criteria, in HealthCriteria order, that either side's
	// newest check scored at HealthFlagScore or below.
	Flags []string
	// Checks is how many checks have been recorded; LowChecks how many of
	// them scored any criterion at HealthFlagScore or below.
	Checks, LowChecks int
}

// SummariseHealth sums up a partnership's health from checks, which hold
// at least the newest check of each side (older ones are passed over), in
// any order, and from the counts over the whole history: checks recorded
// (total) and those with a low score (low).
func SummariseHealth(checks []HealthCheck, total, low int) HealthSummary {
	s := HealthSummary{ByOrganisation: map[string]HealthCheck{}, Flags: []string{}, Checks: total, LowChecks: low}
	for i := range checks {
		c := &checks[i]
		if old, ok := s.ByOrganisation[c.OrganisationID]; !ok || c.newer(&old) {
			s.ByOrganisation[c.OrganisationID] = *c
		}
	}
	flagged := [NumHealthCriteria]bool{}
	for _, c := range s.ByOrganisation {
		if s.Latest == nil || c.newer(s.Latest) {
			latest := c
			s.Latest = &latest
		}
		for i, x := range c.Scores {
			flagged[i] = flagged[i] || x <= HealthFlagScore
		}
	}
	for i, f := range flagged {
		if f {
			s.Flags = append(s.Flags, HealthCriteria[i])
		}
	}
	return s
}
