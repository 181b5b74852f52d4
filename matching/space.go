package matching

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// SpaceKind is the kind of room.
type SpaceKind string

// SpaceKinds lists every kind of space.
var SpaceKinds = []SpaceKind{"studio", "hall", "classroom", "meeting_room", "theatre", "outdoor", "other"}

// Floor is the surface of a space, which decides what can be danced on it.
type Floor string

// The floors of the API contract.
const (
	FloorSprung     Floor = "sprung"
	FloorSemiSprung Floor = "semi_sprung"
	FloorWood       Floor = "wood"
	FloorVinyl      Floor = "vinyl"
	FloorConcrete   Floor = "concrete"
	FloorCarpet     Floor = "carpet"
	FloorOther      Floor = "other"
)

// Floors lists every floor.
var Floors = []Floor{FloorSprung, FloorSemiSprung, FloorWood, FloorVinyl, FloorConcrete, FloorCarpet, FloorOther}

// Tier is a price tier: who pays which rate.
type Tier string

// Tiers lists the price tiers, cheapest first.
var Tiers = []Tier{"community", "standard", "commercial"}

// Price is the hourly price of a space for one tier, in pence.
type Price struct {
	Tier         Tier
	PencePerHour int
}

// Space is a room in a venue. OrganisationID and Location are the venue's.
type Space struct {
	ID                   string
	VenueID              string
	OrganisationID       string
	Location             orb.Point
	Name                 string
	Kind                 SpaceKind
	Capacity             int
	FloorAreaM2          float64
	CeilingHeightM       float64
	Floor                Floor
	Mirrors              bool
	Barres               bool
	SoundSystem          bool
	ChangingRooms        bool
	ClimateControl       bool
	Obstructions         bool
	ProhibitedActivities []string
	InstantBook          bool
	Prices               []Price
	OpeningHours         []OpeningHours
	Closures             []Closure
	// Fair use: the owner's rules for sharing the space among bookers.
	// TurnaroundMinutes is the gap kept clear before and after every
	// confirmed booking. BookingHorizonDays is how far ahead a session may
	// start (0 reads as DefaultBookingHorizonDays). MaxHoursPerOrganisation
	// caps the future confirmed hours one organisation may hold here before
	// its instant-book requests wait for the owner (0: no cap).
	TurnaroundMinutes       int
	BookingHorizonDays      int
	MaxHoursPerOrganisation int
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// Limits on a space's numbers.
const (
	MaxCapacity      = 100000
	MaxFloorAreaM2   = 100000
	MaxCeilingM      = 100
	MaxPencePerHour  = 10000000
	LargeStudioM2    = 75 // below this a space loses a star
	MaxFitToDance    = 5
	maxSpaceNameLen  = MaxNameLen
	maxProhibitedLen = MaxListLen

	MaxTurnaroundMinutes      = 24 * 60
	DefaultBookingHorizonDays = 365
	MaxBookingHorizonDays     = 10 * 366
	MaxHoursPerOrganisation   = 100000
)

// StarLoss is one criterion of the fit-to-dance rubric a space falls
// short of: how many stars it costs, and why, in words.
type StarLoss struct {
	Criterion string
	StarsLost int
	Detail    string
}

// The criteria of the fit-to-dance rubric.
const (
	CriterionFloor          = "floor"
	CriterionFloorArea      = "floor_area"
	CriterionClimateControl = "climate_control"
	CriterionObstructions   = "obstructions"
	CriterionBarresMirrors  = "barres_or_mirrors"
)

// FitToDanceBreakdown lists the stars the space loses under the "Spaces
// to Dance" rubric built on the One Dance UK / Equity "Fit to Dance
// Space" charter: from 5, −2 for a floor that is not sprung (−1 if
// semi-sprung); −1 below 75 m²; −1 without control over heating and
// ventilation; −1 for an obstruction such as a pillar; −1 with neither
// barres nor mirrors. An empty list is five stars.
func (s *Space) FitToDanceBreakdown() []StarLoss {
	var out []StarLoss
	switch s.Floor {
	case FloorSprung:
	case FloorSemiSprung:
		out = append(out, StarLoss{CriterionFloor, 1, "the floor is semi-sprung, not fully sprung"})
	default:
		out = append(out, StarLoss{CriterionFloor, 2, "the floor is not sprung (" + strings.ReplaceAll(string(s.Floor), "_", " ") + ")"})
	}
	if s.FloorAreaM2 < LargeStudioM2 {
		out = append(out, StarLoss{CriterionFloorArea, 1, fmt.Sprintf("the floor is %.0f m², under %d m²", s.FloorAreaM2, LargeStudioM2)})
	}
	if !s.ClimateControl {
		out = append(out, StarLoss{CriterionClimateControl, 1, "no control over heating and ventilation"})
	}
	if s.Obstructions {
		out = append(out, StarLoss{CriterionObstructions, 1, "an obstruction, such as a pillar, in the space"})
	}
	if !s.Barres && !s.Mirrors {
		out = append(out, StarLoss{CriterionBarresMirrors, 1, "neither barres nor mirrors"})
	}
	return out
}

// FitToDance rates the space for dance from 0 to 5 stars: 5 less the
// stars of FitToDanceBreakdown, never below 0.
func (s *Space) FitToDance() int {
	stars := MaxFitToDance
	for _, l := range s.FitToDanceBreakdown() {
		stars -= l.StarsLost
	}
	return max(stars, 0)
}

// PriceFor returns the hourly price for a tier, if the space has one.
func (s *Space) PriceFor(t Tier) (int, bool) {
	for _, p := range s.Prices {
		if p.Tier == t {
			return p.PencePerHour, true
		}
	}
	return 0, false
}

// Validate checks a space's own fields against the taxonomy (activities).
// It returns a *ValidationError naming every bad field.
func (s *Space) Validate(tax *Taxonomy) error {
	ve := &ValidationError{}
	checkName(ve, "name", s.Name)
	if !validKind(s.Kind) {
		ve.Add("kind", "unknown kind %q (one of studio, hall, classroom, meeting_room, theatre, outdoor, other)", s.Kind)
	}
	if s.Capacity < 1 || s.Capacity > MaxCapacity {
		ve.Add("capacity", "must be between 1 and %d", MaxCapacity)
	}
	if !inRange(s.FloorAreaM2, 0, MaxFloorAreaM2) || s.FloorAreaM2 == 0 {
		ve.Add("floor_area_m2", "must be more than 0 and at most %d", MaxFloorAreaM2)
	}
	if !inRange(s.CeilingHeightM, 0, MaxCeilingM) {
		ve.Add("ceiling_height_m", "must be between 0 (unknown) and %d", MaxCeilingM)
	}
	if !validFloor(s.Floor) {
		ve.Add("floor", "unknown floor %q (one of sprung, semi_sprung, wood, vinyl, concrete, carpet, other)", s.Floor)
	}
	checkSlugs(ve, "prohibited_activities", s.ProhibitedActivities, tax.IsActivity, "activity")
	if len(s.Prices) > len(Tiers) {
		ve.Add("prices", "must have at most one price per tier")
	} else {
		seen := map[Tier]bool{}
		for i, p := range s.Prices {
			f := fmt.Sprintf("prices[%d]", i)
			if !validTier(p.Tier) {
				ve.Add(f+".tier", "unknown tier %q (one of community, standard, commercial)", p.Tier)
			} else if seen[p.Tier] {
				ve.Add(f+".tier", "tier %q is priced twice", p.Tier)
			}
			seen[p.Tier] = true
			if p.PencePerHour < 0 || p.PencePerHour > MaxPencePerHour {
				ve.Add(f+".pence_per_hour", "must be between 0 and %d", MaxPencePerHour)
			}
		}
	}
	validateHours(ve, s.OpeningHours)
	validateClosures(ve, s.Closures)
	if s.TurnaroundMinutes < 0 || s.TurnaroundMinutes > MaxTurnaroundMinutes {
		ve.Add("turnaround_minutes", "must be between 0 and %d", MaxTurnaroundMinutes)
	}
	if s.BookingHorizonDays < 0 || s.BookingHorizonDays > MaxBookingHorizonDays {
		ve.Add("booking_horizon_days", "must be between 1 and %d", MaxBookingHorizonDays)
	}
	if s.MaxHoursPerOrganisation < 0 || s.MaxHoursPerOrganisation > MaxHoursPerOrganisation {
		ve.Add("max_hours_per_organisation", "must be between 0 (no cap) and %d", MaxHoursPerOrganisation)
	}
	return ve.Err()
}

// Turnaround is the gap kept clear before and after every confirmed
// booking of the space.
func (s *Space) Turnaround() time.Duration {
	return time.Duration(s.TurnaroundMinutes) * time.Minute
}

// HorizonDays is how many days ahead of now a session of the space may
// start: BookingHorizonDays, or DefaultBookingHorizonDays when unset.
func (s *Space) HorizonDays() int {
	if s.BookingHorizonDays <= 0 {
		return DefaultBookingHorizonDays
	}
	return s.BookingHorizonDays
}

// Horizon is HorizonDays as a duration.
func (s *Space) Horizon() time.Duration {
	return time.Duration(s.HorizonDays()) * 24 * time.Hour
}

func inRange(x, lo, hi float64) bool {
	return !math.IsNaN(x) && x >= lo && x <= hi
}

func validKind(k SpaceKind) bool {
	for _, x := range SpaceKinds {
		if x == k {
			return true
		}
	}
	return false
}

func validFloor(f Floor) bool {
	for _, x := range Floors {
		if x == f {
			return true
		}
	}
	return false
}

func validTier(t Tier) bool {
	for _, x := range Tiers {
		if x == t {
			return true
		}
	}
	return false
}

// Prohibits reports whether the space forbids an activity.
func (s *Space) Prohibits(activity string) bool {
	for _, a := range s.ProhibitedActivities {
		if a == activity {
			return true
		}
	}
	return false
}
