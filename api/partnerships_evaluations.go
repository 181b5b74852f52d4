package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
)

// evaluationIn is the body of POST /v1/partnerships/{id}/evaluation: the
// six scores, each required, how far each written outcome of the
// agreement was met, and an optional comment.
type evaluationIn struct {
	Commitment         *int            `json:"commitment"`
	ClarityOfPurpose   *int            `json:"clarity_of_purpose"`
	Coordination       *int            `json:"coordination"`
	Trust              *int            `json:"trust"`
	Communication      *int            `json:"communication"`
	ConflictResolution *int            `json:"conflict_resolution"`
	OutcomesMet        *[]outcomeMetIn `json:"outcomes_met"`
	Comment            string          `json:"comment"`
}

// scores are the body's scores in matching.HealthCriteria order.
func (in *evaluationIn) scores() [matching.NumHealthCriteria]*int {
	return [matching.NumHealthCriteria]*int{in.Commitment, in.ClarityOfPurpose, in.Coordination, in.Trust,
		in.Communication, in.ConflictResolution}
}

// outcomeMetIn judges one outcome: met is yes, partly or no.
type outcomeMetIn struct {
	Outcome string `json:"outcome"`
	Met     string `json:"met"`
}

// toEvaluation checks the body and builds the evaluation of p by orgID,
// against p's agreement; it returns a *matching.ValidationError naming
// every missing or bad field.
func (in *evaluationIn) toEvaluation(p *matching.Partnership, orgID string, now time.Time) (*matching.Evaluation, error) {
	ve := &matching.ValidationError{}
	e := &matching.Evaluation{ID: uuid.Must(uuid.NewV7()).String(), PartnershipID: p.ID, OrganisationID: orgID,
		Comment: in.Comment, CreatedAt: now, OutcomesMet: []matching.OutcomeResult{}}
	readScores(ve, in.scores(), &e.Scores)
	if in.OutcomesMet == nil {
		ve.Add("outcomes_met", "is required: each outcome of the agreement with met yes, partly or no")
	} else {
		for _, o := range *in.OutcomesMet {
			e.OutcomesMet = append(e.OutcomesMet, matching.OutcomeResult{Outcome: o.Outcome, Met: matching.OutcomeMet(o.Met)})
		}
	}
	mergeNew(ve, e.Validate(p))
	sortFieldErrors(ve)
	return e, ve.Err()
}

// Evaluation is the API shape of one side's closing evaluation.
type Evaluation struct {
	ID                 string       `json:"id"`
	PartnershipID      string       `json:"partnership_id"`
	OrganisationID     string       `json:"organisation_id"`
	Commitment         int          `json:"commitment"`
	ClarityOfPurpose   int          `json:"clarity_of_purpose"`
	Coordination       int          `json:"coordination"`
	Trust              int          `json:"trust"`
	Communication      int          `json:"communication"`
	ConflictResolution int          `json:"conflict_resolution"`
	OutcomesMet        []OutcomeMet `json:"outcomes_met"`
	Comment            string       `json:"comment"`
	CreatedAt          string       `json:"created_at"`
}

// OutcomeMet is one outcome of the agreement and how far it was met.
type OutcomeMet struct {
	Outcome string `json:"outcome"`
	Met     string `json:"met"`
}

func toEvaluationJSON(e *matching.Evaluation) Evaluation {
	s := e.Scores
	out := Evaluation{ID: e.ID, PartnershipID: e.PartnershipID, OrganisationID: e.OrganisationID,
		Commitment: s[0], ClarityOfPurpose: s[1], Coordination: s[2], Trust: s[3], Communication: s[4], ConflictResolution: s[5],
		OutcomesMet: make([]OutcomeMet, len(e.OutcomesMet)), Comment: e.Comment, CreatedAt: rfc3339(e.CreatedAt)}
	for i, r := range e.OutcomesMet {
		out.OutcomesMet[i] = OutcomeMet{Outcome: r.Outcome, Met: string(r.Met)}
	}
	return out
}

// createEvaluation records the caller's organisation's closing evaluation:
// 201 with it, 400 for a missing or bad score or outcomes that are not
// the agreement's (each judged once), 403 for the operator, 409 unless
// the partnership is completed or when this side has evaluated it
// already.
func (h *handler) createEvaluation(c *gin.Context) {
	p, actor, ok := h.visiblePartnership(c)
	if !ok {
		return
	}
	if err := p.CanEvaluate(actor); err != nil {
		fail(c, err)
		return
	}
	var in evaluationIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	e, err := in.toEvaluation(p, actor.OrganisationID, h.now().UTC())
	if err != nil {
		fail(c, err)
		return
	}
	audit(c, actor.OrganisationID, "partnership.evaluated", "partnership", p.ID)
	before := p.StayedGood()
	after, err := h.store.AddEvaluation(c.Request.Context(), e)
	if err != nil {
		fail(c, err)
		return
	}
	if after.StayedGood() != before {
		// Both organisations' trust counts changed.
		h.catchUp(c)
	}
	c.Header("Location", "/v1/partnerships/"+p.ID+"/evaluation")
	c.JSON(http.StatusCreated, toEvaluationJSON(e))
}

// listEvaluations answers a partnership's closing evaluations (one a side
// at most), oldest first.
func (h *handler) listEvaluations(c *gin.Context) {
	p, _, ok := h.visiblePartnership(c)
	if !ok {
		return
	}
	evs, err := h.store.ListEvaluations(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := list[Evaluation]{Items: make([]Evaluation, len(evs))}
	for i := range evs {
		out.Items[i] = toEvaluationJSON(&evs[i])
	}
	c.JSON(http.StatusOK, out)
}
