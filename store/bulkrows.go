package store

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm/schema"

	"commonground/matching"
)

// The bulk readers (Snapshot, ChangesSince) scan each table straight into
// its gorm row (organisationRow, offerRow, venueRow, spaceRow), one value
// reused from row to row, and build the domain value with the same
// converter as the single-record reads (toOrganisation, toOffer, toVenue,
// toSpace). What they select, and in which order, is derived once from the
// row type as gorm sees it, so a field added to a row is read by both
// paths with no list to keep in step. A plan says only what differs from
// scanning a column into its own field:
//
//   - skip: columns the bulk readers never read;
//   - interned: short text repeated on many rows (kinds, floors, slugs),
//     read as bytes and shared through the interner;
//   - text: columns read as bytes for the builder, not set on the row.
//
// A column whose field is a sql.Scanner (the JSON lists) is always read as
// text, which the builder parses by hand (jsonlists.go): database/sql and
// gorm would unmarshal each one with reflection. On PostgreSQL text is read
// in place from pgx's buffer, without a copy.

// planOpts are the exceptions of one table's plan, by column name.
type planOpts struct {
	skip, interned, text []string
}

// readAs is how one column is scanned.
type readAs uint8

const (
	readField    readAs = iota // into the row's own field
	readText                   // as bytes, for the builder
	readInterned               // as bytes, then into the row's string field through the interner
)

type planCol struct {
	name  string
	index []int // of the field in the row struct
	how   readAs
}

// tablePlan is how the bulk readers read the table of gorm row R.
type tablePlan[R any] struct {
	table string
	// columns is the select list, in the row's field order.
	columns string
	cols    []planCol
	skipped []string
	claimed []bool // text columns a builder has asked for (textCol)
}

// gormNamer is the naming gorm.Open uses when it is given none, as
// store.Open does; TestBulkColumnsExist holds the plans to the tables.
var gormNamer = schema.NamingStrategy{IdentifierMaxLength: 64}

// directKinds are the field types the row readers scan into (see rowReader).
var directKinds = []reflect.Type{
	reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[int](), reflect.TypeFor[int64](),
	reflect.TypeFor[float64](), reflect.TypeFor[time.Time](),
}

var scannerType = reflect.TypeFor[sql.Scanner]()

// newPlan derives the plan of row R from its gorm schema. It fails when o
// names a column R does not have, or when a column read into its field has
// a type the row readers do not scan.
func newPlan[R any](o planOpts) (*tablePlan[R], error) {
	var zero R
	s, err := schema.Parse(&zero, &sync.Map{}, gormNamer)
	if err != nil {
		return nil, err
	}
	p := &tablePlan[R]{table: s.Table, skipped: o.skip}
	seen := map[string]bool{}
	var names []string
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		seen[f.DBName] = true
		c := planCol{name: f.DBName, index: f.StructField.Index}
		switch {
		case slices.Contains(o.skip, c.name):
			continue
		case slices.Contains(o.text, c.name):
			c.how = readText
		case slices.Contains(o.interned, c.name):
			if f.FieldType.Kind() != reflect.String {
				return nil, fmt.Errorf("%s.%s: interned, but its field is a %s, not a string", s.Table, c.name, f.FieldType)
			}
			c.how = readInterned
		case reflect.PointerTo(f.FieldType).Implements(scannerType):
			c.how = readText
		case !slices.Contains(directKinds, f.FieldType):
			return nil, fmt.Errorf("%s.%s: the bulk readers cannot scan a %s; read it as text (planOpts) or change its type", s.Table, c.name, f.FieldType)
		}
		p.cols = append(p.cols, c)
		names = append(names, c.name)
	}
	for _, list := range [][]string{o.skip, o.interned, o.text} {
		for _, n := range list {
			if !seen[n] {
				return nil, fmt.Errorf("%s has no column %q", s.Table, n)
			}
		}
	}
	p.columns = strings.Join(names, ", ")
	p.claimed = make([]bool, len(p.cols))
	return p, nil
}

func mustPlan[R any](o planOpts) *tablePlan[R] {
	p, err := newPlan[R](o)
	if err != nil {
		panic("store: bulk read plan: " + err.Error())
	}
	return p
}

// textCol is the position of a column read as text, for scanRow.text.
func (p *tablePlan[R]) textCol(name string) int {
	for i, c := range p.cols {
		if c.name == name && c.how == readText {
			p.claimed[i] = true
			return i
		}
	}
	panic(fmt.Sprintf("store: bulk read plan: %q is not a column read as text", name))
}

// unclaimed lists the text columns no builder reads: a field the bulk
// readers would drop.
func (p *tablePlan[R]) unclaimed() []string {
	var out []string
	for i, c := range p.cols {
		if c.how == readText && !p.claimed[i] {
			out = append(out, p.table+"."+c.name)
		}
	}
	return out
}

// scanRow is the destination of one table's bulk reads, reused from row
// to row: the gorm row, and the bytes of the columns read as text.
type scanRow[R any] struct {
	row      R
	text     [][]byte // by plan column; nil for columns read into fields
	interned []internedCol
}

type internedCol struct {
	to   *string
	from *[]byte
}

// bind returns the scan destinations for p.columns, in order.
func (s *scanRow[R]) bind(p *tablePlan[R]) []any {
	v := reflect.ValueOf(&s.row).Elem()
	s.text = make([][]byte, len(p.cols))
	s.interned = s.interned[:0]
	dests := make([]any, len(p.cols))
	for i, c := range p.cols {
		f := v.FieldByIndex(c.index).Addr()
		switch c.how {
		case readField:
			dests[i] = f.Interface()
		case readText:
			dests[i] = &s.text[i]
		case readInterned:
			dests[i] = &s.text[i]
			s.interned = append(s.interned, internedCol{to: f.Interface().(*string), from: &s.text[i]})
		}
	}
	return dests
}

// intern sets the interned fields from the row just scanned.
func (s *scanRow[R]) intern(in *interner) {
	for _, c := range s.interned {
		*c.to = in.bytes(*c.from)
	}
}

// The plans. token_hash is a secret that never leaves the store;
// fit_to_dance is kept for SQL queries and computed again by matching.
var (
	orgPlan   = mustPlan[organisationRow](planOpts{skip: []string{"token_hash"}, interned: []string{"type"}})
	itemPlan  = mustPlan[offerRow](planOpts{text: []string{"organisation_id"}, interned: []string{"category"}})
	needPlan  = mustPlan[needRow](planOpts{text: []string{"organisation_id"}, interned: []string{"category", "activity"}})
	venuePlan = mustPlan[venueRow](planOpts{interned: []string{"timezone"}})
	spacePlan = mustPlan[spaceRow](planOpts{skip: []string{"fit_to_dance"}, interned: []string{"kind", "floor", "surface"}})

	orgColumns   = orgPlan.columns
	itemColumns  = itemPlan.columns
	needColumns  = needPlan.columns
	venueColumns = venuePlan.columns
	spaceColumns = spacePlan.columns

	orgValues, orgPractices, orgExclusions = orgPlan.textCol("values_list"), orgPlan.textCol("practices"), orgPlan.textCol("exclusions")
	itemOrgID                              = itemPlan.textCol("organisation_id")
	needOrgID, needWindows                 = needPlan.textCol("organisation_id"), needPlan.textCol("windows")
	spaceProhibited, spacePrices           = spacePlan.textCol("prohibited_activities"), spacePlan.textCol("prices")
	spaceHours, spaceClosures              = spacePlan.textCol("opening_hours"), spacePlan.textCol("closures")
	spaceRigging                           = spacePlan.textCol("rigging_points")
)

func init() {
	var missed []string
	for _, u := range [][]string{orgPlan.unclaimed(), itemPlan.unclaimed(), needPlan.unclaimed(), venuePlan.unclaimed(), spacePlan.unclaimed()} {
		missed = append(missed, u...)
	}
	if len(missed) > 0 {
		panic("store: bulk read plan: no builder reads " + strings.Join(missed, ", "))
	}
}

// orgCols is one row of orgColumns.
type orgCols struct{ scanRow[organisationRow] }

func (c *orgCols) fields() []any { return c.bind(orgPlan) }

// organisation builds the organisation, without offers and needs.
func (c *orgCols) organisation(in *interner) (matching.Organisation, error) {
	c.intern(in)
	o := toOrganisation(&c.row)
	var err error
	if o.Values, err = parseStrings(c.text[orgValues], in); err != nil {
		return o, fmt.Errorf("organisation %s values: %w", o.ID, err)
	}
	if o.Practices, err = parseStrings(c.text[orgPractices], in); err != nil {
		return o, fmt.Errorf("organisation %s practices: %w", o.ID, err)
	}
	if o.Exclusions, err = parseStrings(c.text[orgExclusions], in); err != nil {
		return o, fmt.Errorf("organisation %s exclusions: %w", o.ID, err)
	}
	return o, nil
}

// itemCols is one row of itemColumns, from offers.
type itemCols struct{ scanRow[offerRow] }

func (c *itemCols) fields() []any { return c.bind(itemPlan) }

// orgID is the organisation_id of the row just scanned, valid until the next.
func (c *itemCols) orgID() []byte { return c.text[itemOrgID] }

// offer builds the offer; orgID is the organisation's ID, which
// the caller has looked up by c.orgID, so the string is shared.
func (c *itemCols) offer(in *interner, orgID string) matching.Offer {
	c.intern(in)
	o := toOffer(&c.row)
	o.OrganisationID = orgID
	return o
}

// needCols is one row of needColumns.
type needCols struct{ scanRow[needRow] }

func (c *needCols) fields() []any { return c.bind(needPlan) }

// orgID is the organisation_id of the row just scanned, valid until the next.
func (c *needCols) orgID() []byte { return c.text[needOrgID] }

// need builds the need; orgID is the organisation's ID, which the caller
// has looked up by c.orgID, so the string is shared.
func (c *needCols) need(in *interner, orgID string) (matching.Need, error) {
	c.intern(in)
	n := toNeed(&c.row)
	n.OrganisationID = orgID
	var err error
	if n.Windows, err = parseWindows(c.text[needWindows], in); err != nil {
		return n, fmt.Errorf("need %s windows: %w", n.ID, err)
	}
	return n, nil
}

// venueCols is one row of venueColumns.
type venueCols struct{ scanRow[venueRow] }

func (c *venueCols) fields() []any { return c.bind(venuePlan) }

func (c *venueCols) venue(in *interner) matching.Venue {
	c.intern(in)
	return toVenue(&c.row)
}

// spaceCols is one row of spaceColumns.
type spaceCols struct{ scanRow[spaceRow] }

func (c *spaceCols) fields() []any { return c.bind(spacePlan) }

func (c *spaceCols) space(in *interner) (matching.Space, error) {
	c.intern(in)
	s := toSpace(&c.row)
	var err error
	if s.ProhibitedActivities, err = parseStrings(c.text[spaceProhibited], in); err != nil {
		return s, fmt.Errorf("space %s prohibited_activities: %w", s.ID, err)
	}
	if s.Prices, err = parsePrices(c.text[spacePrices], in); err != nil {
		return s, fmt.Errorf("space %s prices: %w", s.ID, err)
	}
	if s.OpeningHours, err = parseHours(c.text[spaceHours], in); err != nil {
		return s, fmt.Errorf("space %s opening_hours: %w", s.ID, err)
	}
	if s.Closures, err = parseClosures(c.text[spaceClosures], in); err != nil {
		return s, fmt.Errorf("space %s closures: %w", s.ID, err)
	}
	if s.RiggingPoints, err = parseRigging(c.text[spaceRigging]); err != nil {
		return s, fmt.Errorf("space %s rigging_points: %w", s.ID, err)
	}
	return s, nil
}
