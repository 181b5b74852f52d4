package seed

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"commonground/matching"
)

// baseTime is when the generated records were "created": fixed, so the
// same seed gives the same timestamps.
var baseTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// gen builds organisations, venues and spaces from one random source. It
// holds no global state: the demo and the scale generator each make one.
type gen struct {
	r        *rand.Rand
	tick     int64
	profiles map[matching.OrgType]*profile
	areas    map[string][]string
	texts    map[string][2]string // category -> offer and need descriptions
	specs    [numVenueKinds]*venueSpec
	tax      *matching.Taxonomy
	// names and venueNames hold the organisation and venue names taken so
	// far; nil when names may repeat.
	names, venueNames map[string]bool
	// wide spreads buildings further from big centres (Great Britain at scale).
	wide bool
	// studioTowns limits where sprung-floor dance studios are; nil: anywhere.
	studioTowns map[string]bool
}

func newGen(seed int64) *gen {
	return &gen{
		r:        newRand(seed),
		profiles: profiles(),
		areas:    areaNames(),
		texts:    categoryTexts(),
		specs:    venueSpecs(),
		tax:      Taxonomy(),
	}
}

// stamp returns the next creation time and a later update time.
func (g *gen) stamp() (created, updated time.Time) {
	g.tick++
	step := 3 * time.Minute
	if g.wide {
		step = time.Second // millions of records stay within weeks
	}
	c := baseTime.Add(time.Duration(g.tick) * step)
	return c, c.Add(time.Duration(g.r.IntN(90*24)) * time.Hour)
}

func (g *gen) area(pl *Place) string {
	if a := g.areas[pl.District]; len(a) > 0 {
		return pick(g.r, a)
	}
	return pl.Name
}

// allowed reports whether a name pattern fits a place.
func (g *gen) allowed(t *nameTpl, pl *Place) bool {
	if t.minPop > pl.Population {
		return false
	}
	return t.venue != vStudio || g.studioTowns == nil || g.studioTowns[pl.Name]
}

// pickName chooses a name pattern that fits the place and, when names must
// be unique, one not yet taken. It returns the pattern and the filled name.
func (g *gen) pickName(p *profile, pl *Place) (*nameTpl, string) {
	var fallback *nameTpl
	var fallbackName string
	for try := 0; try < 16; try++ {
		t := &p.names[g.r.IntN(len(p.names))]
		if !g.allowed(t, pl) {
			continue
		}
		name := expand(t.t, pl.Name, g.area(pl), "")
		if g.names == nil || !g.names[name] {
			return t, name
		}
		if fallback == nil {
			fallback, fallbackName = t, name
		}
	}
	if fallback != nil {
		return fallback, fallbackName
	}
	t := &p.names[0]
	for i := range p.names {
		if g.allowed(&p.names[i], pl) {
			t = &p.names[i]
			break
		}
	}
	return t, expand(t.t, pl.Name, g.area(pl), "")
}

// uniqueName records name as taken, adding a number if it already is.
func (g *gen) uniqueName(name string) string {
	if g.names == nil {
		return name
	}
	n := name
	for k := 2; g.names[n]; k++ {
		n = name + " " + itoa(k)
	}
	g.names[n] = true
	return n
}

// org builds an organisation of type t based in pl. When tpl is nil a name
// pattern is chosen from t's profile. It returns the pattern used, which
// says what building the organisation owns.
func (g *gen) org(t matching.OrgType, pl *Place, tpl *nameTpl) (matching.Organisation, *nameTpl) {
	p := g.profiles[t]
	var name string
	if tpl == nil {
		tpl, name = g.pickName(p, pl)
	} else {
		name = expand(tpl.t, pl.Name, g.area(pl), "")
	}
	name = g.uniqueName(name)
	created, updated := g.stamp()
	lo, hi := g.spread(pl)
	o := matching.Organisation{
		ID:                    newUUID(g.r),
		Name:                  name,
		Type:                  t,
		Description:           expand(pick(g.r, p.blurbs), pl.Name, "", name),
		Location:              jitter(g.r, pl.Lat, pl.Lon, lo, hi),
		ServiceRadiusKm:       float64(between(g.r, p.radiusKm[0], p.radiusKm[1])),
		CapacityHoursPerMonth: roundTo(between(g.r, 0, 120), 4),
		CreatedAt:             created,
		UpdatedAt:             updated,
	}
	slug := slugify(name)
	if chance(g.r, 0.85) {
		o.Website = "https://" + slug + ".example.org"
	}
	if chance(g.r, 0.9) {
		o.Email = "hello@" + slug + ".example.org"
	}
	if chance(g.r, 0.7) {
		// Ofcom reserves 01632 960000-960999 for drama: never a real line.
		o.Phone = "01632 960" + pad3(g.r.IntN(1000))
	}
	o.Practices = g.draw(tpl.practices, p.practices, nil)
	o.Values = g.draw(tpl.values, p.values, func(v string) bool {
		for _, pr := range o.Practices {
			if g.tax.ValueConflictsWith(v, pr) {
				return false
			}
		}
		return true
	})
	o.Exclusions = g.draw(nil, p.exclusions, func(x string) bool { return !slices.Contains(o.Practices, x) })
	g.offersAndNeeds(&o, p)
	return o, tpl
}

// draw returns the fixed slugs followed by each chance slug that comes up,
// without repeats, keeping only slugs ok accepts (ok may be nil).
func (g *gen) draw(fixed []string, chances []slugChance, ok func(string) bool) []string {
	var out []string
	add := func(s string) {
		if out == nil {
			out = make([]string, 0, len(fixed)+len(chances))
		}
		out = append(out, s)
	}
	for _, s := range fixed {
		if !slices.Contains(out, s) && (ok == nil || ok(s)) {
			add(s)
		}
	}
	for _, c := range chances {
		if chance(g.r, c.p) && !slices.Contains(out, c.slug) && (ok == nil || ok(c.slug)) {
			add(c.slug)
		}
	}
	return out
}

// offersAndNeeds gives o at least one offer and one need from its profile,
// never needing what it offers.
func (g *gen) offersAndNeeds(o *matching.Organisation, p *profile) {
	offers := g.draw(nil, p.offers, nil)
	if len(offers) == 0 {
		offers = []string{p.offers[0].slug}
	}
	notOffered := func(s string) bool { return !slices.Contains(offers, s) }
	needs := g.draw(nil, p.needs, notOffered)
	if len(needs) == 0 {
		for _, c := range p.needs {
			if notOffered(c.slug) {
				needs = []string{c.slug}
				break
			}
		}
	}
	o.Offers = make([]matching.Offer, len(offers))
	for i, c := range offers {
		o.Offers[i] = matching.Offer{ID: newUUID(g.r), OrganisationID: o.ID, Category: c,
			Description: g.texts[c][0], HoursPerMonth: between(g.r, 1, 10) * 4, CreatedAt: o.CreatedAt}
	}
	o.Needs = make([]matching.Need, len(needs))
	for i, c := range needs {
		o.Needs[i] = matching.Need{ID: newUUID(g.r), OrganisationID: o.ID, Category: c,
			Description: g.texts[c][1], HoursPerMonth: between(g.r, 1, 8) * 4, CreatedAt: o.CreatedAt}
		describeRoomNeed(&o.Needs[i], o.Type)
	}
}

// expand fills a pattern: {P} the place, {A} the area, {N} the name.
func expand(t, place, area, name string) string {
	if strings.IndexByte(t, '{') < 0 {
		return t
	}
	var b strings.Builder
	b.Grow(len(t) + len(place) + len(name))
	for i := 0; i < len(t); i++ {
		if t[i] == '{' && i+2 < len(t) && t[i+2] == '}' {
			switch t[i+1] {
			case 'P':
				b.WriteString(place)
				i += 2
				continue
			case 'A':
				b.WriteString(area)
				i += 2
				continue
			case 'N':
				b.WriteString(name)
				i += 2
				continue
			}
		}
		b.WriteByte(t[i])
	}
	return b.String()
}

// slugify turns a name into a lowercase host name label.
func slugify(s string) string {
	b := make([]byte, 0, len(s))
	dash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
			dash = false
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
			dash = false
		case c == '\'':
		default:
			if !dash && len(b) > 0 {
				b = append(b, '-')
				dash = true
			}
		}
	}
	if len(b) > 60 {
		b = b[:60]
	}
	for len(b) > 0 && b[len(b)-1] == '-' {
		b = b[:len(b)-1]
	}
	return string(b)
}

func pad3(n int) string {
	s := itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}
