package seed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"commonground/geo"
)

// The ONS Postcode Directory (ONSPD) is a CSV file with a header row and
// one row a postcode, in some fifty columns; ReadPostcodes reads three of
// them, wherever they are: pcds (the postcode as it is written, "CB7
// 4DL"), lat and long (WGS84 degrees). A postcode with no grid reference
// has lat 99.999999 (and long 0.000000).
const onspdNoLat = 99.999999

// PostcodeStats counts what ReadPostcodes read.
type PostcodeStats struct {
	Rows          int // rows after the header
	Postcodes     int // rows with a point, handed on
	NoCoordinates int // rows without a point (lat 99.999999 or empty), skipped
}

// ReadPostcodes reads postcodes in the layout of the ONS Postcode Directory
// from r and hands them to fn in batches of up to batch (each batch a new
// slice of places of kind geo.KindPostcode, named as
// geo.NormalisePostcode writes them). fn may be nil, to check a file
// before importing it. It stops at the first row it cannot read, with an
// error naming its line and column: a missing pcds, lat or long column, a
// postcode that is not one, a coordinate that is not a number or out of
// range. An error from fn is returned as it is.
func ReadPostcodes(r io.Reader, batch int, fn func([]geo.Place) error) (PostcodeStats, error) {
	var st PostcodeStats
	batch = max(batch, 1)
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return st, errors.New("the file is empty: want a header row naming the columns pcds, lat and long")
	}
	if err != nil {
		return st, fmt.Errorf("header row: %w", err)
	}
	cols := map[string]int{"pcds": -1, "lat": -1, "long": -1}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if at, ok := cols[name]; ok && at < 0 {
			cols[name] = i
		}
	}
	var missing []string
	for _, name := range []string{"pcds", "lat", "long"} {
		if cols[name] < 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return st, fmt.Errorf("header row: no column %s (an ONS Postcode Directory file names pcds, lat and long in its first row)",
			strings.Join(missing, ", "))
	}
	pcds, lat, long := cols["pcds"], cols["lat"], cols["long"]
	buf := make([]geo.Place, 0, batch)
	flush := func() error {
		if len(buf) == 0 || fn == nil {
			buf = buf[:0]
			return nil
		}
		err := fn(buf)
		buf = make([]geo.Place, 0, batch)
		return err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, err // csv's errors name the line
		}
		line, _ := cr.FieldPos(0)
		st.Rows++
		p, ok, err := postcodeRow(rec[pcds], rec[lat], rec[long])
		if err != nil {
			return st, fmt.Errorf("line %d: %w", line, err)
		}
		if !ok {
			st.NoCoordinates++
			continue
		}
		st.Postcodes++
		if buf = append(buf, p); len(buf) == batch {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	return st, flush()
}

// postcodeRow reads one row's postcode and point; ok is false for a
// postcode without a point.
func postcodeRow(code, latS, lonS string) (p geo.Place, ok bool, err error) {
	name, valid := geo.NormalisePostcode(code)
	if !valid {
		return p, false, fmt.Errorf("pcds: %q is not a postcode", clipField(code))
	}
	latS, lonS = strings.TrimSpace(latS), strings.TrimSpace(lonS)
	if latS == "" && lonS == "" {
		return p, false, nil
	}
	la, err1 := strconv.ParseFloat(latS, 64)
	lo, err2 := strconv.ParseFloat(lonS, 64)
	switch {
	case err1 != nil:
		return p, false, fmt.Errorf("lat: %q is not a number", clipField(latS))
	case err2 != nil:
		return p, false, fmt.Errorf("long: %q is not a number", clipField(lonS))
	case la == onspdNoLat:
		return p, false, nil
	}
	pt, err := geo.NewPoint(la, lo)
	var ce *geo.CoordinateError
	switch {
	case errors.As(err, &ce) && ce.Field == "lon":
		return p, false, fmt.Errorf("long: %s, got %s", ce.Message, clipField(lonS))
	case err != nil:
		return p, false, fmt.Errorf("lat: must be between -90 and 90, got %s", clipField(latS))
	}
	return geo.Place{Name: name, Kind: geo.KindPostcode, Point: pt}, true, nil
}

// clipField shortens a field quoted in an error.
func clipField(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
