package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
)

// BookingStore is what the booking endpoints need of the database.
// *store.DB implements it.
type BookingStore interface {
	Book(ctx context.Context, id string, req *matching.BookingRequest, idem *matching.Idempotency, render matching.Render) (matching.Reply, *matching.BookingOutcome, error)
	Quote(ctx context.Context, req *matching.BookingRequest) (*matching.BookingOutcome, error)
	GetBooking(ctx context.Context, id string) (*matching.Booking, error)
	ListBookings(ctx context.Context, f matching.BookingFilter) ([]matching.Booking, error)
	ChangeBooking(ctx context.Context, id string, action matching.BookingAction, allowed func(*matching.Booking) error) (*matching.Booking, error)
	CancelOccurrence(ctx context.Context, id string, index int, now time.Time, allowed func(*matching.Booking) error) (*matching.Booking, error)
	SpaceCalendar(ctx context.Context, spaceID string, since time.Time) (matching.Calendar, error)
	OrganisationCalendar(ctx context.Context, orgID string, since time.Time) (matching.Calendar, error)
	SetCalendarKey(ctx context.Context, orgID, hash string) error
	CalendarKeyMatches(ctx context.Context, orgID, hash string) (bool, error)
	// LostRaces counts the booking transactions that lost a race to a
	// concurrent one since the store opened (see store.DB.LostRaces).
	LostRaces() uint64
}

// bookingIn is the body of POST /v1/spaces/{id}/bookings.
type bookingIn struct {
	Sessions      []sessionIn `json:"sessions"`
	Weekly        *weeklyIn   `json:"weekly"`
	Purpose       string      `json:"purpose"`
	SkipConflicts bool        `json:"skip_conflicts"`
	Tier          string      `json:"tier"`
}

// Occurrence is the API shape of one session of a booking.
type Occurrence struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Pence is the session's price at the booking's tier; only the
	// confirmed and requested sessions count towards total_pence.
	Pence int `json:"pence"`
}

// Booking is the API shape of a booking.
type Booking struct {
	ID             string       `json:"id"`
	SpaceID        string       `json:"space_id"`
	OrganisationID string       `json:"organisation_id"`
	SpaceOwnerID   string       `json:"space_owner_id"`
	Status         string       `json:"status"`
	Purpose        string       `json:"purpose"`
	Tier           string       `json:"tier"`
	PencePerHour   int          `json:"pence_per_hour"`
	TotalPence     int          `json:"total_pence"`
	Occurrences    []Occurrence `json:"occurrences"`
	CreatedAt      string       `json:"created_at"`
	UpdatedAt      string       `json:"updated_at"`
}

// BookingEnvelope is the body of every booking answer. Conflicts lists
// the sessions a request with skip_conflicts could not book.
type BookingEnvelope struct {
	Booking   Booking           `json:"booking"`
	Conflicts []SessionConflict `json:"conflicts,omitempty"`
}

func toBookingJSON(b *matching.Booking) Booking {
	out := Booking{ID: b.ID, SpaceID: b.SpaceID, OrganisationID: b.OrganisationID, SpaceOwnerID: b.SpaceOwnerID,
		Status: string(b.Status), Purpose: b.Purpose, Tier: string(b.Tier), PencePerHour: b.PencePerHour, TotalPence: b.TotalPence(),
		Occurrences: make([]Occurrence, len(b.Occurrences)), CreatedAt: rfc3339(b.CreatedAt), UpdatedAt: rfc3339(b.UpdatedAt)}
	for i, o := range b.Occurrences {
		out.Occurrences[i] = Occurrence{Start: rfc3339(o.Start), End: rfc3339(o.End), Status: string(o.Status), Reason: o.Reason,
			Pence: b.Pence(i)}
	}
	return out
}

// ParseBooking reads the body of a booking request for a space by an
// organisation, and checks it against now (sessions must start after it).
// Errors wrap matching.ErrInvalid and name the fields at fault.
func ParseBooking(body []byte, spaceID, orgID string, now time.Time) (*matching.BookingRequest, error) {
	var in bookingIn
	if err := DecodeStrict(body, &in); err != nil {
		return nil, err
	}
	ve := &matching.ValidationError{}
	sessions := sessionsOf(ve, in.Sessions, in.Weekly)
	if err := ve.Err(); err != nil {
		return nil, err
	}
	tier := matching.Tier(in.Tier)
	if tier == "" {
		tier = matching.DefaultTier
	}
	req := &matching.BookingRequest{SpaceID: spaceID, OrganisationID: orgID, Purpose: in.Purpose, Tier: tier,
		Sessions: sessions, SkipConflicts: in.SkipConflicts}
	if err := req.Validate(now); err != nil {
		return nil, err
	}
	return req, nil
}

// maxIdempotencyKey is the longest Idempotency-Key accepted, in bytes.
const maxIdempotencyKey = 255

// idempotencyOf reads the Idempotency-Key header: nil when there is none;
// an error wrapping matching.ErrInvalid when it is not 1–255 visible ASCII
// characters. The request hash covers the path and the body, so the same
// key sent to another space, or with another body, is a different request.
func idempotencyOf(c *gin.Context, body []byte) (*matching.Idempotency, error) {
	vals := c.Request.Header.Values("Idempotency-Key")
	if len(vals) == 0 {
		return nil, nil
	}
	key := vals[0]
	ok := len(vals) == 1 && len(key) >= 1 && len(key) <= maxIdempotencyKey
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > 0x20 && key[i] < 0x7f
	}
	if !ok {
		return nil, matching.Invalid("Idempotency-Key", "must be one header of 1 to %d visible ASCII characters", maxIdempotencyKey)
	}
	sum := sha256.New()
	sum.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n"))
	sum.Write(body)
	return &matching.Idempotency{Key: key, RequestHash: hex.EncodeToString(sum.Sum(nil))}, nil
}

func (h *handler) createBooking(c *gin.Context) {
	who := caller(c)
	if who.OrganisationID == "" {
		fail(c, fmt.Errorf("%w: bookings are made by an organisation: use its token", matching.ErrForbidden))
		return
	}
	body, err := readJSONBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	idem, err := idempotencyOf(c, body)
	if err != nil {
		fail(c, err)
		return
	}
	req, err := ParseBooking(body, c.Param("id"), who.OrganisationID, h.now())
	if err != nil {
		fail(c, err)
		return
	}
	id := uuid.Must(uuid.NewV7()).String()
	audit(c, who.OrganisationID, "booking.requested", "booking", id)
	reply, outcome, err := h.store.Book(c.Request.Context(), id, req, idem, func(o *matching.BookingOutcome) (matching.Reply, error) {
		return renderOutcome(c, o)
	})
	if err != nil {
		fail(c, err)
		return
	}
	if outcome != nil && outcome.Booked() {
		if len(outcome.Booking.ConfirmedSessions()) > 0 {
			h.catchUp(c) // a request holds nothing the read model needs
		}
		c.Header("Location", "/v1/bookings/"+outcome.Booking.ID)
	}
	h.metrics.bookings.WithLabelValues(bookingOutcome(reply.Status, reply.Replayed)).Inc()
	if reply.Replayed {
		c.Header("Idempotent-Replayed", "true")
		var first BookingEnvelope
		if reply.Status == http.StatusCreated && json.Unmarshal(reply.Body, &first) == nil && first.Booking.ID != "" {
			c.Header("Location", "/v1/bookings/"+first.Booking.ID)
		}
	}
	contentType := "application/json; charset=utf-8"
	if reply.Status >= 400 {
		contentType = "application/problem+json"
		c.Header("Cache-Control", "no-store")
	}
	c.Data(reply.Status, contentType, reply.Body)
}

// renderOutcome is the answer to a booking request: 201 with the booking,
// or 409 with every session that could not be booked.
func renderOutcome(c *gin.Context, o *matching.BookingOutcome) (matching.Reply, error) {
	if !o.Booked() {
		msg := "no session could be booked"
		if len(o.Conflicts) > 0 {
			msg = fmt.Sprintf("%d of the sessions asked for cannot be booked, so nothing was booked "+
				"(send skip_conflicts: true to book the others)", len(o.Conflicts))
		}
		p := problemOf(c, &matching.ConflictError{Msg: msg, Conflicts: o.Conflicts})
		body, err := json.Marshal(p)
		return matching.Reply{Status: p.Status, Body: body}, err
	}
	env := BookingEnvelope{Booking: toBookingJSON(o.Booking)}
	if len(o.Conflicts) > 0 {
		env.Conflicts = toConflicts(o.Conflicts)
	}
	body, err := json.Marshal(env)
	return matching.Reply{Status: http.StatusCreated, Body: body}, err
}

func (h *handler) getBooking(c *gin.Context) {
	b, err := h.store.GetBooking(c.Request.Context(), c.Param("id"))
	if err == nil {
		err = mayRead(caller(c), b)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, BookingEnvelope{Booking: toBookingJSON(b)})
}

// listBookings serves GET /v1/bookings: the bookings the caller made or
// holds the space of, newest last, optionally of one space (space_id) or
// in one status. The operator sees every booking.
func (h *handler) listBookings(c *gin.Context) {
	who := caller(c)
	q := c.Request.URL.Query()
	p := newQueryParser(q, "space_id", "status", "limit", "cursor")
	limit := p.limit()
	key := queryKey(c.Request.URL.Path, q)
	after := p.cursor(key, false)
	f := matching.BookingFilter{PartyID: who.OrganisationID, SpaceID: p.id("space_id"), Status: matching.BookingStatus(p.str("status"))}
	if f.Status != "" && !f.Status.Valid() {
		p.ve.Add("status", "unknown status %q (one of requested, confirmed, declined, cancelled)", clip(string(f.Status)))
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	f.Page = pageAfter(limit, after)
	bs, err := h.store.ListBookings(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, linked(c, pageOf(bs, limit, key, func(b *matching.Booking) string { return b.ID }, toBookingJSON)))
}

// mayRead lets the two parties of a booking and the operator see it; to
// anyone else it does not exist.
func mayRead(who Caller, b *matching.Booking) error {
	if who.Operator || b.Party(who.OrganisationID) {
		return nil
	}
	return fmt.Errorf("booking %s: %w", b.ID, matching.ErrNotFound)
}

// cancelOccurrence cancels one session of a booking (either party): 200
// with the booking, 400 for an index that is not a whole number, 404 for
// one the booking does not have, 409 for a session never held or already
// begun.
func (h *handler) cancelOccurrence(c *gin.Context) {
	index, err := strconv.Atoi(c.Param("index"))
	if err != nil || index < 0 || index >= matching.MaxSessions {
		ve := &matching.ValidationError{}
		ve.Add("index", "must be a session's number, a whole number from 0, got %q", clip(c.Param("index")))
		fail(c, ve)
		return
	}
	who := caller(c)
	audit(c, "", "booking.occurrence_cancelled", "booking", c.Param("id"))
	b, err := h.store.CancelOccurrence(c.Request.Context(), c.Param("id"), index, h.now().UTC(), func(b *matching.Booking) error {
		return mayRead(who, b)
	})
	if err != nil {
		fail(c, err)
		return
	}
	h.catchUp(c)
	c.JSON(http.StatusOK, BookingEnvelope{Booking: toBookingJSON(b)})
}

// changeBooking serves approve and decline (the space's owner) and cancel
// (either party).
func (h *handler) changeBooking(action matching.BookingAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		who := caller(c)
		audit(c, "", "booking."+string(action), "booking", c.Param("id"))
		b, err := h.store.ChangeBooking(c.Request.Context(), c.Param("id"), action, func(b *matching.Booking) error {
			if err := mayRead(who, b); err != nil {
				return err
			}
			if action != matching.CancelBooking && !who.Operator && who.OrganisationID != b.SpaceOwnerID {
				return fmt.Errorf("%w: only the space's owner can %s a booking", matching.ErrForbidden, action)
			}
			return nil
		})
		if err != nil {
			fail(c, err)
			return
		}
		h.catchUp(c)
		c.JSON(http.StatusOK, BookingEnvelope{Booking: toBookingJSON(b)})
	}
}
