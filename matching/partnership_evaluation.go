package matching

import (
	"fmt"
	"slices"
	"time"
)

// OutcomeMet says how far a written outcome was met.
type OutcomeMet string

// The answers to "was this outcome met?".
const (
	OutcomeMetYes    OutcomeMet = "yes"
	OutcomeMetPartly OutcomeMet = "partly"
	OutcomeMetNo     OutcomeMet = "no"
)

// OutcomeResult is one outcome of the agreement and how far it was met.
type OutcomeResult struct {
	Outcome string
	Met     OutcomeMet
}

// Evaluation is one side's closing evaluation of a completed partnership:
// the six health criteria scored once more, and each written outcome of
// the agreement judged met, partly met or not met.
type Evaluation struct {
	ID             string
	PartnershipID  string
	OrganisationID string
	Scores         HealthScores
	OutcomesMet    []OutcomeResult
	Comment        string
	CreatedAt      time.Time
}

// Validate checks the evaluation against p's agreement in force: every
// score a whole number from 1 to 5, a comment of at most 2000 characters,
// and outcomes_met judging each of p's outcomes exactly once (met: yes,
// partly or no) and nothing else. It returns a *ValidationError naming
// each bad field by its API name.
func (e *Evaluation) Validate(p *Partnership) error {
	ve := &ValidationError{}
	for i, x := range e.Scores {
		if x < MinHealthScore || x > MaxHealthScore {
			ve.Add(HealthCriteria[i], "must be a whole number from %d to %d (got %d)", MinHealthScore, MaxHealthScore, x)
		}
	}
	checkText(ve, "comment", e.Comment, MaxHealthCommentLen)
	seen := map[string]bool{}
	for i, r := range e.OutcomesMet {
		f := fmt.Sprintf("outcomes_met[%d]", i)
		switch {
		case !slices.Contains(p.Outcomes, r.Outcome):
			ve.Add(f+".outcome", "is not one of the agreement's outcomes: %s", quote(clipField(r.Outcome)))
		case seen[r.Outcome]:
			ve.Add(f+".outcome", "judges %s a second time", quote(clipField(r.Outcome)))
		}
		seen[r.Outcome] = true
		if r.Met != OutcomeMetYes && r.Met != OutcomeMetPartly && r.Met != OutcomeMetNo {
			ve.Add(f+".met", "must be yes, partly or no (got %s)", quote(clipField(string(r.Met))))
		}
	}
	var missing []string
	for _, o := range p.Outcomes {
		if !seen[o] {
			missing = append(missing, quote(clipField(o)))
		}
	}
	if len(missing) > 0 {
		ve.Add("outcomes_met", "must judge every outcome of the agreement; missing %s", joinWords(missing))
	}
	return ve.Err()
}

func joinWords(ws []string) string {
	s := ""
	for i, w := range ws {
		if i > 0 {
			s += ", "
		}
		s += w
	}
	return s
}

// CanEvaluate returns nil when actor may post its closing evaluation of
// p: it is one of the two organisations and p is completed. It returns an
// error wrapping ErrNotFound when actor is not party to p, ErrForbidden
// for the operator, and ErrConflict when p is not completed. That each
// side evaluates once is the store's to enforce.
func (p *Partnership) CanEvaluate(actor Actor) error {
	if !p.VisibleTo(actor) {
		return fmt.Errorf("%w: no partnership %s", ErrNotFound, quote(p.ID))
	}
	if actor.OrganisationID == "" {
		return fmt.Errorf("%w: a partnership is evaluated by its two organisations, with their own tokens", ErrForbidden)
	}
	if p.Status != PartnershipCompleted {
		return fmt.Errorf("%w: a partnership is evaluated once it is completed, and this one is %s", ErrConflict, p.Status)
	}
	return nil
}
