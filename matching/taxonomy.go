package matching

import "sort"

// Term is one entry of the shared taxonomy.
type Term struct {
	Slug        string
	Label       string
	Description string
	// Broader is the slug of the more general category this one refines
	// (a dance studio is a kind of rehearsal space); empty at the top.
	Broader string
}

// Conflict says that organisations holding Value will not work with
// organisations that follow Practice.
type Conflict struct {
	Value    string
	Practice string
}

// Taxonomy is the shared vocabulary of categories (offers and needs),
// values, practices and dance activities, with the value/practice
// conflicts that make two organisations incompatible. Build one with
// NewTaxonomy; it is read-only afterwards and safe for concurrent use.
type Taxonomy struct {
	Categories []Term
	Values     []Term
	Practices  []Term
	Activities []Term
	Conflicts  []Conflict
	// Meets are the offer → need relations beyond broader/narrower.
	Meets []Meet
	// HealthCriteria are the partnership health criteria and the questions
	// behind each (see WithHealthCriteria).
	HealthCriteria []HealthCriterion

	categories map[string]Term
	values     map[string]Term
	practices  map[string]Term
	activities map[string]Term
	// conflicting maps a value to the practices it will not accept.
	conflicting map[string]map[string]bool
	// meets[i][j]: an offer of Categories[i] meets a need of Categories[j].
	meets [][]bool
}

// NewTaxonomy indexes the given terms. Terms are kept in slug order.
func NewTaxonomy(categories, values, practices, activities []Term, conflicts []Conflict) *Taxonomy {
	t := &Taxonomy{
		Categories: sortedTerms(categories),
		Values:     sortedTerms(values),
		Practices:  sortedTerms(practices),
		Activities: sortedTerms(activities),
		Conflicts:  append([]Conflict(nil), conflicts...),
	}
	t.categories = termIndex(t.Categories)
	t.values = termIndex(t.Values)
	t.practices = termIndex(t.Practices)
	t.activities = termIndex(t.Activities)
	t.conflicting = map[string]map[string]bool{}
	for _, c := range t.Conflicts {
		if t.conflicting[c.Value] == nil {
			t.conflicting[c.Value] = map[string]bool{}
		}
		t.conflicting[c.Value][c.Practice] = true
	}
	return t
}

func sortedTerms(in []Term) []Term {
	out := append([]Term(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out
}

func termIndex(terms []Term) map[string]Term {
	m := make(map[string]Term, len(terms))
	for _, t := range terms {
		m[t.Slug] = t
	}
	return m
}

// IsCategory reports whether slug is a known offer/need category.
func (t *Taxonomy) IsCategory(slug string) bool { _, ok := t.categories[slug]; return ok }

// IsValue reports whether slug is a known value.
func (t *Taxonomy) IsValue(slug string) bool { _, ok := t.values[slug]; return ok }

// IsPractice reports whether slug is a known practice.
func (t *Taxonomy) IsPractice(slug string) bool { _, ok := t.practices[slug]; return ok }

// IsActivity reports whether slug is a known dance activity.
func (t *Taxonomy) IsActivity(slug string) bool { _, ok := t.activities[slug]; return ok }

// Category returns the category term for slug.
func (t *Taxonomy) Category(slug string) (Term, bool) { c, ok := t.categories[slug]; return c, ok }

// ValueConflictsWith reports whether holding value rules out partners that
// follow practice.
func (t *Taxonomy) ValueConflictsWith(value, practice string) bool {
	return t.conflicting[value][practice]
}

// Compatible reports whether two organisations may be matched: neither
// follows a practice the other excludes or that conflicts with one of the
// other's values. It is symmetric.
func (t *Taxonomy) Compatible(a, b *Organisation) bool {
	return t.accepts(a, b) && t.accepts(b, a)
}

// accepts reports whether a will work with b's practices.
func (t *Taxonomy) accepts(a, b *Organisation) bool {
	for _, p := range b.Practices {
		for _, x := range a.Exclusions {
			if x == p {
				return false
			}
		}
		for _, v := range a.Values {
			if t.ValueConflictsWith(v, p) {
				return false
			}
		}
	}
	return true
}

// Bit indexes for the engine: up to 64 activities and 64 practices, in
// slug order. Unknown slugs have no bit.
func bitOf(terms []Term, slug string) uint64 {
	i := sort.Search(len(terms), func(i int) bool { return terms[i].Slug >= slug })
	if i < len(terms) && i < 64 && terms[i].Slug == slug {
		return 1 << uint(i)
	}
	return 0
}

func (t *Taxonomy) activityBit(slug string) uint64 { return bitOf(t.Activities, slug) }
func (t *Taxonomy) practiceBit(slug string) uint64 { return bitOf(t.Practices, slug) }

// conflictBits are the practices a value will not accept, as bits.
func (t *Taxonomy) conflictBits(value string) uint64 {
	var bits uint64
	for p := range t.conflicting[value] {
		bits |= t.practiceBit(p)
	}
	return bits
}

// Meet says an offer of one category meets a need of another, beyond the
// broader/narrower relation (a hall meets a need for rehearsal space).
type Meet struct {
	Offer string
	Need  string
}

// WithMeets returns a copy of the taxonomy that also knows the given
// offer → need relations. An offer meets a need when the need is the
// offer's category or a broader one (a dance studio meets a need for
// rehearsal space), or when a relation given here links the offer's
// category, or one broader, to the need.
func (t *Taxonomy) WithMeets(meets []Meet) *Taxonomy {
	c := *t
	c.Meets = append([]Meet(nil), meets...)
	n := len(c.Categories)
	c.meets = make([][]bool, n)
	for i := range c.meets {
		c.meets[i] = make([]bool, n)
	}
	for i, term := range c.Categories {
		for _, a := range c.selfAndBroader(term.Slug) {
			if j := c.categoryIndex(a); j >= 0 {
				c.meets[i][j] = true
			}
			for _, m := range c.Meets {
				if m.Offer == a {
					if j := c.categoryIndex(m.Need); j >= 0 {
						c.meets[i][j] = true
					}
				}
			}
		}
	}
	return &c
}

// selfAndBroader lists a category and every broader one above it.
func (t *Taxonomy) selfAndBroader(slug string) []string {
	out := []string{slug}
	for len(out) <= len(t.Categories) {
		term, ok := t.categories[out[len(out)-1]]
		if !ok || term.Broader == "" {
			break
		}
		out = append(out, term.Broader)
	}
	return out
}

// categoryIndex is a category's position in Categories, -1 if unknown.
func (t *Taxonomy) categoryIndex(slug string) int {
	i := sort.Search(len(t.Categories), func(i int) bool { return t.Categories[i].Slug >= slug })
	if i < len(t.Categories) && t.Categories[i].Slug == slug {
		return i
	}
	return -1
}

// OfferMeetsNeed reports whether an offer of one category meets a need of
// another (see WithMeets).
func (t *Taxonomy) OfferMeetsNeed(offer, need string) bool {
	i, j := t.categoryIndex(offer), t.categoryIndex(need)
	if i < 0 || j < 0 {
		return false
	}
	if t.meets == nil {
		for _, a := range t.selfAndBroader(offer) {
			if a == need {
				return true
			}
		}
		return false
	}
	return t.meets[i][j]
}
