package web

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"commonground/api"
)

// markup builds, in Go, the parts of a page that repeat many times: a
// search's twenty matches with their reasons, a select's options.
// html/template makes a reflective call for every value it writes, and
// on /find those calls were most of the page's time. Every value goes
// through text, which escapes it for an element's content and for a
// double-quoted attribute alike; tag takes only the code's own constant
// markup.
type markup struct{ b strings.Builder }

// tag writes s, markup of the code's own, as it is.
func (m *markup) tag(s string) *markup {
	m.b.WriteString(s)
	return m
}

// text writes s escaped as html/template escapes text.
func (m *markup) text(s string) *markup {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case 0:
			esc = "\uFFFD"
		default:
			continue
		}
		m.b.WriteString(s[last:i])
		m.b.WriteString(esc)
		last = i + 1
	}
	m.b.WriteString(s[last:])
	return m
}

// number writes n.
func (m *markup) number(n int) *markup {
	var buf [20]byte
	m.b.Write(strconv.AppendInt(buf[:0], int64(n), 10))
	return m
}

// sentence writes s as a sentence (see sentence), escaped.
func (m *markup) sentence(s string) *markup { return m.text(sentence(s)) }

// HTML is what was built, for a template to write as it is.
func (m *markup) HTML() template.HTML { return template.HTML(m.b.String()) }

// option is one choice of a select.
type option struct{ Value, Label string }

// options writes a select's options, marking selected's.
func options(opts []option, selected string) template.HTML {
	var m markup
	m.b.Grow(len(opts) * 40)
	for _, o := range opts {
		m.tag(`<option value="`).text(o.Value).tag(`"`)
		if o.Value == selected {
			m.tag(" selected")
		}
		m.tag(">").text(o.Label).tag("</option>")
	}
	return m.HTML()
}

// hiddenInputs writes q as hidden fields, for a form that repeats a
// search.
func hiddenInputs(q map[string][]string, order []string) template.HTML {
	var m markup
	for _, k := range order {
		for _, v := range q[k] {
			m.tag(`<input type="hidden" name="`).text(k).tag(`" value="`).text(v).tag(`">`)
		}
	}
	return m.HTML()
}

// matchCards writes a search's matches as list items: the room and its
// venue, its stars, distance, price and free weeks, and every reason it
// fits. query is the search, carried to the room's page; tier names the
// price asked for.
func matchCards(matches []api.VenueMatch, query, tier string) template.HTML {
	var m markup
	m.b.Grow(len(matches) * 1200)
	for i := range matches {
		x := &matches[i]
		href := "/spaces/" + url.PathEscape(x.SpaceID)
		m.tag(`<li class="match" data-lat="`).text(strconv.FormatFloat(x.Location.Lat, 'f', -1, 64)).
			tag(`" data-lon="`).text(strconv.FormatFloat(x.Location.Lon, 'f', -1, 64)).
			tag(`" data-name="`).text(x.SpaceName + ", " + x.VenueName).
			tag(`" data-href="`).text(href).tag("\">\n")
		m.tag(`<h2><a href="`).text(href + "?" + query).tag(`">`).text(x.SpaceName).
			tag(`</a> <span class="at">at `).text(x.VenueName).tag("</span></h2>\n")
		m.tag(`<p class="facts">`).tag(string(stars(x.FitToDance))).
			tag(" <span>").number(x.FitToDance).tag(" of 5 stars for dance").
			tag("</span> · <span>").text(km(x.DistanceKm)).tag(" away").
			tag("</span> · <span>")
		if p := x.PricePencePerHour; p != nil {
			m.text(pounds(*p)).tag(" an hour")
		} else {
			m.tag("no ").text(tier).tag(" price listed")
		}
		m.tag("</span> · <span>").text(freeWeeks(x.SessionsAvailable, x.SessionsRequested)).tag("</span></p>\n")
		m.tag(`<h3 class="why">Why it fits</h3>` + "\n" + `<ul class="reasons">`)
		for _, r := range x.Reasons {
			m.tag("<li>").sentence(words(r.Detail)).tag("</li>")
		}
		m.tag("</ul>\n</li>\n")
	}
	return m.HTML()
}

// freeWeeks says on how many of the weeks asked for a room is free.
func freeWeeks(available, requested int) string {
	switch {
	case available == requested && requested == 1:
		return "free at that time"
	case available == requested:
		return "free for all " + strconv.Itoa(requested) + " weeks"
	}
	return "free for " + strconv.Itoa(available) + " of " + strconv.Itoa(requested) + " weeks"
}
