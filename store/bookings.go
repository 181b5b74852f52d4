package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/matching"
)

type bookingRow struct {
	ID             string `gorm:"primaryKey"`
	SpaceID        string
	OrganisationID string
	Status         string
	Purpose        string
	Tier           string
	PencePerHour   int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (bookingRow) TableName() string { return "bookings" }

type occurrenceRow struct {
	BookingID string `gorm:"primaryKey"`
	Seq       int    `gorm:"primaryKey;autoIncrement:false"`
	SpaceID   string
	StartsAt  time.Time
	EndsAt    time.Time
	Status    string
	Reason    string
}

func (occurrenceRow) TableName() string { return "booking_occurrences" }

type idempotencyRow struct {
	OrganisationID string `gorm:"primaryKey"`
	IdemKey        string `gorm:"primaryKey"`
	RequestHash    string
	Status         int
	Body           string
	CreatedAt      time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// maxBookingAttempts bounds the retries of a booking transaction that lost
// a race on PostgreSQL (an overlapping booking or the same idempotency key
// committed first). The retry sees the winner and answers from it.
const maxBookingAttempts = 5

// Book decides and records a booking request in one transaction (see
// matching.PlanBooking): it reads the space, its venue's time zone and the
// confirmed occurrences in the request's span, plans, and writes the
// booking, if any, with every occurrence. render makes the reply. With
// idem, a key seen before with the same request hash answers the kept
// reply (Replayed, nothing booked, render not called); with another hash
// it is an error wrapping matching.ErrUnprocessable. A new key keeps the
// reply, whatever the outcome, in the same transaction, so a retry can
// never book twice.
//
// The booking takes id, the request's organisation and purpose, and the
// store's clock for its times. The returned outcome is nil for a replay.
// Errors wrap matching.ErrNotFound (no such space) or ErrConflict (lost a
// race more than maxBookingAttempts times), or are the database's.
func (db *DB) Book(ctx context.Context, id string, req *matching.BookingRequest, idem *matching.Idempotency, render matching.Render) (matching.Reply, *matching.BookingOutcome, error) {
	var (
		reply   matching.Reply
		outcome *matching.BookingOutcome
	)
	err := db.writeRetrying(ctx, func(tx *gorm.DB) ([]change, error) {
		reply, outcome = matching.Reply{}, nil
		now := db.now().UTC().Truncate(time.Microsecond)
		if idem != nil {
			kept, found, err := db.keptReply(tx, req.OrganisationID, idem, now)
			if err != nil || found {
				reply = kept
				return nil, err
			}
		}
		o, err := db.plan(tx, req, true, now)
		if err != nil {
			return nil, err
		}
		outcome = &o
		var changes []change
		if b := o.Booking; b != nil {
			b.ID, b.CreatedAt, b.UpdatedAt = id, now, now
			if err := insertBooking(tx, b); err != nil {
				return nil, err
			}
			if err := db.emitBooked(tx, b); err != nil {
				return nil, err
			}
			if len(b.ConfirmedSessions()) > 0 {
				changes = changed1(changeSpace, b.SpaceID)
			}
		}
		if reply, err = render(outcome); err != nil {
			return nil, err
		}
		if idem != nil {
			row := idempotencyRow{OrganisationID: req.OrganisationID, IdemKey: idem.Key, RequestHash: idem.RequestHash,
				Status: reply.Status, Body: string(reply.Body), CreatedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return nil, err
			}
		}
		return changes, nil
	})
	if err != nil {
		return matching.Reply{}, nil, translate(err, "booking")
	}
	return reply, outcome, nil
}

// plan decides req at now in tx (see matching.PlanBooking), holding the
// space's turn (see spaceForBooking): the space's own rules first
// (matching.Space.Admit: a *matching.RefusedError). Without turn (a
// quote) it reads without waiting for the space's turn., then each session
// against the confirmed bookings within the space's turnaround of the
// request, and the requesting organisation's future confirmed hours there
// against the space's cap. Errors wrap matching.ErrNotFound (no such
// space) or are the database's.
func (db *DB) plan(tx *gorm.DB, req *matching.BookingRequest, turn bool, now time.Time) (matching.BookingOutcome, error) {
	space, loc, err := db.spaceForPlan(tx, req.SpaceID, turn && db.dialect == Postgres)
	if err != nil {
		return matching.BookingOutcome{}, err
	}
	if err := space.Admit(req, now); err != nil {
		return matching.BookingOutcome{}, err
	}
	booked, err := confirmedIn(tx, req.SpaceID, matching.Padded(matching.Span(req.Sessions), space.Turnaround()))
	if err != nil {
		return matching.BookingOutcome{}, err
	}
	var held time.Duration
	if space.MaxHoursPerOrganisation > 0 && space.InstantBook {
		if held, err = heldBy(tx, req.SpaceID, req.OrganisationID, now); err != nil {
			return matching.BookingOutcome{}, err
		}
	}
	o := matching.PlanBooking(req, space, loc, booked, held)
	if o.Booking != nil {
		o.Booking.SpaceOwnerID = space.OrganisationID
	}
	return o, nil
}

// Quote decides a booking request as Book would at this moment, and
// records nothing: no booking, no event, no idempotency key. The outcome
// holds the booking Book would make (without ID or times), or the
// conflicts that would refuse it. Errors are Book's, and a
// *matching.RefusedError for a request the space's own rules refuse.
func (db *DB) Quote(ctx context.Context, req *matching.BookingRequest) (*matching.BookingOutcome, error) {
	var out matching.BookingOutcome
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = db.plan(tx, req, false, db.now().UTC().Truncate(time.Microsecond))
		return err
	})
	if err != nil {
		return nil, translate(err, "quote")
	}
	return &out, nil
}

// heldBy is the future confirmed time an organisation holds at a space:
// the length of each of its confirmed occurrences there that has not yet
// ended.
func heldBy(tx *gorm.DB, spaceID, orgID string, now time.Time) (time.Duration, error) {
	var rows []occurrenceRow
	err := tx.Select("o.starts_at", "o.ends_at").Table("booking_occurrences o").
		Joins("JOIN bookings b ON b.id = o.booking_id").
		Where("o.space_id = ? AND b.organisation_id = ? AND o.status = ? AND o.ends_at > ?",
			spaceID, orgID, matching.OccurrenceConfirmed, now.UTC()).
		Find(&rows).Error
	if err != nil {
		return 0, err
	}
	var held time.Duration
	for _, r := range rows {
		held += r.EndsAt.Sub(r.StartsAt)
	}
	return held, nil
}

// writeRetrying is write, run again (up to maxBookingAttempts in all)
// when the transaction lost a race on PostgreSQL (see lostRace): the
// retry sees the winner's commit. fn must reset whatever it reports
// back, since it may run more than once.
func (db *DB) writeRetrying(ctx context.Context, fn func(tx *gorm.DB) ([]change, error)) error {
	for attempt := 1; ; attempt++ {
		err := db.write(ctx, fn)
		if err == nil || !lostRace(err) {
			return err
		}
		db.lostRaces.Add(1)
		if attempt >= maxBookingAttempts {
			return err
		}
	}
}

// LostRaces is the number of booking transactions that have failed, since
// Open, because a concurrent one committed first or PostgreSQL broke a
// deadlock between them; all but the last of maxBookingAttempts are
// retried. Bookings at one space take turns (see spaceForBooking), so
// bookers with their own Idempotency-Keys never lose a race at one space;
// two requests with one key still can (the second replays the first).
func (db *DB) LostRaces() uint64 { return db.lostRaces.Load() }

// keptReply looks up an idempotency key, forgetting it first if it has
// expired.
func (db *DB) keptReply(tx *gorm.DB, orgID string, idem *matching.Idempotency, now time.Time) (matching.Reply, bool, error) {
	ttl := idem.TTL
	if ttl <= 0 {
		ttl = matching.DefaultIdempotencyTTL
	}
	err := tx.Where("organisation_id = ? AND idem_key = ? AND created_at <= ?", orgID, idem.Key, now.Add(-ttl)).
		Delete(&idempotencyRow{}).Error
	if err != nil {
		return matching.Reply{}, false, err
	}
	var row idempotencyRow
	err = tx.Where("organisation_id = ? AND idem_key = ?", orgID, idem.Key).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return matching.Reply{}, false, nil
	case err != nil:
		return matching.Reply{}, false, err
	case row.RequestHash != idem.RequestHash:
		return matching.Reply{}, false, fmt.Errorf("%w: Idempotency-Key %q was first used %s for a different request; "+
			"send a new key for a new request", matching.ErrUnprocessable, idem.Key, row.CreatedAt.UTC().Format(time.RFC3339))
	}
	return matching.Reply{Status: row.Status, Body: []byte(row.Body), Replayed: true}, true, nil
}

// lostRace reports whether a PostgreSQL transaction failed only because a
// concurrent one committed first: an overlapping confirmed occurrence
// (exclusion violation) or the same key (unique violation).
func lostRace(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "23P01" || pgErr.Code == "23505" || pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// spaceForBooking reads a space and its venue's time zone in tx. On
// PostgreSQL it locks the space's row (FOR NO KEY UPDATE) until tx ends,
// so that transactions booking or approving at one space take turns: the
// next reads the confirmed occurrences after the last has committed, and
// answers a conflict from them. Without the turn they would meet in the
// exclusion constraint, whose checks of two concurrent inserts wait on each
// other; PostgreSQL breaks such a deadlock once a second (deadlock_timeout),
// and fifty retrying bookers can keep forming new ones until they time out.
// The lock leaves the rows referencing the space free to be inserted (their
// key-share locks do not conflict with it). SQLite runs one writer at a
// time.
func (db *DB) spaceForBooking(tx *gorm.DB, spaceID string) (*matching.Space, *time.Location, error) {
	return db.spaceForPlan(tx, spaceID, db.dialect == Postgres)
}

// spaceForPlan reads a space and its venue's time zone, locking the space's
// row when lock is set (see spaceForBooking).
func (db *DB) spaceForPlan(tx *gorm.DB, spaceID string, lock bool) (*matching.Space, *time.Location, error) {
	var row spaceRow
	q := tx.Where("id = ?", spaceID)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, nil, fmt.Errorf("space %s: %w", spaceID, err)
	}
	var tz string
	if err := tx.Raw("SELECT timezone FROM venues WHERE id = ?", row.VenueID).Row().Scan(&tz); err != nil {
		return nil, nil, fmt.Errorf("venue of space %s: %w", spaceID, err)
	}
	loc, err := matching.LoadLocation(tz)
	if err != nil {
		return nil, nil, fmt.Errorf("venue of space %s: %w", spaceID, err)
	}
	s := toSpace(&row)
	return &s, loc, nil
}

// confirmedIn returns the confirmed occurrences of a space that overlap
// span, by start.
func confirmedIn(tx *gorm.DB, spaceID string, span matching.Session) ([]matching.Session, error) {
	var rows []occurrenceRow
	err := tx.Select("starts_at", "ends_at").
		Where("space_id = ? AND status = ? AND starts_at < ? AND ends_at > ?",
			spaceID, matching.OccurrenceConfirmed, span.End.UTC(), span.Start.UTC()).
		Order("starts_at").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]matching.Session, len(rows))
	for i, r := range rows {
		out[i] = matching.Session{Start: r.StartsAt.UTC(), End: r.EndsAt.UTC()}
	}
	return out, nil
}

func insertBooking(tx *gorm.DB, b *matching.Booking) error {
	row := bookingRow{ID: b.ID, SpaceID: b.SpaceID, OrganisationID: b.OrganisationID, Status: string(b.Status),
		Purpose: b.Purpose, Tier: string(b.Tier), PencePerHour: b.PencePerHour, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	occ := make([]occurrenceRow, len(b.Occurrences))
	for i, o := range b.Occurrences {
		occ[i] = occurrenceRow{BookingID: b.ID, Seq: i, SpaceID: b.SpaceID, StartsAt: o.Start.UTC().Truncate(time.Microsecond),
			EndsAt: o.End.UTC().Truncate(time.Microsecond), Status: string(o.Status), Reason: o.Reason}
	}
	return tx.CreateInBatches(occ, 200).Error
}

// GetBooking returns a booking with its occurrences and the owner of its
// space, or an error wrapping matching.ErrNotFound.
func (db *DB) GetBooking(ctx context.Context, id string) (*matching.Booking, error) {
	b, err := getBooking(db.gorm.WithContext(ctx), id, false)
	if err != nil {
		return nil, translate(err, "booking "+id)
	}
	return b, nil
}

func getBooking(tx *gorm.DB, id string, forUpdate bool) (*matching.Booking, error) {
	var row bookingRow
	q := tx.Where("id = ?", id)
	if forUpdate { // PostgreSQL; SQLite has one writer at a time
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, err
	}
	b := &matching.Booking{ID: row.ID, SpaceID: row.SpaceID, OrganisationID: row.OrganisationID,
		Status: matching.BookingStatus(row.Status), Purpose: row.Purpose, Tier: matching.Tier(row.Tier), PencePerHour: row.PencePerHour,
		CreatedAt: utc(row.CreatedAt), UpdatedAt: utc(row.UpdatedAt)}
	if err := tx.Raw("SELECT organisation_id FROM spaces WHERE id = ?", row.SpaceID).Row().Scan(&b.SpaceOwnerID); err != nil {
		return nil, err
	}
	var occ []occurrenceRow
	if err := tx.Where("booking_id = ?", id).Order("seq").Find(&occ).Error; err != nil {
		return nil, err
	}
	b.Occurrences = make([]matching.Occurrence, len(occ))
	for i, o := range occ {
		b.Occurrences[i] = matching.Occurrence{Start: utc(o.StartsAt), End: utc(o.EndsAt),
			Status: matching.OccurrenceStatus(o.Status), Reason: o.Reason}
	}
	return b, nil
}

// ChangeBooking applies action to a booking in one transaction that holds
// the booking still, and returns the booking as committed. Approving
// checks every requested occurrence against the space as it stands (see
// matching.Booking.Approve), as Book does. The caller checks who may act;
// allowed, if not nil, runs on the booking read in the transaction and
// stops the change with its error.
//
// Errors wrap matching.ErrNotFound, or ErrConflict (a change the booking's
// status does not allow; an approval of which nothing can be confirmed,
// as a *matching.ConflictError naming the sessions), or are the
// database's.
func (db *DB) ChangeBooking(ctx context.Context, id string, action matching.BookingAction, allowed func(*matching.Booking) error) (*matching.Booking, error) {
	return db.changeBooking(ctx, id, allowed, func(tx *gorm.DB, b *matching.Booking) error {
		switch action {
		case matching.ApproveBooking:
			return db.approve(tx, b)
		case matching.DeclineBooking:
			return b.Decline()
		case matching.CancelBooking:
			return b.Cancel()
		}
		return fmt.Errorf("%w: unknown booking action %q", matching.ErrInvalid, action)
	}, func(tx *gorm.DB, b *matching.Booking) error {
		return db.emitBookingChange(tx, action, b)
	})
}

// CancelOccurrence cancels session index of a booking (see
// matching.Booking.CancelOccurrence, which decides by now) in one
// transaction, as ChangeBooking does, and returns the booking as
// committed; allowed is as for ChangeBooking.
func (db *DB) CancelOccurrence(ctx context.Context, id string, index int, now time.Time, allowed func(*matching.Booking) error) (*matching.Booking, error) {
	return db.changeBooking(ctx, id, allowed, func(_ *gorm.DB, b *matching.Booking) error {
		return b.CancelOccurrence(index, now)
	}, func(tx *gorm.DB, b *matching.Booking) error {
		return db.emitOccurrenceCancelled(tx, b, index)
	})
}

// changeBooking reads booking id, holding it, checks allowed, applies
// apply, saves what changed and records the event tell makes of it,
// logging its space when the sessions it holds changed.
func (db *DB) changeBooking(ctx context.Context, id string, allowed func(*matching.Booking) error,
	apply, tell func(tx *gorm.DB, b *matching.Booking) error) (*matching.Booking, error) {
	var out *matching.Booking
	err := db.writeRetrying(ctx, func(tx *gorm.DB) ([]change, error) {
		b, err := getBooking(tx, id, db.dialect == Postgres)
		if err != nil {
			return nil, err
		}
		if allowed != nil {
			if err := allowed(b); err != nil {
				return nil, err
			}
		}
		before := append([]matching.Occurrence(nil), b.Occurrences...)
		held := len(b.ConfirmedSessions()) > 0
		if err := apply(tx, b); err != nil {
			return nil, err
		}
		out = b
		if err := saveBookingChange(tx, b, before, db.now().UTC().Truncate(time.Microsecond)); err != nil {
			return nil, err
		}
		if err := tell(tx, b); err != nil {
			return nil, err
		}
		if held || len(b.ConfirmedSessions()) > 0 {
			return changed1(changeSpace, b.SpaceID), nil
		}
		return nil, nil
	})
	if err != nil {
		return nil, translate(err, "booking "+id)
	}
	return out, nil
}

func (db *DB) approve(tx *gorm.DB, b *matching.Booking) error {
	space, loc, err := db.spaceForBooking(tx, b.SpaceID)
	if err != nil {
		return err
	}
	var pending []matching.Session
	for _, o := range b.Occurrences {
		if o.Status == matching.OccurrenceRequested {
			pending = append(pending, matching.Session{Start: o.Start, End: o.End})
		}
	}
	var booked []matching.Session
	if len(pending) > 0 {
		if booked, err = confirmedIn(tx, b.SpaceID, matching.Padded(matching.Span(pending), space.Turnaround())); err != nil {
			return err
		}
	}
	_, err = b.Approve(space, loc, booked)
	return err
}

// saveBookingChange writes a booking's new status and every occurrence
// whose status changed.
func saveBookingChange(tx *gorm.DB, b *matching.Booking, before []matching.Occurrence, now time.Time) error {
	res := tx.Model(&bookingRow{}).Where("id = ?", b.ID).Updates(map[string]any{"status": string(b.Status), "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	b.UpdatedAt = now
	for i, o := range b.Occurrences {
		if o.Status == before[i].Status && o.Reason == before[i].Reason {
			continue
		}
		err := tx.Model(&occurrenceRow{}).Where("booking_id = ? AND seq = ?", b.ID, i).
			Updates(map[string]any{"status": string(o.Status), "reason": o.Reason}).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// PruneIdempotencyKeys forgets the idempotency keys older than keep.
func (db *DB) PruneIdempotencyKeys(ctx context.Context, keep time.Duration) error {
	cutoff := db.now().Add(-keep).UTC().Truncate(time.Microsecond)
	return translate(db.gorm.WithContext(ctx).Where("created_at <= ?", cutoff).Delete(&idempotencyRow{}).Error,
		"prune idempotency keys")
}
