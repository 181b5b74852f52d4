package store

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/matching"
)

// CreateOrganisation inserts an organisation with its offers and needs in
// one transaction. tokenHash is the hash of its first API key's token (""
// for an organisation that cannot sign in, such as demo data). It returns
// an error wrapping matching.ErrConflict if the ID or token hash is taken.
func (db *DB) CreateOrganisation(ctx context.Context, o *matching.Organisation, tokenHash string) error {
	reg := matching.Registration{KeyHash: tokenHash}
	if tokenHash != "" {
		reg.KeyID = uuid.NewString()
	}
	return db.RegisterOrganisation(ctx, o, reg)
}

func insertOffersNeeds(tx *gorm.DB, offers []matching.Offer, needs []matching.Need) error {
	if len(offers) > 0 {
		rows := make([]offerRow, len(offers))
		for i := range offers {
			rows[i] = toOfferRow(&offers[i])
		}
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
	}
	if len(needs) > 0 {
		rows := make([]needRow, len(needs))
		for i := range needs {
			rows[i] = toNeedRow(&needs[i])
		}
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
	}
	return nil
}

// OrganisationIDByTokenHash returns the ID of the organisation whose API
// key's token hashes to hash, or an error wrapping matching.ErrNotFound.
func (db *DB) OrganisationIDByTokenHash(ctx context.Context, hash string) (string, error) {
	var row apiKeyRow
	err := db.gorm.WithContext(ctx).Select("organisation_id").Where("token_hash = ?", hash).Take(&row).Error
	if err != nil {
		return "", translate(err, "token")
	}
	return row.OrganisationID, nil
}

// GetOrganisation returns one organisation with its offers and needs, or an
// error wrapping matching.ErrNotFound.
func (db *DB) GetOrganisation(ctx context.Context, id string) (*matching.Organisation, error) {
	o, err := db.readOrganisation(db.gorm.WithContext(ctx), id, false)
	if err != nil {
		return nil, translate(err, "organisation "+id)
	}
	return o, nil
}

// readOrganisation reads one organisation with its offers and needs
// through tx, locking its row until the transaction ends when lock is set
// (on PostgreSQL; SQLite's write transactions hold the whole database
// already). The lock also holds back new offers and needs, whose foreign
// key waits on it.
func (db *DB) readOrganisation(tx *gorm.DB, id string, lock bool) (*matching.Organisation, error) {
	q := tx.Where("id = ?", id)
	if lock && db.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row organisationRow
	if err := q.Take(&row).Error; err != nil {
		return nil, err
	}
	orgs := []matching.Organisation{toOrganisation(&row)}
	if err := loadOffersNeeds(tx, orgs); err != nil {
		return nil, err
	}
	return &orgs[0], nil
}

// loadOffersNeeds fills in the offers and needs of orgs with two queries
// per 500 organisations.
func loadOffersNeeds(g *gorm.DB, orgs []matching.Organisation) error {
	if len(orgs) == 0 {
		return nil
	}
	ids := make([]string, len(orgs))
	byID := make(map[string]*matching.Organisation, len(orgs))
	for i := range orgs {
		ids[i] = orgs[i].ID
		byID[orgs[i].ID] = &orgs[i]
	}
	for _, chunk := range chunks(ids, 500) {
		var offers []offerRow
		if err := g.Where("organisation_id IN ?", chunk).Order("id").Find(&offers).Error; err != nil {
			return err
		}
		for i := range offers {
			o := byID[offers[i].OrganisationID]
			o.Offers = append(o.Offers, toOffer(&offers[i]))
		}
		var needs []needRow
		if err := g.Where("organisation_id IN ?", chunk).Order("id").Find(&needs).Error; err != nil {
			return err
		}
		for i := range needs {
			o := byID[needs[i].OrganisationID]
			o.Needs = append(o.Needs, toNeed(&needs[i]))
		}
	}
	return nil
}

func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// UpdateOrganisation changes an organisation's own fields in one
// transaction: it reads and locks the organisation (with its offers and
// needs), lets edit change it, and saves its own fields, stamping
// updated_at with the store's clock. Because edit sees the row as it is
// now and nobody else can write it until the commit, a change another
// update made meanwhile (to another field, say) is kept, never lost.
// Offers, needs, ID, created_at and the count of trusted partnerships
// (which only completing a partnership changes) stay whatever edit does.
//
// It returns the organisation as committed, or an error wrapping
// matching.ErrNotFound if there is no such organisation. An error from
// edit is returned as it is, and nothing is written.
func (db *DB) UpdateOrganisation(ctx context.Context, id string, edit func(o *matching.Organisation) error) (*matching.Organisation, error) {
	var out *matching.Organisation
	var editErr error
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		cur, err := db.readOrganisation(tx, id, true)
		if err != nil {
			return nil, err
		}
		o := *cur
		if editErr = edit(&o); editErr != nil {
			return nil, editErr
		}
		o.ID, o.CreatedAt, o.TrustedPartnerships = cur.ID, cur.CreatedAt, cur.TrustedPartnerships
		o.Offers, o.Needs = cur.Offers, cur.Needs
		o.UpdatedAt = utc(db.now())
		r := toOrganisationRow(&o)
		// UpdateColumns: updated_at as stamped above, not by gorm's own clock.
		err = tx.Model(&r).Select("*").Omit("id", "token_hash", "trusted_partnerships", "created_at").UpdateColumns(&r).Error
		out = &o
		return changed1(changeOrganisation, id), err
	})
	if editErr != nil {
		return nil, editErr
	}
	if err != nil {
		return nil, translate(err, "organisation "+id)
	}
	return out, nil
}

// DeleteOrganisation deletes an organisation and everything it owns
// (offers, needs, venues, spaces). It returns an error wrapping
// matching.ErrNotFound if there is no such organisation.
//
// Its bookings go too, and the spaces they were at (other organisations')
// are logged as changed, so that every engine frees those sessions.
func (db *DB) DeleteOrganisation(ctx context.Context, id string) error {
	return db.DeleteOrganisationIf(ctx, id, nil)
}

// DeleteOrganisationIf is DeleteOrganisation, but first shows check the
// organisation (with its offers and needs) as it is, locked, inside the
// deleting transaction: an error from check is returned as it is, and
// nothing is deleted. A nil check deletes unconditionally.
func (db *DB) DeleteOrganisationIf(ctx context.Context, id string, check func(o *matching.Organisation) error) error {
	var checkErr error
	// Retried when it loses a deadlock on PostgreSQL: a booking at one of
	// its spaces holds the space and then waits for a key-share lock on
	// the organisation (to tell it of the booking), while the delete holds
	// the organisation and waits for the space.
	err := db.writeRetrying(ctx, func(tx *gorm.DB) ([]change, error) {
		checkErr = nil
		if check != nil {
			// Locks the row too: see below.
			o, err := db.readOrganisation(tx, id, true)
			if err != nil {
				return nil, err
			}
			if checkErr = check(o); checkErr != nil {
				return nil, checkErr
			}
		} else if db.dialect == Postgres {
			// Hold the organisation so that no booking of its can be
			// made or approved between reading its spaces and deleting
			// it (SQLite runs one writer at a time).
			var locked []string
			if err := tx.Raw("SELECT id FROM organisations WHERE id = ? FOR UPDATE", id).Scan(&locked).Error; err != nil {
				return nil, err
			}
		}
		var booked []string
		if err := tx.Raw("SELECT DISTINCT space_id FROM bookings WHERE organisation_id = ?", id).Scan(&booked).Error; err != nil {
			return nil, err
		}
		// Its spaces go with it (the cascade): named, so that readers of
		// the log (open-data feeds) learn that they are gone.
		var spaces []string
		if err := tx.Raw("SELECT id FROM spaces WHERE organisation_id = ?", id).Scan(&spaces).Error; err != nil {
			return nil, err
		}
		booked = append(booked, spaces...)
		slices.Sort(booked)
		booked = slices.Compact(booked)
		res := tx.Where("id = ?", id).Delete(&organisationRow{})
		if res.Error == nil && res.RowsAffected == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		changes := changed1(changeOrganisation, id)
		for _, s := range booked {
			changes = append(changes, change{changeSpace, s})
		}
		return changes, res.Error
	})
	if checkErr != nil {
		return checkErr
	}
	return translate(err, changeOrganisation+" "+id)
}

// deleteByID deletes the row of model with the given ID and records the
// change as kind (also the name errors use). When check is not nil, read
// reads and locks the row first, and check decides whether it goes: an
// error from check is returned as it is, and nothing is deleted.
func deleteByID[T any](ctx context.Context, db *DB, model any, id, kind string,
	read func(tx *gorm.DB, id string, lock bool) (*T, error), check func(*T) error) error {
	return deleteWith(ctx, db, model, id, kind, read, check, nil)
}

// deleteWith is deleteByID with also, which names the other entities the
// delete takes with it (read before it, in its transaction).
func deleteWith[T any](ctx context.Context, db *DB, model any, id, kind string,
	read func(tx *gorm.DB, id string, lock bool) (*T, error), check func(*T) error,
	also func(tx *gorm.DB) ([]change, error)) error {
	var checkErr error
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		if check != nil {
			x, err := read(tx, id, true)
			if err != nil {
				return nil, err
			}
			if checkErr = check(x); checkErr != nil {
				return nil, checkErr
			}
		}
		var more []change
		if also != nil {
			var err error
			if more, err = also(tx); err != nil {
				return nil, err
			}
		}
		res := tx.Where("id = ?", id).Delete(model)
		if res.Error == nil && res.RowsAffected == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		return append(changed1(kind, id), more...), res.Error
	})
	if checkErr != nil {
		return checkErr
	}
	return translate(err, kind+" "+id)
}

// deleteItem deletes an offer or need (table) and records its
// organisation as changed.
func (db *DB) deleteItem(ctx context.Context, table, what, id string) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		var orgIDs []string
		if err := tx.Raw("DELETE FROM "+table+" WHERE id = ? RETURNING organisation_id", id).Scan(&orgIDs).Error; err != nil {
			return nil, err
		}
		if len(orgIDs) == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		return changed1(changeOrganisation, orgIDs[0]), nil
	}), what+" "+id)
}

// changed1 is the change list of a write that touched one entity.
func changed1(kind, id string) []change { return []change{{kind, id}} }

// ListOrganisations returns organisations in ID order, with their offers
// and needs.
func (db *DB) ListOrganisations(ctx context.Context, f matching.OrganisationFilter) ([]matching.Organisation, error) {
	q := db.gorm.WithContext(ctx).Model(&organisationRow{})
	q = page(q, f.Page)
	q = within(q, f.Within)
	if f.Type != "" {
		q = q.Where("type = ?", string(f.Type))
	}
	if f.Offers != "" {
		q = q.Where("EXISTS (SELECT 1 FROM offers WHERE offers.organisation_id = organisations.id AND offers.category = ?)", f.Offers)
	}
	if f.Needs != "" {
		q = q.Where("EXISTS (SELECT 1 FROM needs WHERE needs.organisation_id = organisations.id AND needs.category = ?)", f.Needs)
	}
	var rows []organisationRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "organisations")
	}
	orgs := make([]matching.Organisation, len(rows))
	for i := range rows {
		orgs[i] = toOrganisation(&rows[i])
	}
	if err := loadOffersNeeds(db.gorm.WithContext(ctx), orgs); err != nil {
		return nil, translate(err, "organisations")
	}
	return orgs, nil
}

func page(q *gorm.DB, p matching.Page) *gorm.DB {
	q = q.Order("id")
	if p.AfterID != "" {
		q = q.Where("id > ?", p.AfterID)
	}
	if p.Limit > 0 {
		q = q.Limit(p.Limit)
	}
	return q
}

// CreateOffer adds an offer to its organisation (a change to the
// organisation). It returns an error
// wrapping matching.ErrConflict if the organisation does not exist.
func (db *DB) CreateOffer(ctx context.Context, o *matching.Offer) error {
	row := toOfferRow(o)
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		return changed1(changeOrganisation, o.OrganisationID), tx.Create(&row).Error
	}), "offer")
}

// CreateNeed adds a need to its organisation (a change to the
// organisation). It returns an error wrapping
// matching.ErrConflict if the organisation does not exist.
func (db *DB) CreateNeed(ctx context.Context, n *matching.Need) error {
	row := toNeedRow(n)
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		return changed1(changeOrganisation, n.OrganisationID), tx.Create(&row).Error
	}), "need")
}

// GetOffer returns one offer or an error wrapping matching.ErrNotFound.
func (db *DB) GetOffer(ctx context.Context, id string) (*matching.Offer, error) {
	var row offerRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "offer "+id)
	}
	o := toOffer(&row)
	return &o, nil
}

// GetNeed returns one need or an error wrapping matching.ErrNotFound.
func (db *DB) GetNeed(ctx context.Context, id string) (*matching.Need, error) {
	var row needRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "need "+id)
	}
	n := toNeed(&row)
	return &n, nil
}

// DeleteOffer deletes an offer (a change to its organisation), or returns an error wrapping
// matching.ErrNotFound.
func (db *DB) DeleteOffer(ctx context.Context, id string) error {
	return db.deleteItem(ctx, "offers", "offer", id)
}

// DeleteNeed deletes a need (a change to its organisation), or returns an error wrapping
// matching.ErrNotFound.
func (db *DB) DeleteNeed(ctx context.Context, id string) error {
	return db.deleteItem(ctx, "needs", "need", id)
}
