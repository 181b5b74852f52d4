package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/matching"
)

type partnershipRow struct {
	ID           string `gorm:"primaryKey"`
	ProposerID   string
	PartnerID    string
	Status       string
	Purpose      string
	Roles        jsonColumn[map[string]string]
	Outcomes     jsonColumn[[]string]
	ReviewOn     string
	HealthChecks int
	HealthLow    int
	// Evaluations and EvaluationsLow count the closing evaluations and
	// those that scored any criterion low, kept by AddEvaluation.
	Evaluations    int
	EvaluationsLow int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (partnershipRow) TableName() string { return "partnerships" }

func toPartnershipRow(p *matching.Partnership) partnershipRow {
	roles := p.Roles
	if roles == nil {
		roles = map[string]string{}
	}
	return partnershipRow{
		ID: p.ID, ProposerID: p.ProposerID, PartnerID: p.PartnerID, Status: string(p.Status), Purpose: p.Purpose,
		Roles: jsonColumn[map[string]string]{roles}, Outcomes: jsonColumn[[]string]{nonNil(p.Outcomes)},
		ReviewOn:     p.ReviewOn.UTC().Format(matching.DateLayout),
		HealthChecks: p.Health.Checks, HealthLow: p.Health.LowChecks,
		Evaluations: p.Evaluations, EvaluationsLow: p.LowEvaluations,
		CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt),
	}
}

// toPartnership converts a row; its health summary holds the counts only
// until loadHealth adds the newest checks.
func toPartnership(r *partnershipRow) (matching.Partnership, error) {
	review, err := time.Parse(matching.DateLayout, r.ReviewOn)
	if err != nil {
		return matching.Partnership{}, fmt.Errorf("partnership %s: review_on %q: %w", r.ID, r.ReviewOn, err)
	}
	roles := r.Roles.V
	if roles == nil {
		roles = map[string]string{}
	}
	return matching.Partnership{
		ID: r.ID, ProposerID: r.ProposerID, PartnerID: r.PartnerID, Status: matching.PartnershipStatus(r.Status),
		Purpose: r.Purpose, Roles: roles, Outcomes: nonNil(r.Outcomes.V), ReviewOn: review,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt),
		Health:      matching.SummariseHealth(nil, r.HealthChecks, r.HealthLow),
		Evaluations: r.Evaluations, LowEvaluations: r.EvaluationsLow,
	}, nil
}

// Partnerships are not part of the matching read model, so their writes
// record no change, with one exception: a write that changes whether a
// partnership counts as a trust signal (matching.TrustChange: completing
// one whose health stayed good, or an evaluation posted after) changes
// both organisations' trusted_partnerships, and is recorded as a change
// to each.

// CreatePartnership inserts a proposed partnership with no health checks.
// It returns a *matching.ValidationError for an invalid agreement or a
// status other than proposed, and an error wrapping matching.ErrConflict
// if the ID is taken or either organisation does not exist.
func (db *DB) CreatePartnership(ctx context.Context, p *matching.Partnership) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.Status != matching.PartnershipProposed {
		return matching.Invalid("status", "a new partnership must be proposed, not %s", p.Status)
	}
	p.Health = matching.SummariseHealth(nil, 0, 0)
	row := toPartnershipRow(p)
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		return nil, db.emitPartnership(tx, matching.EventPartnershipProposed, p, []string{p.PartnerID}, nil,
			func(proposer, partner, _ string) string {
				return fmt.Sprintf("%s proposes a partnership to %s: %s", proposer, partner, clipText(p.Purpose, 80))
			})
	}), "partnership")
}

// GetPartnership returns one partnership with its health summary, or an
// error wrapping matching.ErrNotFound. It does not check who asks: see
// Partnership.VisibleTo.
func (db *DB) GetPartnership(ctx context.Context, id string) (*matching.Partnership, error) {
	p, err := db.readPartnership(db.gorm.WithContext(ctx), id, false)
	if err != nil {
		return nil, translate(err, "partnership "+id)
	}
	return p, nil
}

// ListPartnerships returns partnerships in ID order (IDs are time-ordered,
// so oldest first), each with its health summary: those f.OrganisationID
// is party to (every one for ""), in f.Status if set, one page of f.Page.
func (db *DB) ListPartnerships(ctx context.Context, f matching.PartnershipFilter) ([]matching.Partnership, error) {
	g := db.gorm.WithContext(ctx)
	q := page(g.Model(&partnershipRow{}), f.Page)
	if f.OrganisationID != "" {
		q = q.Where("(proposer_id = ? OR partner_id = ?)", f.OrganisationID, f.OrganisationID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var rows []partnershipRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "partnerships")
	}
	out := make([]matching.Partnership, len(rows))
	for i := range rows {
		p, err := toPartnership(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	if err := loadHealth(g, out); err != nil {
		return nil, translate(err, "partnerships")
	}
	return out, nil
}

// readPartnership reads one partnership and its health summary through
// tx, locking its row until the transaction ends when lock is set (on
// PostgreSQL; SQLite's write transactions hold the whole database
// already).
func (db *DB) readPartnership(tx *gorm.DB, id string, lock bool) (*matching.Partnership, error) {
	q := tx.Where("id = ?", id)
	if lock && db.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row partnershipRow
	if err := q.Take(&row).Error; err != nil {
		return nil, err
	}
	p, err := toPartnership(&row)
	if err != nil {
		return nil, err
	}
	ps := []matching.Partnership{p}
	if err := loadHealth(tx, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// loadHealth sums up the health of ps from each side's newest check and
// the counts on their rows (already in ps[i].Health).
func loadHealth(tx *gorm.DB, ps []matching.Partnership) error {
	latest, err := partnershipChecks.latest(tx, idsOf(ps, func(p *matching.Partnership) string { return p.ID }))
	if err != nil {
		return err
	}
	for i := range ps {
		ps[i].Health = matching.SummariseHealth(latest[ps[i].ID], ps[i].Health.Checks, ps[i].Health.LowChecks)
	}
	return nil
}

// UpdatePartnership changes a partnership's agreement in one transaction:
// it locks the row, checks actor may see it and that the agreement may
// still change, and lets edit change a copy of p, which is validated.
// While the partnership is proposed, or when the operator edits, the
// changes apply at once: the purpose, roles, outcomes and review date are
// saved (nothing else edit changes), updated_at stamped with the store's
// clock, and an operator's change to an agreement in force is kept as a
// new agreement version. Once accepted, an organisation's edit that
// changes anything is instead a proposed amendment (see
// matching.Partnership.ProposeAmendment): the agreement in force stays,
// the amendment is saved with the next number and the other side is
// told (partnership.amendment_proposed), and it is returned with the
// partnership unchanged. It returns an error wrapping
// matching.ErrNotFound (no such partnership, or actor is not party to
// it), matching.ErrConflict (not proposed, accepted or active, or an
// amendment waits already), or matching.ErrInvalid (edit's error, or the
// edited agreement's *ValidationError).
func (db *DB) UpdatePartnership(ctx context.Context, id string, actor matching.Actor, edit func(p *matching.Partnership) error) (*matching.Partnership, *matching.Amendment, error) {
	var out *matching.Partnership
	var am *matching.Amendment
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		out, am = nil, nil
		p, err := db.lockVisible(tx, id, actor)
		if err != nil {
			return nil, err
		}
		if err := p.Editable(); err != nil {
			return nil, err
		}
		q := *p
		q.Roles, q.Outcomes = p.Agreement().Roles, p.Agreement().Outcomes
		if err := edit(&q); err != nil {
			return nil, err
		}
		if err := q.Validate(); err != nil {
			return nil, err
		}
		changes := matching.DiffAgreements(p.Agreement(), q.Agreement())
		if p.NeedsConsent(actor) {
			out = p
			if changes.Empty() {
				return nil, nil
			}
			am, err = db.proposeAmendment(tx, p, actor, changes)
			return nil, err
		}
		q.ProposerID, q.PartnerID, q.Status, q.ID = p.ProposerID, p.PartnerID, p.Status, p.ID
		q.UpdatedAt = utc(db.now())
		row := toPartnershipRow(&q)
		err = tx.Model(&partnershipRow{}).Where("id = ?", id).Updates(map[string]any{
			"purpose": row.Purpose, "roles": row.Roles, "outcomes": row.Outcomes, "review_on": row.ReviewOn,
			"updated_at": row.UpdatedAt,
		}).Error
		if err != nil {
			return nil, err
		}
		out = &q
		if p.Status != matching.PartnershipProposed && !changes.Empty() {
			return nil, db.addVersion(tx, &q, 0)
		}
		return nil, nil
	})
	if err != nil {
		return nil, nil, translate(err, "partnership "+id)
	}
	return out, am, nil
}

// lockVisible reads and locks a partnership actor may see; to anyone else
// it does not exist, and the error says so in the same words as for a
// partnership that does not.
func (db *DB) lockVisible(tx *gorm.DB, id string, actor matching.Actor) (*matching.Partnership, error) {
	p, err := db.readPartnership(tx, id, true)
	if err != nil {
		return nil, err
	}
	if !p.VisibleTo(actor) {
		return nil, gorm.ErrRecordNotFound
	}
	return p, nil
}

// adjustTrust adds delta (+1, -1 or 0) to the trusted_partnerships of
// p's two organisations, recording a change to each.
func adjustTrust(tx *gorm.DB, p *matching.Partnership, delta int) ([]change, error) {
	if delta == 0 {
		return nil, nil
	}
	var changes []change
	// In ID order, so two writes never lock the same two organisations in
	// opposite orders.
	orgs := []string{p.ProposerID, p.PartnerID}
	slices.Sort(orgs)
	for _, org := range orgs {
		err := tx.Exec("UPDATE organisations SET trusted_partnerships = trusted_partnerships + ? WHERE id = ?", delta, org).Error
		if err != nil {
			return nil, err
		}
		changes = append(changes, change{changeOrganisation, org})
	}
	return changes, nil
}

// TransitionPartnership applies an action (matching.Partnership.Transition
// decides) in one transaction: it locks the row, so concurrent changes to
// one partnership happen one after the other and each sees the status the
// one before left, updates the status and updated_at, keeps the agreement
// as accepted as its version 1, lapses an amendment still waiting when the
// partnership is completed or ended, and, when the action completes a
// partnership whose health stayed good, adds one to both organisations'
// trusted_partnerships (recorded as a change to each,
// so every replica's matching engine reloads them). It returns the
// updated partnership, or Transition's errors: matching.ErrNotFound,
// ErrForbidden, ErrConflict or a *ValidationError.
func (db *DB) TransitionPartnership(ctx context.Context, id string, action matching.PartnershipAction, actor matching.Actor) (*matching.Partnership, error) {
	var out *matching.Partnership
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		// Not found in the same words whether or not it exists.
		p, err := db.lockVisible(tx, id, actor)
		if err != nil {
			return nil, err
		}
		to, err := p.Transition(action, actor)
		if err != nil {
			return nil, err
		}
		before := *p
		p.Status, p.UpdatedAt = to, utc(db.now())
		err = tx.Model(&partnershipRow{}).Where("id = ?", id).
			Updates(map[string]any{"status": string(p.Status), "updated_at": p.UpdatedAt}).Error
		if err != nil {
			return nil, err
		}
		out = p
		if err := db.emitTransition(tx, action, p); err != nil {
			return nil, err
		}
		switch to {
		case matching.PartnershipAccepted:
			// The agreement both sides consented to.
			if err := db.addVersion(tx, p, 0); err != nil {
				return nil, err
			}
		case matching.PartnershipCompleted, matching.PartnershipEnded:
			// An amendment still waiting can no longer be answered.
			err := tx.Model(&amendmentRow{}).Where("partnership_id = ? AND status = ?", id, string(matching.AmendmentProposed)).
				Updates(map[string]any{"status": string(matching.AmendmentLapsed), "decided_at": p.UpdatedAt}).Error
			if err != nil {
				return nil, err
			}
		}
		return adjustTrust(tx, p, matching.TrustChange(&before, p))
	})
	if err != nil {
		return nil, translate(err, "partnership "+id)
	}
	return out, nil
}

// AddHealthCheck records one side's health check in one transaction: it
// locks the partnership, checks the check's organisation is party to it
// and that it is accepted or active, validates the scores, inserts the
// check and counts it on the partnership (stamping its updated_at with
// the store's clock). It returns an error wrapping matching.ErrNotFound
// (no such partnership, or the organisation is not party to it),
// matching.ErrConflict (not accepted or active, or the check's ID is
// taken), or a *matching.ValidationError for bad scores.
func (db *DB) AddHealthCheck(ctx context.Context, h *matching.HealthCheck) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		p, err := db.lockVisible(tx, h.PartnershipID, matching.Actor{OrganisationID: h.OrganisationID})
		if err != nil {
			return nil, err
		}
		if err := p.CanRecordHealth(); err != nil {
			return nil, err
		}
		low, err := partnershipChecks.record(tx, h, utc(db.now()))
		if err != nil || !low {
			return nil, err
		}
		return nil, db.emitHealthFlagged(tx, p, h)
	}), "health check")
}

// ListHealthChecks returns a partnership's health checks newest first
// (ties in time by ID, greatest first): those after the check
// page.AfterID names, at most page.Limit of them (0: every one). It does
// not check the partnership exists or who asks.
func (db *DB) ListHealthChecks(ctx context.Context, partnershipID string, page matching.Page) ([]matching.HealthCheck, error) {
	return partnershipChecks.list(db.gorm.WithContext(ctx), partnershipID, page)
}
