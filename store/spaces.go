package store

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/matching"
)

// CreateSpace inserts a space into its venue, taking the venue's owner and
// location, which it writes back into s. It returns an error wrapping
// matching.ErrNotFound if the venue does not exist.
func (db *DB) CreateSpace(ctx context.Context, s *matching.Space) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		var v venueRow
		q := tx.Select("id", "organisation_id", "lat", "lon").Where("id = ?", s.VenueID)
		if db.dialect == Postgres {
			// The space copies its venue's place: hold the venue still
			// until the space is in, or a move committing meanwhile
			// (UpdateVenue) would miss the new space and leave it at the
			// old place. SQLite runs one writer at a time.
			q = q.Clauses(clause.Locking{Strength: "SHARE"})
		}
		if err := q.Take(&v).Error; err != nil {
			return nil, err
		}
		s.OrganisationID = v.OrganisationID
		s.Location = point(v.Lat, v.Lon)
		row := toSpaceRow(s)
		return changed1(changeSpace, s.ID), tx.Create(&row).Error
	}), "space in venue "+s.VenueID)
}

// GetSpace returns one space or an error wrapping matching.ErrNotFound.
func (db *DB) GetSpace(ctx context.Context, id string) (*matching.Space, error) {
	s, err := db.readSpace(db.gorm.WithContext(ctx), id, false)
	if err != nil {
		return nil, translate(err, "space "+id)
	}
	return s, nil
}

// readSpace reads one space through tx, locking its row until the
// transaction ends when lock is set (on PostgreSQL; SQLite's write
// transactions hold the whole database already).
func (db *DB) readSpace(tx *gorm.DB, id string, lock bool) (*matching.Space, error) {
	q := tx.Where("id = ?", id)
	if lock && db.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row spaceRow
	if err := q.Take(&row).Error; err != nil {
		return nil, err
	}
	s := toSpace(&row)
	return &s, nil
}

// UpdateSpace changes a space's own fields in one transaction: it reads
// and locks the space, lets edit change it, and saves it, stamping
// updated_at with the store's clock. Because edit sees the row as it is
// now and nobody else can write it until the commit, a change another
// update made meanwhile (to another field, say) is kept, never lost. Its
// ID, venue, owner, location (its venue's) and created_at stay whatever
// edit does.
//
// It returns the space as committed, or an error wrapping
// matching.ErrNotFound if there is no such space. An error from edit is
// returned as it is, and nothing is written.
func (db *DB) UpdateSpace(ctx context.Context, id string, edit func(s *matching.Space) error) (*matching.Space, error) {
	var out *matching.Space
	var editErr error
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		cur, err := db.readSpace(tx, id, true)
		if err != nil {
			return nil, err
		}
		s := *cur
		if editErr = edit(&s); editErr != nil {
			return nil, editErr
		}
		s.ID, s.VenueID, s.OrganisationID, s.Location, s.CreatedAt = cur.ID, cur.VenueID, cur.OrganisationID, cur.Location, cur.CreatedAt
		s.UpdatedAt = utc(db.now())
		r := toSpaceRow(&s)
		// UpdateColumns: updated_at as stamped above, not by gorm's own clock.
		err = tx.Model(&r).Select("*").Omit("id", "venue_id", "organisation_id", "lat", "lon", "created_at").UpdateColumns(&r).Error
		out = &s
		return changed1(changeSpace, id), err
	})
	if editErr != nil {
		return nil, editErr
	}
	if err != nil {
		return nil, translate(err, "space "+id)
	}
	return out, nil
}

// DeleteSpace deletes a space, or returns an error wrapping
// matching.ErrNotFound.
func (db *DB) DeleteSpace(ctx context.Context, id string) error {
	return db.DeleteSpaceIf(ctx, id, nil)
}

// DeleteSpaceIf is DeleteSpace, but first shows check the space as it
// is, locked, inside the deleting transaction: an error from check is
// returned as it is, and nothing is deleted. A nil check deletes
// unconditionally.
func (db *DB) DeleteSpaceIf(ctx context.Context, id string, check func(s *matching.Space) error) error {
	return deleteByID(ctx, db, &spaceRow{}, id, changeSpace, db.readSpace, check)
}

// ListSpaces returns spaces in ID order.
func (db *DB) ListSpaces(ctx context.Context, f matching.SpaceFilter) ([]matching.Space, error) {
	q := page(db.gorm.WithContext(ctx).Model(&spaceRow{}), f.Page)
	q = within(q, f.Within)
	if f.VenueID != "" {
		q = q.Where("venue_id = ?", f.VenueID)
	}
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.MinCapacity > 0 {
		q = q.Where("capacity >= ?", f.MinCapacity)
	}
	if f.Allows != "" {
		// prohibited_activities is a JSON list of slugs; a quoted slug
		// matches one entry exactly.
		q = q.Where("prohibited_activities NOT LIKE ? ESCAPE '\\'", "%"+likeEscape(`"`+f.Allows+`"`)+"%")
		q = db.activityRules(q, f)
	}
	var rows []spaceRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "spaces")
	}
	out := make([]matching.Space, len(rows))
	for i := range rows {
		out[i] = toSpace(&rows[i])
	}
	return out, nil
}

// SpacesByID returns the spaces with the given IDs in the order of ids,
// leaving out those that do not exist (deleted since the caller found
// them). It reads them in one query per 500 IDs.
func (db *DB) SpacesByID(ctx context.Context, ids []string) ([]matching.Space, error) {
	rows, err := rowsByID[spaceRow](ctx, db, ids, func(r *spaceRow) string { return r.ID })
	if err != nil {
		return nil, translate(err, "spaces")
	}
	out := make([]matching.Space, len(rows))
	for i := range rows {
		out[i] = toSpace(rows[i])
	}
	return out, nil
}

// Counts says how many organisations, venues and spaces the store holds.
type Counts struct {
	Organisations, Offers, Needs, Venues, Spaces            int64
	People, Memberships, APIKeys, Invitations, AuthSessions int64
}

// Count returns the row counts of the main tables.
func (db *DB) Count(ctx context.Context) (Counts, error) {
	var c Counts
	g := db.gorm.WithContext(ctx)
	for _, x := range []struct {
		model any
		n     *int64
	}{
		{&organisationRow{}, &c.Organisations}, {&offerRow{}, &c.Offers}, {&needRow{}, &c.Needs},
		{&venueRow{}, &c.Venues}, {&spaceRow{}, &c.Spaces},
		{&personRow{}, &c.People}, {&membershipRow{}, &c.Memberships}, {&apiKeyRow{}, &c.APIKeys},
		{&invitationRow{}, &c.Invitations}, {&sessionRow{}, &c.AuthSessions},
	} {
		if err := g.Model(x.model).Count(x.n).Error; err != nil {
			return c, translate(err, "count")
		}
	}
	return c, nil
}

// InsertBatch writes a batch of organisations (with offers and needs),
// venues and spaces in one transaction, for seeding and imports: either
// all of it lands or none, as one revision whose change log entry tells
// readers to reload (see ChangesSince). Spaces keep the OrganisationID and Location they
// carry, which must be their venue's. It is bulk work, not a request's: the
// store's timeout does not bound it (ctx still does).
func (db *DB) InsertBatch(ctx context.Context, orgs []matching.Organisation, venues []matching.Venue, spaces []matching.Space) error {
	const batch = 500
	ctx = WithoutTimeout(ctx)
	return translate(db.gorm.WithContext(ctx).Session(&gorm.Session{SkipHooks: true}).Transaction(func(tx *gorm.DB) error {
		if len(orgs) > 0 {
			rows := make([]organisationRow, len(orgs))
			var offers []matching.Offer
			var needs []matching.Need
			for i := range orgs {
				rows[i] = toOrganisationRow(&orgs[i])
				offers = append(offers, orgs[i].Offers...)
				needs = append(needs, orgs[i].Needs...)
			}
			if err := tx.CreateInBatches(rows, batch).Error; err != nil {
				return err
			}
			if err := insertOffersNeeds(tx, offers, needs); err != nil {
				return err
			}
		}
		if len(venues) > 0 {
			rows := make([]venueRow, len(venues))
			for i := range venues {
				rows[i] = toVenueRow(&venues[i])
			}
			if err := tx.CreateInBatches(rows, batch).Error; err != nil {
				return err
			}
		}
		if len(spaces) > 0 {
			rows := make([]spaceRow, len(spaces))
			for i := range spaces {
				rows[i] = toSpaceRow(&spaces[i])
			}
			if err := tx.CreateInBatches(rows, batch/2).Error; err != nil {
				return err
			}
		}
		if len(orgs)+len(venues)+len(spaces) == 0 {
			return nil
		}
		return db.recordChanges(tx, changed1(changeBulk, ""))
	}), "batch")
}

// likeEscape escapes LIKE's wildcards with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// activityRules keeps the spaces that meet the rules of f.Allows
// (matching.ProfileFor) for a group of f.MinCapacity, at least one, as
// the engine's nearby filter does: the floor, the ceiling indoors, the
// surface outdoors (outdoor spaces only with f.AllowOutdoor), a tap floor
// or boards, rigging that holds the group.
func (db *DB) activityRules(q *gorm.DB, f matching.SpaceFilter) *gorm.DB {
	p := matching.ProfileFor(f.Allows)
	if len(p.UnsuitableFloors) > 0 {
		q = q.Where("floor NOT IN ?", p.UnsuitableFloors)
	}
	indoor, args := "indoor", []any{}
	if p.MinCeilingM > 0 {
		indoor, args = "(indoor AND ceiling_height_m >= ?)", append(args, p.MinCeilingM)
	}
	switch {
	case !f.AllowOutdoor:
		q = q.Where(indoor, args...)
	case len(p.UnsuitableSurfaces) > 0:
		q = q.Where("("+indoor+" OR (NOT indoor AND surface <> '' AND surface NOT IN ?))", append(args, p.UnsuitableSurfaces)...)
	default:
		q = q.Where("("+indoor+" OR NOT indoor)", args...)
	}
	if p.TapFloor {
		q = q.Where("(floor IN ? OR tap_boards)", []matching.Floor{matching.FloorWood, matching.FloorSprung, matching.FloorSemiSprung})
	}
	if p.RiggingKgPerDancer > 0 {
		// How many dancers the points hold: each holds its rated load over
		// the load a dancer needs, whole times.
		holds := "(SELECT COALESCE(SUM(CAST(json_extract(value, '$.rated_load_kg') / ? AS INTEGER)), 0) FROM json_each(rigging_points))"
		if db.dialect == Postgres {
			holds = "(SELECT COALESCE(SUM(FLOOR((e->>'rated_load_kg')::float8 / ?)), 0) FROM jsonb_array_elements(rigging_points::jsonb) e)"
		}
		q = q.Where(holds+" >= ?", p.RiggingKgPerDancer, max(f.MinCapacity, 1))
	}
	return q
}
