package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// spaceCalendar serves GET /v1/spaces/{id}/calendar.ics: an RFC 5545
// calendar with one VEVENT per confirmed session of the space, from a year
// ago on, each with the venue as its LOCATION. Anyone may read the times;
// the space's owner (and the operator) also see which organisation booked
// each session and for what (DESCRIPTION). It carries an ETag, and a GET
// whose If-None-Match names it gets 304, so a calendar client's refresh
// costs little when nothing changed; likewise Last-Modified and
// If-Modified-Since (see writeCalendar).
func (h *handler) spaceCalendar(c *gin.Context) {
	ctx := c.Request.Context()
	s, err := h.store.GetSpace(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	cal, err := h.store.SpaceCalendar(ctx, s.ID, h.now().Add(-matching.CalendarWindow))
	if err != nil {
		fail(c, err)
		return
	}
	entries := cal.Entries
	v, err := h.store.GetVenue(ctx, s.VenueID)
	if err != nil {
		fail(c, err)
		return
	}
	who := caller(c)
	named := who.CanWrite(s.OrganisationID)
	body := []byte(renderCalendar(s.Name, s.ID, venueLocation(v), entries, named))
	c.Header("Cache-Control", "private, no-cache")
	c.Writer.Header().Add("Vary", "Authorization")
	writeCalendar(c, body, latest(cal.Modified, s.UpdatedAt, v.UpdatedAt))
}

// latest is the latest of ts.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// writeCalendar answers with a calendar body, its ETag and, when known,
// its Last-Modified (to the second, as HTTP dates are). A GET or HEAD
// whose If-None-Match names the ETag, or (without If-None-Match, which
// wins, RFC 9110 §13.1.3) whose If-Modified-Since is no earlier than
// Last-Modified, gets 304.
func writeCalendar(c *gin.Context, body []byte, modified time.Time) {
	modified = modified.UTC().Truncate(time.Second)
	if !modified.IsZero() {
		c.Header("Last-Modified", modified.Format(http.TimeFormat))
		m := c.Request.Method
		if (m == http.MethodGet || m == http.MethodHead) && len(c.Request.Header.Values("If-None-Match")) == 0 {
			if since, err := http.ParseTime(c.GetHeader("If-Modified-Since")); err == nil && !modified.After(since) {
				// The tag a 200 would have carried: compress suffixes it
				// only on a 304 that answers a tag the client sent.
				c.Header("ETag", notModifiedTag(c.Request, true, bodyETag(body), len(body)))
				c.Status(http.StatusNotModified)
				return
			}
		}
	}
	writeTaggedBody(c, http.StatusOK, "text/calendar; charset=utf-8", bodyETag(body), body)
}

// venueLocation is a venue as a calendar's LOCATION: its name, address
// and postcode, those it has.
func venueLocation(v *matching.Venue) string {
	var parts []string
	for _, p := range []string{v.Name, v.Address, v.Postcode} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// renderCalendar writes the calendar of a space: CRLF line ends, lines
// folded at 75 octets, text escaped, times in UTC. Each session's UID is
// its booking and place in the booking, stable across fetches, so a
// calendar client updates events rather than duplicating them.
func renderCalendar(name, spaceID, location string, entries []matching.CalendarEntry, named bool) string {
	var b strings.Builder
	line := func(s string) { foldLine(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Common Ground//Space calendar//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icsText(name))
	for _, e := range entries {
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:%s-%d@commonground", e.BookingID, e.Seq))
		line("DTSTAMP:" + icsTime(e.Stamp))
		line("DTSTART:" + icsTime(e.Start))
		line("DTEND:" + icsTime(e.End))
		summary := "Booked: " + name
		if named {
			summary = "Booked by " + e.OrganisationName + ": " + name
		}
		line("SUMMARY:" + icsText(summary))
		if location != "" {
			line("LOCATION:" + icsText(location))
		}
		if named {
			desc := "Booked by " + e.OrganisationName
			if e.Purpose != "" {
				desc = e.Purpose + "\n" + desc
			}
			line("DESCRIPTION:" + icsText(desc))
		}
		line("STATUS:CONFIRMED")
		line("TRANSP:OPAQUE")
		line("X-COMMONGROUND-SPACE-ID:" + spaceID)
		if named {
			line("X-COMMONGROUND-ORGANISATION-ID:" + e.OrganisationID)
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

// icsTime is a UTC DATE-TIME (RFC 5545 §3.3.5, form 2).
func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
// Other control characters, which TEXT may not hold, become spaces.
func icsText(s string) string {
	s = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// foldLine writes one content line, folded so no physical line passes 75
// octets (RFC 5545 §3.1), never inside a UTF-8 sequence, ending in CRLF.
func foldLine(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

// CalendarKey is the answer to POST /v1/organisations/{id}/calendar-key:
// the new key, shown this once, and the calendar's path with it.
type CalendarKey struct {
	Key         string `json:"key"`
	CalendarURL string `json:"calendar_url"`
}

// newCalendarKey makes a random calendar key.
func newCalendarKey() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "cgcal_" + hex.EncodeToString(b)
}

// createCalendarKey serves POST /v1/organisations/{id}/calendar-key (an
// admin of the organisation, or the operator): 201 with a new key for the
// organisation's calendar, which voids the one before. Only its hash is
// kept.
func (h *handler) createCalendarKey(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok || !mustAdmin(c, o.ID, "make a calendar key") {
		return
	}
	key := newCalendarKey()
	audit(c, o.ID, "calendar_key.created", "organisation", o.ID)
	if err := h.store.SetCalendarKey(c.Request.Context(), o.ID, HashToken(key)); err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, CalendarKey{Key: key,
		CalendarURL: "/v1/organisations/" + o.ID + "/calendar.ics?key=" + url.QueryEscape(key)})
}

// organisationCalendar serves GET /v1/organisations/{id}/calendar.ics?key=K:
// an RFC 5545 calendar of every confirmed session, from a year ago on,
// where the organisation books or owns the space, each with its venue
// (LOCATION) and its purpose and the other party (DESCRIPTION). The key
// (see createCalendarKey) is the only credential, so that a calendar
// application can subscribe to the address; a missing, wrong or voided key
// is 404, as for any private resource one may not see, and says nothing of
// whether the organisation has a calendar. ETag and Last-Modified as for
// a space's calendar.
func (h *handler) organisationCalendar(c *gin.Context) {
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	keys := q["key"]
	notFound := fmt.Errorf("%w: no calendar at this address: ask an admin of the organisation for its current calendar link",
		matching.ErrNotFound)
	if len(keys) != 1 || keys[0] == "" || len(keys[0]) > 200 {
		fail(c, notFound)
		return
	}
	for name := range q {
		if name != "key" {
			ve := &matching.ValidationError{}
			ve.Add(clip(name), "is not a parameter of this calendar (only key)")
			fail(c, ve)
			return
		}
	}
	orgID := c.Param("id")
	ok, err := h.store.CalendarKeyMatches(ctx, orgID, HashToken(keys[0]))
	if err != nil {
		fail(c, err)
		return
	}
	if !ok {
		fail(c, notFound)
		return
	}
	o, err := h.store.GetOrganisation(ctx, orgID)
	if err != nil {
		fail(c, err)
		return
	}
	cal, err := h.store.OrganisationCalendar(ctx, o.ID, h.now().Add(-matching.CalendarWindow))
	if err != nil {
		fail(c, err)
		return
	}
	body := []byte(renderOrganisationCalendar(o, cal.Entries))
	c.Header("Cache-Control", "private, no-cache")
	c.Header("Referrer-Policy", "no-referrer")
	writeCalendar(c, body, latest(cal.Modified, o.UpdatedAt))
}

// renderOrganisationCalendar writes an organisation's calendar, as
// renderCalendar writes a space's: each session says where (the space and
// its venue's name, address and postcode) and, in DESCRIPTION, what for
// and with whom (the organisation that booked, or the space's owner).
func renderOrganisationCalendar(o *matching.Organisation, entries []matching.CalendarEntry) string {
	var b strings.Builder
	line := func(s string) { foldLine(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Common Ground//Organisation calendar//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icsText(o.Name))
	for _, e := range entries {
		venue := &matching.Venue{Name: e.VenueName, Address: e.Address, Postcode: e.Postcode}
		var summary, desc string
		if e.OrganisationID == o.ID {
			summary = e.SpaceName + ", " + e.VenueName
			desc = "Booked from " + e.OwnerName
			if e.OwnerID == o.ID {
				desc = "Booked at our own space"
			}
		} else {
			summary = "Booked by " + e.OrganisationName + ": " + e.SpaceName
			desc = "Booked by " + e.OrganisationName
		}
		if e.Purpose != "" {
			desc = e.Purpose + "\n" + desc
		}
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:%s-%d@commonground", e.BookingID, e.Seq))
		line("DTSTAMP:" + icsTime(e.Stamp))
		line("DTSTART:" + icsTime(e.Start))
		line("DTEND:" + icsTime(e.End))
		line("SUMMARY:" + icsText(summary))
		line("LOCATION:" + icsText(e.SpaceName+", "+venueLocation(venue)))
		line("DESCRIPTION:" + icsText(desc))
		line("STATUS:CONFIRMED")
		line("TRANSP:OPAQUE")
		line("X-COMMONGROUND-SPACE-ID:" + e.SpaceID)
		line("X-COMMONGROUND-ORGANISATION-ID:" + e.OrganisationID)
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}
