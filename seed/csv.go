package seed

import (
	"crypto/rand"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"commonground/matching"
)

// Limits on an imported CSV file, so one upload cannot exhaust the server.
const (
	MaxCSVRows   = 100000   // data rows
	MaxCSVBytes  = 64 << 20 // the whole file
	MaxCSVCell   = 2000     // bytes in one cell
	MaxCSVErrors = 100      // problems reported before giving up
)

// csvColumn is one column of a venues CSV file.
type csvColumn struct {
	name     string
	required bool // in the header, and filled (the venue's columns on the venue's first row only)
	// flag, for a space's yes/no column, is the field it sets.
	flag func(*matching.Space) *bool
}

// columns are the columns of a venues CSV file, in the order the importer
// lists them in messages; CSV.md documents them (TestCSVDocumented holds
// it to this list). A yes/no column of the space needs only its line here
// and in CSV.md.
var columns = []csvColumn{
	{name: "venue_name", required: true},
	{name: "address"},
	{name: "postcode", required: true},
	{name: "lat", required: true},
	{name: "lon", required: true},
	{name: "timezone"},
	{name: "step_free"},
	{name: "accessible_toilet"},
	{name: "hearing_loop"},
	{name: "parking"},
	{name: "space_name", required: true},
	{name: "kind", required: true},
	{name: "capacity", required: true},
	{name: "floor_area_m2", required: true},
	{name: "ceiling_height_m"},
	{name: "floor"},
	{name: "mirrors", flag: func(s *matching.Space) *bool { return &s.Mirrors }},
	{name: "barres", flag: func(s *matching.Space) *bool { return &s.Barres }},
	{name: "sound_system", flag: func(s *matching.Space) *bool { return &s.SoundSystem }},
	{name: "changing_rooms", flag: func(s *matching.Space) *bool { return &s.ChangingRooms }},
	{name: "climate_control", flag: func(s *matching.Space) *bool { return &s.ClimateControl }},
	{name: "obstructions", flag: func(s *matching.Space) *bool { return &s.Obstructions }},
	{name: "prohibited_activities"},
	{name: "instant_book", flag: func(s *matching.Space) *bool { return &s.InstantBook }},
	{name: "price_community"},
	{name: "price_standard"},
	{name: "price_commercial"},
	{name: "opening_hours"},
	// Fair-use rules.
	{name: "turnaround_minutes"},
	{name: "booking_horizon_days"},
	{name: "max_hours_per_organisation"},
	// What the activity rules read.
	{name: "outdoor", flag: func(s *matching.Space) *bool { return &s.Outdoor }},
	{name: "surface"},
	{name: "rigging_points"},
	{name: "tap_boards", flag: func(s *matching.Space) *bool { return &s.TapBoards }},
}

// columnNames are the names of columns, in order.
var columnNames = func() []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.name
	}
	return names
}()

// column returns the position of the column named name in columns.
func column(name string) int {
	for i, c := range columns {
		if c.name == name {
			return i
		}
	}
	panic("seed: no CSV column " + name)
}

// The columns the importer reads by name, as positions in columns.
var (
	colVenueName, colAddress, colPostcode  = column("venue_name"), column("address"), column("postcode")
	colLat, colLon, colTimezone            = column("lat"), column("lon"), column("timezone")
	colStepFree, colAccessibleToilet       = column("step_free"), column("accessible_toilet")
	colHearingLoop, colParking             = column("hearing_loop"), column("parking")
	colSpaceName, colKind, colCapacity     = column("space_name"), column("kind"), column("capacity")
	colFloorArea, colCeiling, colFloor     = column("floor_area_m2"), column("ceiling_height_m"), column("floor")
	colProhibited, colOpeningHours         = column("prohibited_activities"), column("opening_hours")
	colPriceCommunity                      = column("price_community")
	colPriceStandard                       = column("price_standard")
	colPriceCommercial                     = column("price_commercial")
	colSurface, colRigging                 = column("surface"), column("rigging_points")
	colTurnaround, colHorizon, colMaxHours = column("turnaround_minutes"), column("booking_horizon_days"),
		column("max_hours_per_organisation")
)

// ReadVenuesCSV reads a council's venues and spaces from CSV so that they
// can be loaded for organisationID, which owns them all. The file has a
// header row and then one row per space; rows with the same venue_name and
// postcode (compared ignoring case and spacing) are spaces of one venue,
// whose venue columns come from its first row. Later rows of a venue may
// leave the venue columns blank; if filled they must agree.
//
// Columns are matched by header name, ignoring case and surrounding space,
// in any order; CSV.md lists them, with what each holds and which are
// required. Yes/no columns take true, false, yes, no, 1 or 0; blank is no.
//
// Nothing is returned in part: any problem gives a nil Dataset and one
// *matching.ValidationError listing every problem found (up to
// MaxCSVErrors), each named by row and column as "row[3].capacity", where
// rows are numbered as a spreadsheet numbers them (the header is row 1).
// Header problems are named "header", an empty or oversized file "rows".
//
// On success the Dataset holds the venues (in order of first appearance)
// and their spaces (in row order), each of which passes Validate against
// tax (Taxonomy() if nil), with no organisations. IDs come from newID
// (random version-4 UUIDs if nil), drawn only on success: venues first,
// then spaces. Timestamps are left zero for the store to set.
func ReadVenuesCSV(r io.Reader, organisationID string, tax *matching.Taxonomy, newID func() string) (*Dataset, error) {
	if organisationID == "" {
		return nil, matching.Invalid("organisation_id", "is required")
	}
	if tax == nil {
		tax = Taxonomy()
	}
	if newID == nil {
		newID = randomUUID
	}
	ve := &matching.ValidationError{}
	cr := csv.NewReader(&limitedReader{r: r, n: MaxCSVBytes})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, matching.Invalid("header", "the file is empty: a header row naming the columns is required")
	case err != nil:
		return nil, matching.Invalid("header", "%s", csvProblem(err))
	}
	im := &importer{ve: ve, tax: tax, orgID: organisationID, cols: make([]int, len(columns)), index: map[string]int{}}
	if !im.header(header) {
		return nil, ve
	}
	width := len(header)
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ve.Add(rowField(pe.StartLine, ""), "%s", csvProblem(err))
			} else {
				ve.Add("rows", "%s", csvProblem(err))
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if rows++; rows > MaxCSVRows {
			ve.Add("rows", "must be at most %d data rows", MaxCSVRows)
			break
		}
		if len(rec) != width {
			ve.Add(rowField(line, ""), "has %d cells; the header has %d", len(rec), width)
		} else {
			im.row(line, rec)
		}
		if capErrors(ve, "rows") {
			break
		}
	}
	if len(ve.Errors) == 0 && len(im.spaces) == 0 {
		ve.Add("rows", "no data rows: the file has only a header")
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	return im.dataset(newID), nil
}

// header matches the header cells to columns, reporting unknown, repeated
// and missing ones.
func (im *importer) header(cells []string) bool {
	for i := range im.cols {
		im.cols[i] = -1
	}
	for i, c := range cells {
		if i == 0 {
			c = strings.TrimPrefix(c, "\uFEFF") // spreadsheet byte-order mark
		}
		name := strings.ToLower(strings.TrimSpace(c))
		col := -1
		for k, n := range columnNames {
			if n == name {
				col = k
			}
		}
		switch {
		case name == "":
			im.ve.Add("header", "column %d has no name", i+1)
		case col < 0:
			im.ve.Add("header", "unknown column %s (known columns: %s)", q(name), strings.Join(columnNames, ", "))
		case im.cols[col] >= 0:
			im.ve.Add("header", "column %s appears twice", q(name))
		default:
			im.cols[col] = i
		}
		if capErrors(im.ve, "header") {
			return false
		}
	}
	for i, c := range columns {
		if c.required && im.cols[i] < 0 {
			im.ve.Add("header", "missing required column %q", c.name)
		}
	}
	capErrors(im.ve, "header")
	return len(im.ve.Errors) == 0
}

// capErrors keeps the first MaxCSVErrors problems and notes that there
// were more. It reports whether the cap was reached.
func capErrors(ve *matching.ValidationError, field string) bool {
	if len(ve.Errors) < MaxCSVErrors {
		return false
	}
	if len(ve.Errors) > MaxCSVErrors {
		ve.Errors = ve.Errors[:MaxCSVErrors]
	}
	ve.Add(field, "too many problems: stopped after the first %d", MaxCSVErrors)
	return true
}

// rowField names a cell as "row[3].capacity", or a row as "row[3]".
func rowField(line int, column string) string {
	f := "row[" + strconv.Itoa(line) + "]"
	if column != "" {
		f += "." + column
	}
	return f
}

// csvProblem describes a CSV syntax or read error without echoing input.
func csvProblem(err error) string {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return "is not valid CSV: " + pe.Err.Error() + " (line " + strconv.Itoa(pe.Line) + ", column " + strconv.Itoa(pe.Column) + ")"
	case errors.Is(err, errCSVTooLarge):
		return "the file is larger than " + strconv.Itoa(MaxCSVBytes>>20) + " MiB"
	default:
		return "could not be read"
	}
}

var errCSVTooLarge = errors.New("csv file too large")

// limitedReader fails, rather than silently stopping, after n bytes.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if l.n <= 0 {
		// At the limit: fine if the input ends here too.
		var probe [1]byte
		if n, err := l.r.Read(probe[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, errCSVTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// randomUUID returns a random version-4 UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return uuidFrom(hi, lo)
}
