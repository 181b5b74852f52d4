package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"commonground/matching"
)

// The bulk readers (Snapshot, ChangesSince) do not go through gorm's
// reflection. They name their columns, scan each row into the typed fields
// of a column set (orgCols, itemCols, venueCols, spaceCols) reused from row
// to row, and build the domain value by hand; the builders give the same
// values as toOrganisation, toOffer, toVenue and toSpace (the tests
// compare them). On PostgreSQL they read through pgx itself rather than
// database/sql, which would box every column of every row into an
// interface: text columns that are parsed or interned (the JSON lists,
// slugs) are then read in place from pgx's buffer without a copy. The
// column lists and the fields methods must stay in step.

const (
	orgColumns = "id, name, type, description, website, email, phone, lat, lon, service_radius_km, " +
		"values_list, practices, exclusions, capacity_hours_per_month, trusted_partnerships, created_at, updated_at"
	itemColumns  = "id, organisation_id, category, description, hours_per_month, created_at"
	venueColumns = "id, organisation_id, name, address, postcode, lat, lon, timezone, " +
		"step_free, accessible_toilet, hearing_loop, parking, created_at, updated_at"
	spaceColumns = "id, venue_id, organisation_id, lat, lon, name, kind, capacity, floor_area_m2, ceiling_height_m, " +
		"floor, mirrors, barres, sound_system, changing_rooms, climate_control, obstructions, " +
		"prohibited_activities, instant_book, prices, opening_hours, closures, created_at, updated_at"
)

// rowReader runs queries inside one read transaction. each runs query
// (with ? placeholders), scans every row into fields (pointers to
// *string, *[]byte, *float64, *int64, *bool or *time.Time) and calls fn
// after each. A []byte field is only valid until the next row.
type rowReader interface {
	each(fields []any, fn func() error, query string, args ...any) error
}

// sqlReader reads through database/sql (SQLite).
type sqlReader struct {
	ctx context.Context
	tx  *sql.Tx
}

func (r sqlReader) each(fields []any, fn func() error, query string, args ...any) error {
	dests := make([]any, len(fields))
	for i, f := range fields {
		switch p := f.(type) {
		case *[]byte:
			dests[i] = (*sql.RawBytes)(p)
		case *float64:
			dests[i] = sqlFloat{p}
		case *int64:
			dests[i] = sqlInt{p}
		default:
			dests[i] = f
		}
	}
	rows, err := r.tx.QueryContext(r.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanEach(rows, dests, fn)
}

// resultRows is what database/sql's and pgx's result sets have in common.
type resultRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// scanEach scans every row into dests and calls fn after each.
func scanEach(rs resultRows, dests []any, fn func() error) error {
	for rs.Next() {
		if err := rs.Scan(dests...); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return rs.Err()
}

// sqlFloat and sqlInt scan numbers without database/sql's reflection.
type sqlFloat struct{ p *float64 }

func (s sqlFloat) Scan(src any) error {
	switch v := src.(type) {
	case float64:
		*s.p = v
	case int64:
		*s.p = float64(v)
	default:
		return fmt.Errorf("cannot scan %T into a float", src)
	}
	return nil
}

type sqlInt struct{ p *int64 }

func (s sqlInt) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("cannot scan %T into an integer", src)
	}
	*s.p = v
	return nil
}

// pgxReader reads through pgx (PostgreSQL).
type pgxReader struct {
	ctx context.Context
	tx  pgx.Tx
}

func (r pgxReader) each(fields []any, fn func() error, query string, args ...any) error {
	dests := make([]any, len(fields))
	for i, f := range fields {
		if p, ok := f.(*[]byte); ok {
			dests[i] = (*pgtype.DriverBytes)(p)
		} else {
			dests[i] = f
		}
	}
	rows, err := r.tx.Query(r.ctx, dollarParams(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanEach(rows, dests, fn)
}

// dollarParams numbers a query's ? placeholders $1, $2, … (the queries
// here have no ? inside literals).
func dollarParams(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

// inList returns "(?, ?, …)" for n values.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// readRows runs fn in a read-only transaction that sees one consistent
// state of the database: on PostgreSQL REPEATABLE READ READ ONLY (one
// snapshot for the whole transaction), on SQLite a deferred transaction,
// which reads one snapshot and, unlike the store's writes, takes no write
// lock.
func (db *DB) readRows(ctx context.Context, fn func(r rowReader) error) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	if db.dialect != Postgres {
		tx, err := sqlDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(sqlReader{ctx, tx}); err != nil {
			return err
		}
		return tx.Commit()
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("PostgreSQL connection is a %T, not pgx's", dc)
		}
		tx, err := sc.Conn().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) // after Commit, a no-op
		if err := fn(pgxReader{ctx, tx}); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// readCounterRow reads change_counter in r's transaction.
func readCounterRow(r rowReader) (counter, error) {
	var c counter
	n := 0
	err := r.each([]any{&c.revision, &c.prunedThrough}, func() error { n++; return nil },
		"SELECT revision, pruned_through FROM change_counter WHERE id = 1")
	if err == nil && n != 1 {
		err = fmt.Errorf("change_counter has %d rows", n)
	}
	return c, err
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// orgCols is one row of orgColumns.
type orgCols struct {
	id, name, description, website, email, phone string
	typ, values, practices, exclusions           []byte
	lat, lon, radius                             float64
	capacity, trusted                            int64
	created, updated                             time.Time
}

func (c *orgCols) fields() []any {
	return []any{&c.id, &c.name, &c.typ, &c.description, &c.website, &c.email, &c.phone, &c.lat, &c.lon, &c.radius,
		&c.values, &c.practices, &c.exclusions, &c.capacity, &c.trusted, &c.created, &c.updated}
}

// organisation builds the organisation, without offers and needs.
func (c *orgCols) organisation(in *interner) (matching.Organisation, error) {
	o := matching.Organisation{
		ID: c.id, Name: c.name, Type: matching.OrgType(in.bytes(c.typ)), Description: c.description,
		Website: c.website, Email: c.email, Phone: c.phone,
		Location: point(c.lat, c.lon), ServiceRadiusKm: c.radius,
		CapacityHoursPerMonth: int(c.capacity),
		TrustedPartnerships:   int(c.trusted),
		Offers:                []matching.Offer{}, Needs: []matching.Need{},
		CreatedAt: utc(c.created), UpdatedAt: utc(c.updated),
	}
	var err error
	if o.Values, err = parseStrings(c.values, in); err != nil {
		return o, fmt.Errorf("organisation %s values: %w", c.id, err)
	}
	if o.Practices, err = parseStrings(c.practices, in); err != nil {
		return o, fmt.Errorf("organisation %s practices: %w", c.id, err)
	}
	if o.Exclusions, err = parseStrings(c.exclusions, in); err != nil {
		return o, fmt.Errorf("organisation %s exclusions: %w", c.id, err)
	}
	return o, nil
}

// itemCols is one row of itemColumns, from offers or needs.
type itemCols struct {
	id, description string
	orgID, category []byte
	hours           int64
	created         time.Time
}

func (c *itemCols) fields() []any {
	return []any{&c.id, &c.orgID, &c.category, &c.description, &c.hours, &c.created}
}

// offer builds the offer (or need); orgID is the organisation's ID, which
// the caller has looked up by c.orgID, so the string is shared.
func (c *itemCols) offer(in *interner, orgID string) matching.Offer {
	return matching.Offer{ID: c.id, OrganisationID: orgID, Category: in.bytes(c.category),
		Description: c.description, HoursPerMonth: int(c.hours), CreatedAt: utc(c.created)}
}

// venueCols is one row of venueColumns.
type venueCols struct {
	id, orgID, name, address, postcode     string
	timezone                               []byte
	lat, lon                               float64
	stepFree, toilet, hearingLoop, parking bool
	created, updated                       time.Time
}

func (c *venueCols) fields() []any {
	return []any{&c.id, &c.orgID, &c.name, &c.address, &c.postcode, &c.lat, &c.lon, &c.timezone,
		&c.stepFree, &c.toilet, &c.hearingLoop, &c.parking, &c.created, &c.updated}
}

func (c *venueCols) venue(in *interner) matching.Venue {
	return matching.Venue{
		ID: c.id, OrganisationID: c.orgID, Name: c.name, Address: c.address, Postcode: c.postcode,
		Location: point(c.lat, c.lon), Timezone: in.bytes(c.timezone),
		Accessibility: matching.Accessibility{StepFree: c.stepFree, AccessibleToilet: c.toilet,
			HearingLoop: c.hearingLoop, Parking: c.parking},
		CreatedAt: utc(c.created), UpdatedAt: utc(c.updated),
	}
}

// spaceCols is one row of spaceColumns.
type spaceCols struct {
	id, venueID, orgID, name                                             string
	kind, floor, prohibited, prices, hours, closures                     []byte
	lat, lon, area, ceiling                                              float64
	capacity                                                             int64
	mirrors, barres, sound, changing, climate, obstructions, instantBook bool
	created, updated                                                     time.Time
}

func (c *spaceCols) fields() []any {
	return []any{&c.id, &c.venueID, &c.orgID, &c.lat, &c.lon, &c.name, &c.kind, &c.capacity, &c.area, &c.ceiling,
		&c.floor, &c.mirrors, &c.barres, &c.sound, &c.changing, &c.climate, &c.obstructions,
		&c.prohibited, &c.instantBook, &c.prices, &c.hours, &c.closures, &c.created, &c.updated}
}

func (c *spaceCols) space(in *interner) (matching.Space, error) {
	s := matching.Space{
		ID: c.id, VenueID: c.venueID, OrganisationID: c.orgID,
		Location: point(c.lat, c.lon), Name: c.name, Kind: matching.SpaceKind(in.bytes(c.kind)),
		Capacity: int(c.capacity), FloorAreaM2: c.area, CeilingHeightM: c.ceiling,
		Floor: matching.Floor(in.bytes(c.floor)), Mirrors: c.mirrors, Barres: c.barres, SoundSystem: c.sound,
		ChangingRooms: c.changing, ClimateControl: c.climate, Obstructions: c.obstructions,
		InstantBook: c.instantBook, CreatedAt: utc(c.created), UpdatedAt: utc(c.updated),
	}
	var err error
	if s.ProhibitedActivities, err = parseStrings(c.prohibited, in); err != nil {
		return s, fmt.Errorf("space %s prohibited_activities: %w", c.id, err)
	}
	if s.Prices, err = parsePrices(c.prices, in); err != nil {
		return s, fmt.Errorf("space %s prices: %w", c.id, err)
	}
	if s.OpeningHours, err = parseHours(c.hours, in); err != nil {
		return s, fmt.Errorf("space %s opening_hours: %w", c.id, err)
	}
	if s.Closures, err = parseClosures(c.closures, in); err != nil {
		return s, fmt.Errorf("space %s closures: %w", c.id, err)
	}
	return s, nil
}
