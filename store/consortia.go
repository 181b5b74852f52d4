package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/matching"
)

// Consortia are kept as partnerships are: a row with the agreement, the
// status and the counts of health checks, one row per member with its
// answer, and the health checks in a table of their own. Like
// partnerships they are not part of the matching read model.

type consortiumRow struct {
	ID              string `gorm:"primaryKey"`
	Name            string
	Purpose         string
	LeadID          string
	Status          string
	Roles           jsonColumn[map[string]string]
	BidTitle        string
	BidCommissioner string
	BidDeadline     string
	HealthChecks    int
	HealthLow       int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (consortiumRow) TableName() string { return "consortia" }

type consortiumMemberRow struct {
	ConsortiumID   string `gorm:"primaryKey"`
	OrganisationID string `gorm:"primaryKey"`
	Response       string
	RespondedAt    *time.Time
}

func (consortiumMemberRow) TableName() string { return "consortium_members" }

func toConsortiumRow(c *matching.ConsortiumPartnership) consortiumRow {
	roles := c.Roles
	if roles == nil {
		roles = map[string]string{}
	}
	return consortiumRow{ID: c.ID, Name: c.Name, Purpose: c.Purpose, LeadID: c.LeadID, Status: string(c.Status),
		Roles: jsonColumn[map[string]string]{roles}, BidTitle: c.Bid.Title, BidCommissioner: c.Bid.Commissioner,
		BidDeadline: c.Bid.Deadline.UTC().Format(matching.DateLayout), HealthChecks: c.Health.Checks, HealthLow: c.Health.LowChecks,
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
}

// toConsortium converts a row and its members; the health summary holds
// the counts only.
func toConsortium(r *consortiumRow, members []consortiumMemberRow) (matching.ConsortiumPartnership, error) {
	deadline, err := time.Parse(matching.DateLayout, r.BidDeadline)
	if err != nil {
		return matching.ConsortiumPartnership{}, fmt.Errorf("consortium %s: bid deadline %q: %w", r.ID, r.BidDeadline, err)
	}
	roles := r.Roles.V
	if roles == nil {
		roles = map[string]string{}
	}
	c := matching.ConsortiumPartnership{ID: r.ID, Name: r.Name, Purpose: r.Purpose, LeadID: r.LeadID,
		Status: matching.PartnershipStatus(r.Status), Roles: roles,
		Bid:       matching.Bid{Title: r.BidTitle, Commissioner: r.BidCommissioner, Deadline: deadline},
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Health: matching.SummariseHealth(nil, r.HealthChecks, r.HealthLow),
		Members: make([]matching.ConsortiumInvitee, 0, len(members))}
	for _, m := range members {
		inv := matching.ConsortiumInvitee{OrganisationID: m.OrganisationID, Response: matching.MemberResponse(m.Response)}
		if m.RespondedAt != nil {
			inv.RespondedAt = utc(*m.RespondedAt)
		}
		c.Members = append(c.Members, inv)
	}
	return c, nil
}

// CreateConsortium inserts a forming consortium with its members, each
// invited, and tells each member (consortium.invited), in one
// transaction. It returns a *matching.ValidationError for an invalid
// consortium or a status other than forming, and an error wrapping
// matching.ErrConflict if the ID is taken or an organisation does not
// exist. Compatibility of the members is the caller's to check (it needs
// the taxonomy).
func (db *DB) CreateConsortium(ctx context.Context, c *matching.ConsortiumPartnership) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Status != matching.ConsortiumForming {
		return matching.Invalid("status", "a new consortium must be forming, not %s", c.Status)
	}
	c.Health = matching.SummariseHealth(nil, 0, 0)
	row := toConsortiumRow(c)
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		for _, m := range c.Members {
			mr := consortiumMemberRow{ConsortiumID: c.ID, OrganisationID: m.OrganisationID, Response: string(matching.MemberInvited)}
			if err := tx.Create(&mr).Error; err != nil {
				return nil, err
			}
		}
		members := make([]string, len(c.Members))
		for i, m := range c.Members {
			members[i] = m.OrganisationID
		}
		ns, err := names(tx, c.LeadID)
		if err != nil {
			return nil, err
		}
		return nil, db.emit(tx, &matching.Event{Event: matching.EventConsortiumInvited, SubjectType: matching.SubjectConsortium,
			SubjectID: c.ID,
			Summary: fmt.Sprintf("%s invites you to join the consortium %s, bidding for %s (%s) by %s.", nameOr(ns, c.LeadID),
				clipText(c.Name, 80), clipText(c.Bid.Title, 80), clipText(c.Bid.Commissioner, 60), c.Bid.Deadline.Format("2 January 2006")),
			Data: eventData(map[string]any{"consortium_id": c.ID, "lead_id": c.LeadID, "member_ids": members,
				"status": string(c.Status), "bid_deadline": row.BidDeadline})}, members)
	}), "consortium")
}

// readConsortia reads the consortia rows with their members and health.
func readConsortia(tx *gorm.DB, rows []consortiumRow) ([]matching.ConsortiumPartnership, error) {
	ids := idsOf(rows, func(r *consortiumRow) string { return r.ID })
	byID := map[string][]consortiumMemberRow{}
	for _, chunk := range chunks(ids, idChunk) {
		var ms []consortiumMemberRow
		if err := tx.Where("consortium_id IN ?", chunk).Find(&ms).Error; err != nil {
			return nil, err
		}
		for _, m := range ms {
			byID[m.ConsortiumID] = append(byID[m.ConsortiumID], m)
		}
	}
	out := make([]matching.ConsortiumPartnership, len(rows))
	for i := range rows {
		ms := byID[rows[i].ID]
		sortMembers(ms)
		c, err := toConsortium(&rows[i], ms)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	if err := loadConsortiumHealth(tx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// sortMembers orders members by organisation ID, so every read of a
// consortium lists them alike.
func sortMembers(ms []consortiumMemberRow) {
	slices.SortFunc(ms, func(a, b consortiumMemberRow) int { return strings.Compare(a.OrganisationID, b.OrganisationID) })
}

func loadConsortiumHealth(tx *gorm.DB, cs []matching.ConsortiumPartnership) error {
	latest, err := consortiumChecks.latest(tx, idsOf(cs, func(c *matching.ConsortiumPartnership) string { return c.ID }))
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].Health = matching.SummariseHealth(latest[cs[i].ID], cs[i].Health.Checks, cs[i].Health.LowChecks)
	}
	return nil
}

// readConsortium reads one consortium through tx, locking its row until
// the transaction ends when lock is set (on PostgreSQL).
func (db *DB) readConsortium(tx *gorm.DB, id string, lock bool) (*matching.ConsortiumPartnership, error) {
	q := tx.Where("id = ?", id)
	if lock && db.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row consortiumRow
	if err := q.Take(&row).Error; err != nil {
		return nil, err
	}
	cs, err := readConsortia(tx, []consortiumRow{row})
	if err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// GetConsortium returns one consortium with its members and health
// summary, or an error wrapping matching.ErrNotFound. It does not check
// who asks: see ConsortiumPartnership.VisibleTo.
func (db *DB) GetConsortium(ctx context.Context, id string) (*matching.ConsortiumPartnership, error) {
	c, err := db.readConsortium(db.gorm.WithContext(ctx), id, false)
	if err != nil {
		return nil, translate(err, "consortium "+id)
	}
	return c, nil
}

// ListConsortia returns consortia in ID order (oldest first): those
// f.OrganisationID leads or is a member of (every one for ""), in
// f.Status if set, one page of f.Page.
func (db *DB) ListConsortia(ctx context.Context, f matching.ConsortiumFilter) ([]matching.ConsortiumPartnership, error) {
	g := db.gorm.WithContext(ctx)
	q := page(g.Model(&consortiumRow{}), f.Page)
	if f.OrganisationID != "" {
		q = q.Where("(lead_id = ? OR id IN (SELECT consortium_id FROM consortium_members WHERE organisation_id = ?))",
			f.OrganisationID, f.OrganisationID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var rows []consortiumRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "consortia")
	}
	out, err := readConsortia(g, rows)
	if err != nil {
		return nil, translate(err, "consortia")
	}
	return out, nil
}

// lockVisibleConsortium reads and locks a consortium actor may see; to
// anyone else it does not exist.
func (db *DB) lockVisibleConsortium(tx *gorm.DB, id string, actor matching.Actor) (*matching.ConsortiumPartnership, error) {
	c, err := db.readConsortium(tx, id, true)
	if err != nil {
		return nil, err
	}
	if !c.VisibleTo(actor) {
		return nil, gorm.ErrRecordNotFound
	}
	return c, nil
}

// TransitionConsortium applies an action (matching.ConsortiumPartnership.
// Transition decides) in one transaction: it locks the consortium's row,
// so concurrent answers happen one after the other and the last member to
// accept makes it accepted whatever the order; records a member's answer
// on its row; and updates the status and updated_at. It returns the
// consortium as it now stands, or Transition's errors.
func (db *DB) TransitionConsortium(ctx context.Context, id string, action matching.PartnershipAction, actor matching.Actor) (*matching.ConsortiumPartnership, error) {
	var out *matching.ConsortiumPartnership
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		c, err := db.lockVisibleConsortium(tx, id, actor)
		if err != nil {
			return nil, err
		}
		to, member, err := c.Transition(action, actor)
		if err != nil {
			return nil, err
		}
		now := utc(db.now())
		if member >= 0 {
			m := &c.Members[member]
			m.Response, m.RespondedAt = matching.MemberAccepted, now
			if action == matching.ActionDecline {
				m.Response = matching.MemberDeclined
			}
			err := tx.Model(&consortiumMemberRow{}).Where("consortium_id = ? AND organisation_id = ?", id, m.OrganisationID).
				Updates(map[string]any{"response": string(m.Response), "responded_at": now}).Error
			if err != nil {
				return nil, err
			}
		}
		c.Status, c.UpdatedAt = to, now
		err = tx.Model(&consortiumRow{}).Where("id = ?", id).Updates(map[string]any{"status": string(to), "updated_at": now}).Error
		out = c
		return nil, err
	})
	if err != nil {
		return nil, translate(err, "consortium "+id)
	}
	return out, nil
}

// AddConsortiumHealthCheck records one organisation's health check of a
// consortium (h.PartnershipID holds the consortium's ID) in one
// transaction, as AddHealthCheck does for a partnership: the organisation
// must be the lead or a member (else matching.ErrNotFound) and the
// consortium accepted or active (else matching.ErrConflict); bad scores
// are a *matching.ValidationError.
func (db *DB) AddConsortiumHealthCheck(ctx context.Context, h *matching.HealthCheck) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		c, err := db.lockVisibleConsortium(tx, h.PartnershipID, matching.Actor{OrganisationID: h.OrganisationID})
		if err != nil {
			return nil, err
		}
		if err := c.CanRecordHealth(); err != nil {
			return nil, err
		}
		_, err = consortiumChecks.record(tx, h, utc(db.now()))
		return nil, err
	}), "health check")
}

// ListConsortiumHealthChecks returns a consortium's health checks newest
// first, paged as ListHealthChecks. It does not check who asks.
func (db *DB) ListConsortiumHealthChecks(ctx context.Context, consortiumID string, page matching.Page) ([]matching.HealthCheck, error) {
	return consortiumChecks.list(db.gorm.WithContext(ctx), consortiumID, page)
}
