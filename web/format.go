package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"commonground/matching"
)

// london is the county's time zone: every time on a page is local.
var london = func() *time.Location {
	loc, err := matching.LoadLocation(matching.DefaultTimezone)
	if err != nil {
		panic(err)
	}
	return loc
}()

var funcs = template.FuncMap{
	"pounds":     pounds,
	"km":         km,
	"when":       when,
	"span":       span,
	"stars":      stars,
	"plural":     plural,
	"yesno":      yesno,
	"dayname":    dayName,
	"label":      label,
	"words":      words,
	"sentence":   sentence,
	"tiername":   tierName,
	"date":       dateWords,
	"healthform": newHealthForm,
	"clash":      clash,
	"list":       func(xs ...string) []string { return xs },
	"deref":      func(p *int) int { return *p },
	"str": func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	},
}

// words writes the API's slugs in a reason as words: "semi_sprung" is
// "semi-sprung".
func words(s string) string { return strings.ReplaceAll(s, "_", "-") }

// pounds writes pence as money: "£12.50", "£8".
func pounds(pence int) string {
	if pence%100 == 0 {
		return fmt.Sprintf("£%d", pence/100)
	}
	return fmt.Sprintf("£%d.%02d", pence/100, pence%100)
}

// km writes a distance with one decimal: "3.2 km".
func km(d float64) string { return fmt.Sprintf("%.1f km", d) }

// parseTime reads an RFC 3339 time from the API.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.In(london), err == nil
}

// when writes an API time as the local day and time: "Tue 8 Dec 2026, 18:00".
func when(s string) string {
	t, ok := parseTime(s)
	if !ok {
		return s
	}
	return t.Format("Mon 2 Jan 2006, 15:04")
}

// span writes a session: "Tue 8 Dec 2026, 18:00 to 20:00".
func span(start, end string) string {
	a, ok1 := parseTime(start)
	b, ok2 := parseTime(end)
	if !ok1 || !ok2 {
		return start + " to " + end
	}
	if a.YearDay() == b.YearDay() && a.Year() == b.Year() {
		return a.Format("Mon 2 Jan 2006, 15:04") + " to " + b.Format("15:04")
	}
	return a.Format("Mon 2 Jan 2006, 15:04") + " to " + b.Format("Mon 2 Jan 2006, 15:04")
}

// stars draws a 0–5 star rating. Pages always say the number in words
// beside it, so screen readers skip the drawing.
func stars(n int) template.HTML {
	n = max(0, min(n, matching.MaxFitToDance))
	return template.HTML(fmt.Sprintf(`<span class="stars" aria-hidden="true">%s<span class="off">%s</span></span>`,
		strings.Repeat("★", n), strings.Repeat("★", matching.MaxFitToDance-n)))
}

// plural writes a count with its noun: "1 room", "3 rooms".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func yesno(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

var dayNames = map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
	"fri": "Friday", "sat": "Saturday", "sun": "Sunday"}

// dayName is a day's name: "tue" is "Tuesday".
func dayName(d string) string {
	if n, ok := dayNames[d]; ok {
		return n
	}
	return d
}

// label writes a slug as words: "semi_sprung" is "semi sprung",
// "meeting_room" is "meeting room".
func label(s string) string {
	return strings.NewReplacer("_", " ", "-", " ").Replace(s)
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// exclusionPhrases say why rooms were left out, for a count of one and
// of several.
var exclusionPhrases = map[string][2]string{
	matching.ExcludedTooFar:             {"1 room was too far", "%d rooms were too far"},
	matching.ExcludedValuesConflict:     {"1 room belongs to an organisation whose values conflict with yours", "%d rooms belong to organisations whose values conflict with yours"},
	matching.ExcludedTooSmall:           {"1 room was too small for your group", "%d rooms were too small for your group"},
	matching.ExcludedActivityNotAllowed: {"1 room does not allow your activity", "%d rooms do not allow your activity"},
	matching.ExcludedRequirementUnmet:   {"1 room lacked something you asked for", "%d rooms lacked something you asked for"},
	matching.ExcludedOverBudget:         {"1 room was over your budget or has no price for your tier", "%d rooms were over your budget or have no price for your tier"},
	matching.ExcludedUnavailable:        {"1 room was closed or booked on some of your dates", "%d rooms were closed or booked on some of your dates"},
}

// excludedSentence says what was left out and why, in the order the
// reasons are tested: "12 rooms were too far; 3 were booked …".
func excludedSentence(excluded map[string]int) string {
	var parts []string
	for _, reason := range matching.ExclusionOrder {
		n := excluded[reason]
		if n == 0 {
			continue
		}
		p, ok := exclusionPhrases[reason]
		if !ok {
			p = [2]string{"1 room was left out (" + label(reason) + ")", "%d rooms were left out (" + label(reason) + ")"}
		}
		if n == 1 {
			parts = append(parts, p[0])
		} else {
			parts = append(parts, fmt.Sprintf(p[1], n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return sentence(strings.Join(parts, "; "))
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// tierName says a price tier in words: "community rate".
func tierName(tier string) string {
	return label(tier) + " rate"
}

// clash says why a session cannot be booked: "already booked".
func clash(reason string) string {
	switch reason {
	case matching.ReasonBooked:
		return "already booked"
	case matching.ReasonOutsideHours:
		return "outside the opening hours"
	case matching.ReasonClosure:
		return "the room is closed"
	case matching.ReasonBeyondHorizon:
		return "too far ahead to book yet"
	}
	return label(reason)
}
