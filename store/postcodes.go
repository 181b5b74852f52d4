package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/geo"
	"commonground/matching"
)

type postcodeRow struct {
	Postcode  string `gorm:"primaryKey"`
	District  string
	Lat, Lon  float64
	UpdatedAt time.Time
}

func (postcodeRow) TableName() string { return "postcodes" }

type postcodeDistrictRow struct {
	District  string `gorm:"primaryKey"`
	Lat, Lon  float64
	Postcodes int
	UpdatedAt time.Time
}

func (postcodeDistrictRow) TableName() string { return "postcode_districts" }

// postcodeBatch is how many postcodes go into one INSERT, and
// postcodeTxRows how many into one transaction of an import.
const (
	postcodeBatch  = 500
	postcodeTxRows = 2000
)

// PostcodeImport says what ImportPostcodes did.
type PostcodeImport struct {
	Postcodes int // rows written, new or updated
	Districts int // districts whose mean point was worked out again
}

// ImportPostcodes saves postcodes (Name a postcode as geo.NormalisePostcode
// writes it, Point its point), replacing the point of any postcode already
// there, then works out again the mean point of every district they are
// in. A postcode given twice takes its last point. Rows are written in
// transactions of a few thousand, each well within the database timeout:
// when one fails the ones before it stay, and importing the same postcodes again
// completes the work. Errors: matching.ErrInvalid for a name that is not
// a normalised postcode (nothing is written), matching.ErrUnavailable when
// the database is away. Call it under WithoutTimeout for a large import.
func (db *DB) ImportPostcodes(ctx context.Context, postcodes []geo.Place) (PostcodeImport, error) {
	now := utc(db.now())
	rows := make([]postcodeRow, 0, len(postcodes))
	at := make(map[string]int, len(postcodes))
	districts := map[string]bool{}
	for _, p := range postcodes {
		if n, ok := geo.NormalisePostcode(p.Name); !ok || n != p.Name {
			return PostcodeImport{}, fmt.Errorf("postcode %q is not written as a postcode: %w", p.Name, matching.ErrInvalid)
		}
		d := geo.PostcodeDistrict(p.Name)
		row := postcodeRow{Postcode: p.Name, District: d, Lat: geo.Lat(p.Point), Lon: geo.Lon(p.Point), UpdatedAt: now}
		// One statement may not change a row twice (PostgreSQL refuses).
		if i, ok := at[p.Name]; ok {
			rows[i] = row
			continue
		}
		at[p.Name] = len(rows)
		rows = append(rows, row)
		districts[d] = true
	}
	upsert := clause.OnConflict{Columns: []clause.Column{{Name: "postcode"}},
		DoUpdates: clause.AssignmentColumns([]string{"district", "lat", "lon", "updated_at"})}
	for chunk := range slices.Chunk(rows, postcodeTxRows) {
		err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Clauses(upsert).CreateInBatches(chunk, postcodeBatch).Error
		})
		if err != nil {
			return PostcodeImport{}, translate(err, "postcodes")
		}
	}
	names := make([]string, 0, len(districts))
	for d := range districts {
		names = append(names, d)
	}
	slices.Sort(names)
	for chunk := range slices.Chunk(names, postcodeBatch) {
		err := db.gorm.WithContext(ctx).Exec(`INSERT INTO postcode_districts (district, lat, lon, postcodes, updated_at)
			SELECT district, AVG(lat), AVG(lon), COUNT(*), ? FROM postcodes WHERE district IN ? GROUP BY district
			ON CONFLICT (district) DO UPDATE SET lat = excluded.lat, lon = excluded.lon,
				postcodes = excluded.postcodes, updated_at = excluded.updated_at`, now, chunk).Error
		if err != nil {
			return PostcodeImport{}, translate(err, "postcode districts")
		}
	}
	return PostcodeImport{Postcodes: len(rows), Districts: len(names)}, nil
}

// Postcode finds a postcode written as geo.NormalisePostcode writes it
// ("CB7 4DL"), as a place of kind geo.KindPostcode. It returns an error
// wrapping matching.ErrNotFound when it was never imported.
func (db *DB) Postcode(ctx context.Context, postcode string) (geo.Place, error) {
	var row postcodeRow
	if err := db.gorm.WithContext(ctx).Where("postcode = ?", postcode).Take(&row).Error; err != nil {
		return geo.Place{}, translate(err, "postcode "+postcode)
	}
	return toPostcodePlace(row.Postcode, geo.KindPostcode, row.Lat, row.Lon)
}

// PostcodeDistrict finds a postcode district ("CB7") of the imported
// postcodes, at the mean point of its postcodes, as a place of kind
// geo.KindPostcodeDistrict. It returns an error wrapping
// matching.ErrNotFound when no postcode of it was imported.
func (db *DB) PostcodeDistrict(ctx context.Context, district string) (geo.Place, error) {
	var row postcodeDistrictRow
	if err := db.gorm.WithContext(ctx).Where("district = ?", district).Take(&row).Error; err != nil {
		return geo.Place{}, translate(err, "postcode district "+district)
	}
	return toPostcodePlace(row.District, geo.KindPostcodeDistrict, row.Lat, row.Lon)
}

// SearchPostcodes returns up to limit imported postcodes that start with
// prefix (upper case, spaced as postcodes are: "CB7 4"), in order.
func (db *DB) SearchPostcodes(ctx context.Context, prefix string, limit int) ([]geo.Place, error) {
	if prefix == "" || limit <= 0 || strings.ContainsAny(prefix, "~\x00") {
		return nil, nil
	}
	var rows []postcodeRow
	// Postcodes are letters, digits and one space, all before "~".
	err := db.gorm.WithContext(ctx).Where("postcode >= ? AND postcode < ?", prefix, prefix+"~").
		Order("postcode").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "postcodes")
	}
	out := make([]geo.Place, 0, len(rows))
	for _, r := range rows {
		p, err := toPostcodePlace(r.Postcode, geo.KindPostcode, r.Lat, r.Lon)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// CountPostcodes is how many postcodes have been imported.
func (db *DB) CountPostcodes(ctx context.Context) (int64, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&postcodeRow{}).Count(&n).Error
	return n, translate(err, "postcodes")
}

func toPostcodePlace(name string, kind geo.PlaceKind, lat, lon float64) (geo.Place, error) {
	pt, err := geo.NewPoint(lat, lon)
	if err != nil {
		return geo.Place{}, fmt.Errorf("%s has a bad point: %w", name, err)
	}
	return geo.Place{Name: name, Kind: kind, Point: pt}, nil
}
