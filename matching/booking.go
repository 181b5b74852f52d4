package matching

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// BookingStatus is where a booking as a whole stands.
type BookingStatus string

// The booking statuses. A booking is confirmed while at least one of its
// occurrences holds the space, requested while it waits for the owner.
const (
	BookingRequested BookingStatus = "requested"
	BookingConfirmed BookingStatus = "confirmed"
	BookingDeclined  BookingStatus = "declined"
	BookingCancelled BookingStatus = "cancelled"
)

// OccurrenceStatus is where one session of a booking stands.
type OccurrenceStatus string

// The occurrence statuses. Only a confirmed occurrence holds the space;
// conflict and outside_hours record sessions that could not be booked
// (with skip_conflicts), so the booking shows every session asked for.
const (
	OccurrenceConfirmed    OccurrenceStatus = "confirmed"
	OccurrenceRequested    OccurrenceStatus = "requested"
	OccurrenceConflict     OccurrenceStatus = "conflict"
	OccurrenceOutsideHours OccurrenceStatus = "outside_hours"
	OccurrenceDeclined     OccurrenceStatus = "declined"
	OccurrenceCancelled    OccurrenceStatus = "cancelled"
)

// MaxPurposeLength bounds a booking's purpose, in characters.
const MaxPurposeLength = 500

// Occurrence is one session of a booking. Reason says why a session was
// not booked (ReasonBooked, ReasonOutsideHours, ReasonClosure), empty
// otherwise.
type Occurrence struct {
	Start, End time.Time
	Status     OccurrenceStatus
	Reason     string
}

// Booking is an organisation's booking of one space for one or more
// sessions.
type Booking struct {
	ID             string
	SpaceID        string
	OrganisationID string // who booked
	// SpaceOwnerID is the organisation that owns the space: it approves
	// or declines requests. Read from the space; never stored twice.
	SpaceOwnerID string
	Status       BookingStatus
	Purpose      string
	Occurrences  []Occurrence // by start
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Party reports whether orgID is one of the booking's two parties: the
// organisation that booked or the space's owner.
func (b *Booking) Party(orgID string) bool {
	return orgID != "" && (orgID == b.OrganisationID || orgID == b.SpaceOwnerID)
}

// BookingRequest asks to book a space for some sessions.
type BookingRequest struct {
	SpaceID        string
	OrganisationID string
	Purpose        string
	Sessions       []Session
	// SkipConflicts books the sessions that are free and reports the
	// rest; without it one session that cannot be booked books nothing.
	SkipConflicts bool
}

// Validate checks the request against the clock: sessions as
// ValidateSessions wants them, each starting after now, and a purpose of
// at most MaxPurposeLength characters. It returns a *ValidationError.
func (r *BookingRequest) Validate(now time.Time) error {
	ve := &ValidationError{}
	if utf8.RuneCountInString(r.Purpose) > MaxPurposeLength {
		ve.Add("purpose", "must be at most %d characters", MaxPurposeLength)
	}
	if err := ValidateSessions(r.Sessions); err != nil {
		ve.Merge("", err)
	} else {
		for i, s := range r.Sessions {
			if !s.Start.After(now) {
				ve.Add(fmt.Sprintf("sessions[%d].start", i), "is in the past: a session must start after %s", now.UTC().Format(time.RFC3339))
			}
		}
	}
	return ve.Err()
}

// BookingOutcome is what came of a booking request: the booking made, or
// nil when nothing could be booked, and every session that could not be.
type BookingOutcome struct {
	Booking   *Booking
	Conflicts []SessionConflict
}

// Booked reports whether the request booked anything.
func (o *BookingOutcome) Booked() bool { return o.Booking != nil }

// Span returns the earliest start and the latest end of sessions, the
// period whose confirmed bookings a plan must see.
func Span(sessions []Session) Session {
	var out Session
	for i, s := range sessions {
		if i == 0 || s.Start.Before(out.Start) {
			out.Start = s.Start
		}
		if i == 0 || s.End.After(out.End) {
			out.End = s.End
		}
	}
	return out
}

// PlanBooking decides a booking request against the space as it stands:
// its opening hours and closures, read in loc (the venue's zone), and the
// confirmed booked periods of the space (sorted by start, not
// overlapping; those outside the request's Span may be left out). Each
// session is checked on its own; a free one is confirmed on an instant
// space and requested otherwise.
//
// The outcome holds a booking (ID, times and parties left for the caller
// to fill in) when something can be booked: every session is free, or
// SkipConflicts is set and at least one is. Otherwise Booking is nil and
// Conflicts says why, session by session.
func PlanBooking(req *BookingRequest, space *Space, loc *time.Location, booked []Session) BookingOutcome {
	sessions := slices.Clone(req.Sessions)
	slices.SortFunc(sessions, func(a, b Session) int { return a.Start.Compare(b.Start) })
	free := OccurrenceRequested
	if space.InstantBook {
		free = OccurrenceConfirmed
	}
	var out BookingOutcome
	occ := make([]Occurrence, len(sessions))
	nfree := 0
	for i, s := range sessions {
		occ[i] = Occurrence{Start: s.Start, End: s.End, Status: free}
		switch reason := space.Unavailability(s, loc, booked); reason {
		case "":
			nfree++
		case ReasonBooked:
			occ[i].Status, occ[i].Reason = OccurrenceConflict, reason
		default:
			occ[i].Status, occ[i].Reason = OccurrenceOutsideHours, reason
		}
		if occ[i].Reason != "" {
			out.Conflicts = append(out.Conflicts, SessionConflict{Start: s.Start, End: s.End, Reason: occ[i].Reason})
		}
	}
	if nfree == 0 || (len(out.Conflicts) > 0 && !req.SkipConflicts) {
		return out
	}
	status := BookingRequested
	if space.InstantBook {
		status = BookingConfirmed
	}
	out.Booking = &Booking{SpaceID: space.ID, OrganisationID: req.OrganisationID, SpaceOwnerID: space.OrganisationID,
		Status: status, Purpose: req.Purpose, Occurrences: occ}
	return out
}

// Approve confirms a requested booking's requested occurrences that the
// space can still take (its hours, closures and the confirmed periods
// booked, as for PlanBooking); those it cannot take become conflict or
// outside_hours and are returned. It returns an error wrapping ErrConflict
// when the booking is not waiting for approval, or when no occurrence can
// be confirmed (the booking is then unchanged).
func (b *Booking) Approve(space *Space, loc *time.Location, booked []Session) ([]SessionConflict, error) {
	if b.Status != BookingRequested {
		return nil, fmt.Errorf("%w: the booking is %s, and only a requested booking can be approved", ErrConflict, b.Status)
	}
	next := slices.Clone(b.Occurrences)
	var conflicts []SessionConflict
	confirmed := 0
	for i, o := range next {
		if o.Status != OccurrenceRequested {
			continue
		}
		reason := space.Unavailability(Session{Start: o.Start, End: o.End}, loc, booked)
		switch reason {
		case "":
			next[i].Status = OccurrenceConfirmed
			confirmed++
			continue
		case ReasonBooked:
			next[i].Status = OccurrenceConflict
		default:
			next[i].Status = OccurrenceOutsideHours
		}
		next[i].Reason = reason
		conflicts = append(conflicts, SessionConflict{Start: o.Start, End: o.End, Reason: next[i].Reason})
	}
	if confirmed == 0 {
		return conflicts, &ConflictError{Msg: "no session of the booking can be confirmed any more", Conflicts: conflicts}
	}
	b.Occurrences, b.Status = next, BookingConfirmed
	return conflicts, nil
}

// Decline turns down a requested booking. It returns an error wrapping
// ErrConflict when the booking is not waiting for approval.
func (b *Booking) Decline() error {
	if b.Status != BookingRequested {
		return fmt.Errorf("%w: the booking is %s, and only a requested booking can be declined", ErrConflict, b.Status)
	}
	b.Status = BookingDeclined
	for i := range b.Occurrences {
		if b.Occurrences[i].Status == OccurrenceRequested {
			b.Occurrences[i].Status = OccurrenceDeclined
		}
	}
	return nil
}

// Cancel cancels a requested or confirmed booking, freeing every session
// it holds. Cancelling a cancelled booking changes nothing; a declined one
// returns an error wrapping ErrConflict.
func (b *Booking) Cancel() error {
	switch b.Status {
	case BookingCancelled:
		return nil
	case BookingDeclined:
		return fmt.Errorf("%w: the booking was declined, and there is nothing to cancel", ErrConflict)
	}
	b.Status = BookingCancelled
	for i := range b.Occurrences {
		if s := b.Occurrences[i].Status; s == OccurrenceConfirmed || s == OccurrenceRequested {
			b.Occurrences[i].Status = OccurrenceCancelled
		}
	}
	return nil
}

// CancelOccurrence cancels session i of a requested or confirmed booking,
// freeing it while the others stand; when no session is left held, the
// booking is cancelled too. Cancelling a cancelled session changes
// nothing. It returns an error wrapping ErrNotFound for an index the
// booking does not have, and ErrConflict for a session that was never
// held (declined, or refused when booked) or that began before now.
func (b *Booking) CancelOccurrence(i int, now time.Time) error {
	if i < 0 || i >= len(b.Occurrences) {
		return fmt.Errorf("%w: the booking has sessions 0 to %d, not %d", ErrNotFound, len(b.Occurrences)-1, i)
	}
	o := &b.Occurrences[i]
	switch o.Status {
	case OccurrenceCancelled:
		return nil
	case OccurrenceConfirmed, OccurrenceRequested:
	default:
		return fmt.Errorf("%w: session %d is %s: it was never held, so there is nothing to cancel", ErrConflict, i, o.Status)
	}
	if !o.Start.After(now) {
		return fmt.Errorf("%w: session %d began at %s, and a session can be cancelled only before it begins",
			ErrConflict, i, o.Start.UTC().Format(time.RFC3339))
	}
	o.Status = OccurrenceCancelled
	for _, x := range b.Occurrences {
		if x.Status == OccurrenceConfirmed || x.Status == OccurrenceRequested {
			return nil
		}
	}
	b.Status = BookingCancelled
	return nil
}

// ConfirmedSessions returns the sessions the booking holds.
func (b *Booking) ConfirmedSessions() []Session {
	var out []Session
	for _, o := range b.Occurrences {
		if o.Status == OccurrenceConfirmed {
			out = append(out, Session{Start: o.Start, End: o.End})
		}
	}
	return out
}

// ConflictError is a conflict that comes with the sessions behind it. It
// wraps ErrConflict.
type ConflictError struct {
	Msg       string
	Conflicts []SessionConflict
}

func (e *ConflictError) Error() string { return "conflict: " + e.Msg }

// Unwrap lets errors.Is match ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Valid reports whether s is a booking status.
func (s BookingStatus) Valid() bool {
	switch s {
	case BookingRequested, BookingConfirmed, BookingDeclined, BookingCancelled:
		return true
	}
	return false
}

// BookingFilter selects bookings: those PartyID made or holds the space
// of (when set), of one space, in one status.
type BookingFilter struct {
	Page
	PartyID string
	SpaceID string
	Status  BookingStatus
}

// BookingAction is a change of a booking's status.
type BookingAction string

// The booking actions: the space's owner approves or declines a request;
// either party cancels.
const (
	ApproveBooking BookingAction = "approve"
	DeclineBooking BookingAction = "decline"
	CancelBooking  BookingAction = "cancel"
)

// CalendarEntry is one confirmed session of a space, for its calendar.
type CalendarEntry struct {
	BookingID        string
	Seq              int
	OrganisationID   string
	OrganisationName string
	Purpose          string
	Start, End       time.Time
	// Stamp is when the booking last changed.
	Stamp time.Time
}

// CalendarWindow is how far back a space's calendar reaches.
const CalendarWindow = 365 * 24 * time.Hour
