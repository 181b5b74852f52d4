package api

import (
	"fmt"
	"net/http"
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
// costs little when nothing changed.
func (h *handler) spaceCalendar(c *gin.Context) {
	ctx := c.Request.Context()
	s, err := h.store.GetSpace(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	entries, err := h.store.SpaceCalendar(ctx, s.ID, h.now().Add(-matching.CalendarWindow))
	if err != nil {
		fail(c, err)
		return
	}
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
