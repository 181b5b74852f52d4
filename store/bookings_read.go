package store

import (
	"context"
	"fmt"
	"time"

	"commonground/matching"
)

// maxCalendarEntries bounds one calendar.
const maxCalendarEntries = 5000

// SpaceCalendar returns the confirmed sessions of a space that end after
// since, by start, at most 5,000 of them, and when the calendar last
// changed (see matching.Calendar). It returns an error wrapping
// matching.ErrNotFound when the space does not exist.
func (db *DB) SpaceCalendar(ctx context.Context, spaceID string, since time.Time) (matching.Calendar, error) {
	g := db.gorm.WithContext(ctx)
	var n int64
	if err := g.Model(&spaceRow{}).Where("id = ?", spaceID).Count(&n).Error; err != nil {
		return matching.Calendar{}, translate(err, "calendar")
	}
	if n == 0 {
		return matching.Calendar{}, fmt.Errorf("space %s: %w", spaceID, matching.ErrNotFound)
	}
	return db.calendar(ctx, "o.space_id = ?", "b.space_id = ?", []any{spaceID}, since)
}

// OrganisationCalendar returns the confirmed sessions that end after
// since where the organisation books or owns the space, by start, at most
// 5,000 of them, and when the calendar last changed.
func (db *DB) OrganisationCalendar(ctx context.Context, orgID string, since time.Time) (matching.Calendar, error) {
	return db.calendar(ctx, "(b.organisation_id = ? OR s.organisation_id = ?)", "(b.organisation_id = ? OR s.organisation_id = ?)",
		[]any{orgID, orgID}, since)
}

// calendar reads the confirmed occurrences where (a condition on o, b and
// s) selects, and when the calendar last changed: the newest change of a
// booking bookingsWhere (on b and s) selects, whatever its status, or of
// a row an entry shows.
func (db *DB) calendar(ctx context.Context, where, bookingsWhere string, args []any, since time.Time) (matching.Calendar, error) {
	g := db.gorm.WithContext(ctx)
	var out matching.Calendar
	q := `SELECT o.booking_id, o.seq, b.organisation_id, bg.name, b.purpose, o.starts_at, o.ends_at, b.updated_at,
			s.id, s.name, v.name, v.address, v.postcode, s.organisation_id, og.name,
			s.updated_at, v.updated_at, bg.updated_at, og.updated_at
		FROM booking_occurrences o
		JOIN bookings b ON b.id = o.booking_id
		JOIN spaces s ON s.id = o.space_id
		JOIN venues v ON v.id = s.venue_id
		JOIN organisations bg ON bg.id = b.organisation_id
		JOIN organisations og ON og.id = s.organisation_id
		WHERE ` + where + ` AND o.status = ? AND o.ends_at > ?
		ORDER BY o.starts_at, o.booking_id, o.seq LIMIT ?`
	rows, err := g.Raw(q, append(args, matching.OccurrenceConfirmed, since.UTC(), maxCalendarEntries)...).Rows()
	if err != nil {
		return out, translate(err, "calendar")
	}
	defer rows.Close()
	later := func(t time.Time) {
		if t = utc(t); t.After(out.Modified) {
			out.Modified = t
		}
	}
	for rows.Next() {
		var e matching.CalendarEntry
		var spaceAt, venueAt, bookerAt, ownerAt time.Time
		if err := rows.Scan(&e.BookingID, &e.Seq, &e.OrganisationID, &e.OrganisationName, &e.Purpose, &e.Start, &e.End, &e.Stamp,
			&e.SpaceID, &e.SpaceName, &e.VenueName, &e.Address, &e.Postcode, &e.OwnerID, &e.OwnerName,
			&spaceAt, &venueAt, &bookerAt, &ownerAt); err != nil {
			return out, translate(err, "calendar")
		}
		e.Start, e.End, e.Stamp = utc(e.Start), utc(e.End), utc(e.Stamp)
		for _, t := range []time.Time{e.Stamp, spaceAt, venueAt, bookerAt, ownerAt} {
			later(t)
		}
		out.Entries = append(out.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return out, translate(err, "calendar")
	}
	var latest []time.Time
	err = g.Raw(`SELECT b.updated_at FROM bookings b JOIN spaces s ON s.id = b.space_id WHERE `+bookingsWhere+
		` ORDER BY b.updated_at DESC LIMIT 1`, args...).Scan(&latest).Error
	if err != nil {
		return out, translate(err, "calendar")
	}
	for _, t := range latest {
		later(t)
	}
	return out, nil
}

// bookedColumns are read into bookedCols: confirmed occurrences, for the
// read model.
const bookedColumns = "space_id, starts_at, ends_at"

type bookedCols struct {
	spaceID    string
	start, end time.Time
}

func (c *bookedCols) fields() []any { return []any{&c.spaceID, &c.start, &c.end} }

// bookedSince is the condition readBooked adds for Options.BookedPast:
// "" and no argument when every period counts.
func (db *DB) bookedSince() (string, []any) {
	if db.bookedPast <= 0 {
		return "", nil
	}
	return " AND ends_at > ?", []any{db.now().Add(-db.bookedPast).UTC().Truncate(time.Microsecond)}
}

// readBooked streams the confirmed periods of the spaces that match where
// (a condition on booking_occurrences) to fn, one space at a time, each
// space's periods by start.
func readBooked(r rowReader, fn func(spaceID string, periods []matching.Session) error, where string, args ...any) error {
	var (
		c       bookedCols
		current string
		periods []matching.Session
	)
	err := r.each(c.fields(), func() error {
		if c.spaceID != current && len(periods) > 0 {
			if err := fn(current, periods); err != nil {
				return err
			}
			periods = nil
		}
		current = c.spaceID
		periods = append(periods, matching.Session{Start: utc(c.start), End: utc(c.end)})
		return nil
	}, "SELECT "+bookedColumns+" FROM booking_occurrences WHERE status = 'confirmed'"+where+" ORDER BY space_id, starts_at", args...)
	if err != nil || len(periods) == 0 {
		return err
	}
	return fn(current, periods)
}

// ListBookings returns the bookings f selects, in ID order (the order
// they were made), each with its occurrences and its space's owner.
func (db *DB) ListBookings(ctx context.Context, f matching.BookingFilter) ([]matching.Booking, error) {
	g := db.gorm.WithContext(ctx)
	q := page(g.Model(&bookingRow{}), f.Page)
	if f.PartyID != "" {
		q = q.Where("(organisation_id = ? OR space_id IN (SELECT id FROM spaces WHERE organisation_id = ?))", f.PartyID, f.PartyID)
	}
	if f.SpaceID != "" {
		q = q.Where("space_id = ?", f.SpaceID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var rows []bookingRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "bookings")
	}
	if len(rows) == 0 {
		return []matching.Booking{}, nil
	}
	out := make([]matching.Booking, len(rows))
	ids, spaceIDs := make([]string, len(rows)), make([]string, 0, len(rows))
	at := make(map[string]int, len(rows))
	for i, r := range rows {
		out[i] = matching.Booking{ID: r.ID, SpaceID: r.SpaceID, OrganisationID: r.OrganisationID, Status: matching.BookingStatus(r.Status),
			Purpose: r.Purpose, Tier: matching.Tier(r.Tier), PencePerHour: r.PencePerHour,
			Occurrences: []matching.Occurrence{}, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt)}
		ids[i], at[r.ID] = r.ID, i
		spaceIDs = append(spaceIDs, r.SpaceID)
	}
	var owners []struct{ ID, OrganisationID string }
	if err := g.Model(&spaceRow{}).Select("id", "organisation_id").Where("id IN ?", spaceIDs).Scan(&owners).Error; err != nil {
		return nil, translate(err, "bookings")
	}
	ownerOf := make(map[string]string, len(owners))
	for _, o := range owners {
		ownerOf[o.ID] = o.OrganisationID
	}
	var occ []occurrenceRow
	if err := g.Where("booking_id IN ?", ids).Order("booking_id, seq").Find(&occ).Error; err != nil {
		return nil, translate(err, "bookings")
	}
	for i := range out {
		out[i].SpaceOwnerID = ownerOf[out[i].SpaceID]
	}
	for _, o := range occ {
		b := &out[at[o.BookingID]]
		b.Occurrences = append(b.Occurrences, matching.Occurrence{Start: utc(o.StartsAt), End: utc(o.EndsAt),
			Status: matching.OccurrenceStatus(o.Status), Reason: o.Reason})
	}
	return out, nil
}
