package store

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"

	"commonground/matching"
)

// The list columns (values_list, practices, exclusions, prohibited_activities,
// prices, opening_hours, closures) hold JSON that the store itself wrote with
// encoding/json from the shapes in rows.go. Reading a million spaces through
// encoding/json costs seconds, so the readers below first try a hand parse of
// exactly the compact form encoding/json writes: no whitespace, keys in
// struct order, strings without escapes, integers without fraction or
// exponent. Anything else (escapes, whitespace, null, another key order,
// invalid UTF-8, …) makes the fast path give up, and encoding/json decodes
// the column instead, so the result is always what encoding/json returns.
// FuzzListColumns checks that.
//
// Short strings found inside the lists (tiers, days, activity slugs) come
// from an interner: they are few and repeat on every row, so they are shared
// instead of allocated, and they never pin the column's whole text.

// interner shares equal short strings. It is not safe for concurrent use;
// one lives for one read.
type interner struct{ m map[string]string }

// The interner keeps at most maxInterned strings of at most maxInternLen
// bytes, so free text cannot grow it without limit; other strings are
// copied.
const (
	maxInterned  = 4096
	maxInternLen = 64
)

func newInterner() *interner { return &interner{m: make(map[string]string, 64)} }

// bytes returns b as a string that does not share b's memory.
func (in *interner) bytes(b []byte) string {
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	v := string(b)
	if len(in.m) < maxInterned && len(v) <= maxInternLen {
		in.m[v] = v
	}
	return v
}

var comma, brace = []byte{','}, []byte{'{'}

// jsonScan walks the compact JSON encoding/json writes; each method
// reports false as soon as the text is not in that form.
type jsonScan struct {
	s []byte
	i int
}

func (p *jsonScan) lit(lit string) bool {
	if len(p.s)-p.i >= len(lit) && string(p.s[p.i:p.i+len(lit)]) == lit {
		p.i += len(lit)
		return true
	}
	return false
}

func (p *jsonScan) char(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string with no escapes and no control characters; the
// result shares p.s's memory.
func (p *jsonScan) str() ([]byte, bool) {
	if !p.char('"') {
		return nil, false
	}
	start, ascii := p.i, true
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			// encoding/json replaces invalid UTF-8 with U+FFFD.
			if !ascii && !utf8.Valid(v) {
				return nil, false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// int reads an integer as encoding/json writes it: an optional minus sign
// and digits without a leading zero, at most 18 of them.
func (p *jsonScan) int() (int, bool) {
	neg := p.char('-')
	d, v := p.i, 0
	for ; p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9'; p.i++ {
		v = v*10 + int(p.s[p.i]-'0')
	}
	if n := p.i - d; n == 0 || n > 18 || (n > 1 && p.s[d] == '0') {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// list reads "[e,e,…]" calling elem for each element, and requires the
// text to end there.
func (p *jsonScan) list(elem func() bool) bool {
	if !p.char('[') {
		return false
	}
	if !p.char(']') {
		for {
			if !elem() {
				return false
			}
			if p.char(']') {
				break
			}
			if !p.char(',') {
				return false
			}
		}
	}
	return p.i == len(p.s)
}

// parseStrings decodes a JSON list of strings (never nil).
func parseStrings(s []byte, in *interner) ([]string, error) {
	out := make([]string, 0, bytes.Count(s, comma)+1)
	p := jsonScan{s: s}
	ok := p.list(func() bool {
		v, ok := p.str()
		if ok {
			out = append(out, in.bytes(v))
		}
		return ok
	})
	if ok {
		return out, nil
	}
	var v []string
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, err
	}
	return nonNil(v), nil
}

// parsePrices decodes the prices column (never nil).
func parsePrices(s []byte, in *interner) ([]matching.Price, error) {
	out := make([]matching.Price, 0, bytes.Count(s, brace))
	p := jsonScan{s: s}
	ok := p.list(func() bool {
		if !p.lit(`{"tier":`) {
			return false
		}
		tier, ok := p.str()
		if !ok || !p.lit(`,"pence_per_hour":`) {
			return false
		}
		pence, ok := p.int()
		if !ok || !p.char('}') {
			return false
		}
		out = append(out, matching.Price{Tier: matching.Tier(in.bytes(tier)), PencePerHour: pence})
		return true
	})
	if ok {
		return out, nil
	}
	var v []priceJSON
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, err
	}
	out = make([]matching.Price, len(v))
	for i, x := range v {
		out[i] = matching.Price{Tier: matching.Tier(x.Tier), PencePerHour: x.PencePerHour}
	}
	return out, nil
}

// parseHours decodes the opening_hours column (never nil).
func parseHours(s []byte, in *interner) ([]matching.OpeningHours, error) {
	out := make([]matching.OpeningHours, 0, bytes.Count(s, brace))
	p := jsonScan{s: s}
	ok := p.list(func() bool {
		if !p.lit(`{"day":`) {
			return false
		}
		day, ok := p.str()
		if !ok || !p.lit(`,"opens":`) {
			return false
		}
		opens, ok := p.int()
		if !ok || !p.lit(`,"closes":`) {
			return false
		}
		closes, ok := p.int()
		if !ok || !p.char('}') {
			return false
		}
		out = append(out, matching.OpeningHours{Day: matching.Weekday(in.bytes(day)), Opens: matching.ClockTime(opens), Closes: matching.ClockTime(closes)})
		return true
	})
	if ok {
		return out, nil
	}
	var v []hoursJSON
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, err
	}
	out = make([]matching.OpeningHours, len(v))
	for i, x := range v {
		out[i] = matching.OpeningHours{Day: matching.Weekday(x.Day), Opens: matching.ClockTime(x.Opens), Closes: matching.ClockTime(x.Closes)}
	}
	return out, nil
}

// parseClosures decodes the closures column (never nil), times in UTC.
func parseClosures(s []byte, in *interner) ([]matching.Closure, error) {
	out := make([]matching.Closure, 0, bytes.Count(s, brace))
	p := jsonScan{s: s}
	// time.Time's UnmarshalJSON parses the unquoted text with the same
	// strict RFC 3339 parser as UnmarshalText.
	stamp := func(t *time.Time) bool {
		v, ok := p.str()
		return ok && t.UnmarshalText(v) == nil
	}
	ok := p.list(func() bool {
		var c matching.Closure
		if !p.lit(`{"start":`) || !stamp(&c.Start) || !p.lit(`,"end":`) || !stamp(&c.End) {
			return false
		}
		if p.lit(`,"reason":`) {
			r, ok := p.str()
			if !ok {
				return false
			}
			c.Reason = in.bytes(r)
		}
		if !p.char('}') {
			return false
		}
		c.Start, c.End = c.Start.UTC(), c.End.UTC()
		out = append(out, c)
		return true
	})
	if ok {
		return out, nil
	}
	var v []closureJSON
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, err
	}
	out = make([]matching.Closure, len(v))
	for i, x := range v {
		out[i] = matching.Closure{Start: x.Start.UTC(), End: x.End.UTC(), Reason: x.Reason}
	}
	return out, nil
}

// parseWindows decodes a need's windows column (never nil).
func parseWindows(s []byte, in *interner) ([]matching.Window, error) {
	out := make([]matching.Window, 0, bytes.Count(s, brace))
	p := jsonScan{s: s}
	ok := p.list(func() bool {
		if !p.lit(`{"day":`) {
			return false
		}
		day, ok := p.str()
		if !ok || !p.lit(`,"start":`) {
			return false
		}
		start, ok := p.int()
		if !ok || !p.lit(`,"end":`) {
			return false
		}
		end, ok := p.int()
		if !ok || !p.char('}') {
			return false
		}
		out = append(out, matching.Window{Day: matching.Weekday(in.bytes(day)), Start: matching.ClockTime(start), End: matching.ClockTime(end)})
		return true
	})
	if ok {
		return out, nil
	}
	var v []windowJSON
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, err
	}
	return toWindows(v), nil
}
