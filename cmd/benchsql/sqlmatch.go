package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/paulmach/orb"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/geo"
	"commonground/matching"
)

// sqlMatcher is venue matching written the way a straightforward gorm
// implementation would write it: the hard constraints that are plain
// columns go to SQL (a radius, capacity, floor area, floor, ceiling, and a
// LIKE on the JSON text of prohibited activities), and the candidates'
// opening hours and closures, kept as JSON text, are parsed and checked in
// Go with the domain's own availability code.
type sqlMatcher struct {
	db *gorm.DB
	// spatial is "bbox" (a latitude/longitude box on the spaces_lat_lon
	// B-tree, then haversine in SQL) or "postgis" (ST_DWithin on the geog
	// column's GiST index).
	spatial string
	// ranked fetches every candidate in the radius and ranks them by the
	// engine's score in Go: the same answer as the engine. Otherwise the
	// nearest candidates are fetched a page at a time (ORDER BY distance,
	// or the KNN operator <-> on the GiST index with PostGIS, LIMIT …
	// OFFSET …) until enough are free: the same answer size, ranked by
	// distance rather than by score.
	ranked bool
	// inDB adds up the time spent in the database: sending each query and
	// reading its rows through gorm.
	inDB time.Duration
}

func (m *sqlMatcher) name() string {
	s := "SQL bbox+haversine"
	if m.spatial == "postgis" {
		s = "SQL PostGIS ST_DWithin"
	}
	switch {
	case m.ranked:
		return s + ", all → rank in Go"
	case m.spatial == "postgis":
		return s + ", <-> KNN LIMIT/OFFSET"
	}
	return s + ", nearest LIMIT/OFFSET"
}

// candidateRow is one row the SQL returns.
type candidateRow struct {
	ID             string
	Name           string
	VenueID        string
	VenueName      string
	OrganisationID string
	Timezone       string
	Lat, Lon       float64
	Capacity       int
	FloorAreaM2    float64 `gorm:"column:floor_area_m2"`
	CeilingHeightM float64
	Floor          string
	Mirrors        bool
	Barres         bool
	SoundSystem    bool
	ChangingRooms  bool
	ClimateControl bool
	FitToDance     int
	Prices         string
	OpeningHours   string
	Closures       string
	// BookingHorizonDays is how far ahead the space takes bookings.
	BookingHorizonDays int
	DistanceM          float64
}

const candidateColumns = "s.id, s.name, s.venue_id, v.name AS venue_name, s.organisation_id, v.timezone, s.lat, s.lon, " +
	"s.capacity, s.floor_area_m2, s.ceiling_height_m, s.floor, s.mirrors, s.barres, s.sound_system, s.changing_rooms, " +
	"s.climate_control, s.fit_to_dance, s.prices, s.opening_hours, s.closures, s.booking_horizon_days"

// haversineSQL is the great-circle distance in metres from (?, ?) = (lat,
// lon) of the centre, on orb's sphere; it takes the centre's latitude
// twice and its longitude once.
var haversineSQL = fmt.Sprintf("2 * %f * asin(sqrt(power(sin(radians(s.lat - ?) / 2), 2) + "+
	"cos(radians(?)) * cos(radians(s.lat)) * power(sin(radians(s.lon - ?) / 2), 2)))", geo.EarthRadiusM)

const pointSQL = "ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography"

// sqlMatch is one answer of the SQL variant.
type sqlMatch struct {
	ID, Name, VenueID, VenueName, OrganisationID string
	DistanceM, Score                             float64
	Free                                         int
	PricePencePerHour                            *int
}

// query builds the SELECT of the candidates of req: within the radius and
// passing every hard constraint SQL can test on columns.
func (m *sqlMatcher) query(ctx context.Context, req *matching.VenueRequest) *gorm.DB {
	p, r := req.Near, req.RadiusKm*1000
	prof := profileOf(req.Activity)
	g := m.db.WithContext(ctx).Table("spaces AS s").Joins("JOIN venues AS v ON v.id = s.venue_id")
	if m.spatial == "postgis" {
		g = g.Select(candidateColumns+", ST_Distance(s.geog, "+pointSQL+") AS distance_m", p.Lon(), p.Lat()).
			Where("ST_DWithin(s.geog, "+pointSQL+", ?)", p.Lon(), p.Lat(), r)
	} else {
		box := geo.BoundAround(p, r)
		g = g.Select(candidateColumns+", "+haversineSQL+" AS distance_m", p.Lat(), p.Lat(), p.Lon()).
			Where("s.lat BETWEEN ? AND ? AND s.lon BETWEEN ? AND ?", box.Min.Lat(), box.Max.Lat(), box.Min.Lon(), box.Max.Lon()).
			Where(haversineSQL+" <= ?", p.Lat(), p.Lat(), p.Lon(), r)
	}
	g = g.Where("s.capacity >= ?", req.GroupSize).
		Where("s.floor_area_m2 >= ?", float64(req.GroupSize)*prof.MinAreaPerDancerM2).
		Where("s.prohibited_activities NOT LIKE ?", `%"`+req.Activity+`"%`)
	if len(prof.UnsuitableFloors) > 0 {
		g = g.Where("s.floor NOT IN ?", prof.UnsuitableFloors)
	}
	if prof.MinCeilingM > 0 {
		g = g.Where("s.ceiling_height_m >= ?", prof.MinCeilingM)
	}
	return g
}

func profileOf(activity string) matching.ActivityProfile {
	if p, ok := matching.DefaultActivityProfiles[activity]; ok {
		return p
	}
	return matching.ActivityProfile{MinAreaPerDancerM2: 3.0, UnsuitableFloors: []matching.Floor{matching.FloorCarpet}}
}

// match answers req: its matches, best first, and the number of matches
// (-1 when the variant does not know it).
func (m *sqlMatcher) match(ctx context.Context, req *matching.VenueRequest) ([]sqlMatch, int, error) {
	if m.ranked {
		var rows []candidateRow
		t := time.Now()
		err := m.query(ctx, req).Find(&rows).Error
		m.inDB += time.Since(t)
		if err != nil {
			return nil, 0, err
		}
		var found []sqlMatch
		for i := range rows {
			if x, ok, err := check(&rows[i], req); err != nil {
				return nil, 0, err
			} else if ok {
				found = append(found, x)
			}
		}
		sort.Slice(found, func(i, j int) bool { return better(&found[i], &found[j]) })
		total := len(found)
		return found[:min(req.Limit, total)], total, nil
	}
	page := req.Limit
	found := make([]sqlMatch, 0, req.Limit)
	for offset := 0; ; offset += page {
		var rows []candidateRow
		q := m.query(ctx, req)
		if m.spatial == "postgis" {
			// The KNN operator walks the GiST index nearest first.
			q = q.Order(clause.OrderBy{Expression: clause.Expr{SQL: "s.geog <-> " + pointSQL + ", s.id",
				Vars: []any{req.Near.Lon(), req.Near.Lat()}, WithoutParentheses: true}})
		} else {
			q = q.Order("distance_m, s.id")
		}
		t := time.Now()
		err := q.Limit(page).Offset(offset).Find(&rows).Error
		m.inDB += time.Since(t)
		if err != nil {
			return nil, 0, err
		}
		for i := range rows {
			x, ok, err := check(&rows[i], req)
			if err != nil {
				return nil, 0, err
			}
			if ok {
				found = append(found, x)
				if len(found) == req.Limit {
					return found, -1, nil
				}
			}
		}
		if len(rows) < page {
			return found, -1, nil
		}
	}
}

type priceRow struct {
	Tier         string `json:"tier"`
	PencePerHour int    `json:"pence_per_hour"`
}

type hoursRow struct {
	Day    string `json:"day"`
	Opens  int    `json:"opens"`
	Closes int    `json:"closes"`
}

// check parses a candidate's JSON lists, tests its availability for every
// session, and scores it. ok is false when it cannot take the sessions.
func check(r *candidateRow, req *matching.VenueRequest) (sqlMatch, bool, error) {
	var hours []hoursRow
	var closures []matching.Closure
	var prices []priceRow
	for _, c := range []struct {
		text string
		into any
	}{{r.OpeningHours, &hours}, {r.Closures, &closures}, {r.Prices, &prices}} {
		if err := json.Unmarshal([]byte(c.text), c.into); err != nil {
			return sqlMatch{}, false, fmt.Errorf("space %s: %w", r.ID, err)
		}
	}
	s := matching.Space{Closures: closures, OpeningHours: make([]matching.OpeningHours, len(hours)), BookingHorizonDays: r.BookingHorizonDays}
	for i, h := range hours {
		s.OpeningHours[i] = matching.OpeningHours{Day: matching.Weekday(h.Day), Opens: matching.ClockTime(h.Opens), Closes: matching.ClockTime(h.Closes)}
	}
	loc, err := matching.LoadLocation(r.Timezone)
	if err != nil {
		return sqlMatch{}, false, fmt.Errorf("space %s: %w", r.ID, err)
	}
	free := 0
	for _, sess := range req.Sessions {
		// As the engine: a session past the booking horizon from the
		// request's Now (none without one) is not free.
		if !req.Now.IsZero() && sess.Start.After(req.Now.Add(s.Horizon())) {
			continue
		}
		if s.Unavailability(sess, loc, nil) == "" {
			free++
		}
	}
	if free == 0 || (req.RequireAllSessions && free < len(req.Sessions)) {
		return sqlMatch{}, false, nil
	}
	tier := req.Tier
	if tier == "" {
		tier = matching.DefaultTier
	}
	price := -1
	for _, p := range prices {
		if matching.Tier(p.Tier) == tier {
			price = p.PencePerHour
		}
	}
	x := sqlMatch{ID: r.ID, Name: r.Name, VenueID: r.VenueID, VenueName: r.VenueName, OrganisationID: r.OrganisationID,
		Free: free}
	// Scored on the same haversine distance as the engine (SQL's distance
	// only orders and filters), so the two rankings can be compared.
	x.DistanceM = geo.DistanceM(req.Near, orb.Point{r.Lon, r.Lat})
	if price >= 0 {
		x.PricePencePerHour = &price
	}
	x.Score = score(r, x.DistanceM, price, free, req)
	return x, true, nil
}

// score is the engine's venue score (matching.DefaultVenueWeights over
// fit to dance, distance, room per dancer, price, extras and availability,
// rounded to 6 places), computed as the engine computes it, including its
// float32 floor area, so equal inputs give equal scores.
func score(r *candidateRow, d float64, price, free int, req *matching.VenueRequest) float64 {
	w := matching.DefaultVenueWeights
	sum := w.FitToDance + w.Distance + w.Room + w.Price + w.Extras + w.Availability
	weights := [6]float64{w.FitToDance / sum, w.Distance / sum, w.Room / sum, w.Price / sum, w.Extras / sum, w.Availability / sum}
	minArea := float64(req.GroupSize) * profileOf(req.Activity).MinAreaPerDancerM2
	var f [6]float64
	f[0] = float64(r.FitToDance) / matching.MaxFitToDance
	f[1] = clamp01(1 - d/(req.RadiusKm*1000))
	f[2] = clamp01((float64(float32(r.FloorAreaM2)) / float64(req.GroupSize)) / (2 * minArea / float64(req.GroupSize)))
	switch {
	case price < 0:
		f[3] = 0.5
	case req.MaxPencePerHour > 0:
		f[3] = clamp01(1 - float64(price)/float64(req.MaxPencePerHour))
	default:
		f[3] = clamp01(1 - float64(price)/6000)
	}
	extras := 0
	for _, on := range []bool{r.Mirrors, r.Barres, r.SoundSystem, r.ChangingRooms, r.ClimateControl} {
		if on {
			extras++
		}
	}
	f[4] = float64(extras) / 5
	f[5] = float64(free) / float64(len(req.Sessions))
	s := 0.0
	for i := range f {
		s += weights[i] * f[i]
	}
	return math.Round(s*1e6) / 1e6
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// better is the engine's order: higher score, then nearer, then by ID.
func better(a, b *sqlMatch) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	if a.DistanceM != b.DistanceM {
		return a.DistanceM < b.DistanceM
	}
	return a.ID < b.ID
}

// ensurePostGIS creates, when missing, the PostGIS extension, a geography
// column generated from lat and lon, and its GiST index. It reports
// whether each was created.
func ensurePostGIS(ctx context.Context, db *gorm.DB) ([]string, error) {
	g := db.WithContext(ctx)
	if err := g.Exec("CREATE EXTENSION IF NOT EXISTS postgis").Error; err != nil {
		return nil, err
	}
	var done []string
	var n int64
	err := g.Raw("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'spaces' AND column_name = 'geog'").
		Scan(&n).Error
	if err != nil {
		return nil, err
	}
	if n == 0 {
		err := g.Exec("ALTER TABLE spaces ADD COLUMN geog geography(Point, 4326) " +
			"GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED").Error
		if err != nil {
			return nil, err
		}
		done = append(done, "added column spaces.geog")
	}
	err = g.Raw("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'spaces' AND indexname = 'spaces_geog'").
		Scan(&n).Error
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if err := g.Exec("CREATE INDEX spaces_geog ON spaces USING gist (geog)").Error; err != nil {
			return nil, err
		}
		if err := g.Exec("ANALYZE spaces").Error; err != nil {
			return nil, err
		}
		done = append(done, "created GiST index spaces_geog and analysed spaces")
	}
	return done, nil
}
