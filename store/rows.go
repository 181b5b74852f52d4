package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"commonground/matching"
)

// jsonColumn stores a value as JSON text, the same on both databases.
type jsonColumn[T any] struct{ V T }

func (j jsonColumn[T]) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (j *jsonColumn[T]) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case nil:
		var zero T
		j.V = zero
		return nil
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("jsonColumn: cannot scan %T", src)
	}
	return json.Unmarshal(b, &j.V)
}

type organisationRow struct {
	ID                    string `gorm:"primaryKey"`
	Name                  string
	Type                  string
	Description           string
	Website               string
	Email                 string
	Phone                 string
	Lat                   float64
	Lon                   float64
	ServiceRadiusKm       float64
	ValuesList            jsonColumn[[]string]
	Practices             jsonColumn[[]string]
	Exclusions            jsonColumn[[]string]
	CapacityHoursPerMonth int
	TokenHash             *string
	// TrustedPartnerships is changed only by TransitionPartnership;
	// UpdateOrganisation leaves it.
	TrustedPartnerships int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (organisationRow) TableName() string { return "organisations" }

type offerRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	Category       string
	Description    string
	HoursPerMonth  int
	CreatedAt      time.Time
}

func (offerRow) TableName() string { return "offers" }

type needRow struct {
	ID              string `gorm:"primaryKey"`
	OrganisationID  string
	Category        string
	Description     string
	HoursPerMonth   int
	GroupSize       int
	Activity        string
	Windows         jsonColumn[[]windowJSON]
	MaxPencePerHour int
	CreatedAt       time.Time
}

func (needRow) TableName() string { return "needs" }

// windowJSON is the stored shape of a need's window, minutes after local
// midnight like hoursJSON.
type windowJSON struct {
	Day   string `json:"day"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

type venueRow struct {
	ID               string `gorm:"primaryKey"`
	OrganisationID   string
	Name             string
	Address          string
	Postcode         string
	Lat              float64
	Lon              float64
	Timezone         string
	StepFree         bool
	AccessibleToilet bool
	HearingLoop      bool
	Parking          bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (venueRow) TableName() string { return "venues" }

// priceJSON, hoursJSON and closureJSON are the stored shapes of a space's
// lists; they are the database's, not the API's, and change only with a
// migration.
type priceJSON struct {
	Tier         string `json:"tier"`
	PencePerHour int    `json:"pence_per_hour"`
}

type hoursJSON struct {
	Day    string `json:"day"`
	Opens  int    `json:"opens"`
	Closes int    `json:"closes"`
}

type closureJSON struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Reason string    `json:"reason,omitempty"`
}

type spaceRow struct {
	ID                   string `gorm:"primaryKey"`
	VenueID              string
	OrganisationID       string
	Lat                  float64
	Lon                  float64
	Name                 string
	Kind                 string
	Capacity             int
	FloorAreaM2          float64 `gorm:"column:floor_area_m2"`
	CeilingHeightM       float64
	Floor                string
	Mirrors              bool
	Barres               bool
	SoundSystem          bool
	ChangingRooms        bool
	ClimateControl       bool
	Obstructions         bool
	ProhibitedActivities jsonColumn[[]string]
	InstantBook          bool
	Prices               jsonColumn[[]priceJSON]
	OpeningHours         jsonColumn[[]hoursJSON]
	Closures             jsonColumn[[]closureJSON]
	// What the activity rules read; the column is indoor, as in the API,
	// where the domain says Outdoor.
	Indoor        bool
	Surface       string
	RiggingPoints jsonColumn[[]riggingJSON]
	TapBoards     bool
	FitToDance    int
	// Fair-use rules.
	TurnaroundMinutes       int
	BookingHorizonDays      int
	MaxHoursPerOrganisation int
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

func (spaceRow) TableName() string { return "spaces" }

type riggingJSON struct {
	RatedLoadKg float64 `json:"rated_load_kg"`
}

// parseRigging decodes the rigging_points column (never nil). Most spaces
// have none, so only the empty list is read without encoding/json.
func parseRigging(s []byte) ([]matching.RiggingPoint, error) {
	if string(s) == "[]" {
		return []matching.RiggingPoint{}, nil
	}
	var v []riggingJSON
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, err
	}
	return toRiggingPoints(v), nil
}

func toRiggingPoints(v []riggingJSON) []matching.RiggingPoint {
	out := make([]matching.RiggingPoint, len(v))
	for i, x := range v {
		out[i] = matching.RiggingPoint{RatedLoadKg: x.RatedLoadKg}
	}
	return out
}

func point(lat, lon float64) orb.Point { return orb.Point{lon, lat} }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toOrganisationRow(o *matching.Organisation) organisationRow {
	return organisationRow{
		ID: o.ID, Name: o.Name, Type: string(o.Type), Description: o.Description,
		Website: o.Website, Email: o.Email, Phone: o.Phone,
		Lat: o.Location.Lat(), Lon: o.Location.Lon(), ServiceRadiusKm: o.ServiceRadiusKm,
		ValuesList:            jsonColumn[[]string]{nonNil(o.Values)},
		Practices:             jsonColumn[[]string]{nonNil(o.Practices)},
		Exclusions:            jsonColumn[[]string]{nonNil(o.Exclusions)},
		CapacityHoursPerMonth: o.CapacityHoursPerMonth,
		TrustedPartnerships:   o.TrustedPartnerships,
		CreatedAt:             o.CreatedAt.UTC().Truncate(time.Microsecond), UpdatedAt: o.UpdatedAt.UTC().Truncate(time.Microsecond),
	}
}

func toOrganisation(r *organisationRow) matching.Organisation {
	return matching.Organisation{
		ID: r.ID, Name: r.Name, Type: matching.OrgType(r.Type), Description: r.Description,
		Website: r.Website, Email: r.Email, Phone: r.Phone,
		Location: point(r.Lat, r.Lon), ServiceRadiusKm: r.ServiceRadiusKm,
		Values: nonNil(r.ValuesList.V), Practices: nonNil(r.Practices.V), Exclusions: nonNil(r.Exclusions.V),
		CapacityHoursPerMonth: r.CapacityHoursPerMonth,
		TrustedPartnerships:   r.TrustedPartnerships,
		Offers:                []matching.Offer{}, Needs: []matching.Need{},
		CreatedAt: r.CreatedAt.UTC().Truncate(time.Microsecond), UpdatedAt: r.UpdatedAt.UTC().Truncate(time.Microsecond),
	}
}

func toOfferRow(o *matching.Offer) offerRow {
	return offerRow{ID: o.ID, OrganisationID: o.OrganisationID, Category: o.Category,
		Description: o.Description, HoursPerMonth: o.HoursPerMonth, CreatedAt: o.CreatedAt.UTC().Truncate(time.Microsecond)}
}

func toOffer(r *offerRow) matching.Offer {
	return matching.Offer{ID: r.ID, OrganisationID: r.OrganisationID, Category: r.Category,
		Description: r.Description, HoursPerMonth: r.HoursPerMonth, CreatedAt: r.CreatedAt.UTC().Truncate(time.Microsecond)}
}

func toNeedRow(n *matching.Need) needRow {
	ws := make([]windowJSON, len(n.Windows))
	for i, w := range n.Windows {
		ws[i] = windowJSON{Day: string(w.Day), Start: int(w.Start), End: int(w.End)}
	}
	return needRow{ID: n.ID, OrganisationID: n.OrganisationID, Category: n.Category,
		Description: n.Description, HoursPerMonth: n.HoursPerMonth, GroupSize: n.GroupSize, Activity: n.Activity,
		Windows: jsonColumn[[]windowJSON]{ws}, MaxPencePerHour: n.MaxPencePerHour,
		CreatedAt: n.CreatedAt.UTC().Truncate(time.Microsecond)}
}

// toNeed builds the need, its windows from the row's Windows (the bulk
// readers set them from the column's text instead).
func toNeed(r *needRow) matching.Need {
	return matching.Need{ID: r.ID, OrganisationID: r.OrganisationID, Category: r.Category,
		Description: r.Description, HoursPerMonth: r.HoursPerMonth, GroupSize: r.GroupSize, Activity: r.Activity,
		Windows: toWindows(r.Windows.V), MaxPencePerHour: r.MaxPencePerHour,
		CreatedAt: r.CreatedAt.UTC().Truncate(time.Microsecond)}
}

// toWindows converts stored windows; none is an empty list, never nil.
func toWindows(ws []windowJSON) []matching.Window {
	out := make([]matching.Window, len(ws))
	for i, w := range ws {
		out[i] = matching.Window{Day: matching.Weekday(w.Day), Start: matching.ClockTime(w.Start), End: matching.ClockTime(w.End)}
	}
	return out
}

func toVenueRow(v *matching.Venue) venueRow {
	return venueRow{
		ID: v.ID, OrganisationID: v.OrganisationID, Name: v.Name, Address: v.Address, Postcode: v.Postcode,
		Lat: v.Location.Lat(), Lon: v.Location.Lon(), Timezone: v.Timezone,
		StepFree: v.Accessibility.StepFree, AccessibleToilet: v.Accessibility.AccessibleToilet,
		HearingLoop: v.Accessibility.HearingLoop, Parking: v.Accessibility.Parking,
		CreatedAt: v.CreatedAt.UTC().Truncate(time.Microsecond), UpdatedAt: v.UpdatedAt.UTC().Truncate(time.Microsecond),
	}
}

func toVenue(r *venueRow) matching.Venue {
	return matching.Venue{
		ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, Address: r.Address, Postcode: r.Postcode,
		Location: point(r.Lat, r.Lon), Timezone: r.Timezone,
		Accessibility: matching.Accessibility{StepFree: r.StepFree, AccessibleToilet: r.AccessibleToilet,
			HearingLoop: r.HearingLoop, Parking: r.Parking},
		CreatedAt: r.CreatedAt.UTC().Truncate(time.Microsecond), UpdatedAt: r.UpdatedAt.UTC().Truncate(time.Microsecond),
	}
}

func toSpaceRow(s *matching.Space) spaceRow {
	prices := make([]priceJSON, len(s.Prices))
	for i, p := range s.Prices {
		prices[i] = priceJSON{Tier: string(p.Tier), PencePerHour: p.PencePerHour}
	}
	hours := make([]hoursJSON, len(s.OpeningHours))
	for i, h := range s.OpeningHours {
		hours[i] = hoursJSON{Day: string(h.Day), Opens: int(h.Opens), Closes: int(h.Closes)}
	}
	closures := make([]closureJSON, len(s.Closures))
	for i, c := range s.Closures {
		closures[i] = closureJSON{Start: c.Start.UTC(), End: c.End.UTC(), Reason: c.Reason}
	}
	rigging := make([]riggingJSON, len(s.RiggingPoints))
	for i, p := range s.RiggingPoints {
		rigging[i] = riggingJSON{RatedLoadKg: p.RatedLoadKg}
	}
	return spaceRow{
		ID: s.ID, VenueID: s.VenueID, OrganisationID: s.OrganisationID,
		Lat: s.Location.Lat(), Lon: s.Location.Lon(),
		Name: s.Name, Kind: string(s.Kind), Capacity: s.Capacity,
		FloorAreaM2: s.FloorAreaM2, CeilingHeightM: s.CeilingHeightM, Floor: string(s.Floor),
		Mirrors: s.Mirrors, Barres: s.Barres, SoundSystem: s.SoundSystem, ChangingRooms: s.ChangingRooms,
		ClimateControl: s.ClimateControl, Obstructions: s.Obstructions,
		ProhibitedActivities: jsonColumn[[]string]{nonNil(s.ProhibitedActivities)},
		InstantBook:          s.InstantBook,
		Prices:               jsonColumn[[]priceJSON]{prices},
		OpeningHours:         jsonColumn[[]hoursJSON]{hours},
		Closures:             jsonColumn[[]closureJSON]{closures},
		Indoor:               !s.IsOutdoor(), Surface: string(s.Surface), RiggingPoints: jsonColumn[[]riggingJSON]{rigging},
		TapBoards:         s.TapBoards,
		FitToDance:        s.FitToDance(),
		TurnaroundMinutes: s.TurnaroundMinutes, BookingHorizonDays: s.BookingHorizonDays, MaxHoursPerOrganisation: s.MaxHoursPerOrganisation,
		CreatedAt: s.CreatedAt.UTC().Truncate(time.Microsecond), UpdatedAt: s.UpdatedAt.UTC().Truncate(time.Microsecond),
	}
}

func toSpace(r *spaceRow) matching.Space {
	s := matching.Space{
		ID: r.ID, VenueID: r.VenueID, OrganisationID: r.OrganisationID,
		Location: point(r.Lat, r.Lon), Name: r.Name, Kind: matching.SpaceKind(r.Kind),
		Capacity: r.Capacity, FloorAreaM2: r.FloorAreaM2, CeilingHeightM: r.CeilingHeightM,
		Floor: matching.Floor(r.Floor), Mirrors: r.Mirrors, Barres: r.Barres, SoundSystem: r.SoundSystem,
		ChangingRooms: r.ChangingRooms, ClimateControl: r.ClimateControl, Obstructions: r.Obstructions,
		ProhibitedActivities: nonNil(r.ProhibitedActivities.V), InstantBook: r.InstantBook,
		Prices:       make([]matching.Price, len(r.Prices.V)),
		OpeningHours: make([]matching.OpeningHours, len(r.OpeningHours.V)),
		Closures:     make([]matching.Closure, len(r.Closures.V)),
		Outdoor:      !r.Indoor, Surface: matching.Surface(r.Surface), RiggingPoints: toRiggingPoints(r.RiggingPoints.V),
		TapBoards:         r.TapBoards,
		TurnaroundMinutes: r.TurnaroundMinutes, BookingHorizonDays: r.BookingHorizonDays, MaxHoursPerOrganisation: r.MaxHoursPerOrganisation,
		CreatedAt: r.CreatedAt.UTC().Truncate(time.Microsecond), UpdatedAt: r.UpdatedAt.UTC().Truncate(time.Microsecond),
	}
	for i, p := range r.Prices.V {
		s.Prices[i] = matching.Price{Tier: matching.Tier(p.Tier), PencePerHour: p.PencePerHour}
	}
	for i, h := range r.OpeningHours.V {
		s.OpeningHours[i] = matching.OpeningHours{Day: matching.Weekday(h.Day), Opens: matching.ClockTime(h.Opens), Closes: matching.ClockTime(h.Closes)}
	}
	for i, c := range r.Closures.V {
		s.Closures[i] = matching.Closure{Start: c.Start.UTC(), End: c.End.UTC(), Reason: c.Reason}
	}
	return s
}
