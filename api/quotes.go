package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// QuoteStatus is the status of the booking a quote answers with: what the
// request would book and charge, booked by nobody.
const QuoteStatus = "quote"

// quote serves POST /v1/spaces/{id}/quote: a booking body (as for
// createBooking, read by ParseBooking) decided as booking it would be at
// this moment, by the store's same rules (tier, horizon, opening hours,
// closures, bookings and their turnaround, the organisation's cap), and
// nothing recorded: no booking, no event, no idempotency key (an
// Idempotency-Key header is ignored). 200 with the booking it would make,
// status "quote", no id; 409 with the conflicts when booking would be
// refused for them; 422 for a tier the space does not price or a session
// past its horizon, as booking answers.
func (h *handler) quote(c *gin.Context) {
	who := caller(c)
	if who.OrganisationID == "" {
		fail(c, fmt.Errorf("%w: quotes are for an organisation that would book: use its token", matching.ErrForbidden))
		return
	}
	body, err := readJSONBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	req, err := ParseBooking(body, c.Param("id"), who.OrganisationID, h.now())
	if err != nil {
		fail(c, err)
		return
	}
	o, err := h.store.Quote(c.Request.Context(), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	if !o.Booked() {
		reply, err := renderOutcome(c, o)
		if err != nil {
			fail(c, err)
			return
		}
		c.Data(reply.Status, "application/problem+json", reply.Body)
		return
	}
	now := h.now()
	o.Booking.CreatedAt, o.Booking.UpdatedAt = now, now
	env := BookingEnvelope{Booking: toBookingJSON(o.Booking)}
	env.Booking.Status = QuoteStatus
	if len(o.Conflicts) > 0 {
		env.Conflicts = toConflicts(o.Conflicts)
	}
	out, err := json.Marshal(env)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", out)
}
