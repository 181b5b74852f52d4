package matching

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// How a partner match is explained: one reason per factor of its score,
// after one (weight 0) saying which tier it is in, each a sentence in
// plain English that names needs, offers, values and sectors by their
// labels, never their slugs.

func (e *Engine) renderPartner(st *state, me *orgRec, c *partnerCandidate, w [numPartnerFactors]float64, radiusKm float64) PartnerMatch {
	o := &st.orgs[c.slot]
	m := PartnerMatch{OrganisationID: o.id, Name: o.name, Type: OrgTypes[o.typ], DistanceKm: math.Round(c.d) / 1000,
		Score: c.score, TheyMeet: viaRooms(st, c.they, c.theyRooms), YouMeet: viaRooms(st, c.you, c.youRooms), SharedValues: []string{}}
	var sharedLabels []string
	for i, v := range e.tax.Values {
		if i < 64 && me.values&o.values&(1<<uint(i)) != 0 {
			m.SharedValues = append(m.SharedValues, v.Slug)
			sharedLabels = append(sharedLabels, e.labels[v.Slug])
		}
	}
	details := [numPartnerFactors]string{
		e.theyMeetDetail(m.TheyMeet, len(me.needs)),
		e.youMeetDetail(m.YouMeet, len(o.needs)),
		sharedValuesDetail(sharedLabels),
		capacityDetail(len(c.they), c.offered, c.needed, c.factors[3]),
		distanceDetail(c.d, radiusKm, c.d <= float64(me.radiusKm)*1000, c.d <= float64(o.radiusKm)*1000),
		sectorDetail(sectorOf(OrgTypes[me.typ]), sectorOf(OrgTypes[o.typ])),
		trustDetail(int(o.trusted)),
	}
	tier := Reason{Factor: "tier", Detail: tierDetail(len(c.they) > 0, len(c.you) > 0)}
	if c.reciprocal {
		tier.Value = 1
	}
	m.Reasons = append(m.Reasons, tier)
	for i := range w {
		m.Reasons = append(m.Reasons, Reason{Factor: partnerFactorNames[i], Detail: details[i], Weight: roundScore(w[i]),
			Value: roundScore(c.factors[i]), Contribution: roundScore(w[i] * c.factors[i])})
	}
	return m
}

// viaRooms returns pairs (never nil) with the rooms of rooms named.
func viaRooms(st *state, pairs []Pair, rooms []int32) []Pair {
	if pairs == nil {
		return []Pair{}
	}
	for i, r := range rooms {
		if r >= 0 {
			sp := &st.spaces[r]
			pairs[i].ViaSpaceID, pairs[i].ViaSpaceName = sp.id.String(), sp.name
		}
	}
	return pairs
}

// tierDetail says which tier a match is in and what that does to its rank.
func tierDetail(theyMeet, youMeet bool) string {
	switch {
	case theyMeet && youMeet:
		return "two-way: each of you meets a need of the other, so it ranks above every one-way match"
	case theyMeet:
		return "one-way: they meet your needs but you meet none of theirs, so it ranks below every two-way match"
	}
	return "one-way: you meet their needs but they meet none of yours, so it ranks below every two-way match"
}

// label is how a category reads in a sentence: its label in lower case,
// with the room that meets it when there is one.
func (e *Engine) label(slug string) string {
	if l, ok := e.labels[slug]; ok {
		return l
	}
	return strings.ReplaceAll(slug[strings.IndexByte(slug, '.')+1:], "-", " ")
}

// pairText is a need met, as a reader sees it: the need, then the room
// that meets it or, when another kind of offer meets it, that offer; whose
// is "their" or "your".
func (e *Engine) pairText(p Pair, whose string) string {
	s := e.label(p.Need)
	switch {
	case p.ViaSpaceName != "":
		s += " (" + whose + " " + p.ViaSpaceName + ")"
	case p.Offer != p.Need:
		s += " (through " + whose + " " + e.label(p.Offer) + ")"
	}
	return s
}

func (e *Engine) theyMeetDetail(pairs []Pair, needs int) string {
	if len(pairs) == 0 {
		if needs == 0 {
			return "you list no needs"
		}
		return noneMet("they", "your", needs)
	}
	items := make([]string, len(pairs))
	for i, p := range pairs {
		items[i] = e.pairText(p, "their")
	}
	if len(items) == 1 {
		return "they meet " + ofYour(len(pairs), needs, "your") + items[0]
	}
	return "they meet " + ofYour(len(pairs), needs, "your") + joinAnd(items)
}

func (e *Engine) youMeetDetail(pairs []Pair, needs int) string {
	if len(pairs) == 0 {
		if needs == 0 {
			return "they list no needs"
		}
		return noneMet("you", "their", needs)
	}
	items := make([]string, len(pairs))
	for i, p := range pairs {
		items[i] = e.pairText(p, "your")
	}
	if len(items) == 1 {
		return "you meet " + ofYour(len(pairs), needs, "their") + items[0]
	}
	return "you meet " + ofYour(len(pairs), needs, "their") + joinAnd(items)
}

// ofYour says how many of whose needs are met, up to the list of them.
func ofYour(met, needs int, whose string) string {
	switch {
	case needs == 1:
		return whose + " need for "
	case met == needs:
		return "all " + strconv.Itoa(needs) + " of " + whose + " needs: "
	}
	return strconv.Itoa(met) + " of " + whose + " " + strconv.Itoa(needs) + " needs: "
}

// noneMet says who meets none of whose needs.
func noneMet(who, whose string, needs int) string {
	if needs == 1 {
		return who + " do not meet " + whose + " one need"
	}
	return fmt.Sprintf("%s meet none of %s %d needs", who, whose, needs)
}

// count is n with the noun in the singular or plural as n asks.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func sharedValuesDetail(labels []string) string {
	if len(labels) == 0 {
		return "no values in common"
	}
	return count(len(labels), "value", "values") + " in common: " + joinAnd(labels)
}

// capacityDetail explains the capacity factor: the hours a month the
// partner offers toward the needs it meets, against the hours needed.
func capacityDetail(met, offered, needed int, f float64) string {
	switch {
	case met == 0:
		return "no hours to weigh: they meet none of your needs"
	case needed == 0:
		return "you ask no set hours a month for what they meet"
	case f >= 1:
		return fmt.Sprintf("they can give all the %s a month you need for what they meet", count(needed, "hour", "hours"))
	case offered == 0:
		return fmt.Sprintf("they list no hours toward the %s a month you need for what they meet", count(needed, "hour", "hours"))
	}
	return fmt.Sprintf("they can give %d of the %s a month you need for what they meet", offered, count(needed, "hour", "hours"))
}

// distanceDetail explains the distance factor (PartnerDistanceFactor).
func distanceDetail(d, radiusKm float64, inMine, inTheirs bool) string {
	s := strconv.FormatFloat(d/1000, 'f', 1, 64) + " km away"
	switch {
	case inMine && inTheirs:
		s += ", within both your service areas"
	case inMine:
		s += ", within your service area but beyond theirs (counts three quarters)"
	case inTheirs:
		s += ", within their service area but beyond yours (counts three quarters)"
	default:
		s += ", beyond both your service areas (counts half)"
	}
	return s + "; nearer partners score higher, this factor halving every " +
		strconv.FormatFloat(math.Round(radiusKm/4*10)/10, 'f', -1, 64) + " km"
}

func sectorDetail(mine, theirs string) string {
	if mine == theirs {
		return "the same sector: you both work " + sectorWork(mine) + ", so no bonus"
	}
	return "across sectors: you work " + sectorWork(mine) + ", they work " + sectorWork(theirs)
}

// sectorWork is how a sector of sectorOf reads after "you work".
func sectorWork(sector string) string {
	switch sector {
	case "arts":
		return "in the arts"
	case "children and young people":
		return "with children and young people"
	case "public":
		return "in public services"
	case "business":
		return "in business"
	}
	return "in the community"
}

// trustDetail explains the trust factor of a partner with n completed
// partnerships whose health stayed good.
func trustDetail(n int) string {
	switch {
	case n == 0:
		return "no completed partnerships with good health yet"
	case n == 1:
		return "1 completed partnership with good health"
	case n >= 255:
		return "255 or more completed partnerships with good health"
	}
	return fmt.Sprintf("%d completed partnerships with good health", n)
}
