package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"commonground/matching"
)

type auditRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	ActorType      string
	ActorID        string
	ActorName      string
	Action         string
	SubjectType    string
	SubjectID      string
	CreatedAt      time.Time
}

func (auditRow) TableName() string { return "audit_log" }

// recordAudit writes the audit line the transaction's context describes
// (matching.WithAudit), by the principal it carries, inside the
// transaction: the line commits or rolls back with the change. A context
// without an audit description records nothing.
func (db *DB) recordAudit(tx *gorm.DB) error {
	a, ok := matching.AuditFrom(tx.Statement.Context)
	if !ok {
		return nil
	}
	return db.auditAs(tx, a)
}

// auditAs writes a, by the transaction context's principal.
func (db *DB) auditAs(tx *gorm.DB, a matching.Audit) error {
	if a.OrganisationID == "" {
		return nil
	}
	p, _ := matching.PrincipalFrom(tx.Statement.Context)
	kind := p.Kind
	if kind == "" {
		kind = matching.PrincipalOperator
	}
	row := auditRow{ID: uuid.NewString(), OrganisationID: a.OrganisationID, ActorType: kind, ActorID: p.ID, ActorName: p.Name,
		Action: a.Action, SubjectType: a.SubjectType, SubjectID: a.SubjectID, CreatedAt: db.now().UTC().Truncate(time.Microsecond)}
	return tx.Create(&row).Error
}

// ListAudit returns an organisation's audit log, newest first.
func (db *DB) ListAudit(ctx context.Context, orgID string, page matching.Page) ([]matching.AuditEntry, error) {
	q := db.gorm.WithContext(ctx).Where("organisation_id = ?", orgID)
	q = keysetPage(q, "audit_log", "created_at", true, page)
	var rows []auditRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "audit log")
	}
	out := make([]matching.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = matching.AuditEntry{ID: r.ID, OrganisationID: r.OrganisationID, ActorType: r.ActorType, ActorID: r.ActorID,
			ActorName: r.ActorName, Action: r.Action, SubjectType: r.SubjectType, SubjectID: r.SubjectID, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// SharesWith returns which of others share a booking (either side) or a
// partnership (in any state) with orgID: those may see its contact
// details, and it theirs.
func (db *DB) SharesWith(ctx context.Context, orgID string, others []string) (map[string]bool, error) {
	out := map[string]bool{}
	if orgID == "" || len(others) == 0 {
		return out, nil
	}
	var ids []string
	err := db.gorm.WithContext(ctx).Raw(`
SELECT p.partner_id FROM partnerships p WHERE p.proposer_id = ? AND p.partner_id IN ?
UNION SELECT p.proposer_id FROM partnerships p WHERE p.partner_id = ? AND p.proposer_id IN ?
UNION SELECT v.organisation_id FROM bookings b JOIN spaces s ON s.id = b.space_id JOIN venues v ON v.id = s.venue_id
	WHERE b.organisation_id = ? AND v.organisation_id IN ?
UNION SELECT b.organisation_id FROM bookings b JOIN spaces s ON s.id = b.space_id JOIN venues v ON v.id = s.venue_id
	WHERE v.organisation_id = ? AND b.organisation_id IN ?`,
		orgID, others, orgID, others, orgID, others, orgID, others).Scan(&ids).Error
	if err != nil {
		return nil, translate(err, "relations")
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
