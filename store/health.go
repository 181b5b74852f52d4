package store

import (
	"time"

	"gorm.io/gorm"

	"commonground/matching"
)

// Health checks of partnerships and of consortia are kept alike, each kind
// in a table of its own (partnership_health, consortium_health) that
// differs only in the column naming what is checked, with the counts of
// checks and of low ones on the checked thing's row. A healthTable holds
// what differs; its methods do the rest for both.

// healthColumns are the columns of a health check besides its key and
// the agreement it checks, alike in both tables.
type healthColumns struct {
	OrganisationID     string
	Commitment         int
	ClarityOfPurpose   int
	Coordination       int
	Trust              int
	Communication      int
	ConflictResolution int
	Comment            string
	CreatedAt          time.Time
}

// healthRow is one health check of a partnership.
type healthRow struct {
	ID            string `gorm:"primaryKey"`
	PartnershipID string
	Check         healthColumns `gorm:"embedded"`
}

func (healthRow) TableName() string { return "partnership_health" }

// consortiumHealthRow is one health check of a consortium: a healthRow
// whose PartnershipID is the consortium_id column, so the two convert
// into each other.
type consortiumHealthRow struct {
	ID            string        `gorm:"primaryKey"`
	PartnershipID string        `gorm:"column:consortium_id"`
	Check         healthColumns `gorm:"embedded"`
}

func (consortiumHealthRow) TableName() string { return "consortium_health" }

// healthRecord is a row of either health table.
type healthRecord interface {
	healthRow | consortiumHealthRow
}

// healthTable is where one kind of agreement keeps its health checks:
// rows R in table checks, whose column owner names the agreement, counted
// on the agreement's row in table agreements.
type healthTable[R healthRecord] struct {
	checks, owner, agreements string
}

var (
	partnershipChecks = healthTable[healthRow]{checks: "partnership_health", owner: "partnership_id", agreements: "partnerships"}
	consortiumChecks  = healthTable[consortiumHealthRow]{checks: "consortium_health", owner: "consortium_id", agreements: "consortia"}
)

func toHealthRow(h *matching.HealthCheck) healthRow {
	s := h.Scores
	return healthRow{ID: h.ID, PartnershipID: h.PartnershipID, Check: healthColumns{OrganisationID: h.OrganisationID,
		Commitment: s[0], ClarityOfPurpose: s[1], Coordination: s[2], Trust: s[3], Communication: s[4], ConflictResolution: s[5],
		Comment: h.Comment, CreatedAt: utc(h.CreatedAt)}}
}

func toHealthCheck(r *healthRow) matching.HealthCheck {
	c := &r.Check
	return matching.HealthCheck{ID: r.ID, PartnershipID: r.PartnershipID, OrganisationID: c.OrganisationID,
		Scores:  matching.HealthScores{c.Commitment, c.ClarityOfPurpose, c.Coordination, c.Trust, c.Communication, c.ConflictResolution},
		Comment: c.Comment, CreatedAt: utc(c.CreatedAt)}
}

func (t healthTable[R]) toChecks(rows []R) []matching.HealthCheck {
	out := make([]matching.HealthCheck, len(rows))
	for i := range rows {
		r := healthRow(rows[i])
		out[i] = toHealthCheck(&r)
	}
	return out
}

// record validates h's scores, inserts it and counts it (and whether it
// scored low) on the agreement's row, stamping that row's updated_at with
// now. The caller has locked the agreement and checked it may be scored.
// It reports whether the check scored low.
func (t healthTable[R]) record(tx *gorm.DB, h *matching.HealthCheck, now time.Time) (low bool, err error) {
	if err := h.Validate(); err != nil {
		return false, err
	}
	row := R(toHealthRow(h))
	if err := tx.Create(&row).Error; err != nil {
		return false, err
	}
	n := 0
	if h.Scores.Low() {
		n = 1
	}
	err = tx.Exec("UPDATE "+t.agreements+" SET health_checks = health_checks + 1, health_low = health_low + ?, updated_at = ? WHERE id = ?",
		n, now, h.PartnershipID).Error
	return n == 1, err
}

// list returns the checks of the agreement id newest first (ties in time
// by ID, greatest first): those after the check page.AfterID names, at
// most page.Limit of them (0: every one).
func (t healthTable[R]) list(g *gorm.DB, id string, page matching.Page) ([]matching.HealthCheck, error) {
	q := keysetPage(g.Where(t.owner+" = ?", id), t.checks, "created_at", true, page)
	var rows []R
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "health checks")
	}
	return t.toChecks(rows), nil
}

// latest returns the newest check of each organisation that scored the
// agreements named by ids, by agreement.
func (t healthTable[R]) latest(tx *gorm.DB, ids []string) (map[string][]matching.HealthCheck, error) {
	query := `SELECT h.* FROM ` + t.checks + ` h
	WHERE NOT EXISTS (SELECT 1 FROM ` + t.checks + ` n
		WHERE n.` + t.owner + ` = h.` + t.owner + ` AND n.organisation_id = h.organisation_id
		AND (n.created_at > h.created_at OR (n.created_at = h.created_at AND n.id > h.id)))
	AND h.` + t.owner + ` IN `
	out := map[string][]matching.HealthCheck{}
	for _, chunk := range chunks(ids, idChunk) {
		var rows []R
		if err := tx.Raw(query+inList(len(chunk)), anys(chunk)...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, h := range t.toChecks(rows) {
			out[h.PartnershipID] = append(out[h.PartnershipID], h)
		}
	}
	return out, nil
}
