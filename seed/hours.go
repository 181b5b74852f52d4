package seed

import (
	"errors"
	"strconv"
	"strings"

	"commonground/matching"
)

// parseHours reads opening hours written as periods separated by
// semicolons, each a day or a range of days and a time range:
// "mon-fri 09:00-22:00; sat 10:00-16:00; sun 10:00-12:00". A day may have
// several periods. The empty string is no opening hours.
func parseHours(s string) ([]matching.OpeningHours, error) {
	var out []matching.OpeningHours
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fields := strings.Fields(part)
		if len(fields) != 2 {
			return nil, errors.New(`each period must be a day and a time range, such as "mon 09:00-22:00", got ` + q(part))
		}
		first, last, err := dayRange(strings.ToLower(fields[0]))
		if err != nil {
			return nil, err
		}
		from, to, ok := strings.Cut(fields[1], "-")
		if !ok {
			return nil, errors.New(`time range must be HH:MM-HH:MM, got ` + q(fields[1]))
		}
		opens, err := matching.ParseClock(from)
		if err != nil {
			return nil, err
		}
		closes, err := matching.ParseClock(to)
		if err != nil {
			return nil, err
		}
		for d := first; d <= last; d++ {
			if len(out) >= 7*4 {
				return nil, errors.New("must have at most 28 periods")
			}
			out = append(out, matching.OpeningHours{Day: matching.Days[d], Opens: opens, Closes: closes})
		}
	}
	return out, nil
}

// dayRange reads "tue" or "mon-fri" as indexes into matching.Days.
func dayRange(s string) (first, last int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	first, err = dayIndex(a)
	if err != nil {
		return 0, 0, err
	}
	if !isRange {
		return first, first, nil
	}
	if last, err = dayIndex(b); err != nil {
		return 0, 0, err
	}
	if last < first {
		return 0, 0, errors.New(`day range must run forwards from Monday to Sunday, got ` + q(s))
	}
	return first, last, nil
}

func dayIndex(s string) (int, error) {
	d, err := matching.ParseWeekday(s)
	if err != nil {
		return 0, errors.New(`unknown day ` + q(s) + ` (one of mon, tue, wed, thu, fri, sat, sun)`)
	}
	for i, x := range matching.Days {
		if x == d {
			return i, nil
		}
	}
	return 0, nil
}

// q quotes text from outside for an error message, clipped.
func q(s string) string { return strconv.Quote(clip(s)) }

// clip shortens text quoted back in an error to 40 characters.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
