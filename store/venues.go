package store

import (
	"context"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"commonground/matching"
)

// CreateVenue inserts a venue. It returns an error wrapping
// matching.ErrConflict if its organisation does not exist.
func (db *DB) CreateVenue(ctx context.Context, v *matching.Venue) error {
	row := toVenueRow(v)
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		return changed1(changeVenue, v.ID), tx.Create(&row).Error
	}), "venue")
}

// GetVenue returns one venue or an error wrapping matching.ErrNotFound.
func (db *DB) GetVenue(ctx context.Context, id string) (*matching.Venue, error) {
	var row venueRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "venue "+id)
	}
	v := toVenue(&row)
	return &v, nil
}

// UpdateVenue saves a venue and moves its spaces with it, in one
// transaction. It returns an error wrapping matching.ErrNotFound if the
// venue is gone.
func (db *DB) UpdateVenue(ctx context.Context, v *matching.Venue) error {
	row := toVenueRow(v)
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		res := tx.Model(&row).
			Select("*").Omit("id", "organisation_id", "created_at").Updates(&row)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		return changed1(changeVenue, v.ID), tx.Model(&spaceRow{}).Where("venue_id = ?", v.ID).
			Updates(map[string]any{"lat": row.Lat, "lon": row.Lon}).Error
	})
	if err != nil {
		return translate(err, "venue "+v.ID)
	}
	v.UpdatedAt = row.UpdatedAt
	return nil
}

// DeleteVenue deletes a venue and its spaces, or returns an error wrapping
// matching.ErrNotFound.
func (db *DB) DeleteVenue(ctx context.Context, id string) error {
	return db.deleteByID(ctx, &venueRow{}, id, changeVenue)
}

// ListVenues returns venues in ID order.
func (db *DB) ListVenues(ctx context.Context, f matching.VenueFilter) ([]matching.Venue, error) {
	q := page(db.gorm.WithContext(ctx).Model(&venueRow{}), f.Page)
	q = within(q, f.Within)
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	var rows []venueRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "venues")
	}
	out := make([]matching.Venue, len(rows))
	for i := range rows {
		out[i] = toVenue(&rows[i])
	}
	return out, nil
}

// VenuesByID returns the venues with the given IDs in the order of ids,
// leaving out those that do not exist (deleted since the caller found
// them). It reads them in one query per 500 IDs.
func (db *DB) VenuesByID(ctx context.Context, ids []string) ([]matching.Venue, error) {
	rows, err := rowsByID[venueRow](ctx, db, ids, func(r *venueRow) string { return r.ID })
	if err != nil {
		return nil, translate(err, "venues")
	}
	out := make([]matching.Venue, len(rows))
	for i := range rows {
		out[i] = toVenue(rows[i])
	}
	return out, nil
}

// rowsByID reads the rows of R with the given IDs and returns them in the
// order of ids, without those not found.
func rowsByID[R any](ctx context.Context, db *DB, ids []string, id func(*R) string) ([]*R, error) {
	found := make(map[string]*R, len(ids))
	for _, chunk := range chunks(ids, idChunk) {
		var rows []R
		if err := db.gorm.WithContext(ctx).Where("id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, err
		}
		for i := range rows {
			found[id(&rows[i])] = &rows[i]
		}
	}
	out := make([]*R, 0, len(found))
	for _, x := range ids {
		if r, ok := found[x]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// within keeps rows whose lat/lon lie in the box (nil: no filter).
func within(q *gorm.DB, b *orb.Bound) *gorm.DB {
	if b == nil {
		return q
	}
	return q.Where("lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?", b.Min.Lat(), b.Max.Lat(), b.Min.Lon(), b.Max.Lon())
}
