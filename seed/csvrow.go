package seed

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// importer turns validated CSV rows into venues and spaces.
type importer struct {
	ve     *matching.ValidationError
	tax    *matching.Taxonomy
	orgID  string
	cols   []int          // header position of each column, -1 if absent
	index  map[string]int // venue key -> venues
	venues []pendingVenue
	spaces []pendingSpace
}

type pendingVenue struct {
	v      matching.Venue
	line   int
	bad    bool // its first row had problems: later rows are not compared
	spaces int
}

type pendingSpace struct {
	s     matching.Space
	venue int
}

// rowCells reads one row's cells by column, trimmed.
type rowCells struct {
	im  *importer
	rec []string
}

func (rc rowCells) get(col int) string {
	if i := rc.im.cols[col]; i >= 0 {
		return strings.TrimSpace(rc.rec[i])
	}
	return ""
}

// row reads one data row at line, adding a space (and a venue on its
// first row) or recording the row's problems.
func (im *importer) row(line int, rec []string) {
	blank, big := true, false
	for i, c := range rec {
		if strings.TrimSpace(c) != "" {
			blank = false
		}
		if len(c) > MaxCSVCell {
			im.ve.Add(rowField(line, im.headerName(i)), "must be at most %d bytes", MaxCSVCell)
			big = true
		}
	}
	if blank || big {
		return
	}
	rc := rowCells{im: im, rec: rec}
	rv := &matching.ValidationError{}
	vi := im.venueFor(rv, rc, line)
	s, bad := im.space(rc)
	for _, fe := range fieldErrors(s.Validate(im.tax)) {
		if col := spaceColumn(fe.Field, s.Prices); bad[col] == "" {
			rv.Add(col, "%s", fe.Message)
		}
	}
	for col, msg := range bad {
		if msg != "" {
			rv.Add(col, "%s", msg)
		}
	}
	if vi >= 0 && rv.Err() == nil {
		pv := &im.venues[vi]
		if pv.spaces++; pv.spaces > matching.MaxSpacesPerVenue {
			rv.Add("space_name", "venue %s already has %d spaces, the most allowed", q(pv.v.Name), matching.MaxSpacesPerVenue)
		}
	}
	if rv.Err() != nil {
		sortFieldErrors(rv.Errors)
		im.ve.Merge(rowField(line, ""), rv)
		return
	}
	im.spaces = append(im.spaces, pendingSpace{s: s, venue: vi})
}

// venueFor finds or starts the row's venue. It returns -1 when the row
// names no venue.
func (im *importer) venueFor(rv *matching.ValidationError, rc rowCells, line int) int {
	name, pc := rc.get(colVenueName), normPostcode(rc.get(colPostcode))
	if name == "" {
		rv.Add("venue_name", "is required")
	}
	if pc == "" {
		rv.Add("postcode", "is required")
	}
	if name == "" || pc == "" {
		return -1
	}
	key := strings.ToLower(name) + "\x00" + pc
	if i, ok := im.index[key]; ok {
		if pv := &im.venues[i]; !pv.bad {
			im.sameVenue(rv, rc, pv)
		}
		return i
	}
	before := len(rv.Errors)
	v := matching.Venue{OrganisationID: im.orgID, Name: name, Postcode: pc, Address: rc.get(colAddress), Timezone: rc.get(colTimezone)}
	if v.Timezone == "" {
		v.Timezone = matching.DefaultTimezone
	}
	v.Location = readPoint(rv, rc)
	v.Accessibility = readAccess(rv, rc)
	for _, fe := range fieldErrors(v.Validate()) {
		f := fe.Field
		if f == "name" {
			f = "venue_name"
		}
		rv.Add(f, "%s", fe.Message)
	}
	im.venues = append(im.venues, pendingVenue{v: v, line: line, bad: len(rv.Errors) > before})
	im.index[key] = len(im.venues) - 1
	return len(im.venues) - 1
}

// readPoint reads lat and lon, which the venue's first row must give.
func readPoint(rv *matching.ValidationError, rc rowCells) (p orb.Point) {
	lat, okLat := readFloat(rv, rc, colLat, true)
	lon, okLon := readFloat(rv, rc, colLon, true)
	if !okLat || !okLon {
		return p
	}
	pt, err := geo.NewPoint(lat, lon)
	if ce, ok := err.(*geo.CoordinateError); ok {
		rv.Add(ce.Field, "%s", ce.Message)
	}
	return pt
}

func readAccess(rv *matching.ValidationError, rc rowCells) matching.Accessibility {
	return matching.Accessibility{
		StepFree:         readBool(rv, rc, colStepFree),
		AccessibleToilet: readBool(rv, rc, colAccessibleToilet),
		HearingLoop:      readBool(rv, rc, colHearingLoop),
		Parking:          readBool(rv, rc, colParking),
	}
}

// sameVenue checks that a later row of a venue agrees with its first row
// in every venue column it fills.
func (im *importer) sameVenue(rv *matching.ValidationError, rc rowCells, pv *pendingVenue) {
	differs := func(col int) {
		rv.Add(columnNames[col], "differs from row %d, the first row of venue %s", pv.line, q(pv.v.Name))
	}
	if a := rc.get(colAddress); a != "" && a != pv.v.Address {
		differs(colAddress)
	}
	if tz := rc.get(colTimezone); tz != "" && tz != pv.v.Timezone {
		differs(colTimezone)
	}
	for i, col := range []int{colLat, colLon} {
		if rc.get(col) == "" {
			continue
		}
		if x, ok := readFloat(rv, rc, col, false); ok && x != pv.v.Location[1-i] {
			differs(col)
		}
	}
	given := readAccess(rv, rc)
	for _, c := range []struct {
		col       int
		got, want bool
	}{
		{colStepFree, given.StepFree, pv.v.Accessibility.StepFree},
		{colAccessibleToilet, given.AccessibleToilet, pv.v.Accessibility.AccessibleToilet},
		{colHearingLoop, given.HearingLoop, pv.v.Accessibility.HearingLoop},
		{colParking, given.Parking, pv.v.Accessibility.Parking},
	} {
		if rc.get(c.col) != "" && c.got != c.want {
			differs(c.col)
		}
	}
}

// space reads the row's space. bad maps each column that could not be read
// to its problem.
func (im *importer) space(rc rowCells) (matching.Space, map[string]string) {
	bad := map[string]string{}
	s := matching.Space{OrganisationID: im.orgID, Name: rc.get(colSpaceName)}
	for _, col := range []int{colSpaceName, colKind, colCapacity, colFloorArea} {
		if rc.get(col) == "" {
			bad[columnNames[col]] = "is required"
		}
	}
	s.Kind = matching.SpaceKind(normWord(rc.get(colKind)))
	s.Floor = matching.Floor(normWord(rc.get(colFloor)))
	if s.Floor == "" {
		s.Floor = matching.FloorOther
	}
	if c := rc.get(colCapacity); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			bad["capacity"] = "must be a whole number of people"
		}
		s.Capacity = n
	}
	s.FloorAreaM2 = cellFloat(bad, rc, colFloorArea, "must be a number of square metres")
	s.CeilingHeightM = cellFloat(bad, rc, colCeiling, "must be a number of metres (blank if unknown)")
	for col, c := range columns {
		if c.flag == nil {
			continue
		}
		b, ok := parseBool(rc.get(col))
		if !ok {
			bad[c.name] = boolProblem
		}
		*c.flag(&s) = b
	}
	if s.Kind == matching.KindOutdoor {
		s.Outdoor = true
	}
	s.Surface = matching.Surface(normWord(rc.get(colSurface)))
	for load := range strings.SplitSeq(rc.get(colRigging), ";") {
		if load = strings.TrimSpace(load); load == "" {
			continue
		}
		kg, err := strconv.ParseFloat(load, 64)
		if err != nil || math.IsNaN(kg) || math.IsInf(kg, 0) {
			bad["rigging_points"] = "must be rated loads in kilograms separated by ;, e.g. 1000; 1000"
			break
		}
		s.RiggingPoints = append(s.RiggingPoints, matching.RiggingPoint{RatedLoadKg: kg})
	}
	for a := range strings.SplitSeq(rc.get(colProhibited), ";") {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			s.ProhibitedActivities = append(s.ProhibitedActivities, a)
		}
	}
	for i, col := range []int{colPriceCommunity, colPriceStandard, colPriceCommercial} {
		c := rc.get(col)
		if c == "" {
			continue
		}
		n, err := strconv.Atoi(c)
		if err != nil {
			bad[columnNames[col]] = "must be a whole number of pence per hour, such as 1500 for £15"
			continue
		}
		s.Prices = append(s.Prices, matching.Price{Tier: matching.Tiers[i], PencePerHour: n})
	}
	hours, err := parseHours(rc.get(colOpeningHours))
	if err != nil {
		bad["opening_hours"] = err.Error()
	}
	s.OpeningHours = hours
	s.BookingHorizonDays = matching.DefaultBookingHorizonDays
	for _, f := range []struct {
		col  int
		to   *int
		unit string
	}{{colTurnaround, &s.TurnaroundMinutes, "minutes"}, {colHorizon, &s.BookingHorizonDays, "days"},
		{colMaxHours, &s.MaxHoursPerOrganisation, "hours"}} {
		if c := rc.get(f.col); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil {
				bad[columnNames[f.col]] = "must be a whole number of " + f.unit
				continue
			}
			*f.to = n
		}
	}
	return s, bad
}

const boolProblem = "must be one of true, false, yes, no, 1, 0 or blank"

func readBool(rv *matching.ValidationError, rc rowCells, col int) bool {
	b, ok := parseBool(rc.get(col))
	if !ok {
		rv.Add(columnNames[col], boolProblem)
	}
	return b
}

// parseBool reads a yes/no cell; blank is no.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "", "false", "no", "0":
		return false, true
	case "true", "yes", "1":
		return true, true
	}
	return false, false
}

// readFloat reads a finite number from a cell, reporting a blank one when
// required.
func readFloat(rv *matching.ValidationError, rc rowCells, col int, required bool) (float64, bool) {
	c := rc.get(col)
	if c == "" {
		if required {
			rv.Add(columnNames[col], "is required on the venue's first row")
		}
		return 0, false
	}
	x, err := strconv.ParseFloat(c, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		rv.Add(columnNames[col], "must be a number in decimal degrees")
		return 0, false
	}
	return x, true
}

// cellFloat reads an optional finite number; blank is 0.
func cellFloat(bad map[string]string, rc rowCells, col int, problem string) float64 {
	c := rc.get(col)
	if c == "" {
		return 0
	}
	x, err := strconv.ParseFloat(c, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		bad[columnNames[col]] = problem
		return 0
	}
	return x
}

// spaceColumn names the CSV column behind a field of Space.Validate.
func spaceColumn(field string, prices []matching.Price) string {
	head, _, _ := strings.Cut(field, ".")
	base, idx, _ := strings.Cut(head, "[")
	switch base {
	case "name":
		return "space_name"
	case "prices":
		if i, err := strconv.Atoi(strings.TrimSuffix(idx, "]")); err == nil && i >= 0 && i < len(prices) {
			return "price_" + string(prices[i].Tier)
		}
	}
	return base
}

// normWord lowercases a kind or floor and spells "Meeting room" as
// "meeting_room".
func normWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, strings.ToLower(s))
}

// normPostcode uppercases a postcode and spaces it as "CB1 2AB".
func normPostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if n := len(s); n >= 5 && n <= 7 && isAlnum(s) {
		return s[:n-3] + " " + s[n-3:]
	}
	return s
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (im *importer) headerName(i int) string {
	for col, at := range im.cols {
		if at == i {
			return columnNames[col]
		}
	}
	return "column_" + strconv.Itoa(i+1)
}

// dataset assigns IDs, venues first, and returns the import.
func (im *importer) dataset(newID func() string) *Dataset {
	ds := &Dataset{
		Venues: make([]matching.Venue, len(im.venues)),
		Spaces: make([]matching.Space, len(im.spaces)),
	}
	for i := range im.venues {
		ds.Venues[i] = im.venues[i].v
		ds.Venues[i].ID = newID()
	}
	for i, ps := range im.spaces {
		s := ps.s
		s.ID = newID()
		s.VenueID = ds.Venues[ps.venue].ID
		s.Location = ds.Venues[ps.venue].Location
		ds.Spaces[i] = s
	}
	return ds
}

// sortFieldErrors puts a row's problems in column order.
func sortFieldErrors(errs []matching.FieldError) {
	rank := func(f string) int {
		for i, n := range columnNames {
			if n == f {
				return i
			}
		}
		return len(columnNames)
	}
	slices.SortStableFunc(errs, func(a, b matching.FieldError) int { return rank(a.Field) - rank(b.Field) })
}

// fieldErrors lists the fields a Validate error names.
func fieldErrors(err error) []matching.FieldError {
	var ve *matching.ValidationError
	if errors.As(err, &ve) {
		return ve.Errors
	}
	if err != nil {
		return []matching.FieldError{{Message: err.Error()}}
	}
	return nil
}
