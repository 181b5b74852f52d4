package matching

import (
	"math"
	"math/bits"
	"strconv"
)

// extrasFlags are the extras the extras factor counts.
const extrasFlags = flagMirrors | flagBarres | flagSound | flagChanging | flagClimate

// factors are the soft factors of a match, each 0..1, in the order of
// VenueWeights.
func (q *query) factors(sp *spaceRec, d float64, free int) [6]float64 {
	var f [6]float64
	f[0] = float64(sp.fit) / MaxFitToDance
	f[1] = clamp01(1 - d/q.radiusM)
	perDancer := float64(sp.area) / float64(q.req.GroupSize)
	want := 2 * q.minArea / float64(q.req.GroupSize)
	f[2] = clamp01(perDancer / want)
	switch p := sp.prices[q.tier]; {
	case p < 0:
		f[3] = 0.5
	case q.req.MaxPencePerHour > 0:
		f[3] = clamp01(1 - float64(p)/float64(q.req.MaxPencePerHour))
	default:
		f[3] = clamp01(1 - float64(p)/priceScale)
	}
	f[4] = float64(bits.OnesCount16(sp.flags&extrasFlags)) / 5
	f[5] = float64(free) / float64(len(q.req.Sessions))
	return f
}

func (q *query) weightList() [6]float64 {
	w := q.weights
	return [6]float64{w.FitToDance, w.Distance, w.Room, w.Price, w.Extras, w.Availability}
}

func (q *query) score(sp *spaceRec, d float64, free int) float64 {
	f := q.factors(sp, d, free)
	w := q.weightList()
	s := 0.0
	for i := range f {
		s += w[i] * f[i]
	}
	return roundScore(s)
}

// bound is at least the score of a space at distance d or farther that
// can take free sessions, and cheaper to work out than score: no rounding,
// no factor list, and the fixed terms looked up. A space whose bound plus
// boundSlack is below the worst score kept cannot be kept.
func (q *query) bound(sp *spaceRec, d float64, free int) float64 {
	w := &q.weights
	b := q.fitTerm[sp.fit] + q.extrasTerm[bits.OnesCount16(sp.flags&extrasFlags)] +
		w.Availability*float64(free)/float64(len(q.req.Sessions))
	if near := 1 - d/q.radiusM; near > 0 {
		b += w.Distance * min(near, 1)
	}
	if room := float64(sp.area) * q.roomScale; room < 1 {
		b += w.Room * room
	} else {
		b += w.Room // also when the activity asks for no area (scale +Inf)
	}
	switch p := sp.prices[q.tier]; {
	case p < 0:
		b += w.Price * 0.5
	case float64(p)*q.priceScale < 1:
		b += w.Price * (1 - float64(p)*q.priceScale)
	}
	return b
}

// boundSlack covers what rounding a score to 6 places can add to it, and
// the float error of adding its terms in another order.
const boundSlack = 1e-6

// roundScore keeps scores to 6 places, so equal inputs give equal scores
// whatever the order of float operations.
func roundScore(s float64) float64 { return math.Round(s*1e6) / 1e6 }

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// keep adds c to found, a heap of the best limit candidates with the worst
// at the top, so a query keeps limit matches, not every match.
func (q *query) keep(found *[]candidate, limit int, c candidate) {
	h := *found
	if len(h) < limit {
		h = append(h, c)
		for i := len(h) - 1; i > 0; { // sift up: the worse goes to the top
			parent := (i - 1) / 2
			if !q.better(h[parent], h[i]) {
				break
			}
			h[parent], h[i] = h[i], h[parent]
			i = parent
		}
		*found = h
		return
	}
	if !q.better(c, h[0]) {
		return
	}
	h[0] = c
	for i := 0; ; { // sift down
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && q.better(h[worst], h[l]) {
			worst = l
		}
		if r < len(h) && q.better(h[worst], h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// better orders matches: higher score, then nearer, then by ID.
func (q *query) better(a, b candidate) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.distM != b.distM {
		return a.distM < b.distM
	}
	return string(q.st.spaces[a.slot].id[:]) < string(q.st.spaces[b.slot].id[:])
}

var factorNames = [6]string{"fit_to_dance", "distance", "room", "price", "extras", "availability"}

func (q *query) render(c candidate) VenueMatch {
	sp := &q.st.spaces[c.slot]
	v := &q.st.venues[sp.venue]
	m := VenueMatch{
		SpaceID: sp.id.String(), SpaceName: sp.name, VenueID: v.id.String(), VenueName: v.name,
		OrganisationID: q.st.orgs[sp.org].id, Location: sp.loc,
		DistanceKm: math.Round(c.distM) / 1000, Score: c.score, FitToDance: int(sp.fit),
		SessionsRequested: len(q.req.Sessions), Conflicts: []SessionConflict{},
	}
	m.SessionsAvailable = q.freeSessions(c.slot, sp, &m.Conflicts)
	if p := sp.prices[q.tier]; p >= 0 {
		pp := int(p)
		m.PricePencePerHour = &pp
	}
	f := q.factors(sp, c.distM, m.SessionsAvailable)
	w := q.weightList()
	details := q.details(sp, c.distM, m.SessionsAvailable)
	for i := range f {
		m.Reasons = append(m.Reasons, Reason{Factor: factorNames[i], Detail: details[i],
			Weight: roundScore(w[i]), Value: roundScore(f[i]), Contribution: roundScore(w[i] * f[i])})
	}
	return m
}

func (q *query) details(sp *spaceRec, d float64, free int) [6]string {
	var out [6]string
	b := make(text, 0, 256) // the longest detail (the stars lost) fits
	b.int(int(sp.fit)).str(" of 5 stars on the Fit to Dance rubric")
	if lost := sp.starLosses(); lost != [5]uint8{} {
		b.str(" (").starLosses(lost, Floors[sp.floor], float64(sp.area)).str(")")
	}
	out[0] = b.take()
	out[1] = b.float(d/1000, 1).str(" km away, within ").float(q.req.RadiusKm, 0).str(" km").take()
	out[2] = b.float(float64(sp.area)/float64(q.req.GroupSize), 1).str(" m² per dancer for ").int(q.req.GroupSize).
		str(" (").str(q.req.Activity).str(" needs ").float(q.minArea/float64(q.req.GroupSize), 1).str(")").take()
	switch p := sp.prices[q.tier]; {
	case p < 0:
		out[3] = b.str("no ").str(string(Tiers[q.tier])).str(" price listed").take()
	case q.req.MaxPencePerHour > 0:
		out[3] = b.str("£").float(float64(p)/100, 2).str(" an hour (").str(string(Tiers[q.tier])).
			str(") against a budget of £").float(float64(q.req.MaxPencePerHour)/100, 2).take()
	default:
		out[3] = b.str("£").float(float64(p)/100, 2).str(" an hour (").str(string(Tiers[q.tier])).str(")").take()
	}
	var have []string
	for _, x := range []struct {
		bit  uint16
		name string
	}{{flagMirrors, "mirrors"}, {flagBarres, "barres"}, {flagSound, "sound system"}, {flagChanging, "changing rooms"}, {flagClimate, "climate control"}} {
		if sp.flags&x.bit != 0 {
			have = append(have, x.name)
		}
	}
	if len(have) == 0 {
		out[4] = "no extras"
	} else {
		out[4] = "has " + joinAnd(have)
	}
	out[5] = b.str("free for ").int(free).str(" of ").int(len(q.req.Sessions)).str(" sessions").take()
	return out
}

// text builds the detail lines of a match: what fmt.Sprintf would make of
// %s, %d and %.Nf, without its reflection (a match's reasons are rendered
// on every answer).
type text []byte

func (t *text) str(s string) *text { *t = append(*t, s...); return t }
func (t *text) int(n int) *text    { *t = strconv.AppendInt(*t, int64(n), 10); return t }

// float formats x as %.{prec}f does.
func (t *text) float(x float64, prec int) *text {
	*t = strconv.AppendFloat(*t, x, 'f', prec, 64)
	return t
}

// take returns the text built so far and starts again.
func (t *text) take() string {
	s := string(*t)
	*t = (*t)[:0]
	return s
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " and " + s[len(s)-1]
}
