package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"commonground/matching"
)

type outcomeMetJSON struct {
	Outcome string `json:"outcome"`
	Met     string `json:"met"`
}

type evaluationRow struct {
	ID                 string `gorm:"primaryKey"`
	PartnershipID      string
	OrganisationID     string
	Commitment         int
	ClarityOfPurpose   int
	Coordination       int
	Trust              int
	Communication      int
	ConflictResolution int
	OutcomesMet        jsonColumn[[]outcomeMetJSON]
	Comment            string
	CreatedAt          time.Time
}

func (evaluationRow) TableName() string { return "partnership_evaluations" }

func toEvaluationRow(e *matching.Evaluation) evaluationRow {
	s := e.Scores
	met := make([]outcomeMetJSON, len(e.OutcomesMet))
	for i, r := range e.OutcomesMet {
		met[i] = outcomeMetJSON{r.Outcome, string(r.Met)}
	}
	return evaluationRow{ID: e.ID, PartnershipID: e.PartnershipID, OrganisationID: e.OrganisationID,
		Commitment: s[0], ClarityOfPurpose: s[1], Coordination: s[2], Trust: s[3], Communication: s[4], ConflictResolution: s[5],
		OutcomesMet: jsonColumn[[]outcomeMetJSON]{met}, Comment: e.Comment, CreatedAt: utc(e.CreatedAt)}
}

func toEvaluation(r *evaluationRow) matching.Evaluation {
	met := make([]matching.OutcomeResult, len(r.OutcomesMet.V))
	for i, m := range r.OutcomesMet.V {
		met[i] = matching.OutcomeResult{Outcome: m.Outcome, Met: matching.OutcomeMet(m.Met)}
	}
	return matching.Evaluation{ID: r.ID, PartnershipID: r.PartnershipID, OrganisationID: r.OrganisationID,
		Scores:      matching.HealthScores{r.Commitment, r.ClarityOfPurpose, r.Coordination, r.Trust, r.Communication, r.ConflictResolution},
		OutcomesMet: met, Comment: r.Comment, CreatedAt: utc(r.CreatedAt)}
}

// AddEvaluation records one side's closing evaluation in one transaction:
// it locks the partnership, checks the evaluation's organisation may
// evaluate it (matching.Partnership.CanEvaluate: party to it, completed)
// and that it has not evaluated it before, validates the evaluation
// against the agreement in force, inserts it and counts it on the
// partnership. When the evaluation changes whether the partnership
// counts as a trust signal (a low one takes it back; a good first score
// may give it), both organisations' trusted_partnerships change by one,
// recorded as a change to each. It returns the partnership as it now
// stands, or an error wrapping matching.ErrNotFound, ErrForbidden,
// ErrConflict (not completed, or evaluated already: one side posting
// twice at once also gets this, from the unique index), or a
// *matching.ValidationError.
func (db *DB) AddEvaluation(ctx context.Context, e *matching.Evaluation) (*matching.Partnership, error) {
	var out *matching.Partnership
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		p, err := db.lockVisible(tx, e.PartnershipID, matching.Actor{OrganisationID: e.OrganisationID})
		if err != nil {
			return nil, err
		}
		if err := p.CanEvaluate(matching.Actor{OrganisationID: e.OrganisationID}); err != nil {
			return nil, err
		}
		var n int64
		err = tx.Model(&evaluationRow{}).Where("partnership_id = ? AND organisation_id = ?", p.ID, e.OrganisationID).Count(&n).Error
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, errEvaluatedAlready
		}
		if err := e.Validate(p); err != nil {
			return nil, err
		}
		row := toEvaluationRow(e)
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		before := *p
		low := 0
		if e.Scores.Low() {
			low = 1
		}
		p.Evaluations++
		p.LowEvaluations += low
		p.UpdatedAt = utc(db.now())
		err = tx.Exec("UPDATE partnerships SET evaluations = evaluations + 1, evaluations_low = evaluations_low + ?, updated_at = ? WHERE id = ?",
			low, p.UpdatedAt, p.ID).Error
		if err != nil {
			return nil, err
		}
		out = p
		return adjustTrust(tx, p, matching.TrustChange(&before, p))
	})
	if err != nil {
		return nil, translate(err, "evaluation")
	}
	return out, nil
}

var errEvaluatedAlready = fmt.Errorf("%w: this organisation has evaluated the partnership already: each side evaluates once", matching.ErrConflict)

// ListEvaluations returns a partnership's evaluations, oldest first (at
// most two). It does not check the partnership exists or who asks.
func (db *DB) ListEvaluations(ctx context.Context, partnershipID string) ([]matching.Evaluation, error) {
	var rows []evaluationRow
	if err := db.gorm.WithContext(ctx).Where("partnership_id = ?", partnershipID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "evaluations")
	}
	out := make([]matching.Evaluation, len(rows))
	for i := range rows {
		out[i] = toEvaluation(&rows[i])
	}
	return out, nil
}
