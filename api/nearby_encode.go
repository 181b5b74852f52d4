package api

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"commonground/matching"
)

// appendSpacesCollection appends the GeoJSON FeatureCollection of nearby
// spaces: byte for byte what json.Marshal makes of geo.FeatureCollection
// with spaceProps (a test holds it to that), without reflection and
// without a value per feature. It is the hot path of GET /v1/nearby.
func appendSpacesCollection(b []byte, spaces []matching.NearbySpace, next *string) []byte {
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	for i := range spaces {
		s := &spaces[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"Feature",`...)
		if s.ID != "" {
			b = append(b, `"id":`...)
			b = appendString(b, s.ID)
			b = append(b, ',')
		}
		b = append(b, `"geometry":{"type":"Point","coordinates":[`...)
		b = appendFloat(b, s.Location[0])
		b = append(b, ',')
		b = appendFloat(b, s.Location[1])
		b = append(b, `]},"properties":{"id":`...)
		b = appendString(b, s.ID)
		b = append(b, `,"kind":"space","name":`...)
		b = appendString(b, s.Name)
		b = append(b, `,"distance_km":`...)
		b = appendFloat(b, km(s.DistanceM))
		b = append(b, `,"venue_id":`...)
		b = appendString(b, s.VenueID)
		b = append(b, `,"venue_name":`...)
		b = appendString(b, s.VenueName)
		b = append(b, `,"organisation_id":`...)
		b = appendString(b, s.OrganisationID)
		b = append(b, `,"space_kind":`...)
		b = appendString(b, string(s.Kind))
		b = append(b, `,"capacity":`...)
		b = strconv.AppendInt(b, int64(s.Capacity), 10)
		b = append(b, `,"floor":`...)
		b = appendString(b, string(s.Floor))
		b = append(b, `,"fit_to_dance":`...)
		b = strconv.AppendInt(b, int64(s.FitToDance), 10)
		b = append(b, `,"instant_book":`...)
		b = strconv.AppendBool(b, s.InstantBook)
		if s.CommunityPencePerHour != nil {
			b = append(b, `,"community_pence_per_hour":`...)
			b = strconv.AppendInt(b, int64(*s.CommunityPencePerHour), 10)
		}
		b = append(b, "}}"...)
	}
	b = append(b, `],"next_cursor":`...)
	if next == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *next)
	}
	return append(b, '}')
}

// appendFloat formats f as encoding/json does.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString quotes s as encoding/json does (HTML characters escaped).
// Plain text is copied as it is; anything that needs escaping goes through
// encoding/json itself.
func appendString(b []byte, s string) []byte {
	plain, ascii := true, true
	i := 0
	// Eight bytes at a time while they are plain: IDs and most names are.
	for ; i+8 <= len(s) && plainWord(s[i:i+8]); i += 8 {
	}
	for ; i < len(s); i++ {
		if k := byteKind[s[i]]; k != 0 {
			if k == needsEscape {
				plain = false
				break
			}
			ascii = false
		}
	}
	if plain && !ascii && (!utf8.ValidString(s) || strings.ContainsAny(s, "\u2028\u2029")) {
		plain = false
	}
	if !plain {
		q, _ := json.Marshal(s) // a string always marshals
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainWord reports whether eight bytes are all printable ASCII that
// encoding/json copies as they are (no control character, quote,
// backslash, <, > or &). It tests the eight at once: a byte b of the word
// w is flagged by (w − 0x01…)&^w&0x80… exactly when the word has a zero
// byte, and XOR with a repeated character turns that character into zero.
func plainWord(s string) bool {
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	if w&highs != 0 { // not ASCII
		return false
	}
	// With every byte below 0x80, (w − 0x20…)&^w&0x80… flags a byte
	// below 0x20.
	bad := (w-0x20*ones)&^w&highs |
		zero(w^('"'*ones)) | zero(w^('\\'*ones)) | zero(w^('<'*ones)) | zero(w^('>'*ones)) | zero(w^('&'*ones))
	return bad == 0
}

// byteKind sorts bytes for appendString: 0 plain ASCII, nonASCII part of
// a multi-byte sequence, needsEscape what encoding/json escapes.
var byteKind = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			t[c] = needsEscape
		case c >= utf8.RuneSelf:
			t[c] = nonASCII
		}
	}
	return t
}()

const (
	nonASCII    = 1
	needsEscape = 2
)
