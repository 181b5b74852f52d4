package store

import (
	"context"

	"github.com/paulmach/orb"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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
	v, err := db.readVenue(db.gorm.WithContext(ctx), id, false)
	if err != nil {
		return nil, translate(err, "venue "+id)
	}
	return v, nil
}

// readVenue reads one venue through tx, locking its row until the
// transaction ends when lock is set (on PostgreSQL; SQLite's write
// transactions hold the whole database already).
func (db *DB) readVenue(tx *gorm.DB, id string, lock bool) (*matching.Venue, error) {
	q := tx.Where("id = ?", id)
	if lock && db.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row venueRow
	if err := q.Take(&row).Error; err != nil {
		return nil, err
	}
	v := toVenue(&row)
	return &v, nil
}

// UpdateVenue changes a venue in one transaction: it reads and locks the
// venue, lets edit change it, saves it (stamping updated_at with the
// store's clock) and moves its spaces with it. Because edit sees the row
// as it is now and nobody else can write it until the commit, a change
// another update made meanwhile is kept, never lost. ID, owner and
// created_at stay whatever edit does.
//
// It returns the venue as committed, or an error wrapping
// matching.ErrNotFound if there is no such venue. An error from edit is
// returned as it is, and nothing is written.
func (db *DB) UpdateVenue(ctx context.Context, id string, edit func(v *matching.Venue) error) (*matching.Venue, error) {
	var out *matching.Venue
	var editErr error
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		cur, err := db.readVenue(tx, id, true)
		if err != nil {
			return nil, err
		}
		v := *cur
		if editErr = edit(&v); editErr != nil {
			return nil, editErr
		}
		v.ID, v.OrganisationID, v.CreatedAt = cur.ID, cur.OrganisationID, cur.CreatedAt
		v.UpdatedAt = utc(db.now())
		r := toVenueRow(&v)
		// UpdateColumns: updated_at as stamped above, not by gorm's own clock.
		err = tx.Model(&r).Select("*").Omit("id", "organisation_id", "created_at").UpdateColumns(&r).Error
		if err != nil {
			return nil, err
		}
		out = &v
		return changed1(changeVenue, id), tx.Model(&spaceRow{}).Where("venue_id = ?", id).
			Updates(map[string]any{"lat": r.Lat, "lon": r.Lon}).Error
	})
	if editErr != nil {
		return nil, editErr
	}
	if err != nil {
		return nil, translate(err, "venue "+id)
	}
	return out, nil
}

// DeleteVenue deletes a venue and its spaces, or returns an error wrapping
// matching.ErrNotFound.
func (db *DB) DeleteVenue(ctx context.Context, id string) error {
	return db.DeleteVenueIf(ctx, id, nil)
}

// DeleteVenueIf is DeleteVenue, but first shows check the venue as it
// is, locked, inside the deleting transaction: an error from check is
// returned as it is, and nothing is deleted. A nil check deletes
// unconditionally.
func (db *DB) DeleteVenueIf(ctx context.Context, id string, check func(v *matching.Venue) error) error {
	// Its spaces go with it (the cascade): named, so that readers of the
	// log (open-data feeds) learn that they are gone.
	return deleteWith(ctx, db, &venueRow{}, id, changeVenue, db.readVenue, check, func(tx *gorm.DB) ([]change, error) {
		var spaces []string
		if err := tx.Raw("SELECT id FROM spaces WHERE venue_id = ? ORDER BY id", id).Scan(&spaces).Error; err != nil {
			return nil, err
		}
		out := make([]change, len(spaces))
		for i, s := range spaces {
			out[i] = change{changeSpace, s}
		}
		return out, nil
	})
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
