package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"commonground/matching"
)

// amendmentChanges is how an amendment's changes are kept: only the fields
// it changes, as JSON (roles may change to none, so each is a pointer).
type amendmentChanges struct {
	Purpose  *string            `json:"purpose,omitempty"`
	Roles    *map[string]string `json:"roles,omitempty"`
	Outcomes *[]string          `json:"outcomes,omitempty"`
	ReviewOn string             `json:"review_on,omitempty"`
}

type amendmentRow struct {
	PartnershipID string `gorm:"primaryKey"`
	N             int    `gorm:"primaryKey"`
	Status        string
	ProposedBy    string
	Changes       jsonColumn[amendmentChanges]
	DecidedBy     string
	CreatedAt     time.Time
	DecidedAt     *time.Time
}

func (amendmentRow) TableName() string { return "partnership_amendments" }

type versionRow struct {
	PartnershipID string `gorm:"primaryKey"`
	Version       int    `gorm:"primaryKey"`
	AmendmentN    *int
	Purpose       string
	Roles         jsonColumn[map[string]string]
	Outcomes      jsonColumn[[]string]
	ReviewOn      string
	AgreedAt      time.Time
}

func (versionRow) TableName() string { return "partnership_agreement_versions" }

func toAmendmentRow(a *matching.Amendment) amendmentRow {
	var c amendmentChanges
	c.Purpose = a.Changes.Purpose
	if a.Changes.Roles != nil {
		r := a.Changes.Roles
		c.Roles = &r
	}
	if a.Changes.Outcomes != nil {
		o := a.Changes.Outcomes
		c.Outcomes = &o
	}
	if a.Changes.ReviewOn != nil {
		c.ReviewOn = a.Changes.ReviewOn.UTC().Format(matching.DateLayout)
	}
	row := amendmentRow{PartnershipID: a.PartnershipID, N: a.N, Status: string(a.Status), ProposedBy: a.ProposedBy,
		Changes: jsonColumn[amendmentChanges]{c}, DecidedBy: a.DecidedBy, CreatedAt: utc(a.CreatedAt)}
	if !a.DecidedAt.IsZero() {
		d := utc(a.DecidedAt)
		row.DecidedAt = &d
	}
	return row
}

func toAmendment(r *amendmentRow) (matching.Amendment, error) {
	a := matching.Amendment{PartnershipID: r.PartnershipID, N: r.N, Status: matching.AmendmentStatus(r.Status),
		ProposedBy: r.ProposedBy, DecidedBy: r.DecidedBy, CreatedAt: utc(r.CreatedAt)}
	if r.DecidedAt != nil {
		a.DecidedAt = utc(*r.DecidedAt)
	}
	c := r.Changes.V
	a.Changes.Purpose = c.Purpose
	if c.Roles != nil {
		a.Changes.Roles = *c.Roles
		if a.Changes.Roles == nil {
			a.Changes.Roles = map[string]string{}
		}
	}
	if c.Outcomes != nil {
		a.Changes.Outcomes = nonNil(*c.Outcomes)
	}
	if c.ReviewOn != "" {
		d, err := time.Parse(matching.DateLayout, c.ReviewOn)
		if err != nil {
			return a, fmt.Errorf("amendment %d of partnership %s: review_on %q: %w", r.N, r.PartnershipID, c.ReviewOn, err)
		}
		a.Changes.ReviewOn = &d
	}
	return a, nil
}

func toVersion(r *versionRow) (matching.AgreementVersion, error) {
	review, err := time.Parse(matching.DateLayout, r.ReviewOn)
	if err != nil {
		return matching.AgreementVersion{}, fmt.Errorf("version %d of partnership %s: review_on %q: %w", r.Version, r.PartnershipID, r.ReviewOn, err)
	}
	v := matching.AgreementVersion{PartnershipID: r.PartnershipID, Version: r.Version, AgreedAt: utc(r.AgreedAt),
		Agreement: matching.Agreement{Purpose: r.Purpose, Roles: r.Roles.V, Outcomes: nonNil(r.Outcomes.V), ReviewOn: review}}
	if v.Roles == nil {
		v.Roles = map[string]string{}
	}
	if r.AmendmentN != nil {
		v.Amendment = *r.AmendmentN
	}
	return v, nil
}

// proposeAmendment saves changes to p's agreement, proposed by actor, as
// p's next amendment, and tells the other side, in tx (p's row locked).
func (db *DB) proposeAmendment(tx *gorm.DB, p *matching.Partnership, actor matching.Actor, changes matching.AgreementChanges) (*matching.Amendment, error) {
	var open []amendmentRow
	if err := tx.Where("partnership_id = ? AND status = ?", p.ID, string(matching.AmendmentProposed)).Find(&open).Error; err != nil {
		return nil, err
	}
	var waiting *matching.Amendment
	if len(open) > 0 {
		w, err := toAmendment(&open[0])
		if err != nil {
			return nil, err
		}
		waiting = &w
	}
	var last int
	if err := tx.Raw("SELECT COALESCE(MAX(n), 0) FROM partnership_amendments WHERE partnership_id = ?", p.ID).Row().Scan(&last); err != nil {
		return nil, err
	}
	am, err := p.ProposeAmendment(actor, waiting, last+1, changes, utc(db.now()))
	if err != nil {
		return nil, err
	}
	row := toAmendmentRow(am)
	if err := tx.Create(&row).Error; err != nil {
		return nil, err
	}
	fields := changedFields(changes)
	return am, db.emitPartnership(tx, matching.EventPartnershipAmendmentProposed, p, []string{p.Other(actor.OrganisationID)},
		map[string]any{"amendment": am.N, "proposed_by": am.ProposedBy, "fields": fields},
		func(proposer, partner, _ string) string {
			by, other := proposer, partner
			if am.ProposedBy == p.PartnerID {
				by, other = partner, proposer
			}
			return fmt.Sprintf("%s proposes to change the %s of its partnership with %s; it waits for %s's answer.",
				by, strings.ReplaceAll(strings.Join(fields, ", "), "_", " "), other, other)
		})
}

// changedFields names the fields c changes, by their API names.
func changedFields(c matching.AgreementChanges) []string {
	var out []string
	if c.Purpose != nil {
		out = append(out, "purpose")
	}
	if c.Roles != nil {
		out = append(out, "roles")
	}
	if c.Outcomes != nil {
		out = append(out, "outcomes")
	}
	if c.ReviewOn != nil {
		out = append(out, "review_on")
	}
	return out
}

// addVersion keeps p's agreement in force as its next version, agreed now,
// by amendment n (0: none), in tx.
func (db *DB) addVersion(tx *gorm.DB, p *matching.Partnership, n int) error {
	var last int
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM partnership_agreement_versions WHERE partnership_id = ?", p.ID).Row().Scan(&last); err != nil {
		return err
	}
	row := toPartnershipRow(p)
	v := versionRow{PartnershipID: p.ID, Version: last + 1, Purpose: row.Purpose, Roles: row.Roles, Outcomes: row.Outcomes,
		ReviewOn: row.ReviewOn, AgreedAt: utc(db.now())}
	if n > 0 {
		v.AmendmentN = &n
	}
	return tx.Create(&v).Error
}

// DecideAmendment answers amendment n of partnership id with action
// (matching.Partnership.DecideAmendment decides) in one transaction: it
// locks the partnership, so of two answers to one amendment at once the
// first wins and the second finds it answered (ErrConflict); an accept
// applies the changes to the agreement in force, stamps updated_at and
// keeps the new agreement as the next version. It returns the partnership
// and the amendment as they now stand, or an error wrapping
// matching.ErrNotFound (no such partnership or amendment, or actor is not
// party to it), ErrForbidden (the side that proposed it answers),
// ErrConflict, or a *matching.ValidationError.
func (db *DB) DecideAmendment(ctx context.Context, id string, n int, action matching.AmendmentAction, actor matching.Actor) (*matching.Partnership, *matching.Amendment, error) {
	var out *matching.Partnership
	var am *matching.Amendment
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		p, err := db.lockVisible(tx, id, actor)
		if err != nil {
			return nil, err
		}
		var row amendmentRow
		if err := tx.Where("partnership_id = ? AND n = ?", id, n).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, fmt.Errorf("%w: no amendment %d", matching.ErrNotFound, n)
			}
			return nil, err
		}
		a, err := toAmendment(&row)
		if err != nil {
			return nil, err
		}
		now := utc(db.now())
		if err := p.DecideAmendment(&a, action, actor, now); err != nil {
			return nil, err
		}
		// Only a waiting amendment is answered: a concurrent answer that
		// got there first leaves no row to update.
		res := tx.Model(&amendmentRow{}).Where("partnership_id = ? AND n = ? AND status = ?", id, n, string(matching.AmendmentProposed)).
			Updates(map[string]any{"status": string(a.Status), "decided_by": a.DecidedBy, "decided_at": now})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected != 1 {
			return nil, fmt.Errorf("%w: amendment %d was answered already", matching.ErrConflict, n)
		}
		out, am = p, &a
		if a.Status != matching.AmendmentAccepted {
			return nil, nil
		}
		p.UpdatedAt = now
		prow := toPartnershipRow(p)
		err = tx.Model(&partnershipRow{}).Where("id = ?", id).Updates(map[string]any{
			"purpose": prow.Purpose, "roles": prow.Roles, "outcomes": prow.Outcomes, "review_on": prow.ReviewOn,
			"updated_at": prow.UpdatedAt,
		}).Error
		if err != nil {
			return nil, err
		}
		return nil, db.addVersion(tx, p, n)
	})
	if err != nil {
		return nil, nil, translate(err, "partnership "+id)
	}
	return out, am, nil
}

// ListAmendments returns a partnership's amendments, oldest (n = 1)
// first, those after number after, at most limit (0: every one). It does
// not check the partnership exists or who asks.
func (db *DB) ListAmendments(ctx context.Context, partnershipID string, after, limit int) ([]matching.Amendment, error) {
	q := db.gorm.WithContext(ctx).Where("partnership_id = ? AND n > ?", partnershipID, after).Order("n")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []amendmentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "amendments")
	}
	out := make([]matching.Amendment, len(rows))
	for i := range rows {
		a, err := toAmendment(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// ListAgreementVersions returns a partnership's agreement versions, the
// first first, those after version after, at most limit (0: every one).
// A partnership not yet accepted has none. It does not check the
// partnership exists or who asks.
func (db *DB) ListAgreementVersions(ctx context.Context, partnershipID string, after, limit int) ([]matching.AgreementVersion, error) {
	q := db.gorm.WithContext(ctx).Where("partnership_id = ? AND version > ?", partnershipID, after).Order("version")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []versionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "agreement versions")
	}
	out := make([]matching.AgreementVersion, len(rows))
	for i := range rows {
		v, err := toVersion(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
