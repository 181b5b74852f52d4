package geo

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
)

// PlaceKind says what sort of place a gazetteer entry is. The order of the
// constants is the order search ranks kinds in.
type PlaceKind string

// Kinds of place.
const (
	KindCity             PlaceKind = "city"
	KindTown             PlaceKind = "town"
	KindVillage          PlaceKind = "village"
	KindPostcode         PlaceKind = "postcode"
	KindPostcodeDistrict PlaceKind = "postcode_district"
)

func (k PlaceKind) rank() int {
	switch k {
	case KindCity:
		return 0
	case KindTown:
		return 1
	case KindVillage:
		return 2
	case KindPostcodeDistrict:
		return 3
	case KindPostcode:
		return 4
	}
	return 5
}

// Place is a named point: a city, town, village or postcode.
type Place struct {
	Name   string
	Kind   PlaceKind
	Point  orb.Point
	County string
	// Home marks a place in the area the service covers: where two places
	// share a name, or a search finds both, home places come first.
	Home bool
}

// Places is an index of places by normalised name (see NormalisePlaceName).
// It is built once and only read afterwards, so it is safe for concurrent
// use.
type Places struct {
	entries []placeEntry   // ranked by kind, then name
	exact   map[string]int // normalised name → first entry in entries
	byNorm  []int          // indices into entries, by normalised name
	// names is every normalised name in entries' order, each followed by
	// a NUL (which no normalised name holds), and starts where each
	// begins in it: one strings.Index finds the next name holding a text.
	names  string
	starts []int
}

type placeEntry struct {
	norm  string
	place Place
}

// NewPlaces indexes places. When two places share a normalised name,
// Lookup finds a home place before others, then the one of the
// higher-ranked kind (city, town, village, postcode district, postcode),
// then the first by name, then the first given.
func NewPlaces(places []Place) *Places {
	ps := &Places{entries: make([]placeEntry, 0, len(places)), exact: make(map[string]int, len(places))}
	for _, p := range places {
		if n := NormalisePlaceName(p.Name); n != "" {
			ps.entries = append(ps.entries, placeEntry{norm: n, place: p})
		}
	}
	slices.SortStableFunc(ps.entries, func(a, b placeEntry) int { return comparePlaces(a.place, b.place) })
	ps.byNorm = make([]int, len(ps.entries))
	var names strings.Builder
	ps.starts = make([]int, len(ps.entries))
	for i, e := range ps.entries {
		ps.starts[i] = names.Len()
		names.WriteString(e.norm)
		names.WriteByte(0)
		if _, ok := ps.exact[e.norm]; !ok {
			ps.exact[e.norm] = i
		}
		ps.byNorm[i] = i
	}
	ps.names = names.String()
	// Stable on entries' order, so equal names stay ranked by kind.
	slices.SortStableFunc(ps.byNorm, func(a, b int) int { return strings.Compare(ps.entries[a].norm, ps.entries[b].norm) })
	return ps
}

func comparePlaces(a, b Place) int {
	return cmp.Or(cmp.Compare(homeRank(a), homeRank(b)), cmp.Compare(a.Kind.rank(), b.Kind.rank()), strings.Compare(a.Name, b.Name))
}

func homeRank(p Place) int {
	if p.Home {
		return 0
	}
	return 1
}

// Len is the number of places indexed.
func (ps *Places) Len() int {
	if ps == nil {
		return 0
	}
	return len(ps.entries)
}

// Lookup finds the place whose normalised name is that of name; false when
// there is none. A nil *Places knows no place.
func (ps *Places) Lookup(name string) (Place, bool) {
	if ps == nil {
		return Place{}, false
	}
	i, ok := ps.exact[NormalisePlaceName(name)]
	if !ok {
		return Place{}, false
	}
	return ps.entries[i].place, true
}

// Search returns up to limit places whose normalised name matches the
// normalised query: exact matches first, then names that start with it,
// then names that contain it; within each, home places first, then cities
// before towns before villages, then by name. A query that normalises to nothing matches
// nothing.
func (ps *Places) Search(query string, limit int) []Place {
	q := NormalisePlaceName(query)
	if ps == nil || q == "" || limit <= 0 {
		return nil
	}
	// Names starting with q (q itself among them) are one run of byNorm.
	from, _ := slices.BinarySearchFunc(ps.byNorm, q, func(i int, q string) int { return strings.Compare(ps.entries[i].norm, q) })
	var exact, prefix []int
	for _, i := range ps.byNorm[from:] {
		n := ps.entries[i].norm
		if !strings.HasPrefix(n, q) {
			break
		}
		if n == q {
			exact = append(exact, i)
		} else {
			prefix = append(prefix, i)
		}
	}
	// entries are in kind and name order, so sorting indices ranks them.
	slices.Sort(exact)
	slices.Sort(prefix)
	out := make([]Place, 0, min(limit, len(exact)+len(prefix)))
	for _, tier := range [][]int{exact, prefix} {
		for _, i := range tier {
			if len(out) == limit {
				return out
			}
			out = append(out, ps.entries[i].place)
		}
	}
	// Names containing q elsewhere than at the start: each match in names
	// is in the name that starts last before it.
	for at := 0; len(out) < limit; {
		j := strings.Index(ps.names[at:], q)
		if j < 0 {
			break
		}
		i, found := slices.BinarySearch(ps.starts, at+j)
		if !found {
			i--
		}
		if e := ps.entries[i]; !strings.HasPrefix(e.norm, q) {
			out = append(out, e.place)
		}
		if i+1 == len(ps.starts) {
			break
		}
		at = ps.starts[i+1]
	}
	return out
}

// NormalisePlaceName folds a place name for comparison: lower case,
// diacritics dropped ("Ô" → "o"), apostrophes dropped ("King's" → "kings"),
// other punctuation and runs of spaces made one space, and the word "Saint"
// or "St" spelled "st". "St. Ives", "saint ives" and "ST IVES" all give
// "st ives".
func NormalisePlaceName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	word := 0 // where the current word starts in b; -1 between words
	endWord := func() {
		if word >= 0 && b.String()[word:] == "saint" {
			kept := b.String()[:word]
			b.Reset()
			b.WriteString(kept)
			b.WriteString("st")
		}
		word = -1
	}
	word = -1
	for _, r := range s {
		switch {
		case r == '\'' || r == '\u2019' || r == '`':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if word < 0 {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				word = b.Len()
			}
			b.WriteString(foldRune(unicode.ToLower(r)))
		default:
			endWord()
		}
	}
	endWord()
	return b.String()
}

// foldRune drops the diacritics of the Latin letters place names use.
func foldRune(r rune) string {
	if r < 0x80 {
		return string(r)
	}
	if f, ok := diacritics[r]; ok {
		return f
	}
	return string(r)
}

var diacritics = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ð': "d", 'þ': "th", 'ł': "l", 'đ': "d"}
	for base, letters := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ď", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ",
		"i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ", "l": "ĺļľŀ", "n": "ñńņňŉ", "o": "òóôõöōŏő",
		"r": "ŕŗř", "s": "śŝşš", "t": "ţťŧ", "u": "ùúûüũūŭůűų", "w": "ŵẁẃẅ", "y": "ýÿŷỳ", "z": "źżž",
	} {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()
