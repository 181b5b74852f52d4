package matching

import (
	"fmt"
	"math"
	"strconv"
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
	// What the activity rules read beyond the star rubric (activity.go).
	// Outdoor marks an open-air space (the API's indoor is its negation,
	// so the zero value is indoors); a space of kind outdoor is outdoors
	// whatever it says (IsOutdoor). Surface is the ground of an outdoor
	// space ("" when not recorded; never set indoors). RiggingPoints are
	// the points aerial work may hang from; TapBoards says the space has
	// boards that make any floor fit for tap.
	Outdoor       bool
	Surface       Surface
	RiggingPoints []RiggingPoint
	TapBoards     bool
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

// Surface is the ground of an outdoor space.
type Surface string

// The surfaces of the API contract.
const (
	SurfaceGrass  Surface = "grass"
	SurfaceTarmac Surface = "tarmac"
	SurfacePaving Surface = "paving"
	SurfaceOther  Surface = "other"
)

// Surfaces lists every surface.
var Surfaces = []Surface{SurfaceGrass, SurfaceTarmac, SurfacePaving, SurfaceOther}

// RiggingPoint is a point aerial apparatus may hang from, with the load it
// is rated to carry.
type RiggingPoint struct {
	RatedLoadKg float64
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
	MaxRiggingPoints = 64
	MaxRatedLoadKg   = 100000

	MaxTurnaroundMinutes      = 24 * 60
	DefaultBookingHorizonDays = 365
	MaxBookingHorizonDays     = 10 * 366
	MaxHoursPerOrganisation   = 100000
)

// FitToDance rates the space for dance from 0 to 5 stars by the "Spaces to
// Dance" rubric built on the One Dance UK / Equity "Fit to Dance Space"
// charter: start at 5; −2 for a floor that is not sprung (−1 if
// semi-sprung); −1 below 75 m²; −1 without control over heating and
// ventilation; −1 for an obstruction such as a pillar; −1 with neither
// barres nor mirrors. Never below 0. FitToDanceBreakdown says which stars
// were lost and why.
func (s *Space) FitToDance() int { return starsLeft(s.starLosses()) }

// StarLoss is one criterion of the Fit to Dance rubric a space fails: the
// criterion (one of StarCriteria), the stars it costs and why, in words.
type StarLoss struct {
	Criterion string
	StarsLost int
	Detail    string
}

// The criteria of the Fit to Dance rubric, in the order the rubric lists
// them (StarLoss.Criterion).
const (
	CriterionFloor        = "floor"
	CriterionFloorArea    = "floor_area"
	CriterionClimate      = "heating_and_ventilation"
	CriterionObstructions = "obstructions"
	CriterionBarresMirror = "barres_or_mirrors"
)

// StarCriteria lists the criteria of the rubric in order.
var StarCriteria = []string{CriterionFloor, CriterionFloorArea, CriterionClimate, CriterionObstructions, CriterionBarresMirror}

// starLosses is the stars each criterion of the rubric costs the space, in
// StarCriteria order.
func (s *Space) starLosses() [5]uint8 {
	var l [5]uint8
	switch s.Floor {
	case FloorSprung:
	case FloorSemiSprung:
		l[0] = 1
	default:
		l[0] = 2
	}
	if s.FloorAreaM2 < LargeStudioM2 {
		l[1] = 1
	}
	if !s.ClimateControl {
		l[2] = 1
	}
	if s.Obstructions {
		l[3] = 1
	}
	if !s.Barres && !s.Mirrors {
		l[4] = 1
	}
	return l
}

// starsLeft is the rating after the losses, never below 0.
func starsLeft(l [5]uint8) int {
	stars := MaxFitToDance
	for _, x := range l {
		stars -= int(x)
	}
	return max(stars, 0)
}

// FitToDanceBreakdown lists the criteria of the rubric the space fails, in
// the rubric's order, each with the stars it costs: 5 less their sum is
// FitToDance, or 0 when they add up to more than 5. A five-star space has
// none (an empty list, not nil).
func (s *Space) FitToDanceBreakdown() []StarLoss {
	return starBreakdown(s.starLosses(), s.Floor, s.FloorAreaM2)
}

// starBreakdown words the losses; floor and area are the space's, for the
// details.
func starBreakdown(l [5]uint8, floor Floor, area float64) []StarLoss {
	out := []StarLoss{}
	for i, lost := range l {
		if lost == 0 {
			continue
		}
		out = append(out, StarLoss{Criterion: StarCriteria[i], StarsLost: int(lost), Detail: starDetail(i, floor, area)})
	}
	return out
}

// starDetail says in words why criterion i of the rubric cost stars.
func starDetail(i int, floor Floor, area float64) string {
	var t text
	return t.starDetail(i, floor, area).take()
}

// starDetail appends why criterion i of the rubric cost stars.
func (t *text) starDetail(i int, floor Floor, area float64) *text {
	switch i {
	case 0:
		if floor == FloorSemiSprung {
			return t.str("a semi-sprung floor rather than a sprung one")
		}
		return t.str("a ").str(FloorLabel(floor)).str(" rather than a sprung one")
	case 1:
		return t.float(area, 0).str(" m² of floor, under the ").int(LargeStudioM2).str(" m² of a large studio")
	case 2:
		return t.str("no control over heating and ventilation")
	case 3:
		return t.str("an obstruction such as a pillar")
	default:
		return t.str("neither barres nor mirrors")
	}
}

// starLosses appends the criteria that cost stars as StarLossesText
// words them, without building the breakdown (a match's reasons are
// rendered on every answer).
func (t *text) starLosses(l [5]uint8, floor Floor, area float64) *text {
	n, seen := 0, 0
	for _, x := range l {
		if x > 0 {
			n++
		}
	}
	for i, x := range l {
		if x == 0 {
			continue
		}
		switch {
		case seen == 0:
			t.str("lost ")
		case seen == n-1:
			t.str(" and ")
		default:
			t.str(", ")
		}
		t.int(int(x)).str(" for ").starDetail(i, floor, area)
		seen++
	}
	return t
}

// StarLossesText names the criteria that cost stars, for a person to
// read: "lost 2 for a concrete floor, not a sprung one, and 1 for no
// control over heating and ventilation"; "" for a five-star space.
func StarLossesText(b []StarLoss) string {
	if len(b) == 0 {
		return ""
	}
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = strconv.Itoa(x.StarsLost) + " for " + x.Detail
	}
	return "lost " + joinAnd(parts)
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
	s.validateActivityFields(ve)
	return ve.Err()
}

// validateActivityFields checks what the activity rules read: outdoor
// and its surface, rigging points.
func (s *Space) validateActivityFields(ve *ValidationError) {
	switch {
	case s.Surface == "":
	case !validSurface(s.Surface):
		ve.Add("surface", "unknown surface %s (one of grass, tarmac, paving, other)", quote(string(s.Surface)))
	case !s.IsOutdoor():
		ve.Add("surface", "is for outdoor spaces only")
	}
	if len(s.RiggingPoints) > MaxRiggingPoints {
		ve.Add("rigging_points", "must have at most %d entries", MaxRiggingPoints)
		return
	}
	for i, p := range s.RiggingPoints {
		if !inRange(p.RatedLoadKg, 0, MaxRatedLoadKg) || p.RatedLoadKg == 0 {
			ve.Add(fmt.Sprintf("rigging_points[%d].rated_load_kg", i), "must be more than 0 and at most %d", MaxRatedLoadKg)
		}
	}
}

// IsOutdoor reports whether the space is in the open air: marked so, or
// of kind outdoor.
func (s *Space) IsOutdoor() bool { return s.Outdoor || s.Kind == KindOutdoor }

// KindOutdoor is the kind of an open-air space.
const KindOutdoor SpaceKind = "outdoor"

func validSurface(x Surface) bool {
	for _, y := range Surfaces {
		if x == y {
			return true
		}
	}
	return false
}

// FloorLabel names a floor for a person to read: "semi-sprung floor".
func FloorLabel(f Floor) string {
	switch f {
	case FloorSprung:
		return "sprung floor"
	case FloorSemiSprung:
		return "semi-sprung floor"
	case FloorWood:
		return "wooden floor"
	case FloorVinyl:
		return "vinyl floor"
	case FloorConcrete:
		return "concrete floor"
	case FloorCarpet:
		return "carpeted floor"
	}
	return "floor of another kind"
}

// SurfaceLabel names an outdoor surface for a person to read.
func SurfaceLabel(x Surface) string {
	switch x {
	case SurfaceGrass:
		return "grass"
	case SurfaceTarmac:
		return "tarmac"
	case SurfacePaving:
		return "paving"
	case SurfaceOther:
		return "an outdoor surface of another kind"
	}
	return "an unrecorded outdoor surface"
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
	return horizonDuration(s.HorizonDays())
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
