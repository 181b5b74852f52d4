package matching

import (
	"fmt"
	"slices"
	"strings"
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
	// Tier is the price tier booked at and PencePerHour its price when the
	// booking was made: later changes to the space's prices leave it be.
	Tier         Tier
	PencePerHour int
	Occurrences  []Occurrence // by start
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SessionPence is the price of one session at pencePerHour, to the
// nearest penny (half a penny rounds up).
func SessionPence(pencePerHour int, s Session) int {
	secs := int64(s.End.Sub(s.Start) / time.Second)
	return int((int64(pencePerHour)*secs + 1800) / 3600)
}

// Charged reports whether an occurrence in this status is charged: it
// holds the space, or waits to. Cancelled, declined and refused sessions
// cost nothing.
func (s OccurrenceStatus) Charged() bool {
	return s == OccurrenceConfirmed || s == OccurrenceRequested
}

// Pence is the price of occurrence i, charged or not.
func (b *Booking) Pence(i int) int {
	o := b.Occurrences[i]
	return SessionPence(b.PencePerHour, Session{Start: o.Start, End: o.End})
}

// TotalPence is what the booking charges: the price of every occurrence
// that holds the space or waits to (see OccurrenceStatus.Charged).
func (b *Booking) TotalPence() int {
	total := 0
	for i, o := range b.Occurrences {
		if o.Status.Charged() {
			total += b.Pence(i)
		}
	}
	return total
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
	// Tier is the price tier asked for; empty reads as DefaultTier.
	Tier     Tier
	Sessions []Session
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
	if r.Tier != "" && !validTier(r.Tier) {
		ve.Add("tier", "unknown tier %s (one of community, standard, commercial)", quote(string(r.Tier)))
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

// tier is the tier the request asks for.
func (r *BookingRequest) tier() Tier {
	if r.Tier == "" {
		return DefaultTier
	}
	return r.Tier
}

// RefusedError is a well-formed request that the space's own rules turn
// down: a tier it does not price, a session past its booking horizon. It
// names the fields at fault and wraps ErrUnprocessable.
type RefusedError struct {
	Errors []FieldError
}

func (e *RefusedError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return "unprocessable: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.Is match ErrUnprocessable.
func (e *RefusedError) Unwrap() error { return ErrUnprocessable }

// Admit checks a request against the space's rules that refuse it as a
// whole rather than session by session: the tier must be one the space
// prices (a space that lists no prices at all is booked free, at any
// tier), and every session must start within the space's booking horizon
// of now. It returns a *RefusedError naming each, or nil.
func (s *Space) Admit(req *BookingRequest, now time.Time) error {
	var errs []FieldError
	if _, ok := s.PriceFor(req.tier()); !ok && len(s.Prices) > 0 {
		priced := make([]string, len(s.Prices))
		for i, p := range s.Prices {
			priced[i] = string(p.Tier)
		}
		msg := fmt.Sprintf("the space has no %s price", req.tier())
		if len(priced) > 0 {
			msg += fmt.Sprintf(" (it prices %s)", strings.Join(priced, ", "))
		}
		errs = append(errs, FieldError{Field: "tier", Message: msg})
	}
	limit := now.Add(s.Horizon())
	for i, sess := range req.Sessions {
		if beyondHorizon(sess.Start, now, s.HorizonDays()) {
			errs = append(errs, FieldError{Field: fmt.Sprintf("sessions[%d].start", i),
				Message: fmt.Sprintf("is past the space's booking horizon: sessions may start until %s (%d days ahead)",
					limit.UTC().Format(time.RFC3339), s.HorizonDays())})
			if len(errs) >= 10 {
				break
			}
		}
	}
	if len(errs) > 0 {
		return &RefusedError{Errors: errs}
	}
	return nil
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
// overlapping; those outside the request's Span, Padded by the space's
// turnaround, may be left out), none of which may come within the
// turnaround of a session. Each session is checked on its own; a free one
// is confirmed on an instant space and requested otherwise. held is the
// future confirmed time the requesting organisation already holds at the
// space: when it and the free sessions together pass the space's
// MaxHoursPerOrganisation, the free sessions are requested even on an
// instant space, for the owner to decide. The booking is priced at the
// request's tier (nothing for a tier the space does not price: see
// Space.Admit).
//
// The outcome holds a booking (ID, times and parties left for the caller
// to fill in) when something can be booked: every session is free, or
// SkipConflicts is set and at least one is. Otherwise Booking is nil and
// Conflicts says why, session by session.
func PlanBooking(req *BookingRequest, space *Space, loc *time.Location, booked []Session, held time.Duration) BookingOutcome {
	sessions := slices.Clone(req.Sessions)
	slices.SortFunc(sessions, func(a, b Session) int { return a.Start.Compare(b.Start) })
	free := OccurrenceRequested
	if space.InstantBook {
		free = OccurrenceConfirmed
	}
	var out BookingOutcome
	occ := make([]Occurrence, len(sessions))
	nfree := 0
	var asked time.Duration
	for i, s := range sessions {
		occ[i] = Occurrence{Start: s.Start, End: s.End, Status: free}
		switch reason := space.Unavailability(s, loc, booked); reason {
		case "":
			nfree++
			asked += s.End.Sub(s.Start)
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
		if capped := space.MaxHoursPerOrganisation; capped > 0 && held+asked > time.Duration(capped)*time.Hour {
			status = BookingRequested
			for i := range occ {
				if occ[i].Status == OccurrenceConfirmed {
					occ[i].Status = OccurrenceRequested
				}
			}
		}
	}
	pph, _ := space.PriceFor(req.tier())
	out.Booking = &Booking{SpaceID: space.ID, OrganisationID: req.OrganisationID, SpaceOwnerID: space.OrganisationID,
		Status: status, Purpose: req.Purpose, Tier: req.tier(), PencePerHour: pph, Occurrences: occ}
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

// CalendarEntry is one confirmed session, for a space's or an
// organisation's calendar. OrganisationID and OrganisationName are the
// organisation that booked; the space, its venue and its owner say where
// and with whom.
type CalendarEntry struct {
	BookingID        string
	Seq              int
	OrganisationID   string
	OrganisationName string
	Purpose          string
	Start, End       time.Time
	// Stamp is when the booking last changed.
	Stamp time.Time

	SpaceID, SpaceName string
	VenueName, Address string
	Postcode           string
	OwnerID, OwnerName string
}

// Calendar is the confirmed sessions of a space or an organisation, by
// start, and when anything it shows last changed (a booking, including one
// since cancelled; a space, venue or organisation named in it).
type Calendar struct {
	Entries  []CalendarEntry
	Modified time.Time
}

// CalendarWindow is how far back a space's calendar reaches.
const CalendarWindow = 365 * 24 * time.Hour
