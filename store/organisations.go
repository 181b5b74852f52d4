package store

import (
	"context"

	"gorm.io/gorm"

	"commonground/matching"
)

// CreateOrganisation inserts an organisation with its offers and needs in
// one transaction. tokenHash is the hash of its bearer token ("" for an
// organisation that cannot sign in, such as demo data). It returns an error
// wrapping matching.ErrConflict if the ID or token hash is taken.
func (db *DB) CreateOrganisation(ctx context.Context, o *matching.Organisation, tokenHash string) error {
	row := toOrganisationRow(o)
	if tokenHash != "" {
		row.TokenHash = &tokenHash
	}
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		return changed1(changeOrganisation, o.ID), insertOffersNeeds(tx, o.Offers, o.Needs)
	}), "organisation")
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

// OrganisationIDByTokenHash returns the ID of the organisation whose token
// hashes to hash, or an error wrapping matching.ErrNotFound.
func (db *DB) OrganisationIDByTokenHash(ctx context.Context, hash string) (string, error) {
	var row organisationRow
	err := db.gorm.WithContext(ctx).Select("id").Where("token_hash = ?", hash).Take(&row).Error
	if err != nil {
		return "", translate(err, "token")
	}
	return row.ID, nil
}

// GetOrganisation returns one organisation with its offers and needs, or an
// error wrapping matching.ErrNotFound.
func (db *DB) GetOrganisation(ctx context.Context, id string) (*matching.Organisation, error) {
	var row organisationRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "organisation "+id)
	}
	orgs := []matching.Organisation{toOrganisation(&row)}
	if err := db.loadOffersNeeds(ctx, orgs); err != nil {
		return nil, err
	}
	return &orgs[0], nil
}

// loadOffersNeeds fills in the offers and needs of orgs with two queries.
func (db *DB) loadOffersNeeds(ctx context.Context, orgs []matching.Organisation) error {
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
		if err := db.gorm.WithContext(ctx).Where("organisation_id IN ?", chunk).Order("id").Find(&offers).Error; err != nil {
			return translate(err, "offers")
		}
		for i := range offers {
			o := byID[offers[i].OrganisationID]
			o.Offers = append(o.Offers, toOffer(&offers[i]))
		}
		var needs []needRow
		if err := db.gorm.WithContext(ctx).Where("organisation_id IN ?", chunk).Order("id").Find(&needs).Error; err != nil {
			return translate(err, "needs")
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

// UpdateOrganisation saves an organisation's own fields (not its offers,
// needs, token or count of trusted partnerships, which only completing a
// partnership changes). It returns an error wrapping matching.ErrNotFound
// if the organisation is gone.
func (db *DB) UpdateOrganisation(ctx context.Context, o *matching.Organisation) error {
	row := toOrganisationRow(o)
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		res := tx.Model(&row).Select("*").Omit("id", "token_hash", "trusted_partnerships", "created_at").Updates(&row)
		if res.Error == nil && res.RowsAffected == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		return changed1(changeOrganisation, o.ID), res.Error
	})
	if err != nil {
		return translate(err, "organisation "+o.ID)
	}
	o.UpdatedAt = row.UpdatedAt // the store's clock stamped the row
	return nil
}

// DeleteOrganisation deletes an organisation and everything it owns
// (offers, needs, venues, spaces). It returns an error wrapping
// matching.ErrNotFound if there is no such organisation.
//
// Its bookings go too, and the spaces they were at (other organisations')
// are logged as changed, so that every engine frees those sessions.
func (db *DB) DeleteOrganisation(ctx context.Context, id string) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		if db.dialect == Postgres {
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
		res := tx.Where("id = ?", id).Delete(&organisationRow{})
		if res.Error == nil && res.RowsAffected == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		changes := changed1(changeOrganisation, id)
		for _, s := range booked {
			changes = append(changes, change{changeSpace, s})
		}
		return changes, res.Error
	}), changeOrganisation+" "+id)
}

// deleteByID deletes the row of model with the given ID and records the
// change as kind (also the name errors use).
func (db *DB) deleteByID(ctx context.Context, model any, id, kind string) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		res := tx.Where("id = ?", id).Delete(model)
		if res.Error == nil && res.RowsAffected == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		return changed1(kind, id), res.Error
	}), kind+" "+id)
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
	if err := db.loadOffersNeeds(ctx, orgs); err != nil {
		return nil, err
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
