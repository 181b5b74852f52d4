package matching

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// OrgType is the kind of organisation.
type OrgType string

// The organisation types of the API contract.
const (
	OrgArts         OrgType = "arts"
	OrgYouthService OrgType = "youth_service"
	OrgCommunity    OrgType = "community"
	OrgSchool       OrgType = "school"
	OrgCouncil      OrgType = "council"
	OrgHealth       OrgType = "health"
	OrgFaith        OrgType = "faith"
	OrgBusiness     OrgType = "business"
	OrgOther        OrgType = "other"
)

// OrgTypes lists every organisation type.
var OrgTypes = []OrgType{OrgArts, OrgYouthService, OrgCommunity, OrgSchool, OrgCouncil, OrgHealth, OrgFaith, OrgBusiness, OrgOther}

// Valid reports whether t is one of OrgTypes.
func (t OrgType) Valid() bool {
	for _, k := range OrgTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Limits on free text and lists, so a hostile client cannot fill the
// database through one request.
const (
	MaxNameLen        = 200
	MaxTextLen        = 5000
	MaxShortTextLen   = 500
	MaxListLen        = 50
	MaxServiceRadius  = 1000 // km
	MaxHoursPerMonth  = 744  // hours in a 31-day month
	MaxOffersOrNeeds  = 100
	MaxSpacesPerVenue = 200
)

// Organisation is a member of Common Ground: an arts organisation, a youth
// service, a school, ... with a base location, what it stands for and what
// it offers and needs.
type Organisation struct {
	ID                    string
	Name                  string
	Type                  OrgType
	Description           string
	Website               string
	Email                 string
	Phone                 string
	Location              orb.Point
	ServiceRadiusKm       float64
	Values                []string
	Practices             []string
	Exclusions            []string
	CapacityHoursPerMonth int
	Offers                []Offer
	Needs                 []Need
	// TrustedPartnerships counts the organisation's completed partnerships
	// whose health stayed good (see Partnership.StayedGood): a trust
	// signal in partner matching. The store keeps it; requests never set
	// it.
	TrustedPartnerships int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Offer is something an organisation can give others: a skill, a space, a
// resource, from the taxonomy's categories.
type Offer struct {
	ID             string
	OrganisationID string
	Category       string
	Description    string
	HoursPerMonth  int
	CreatedAt      time.Time
}

// Need is something an organisation is looking for, from the same
// categories as offers. A need for a room (a space.* category) may say
// more about the room: how many people, which activity, when in the week,
// and the most it would pay an hour; rooms matched to it (MatchGroups)
// must meet what it says. Zero values say nothing.
type Need struct {
	ID             string
	OrganisationID string
	Category       string
	Description    string
	HoursPerMonth  int
	// GroupSize is how many people use the room (0: not given).
	GroupSize int
	// Activity is an activity slug (empty: not given).
	Activity string
	// Windows are the weekly times the group wants the room.
	Windows []Window
	// MaxPencePerHour is the budget at the room's standard price (0: no
	// budget given).
	MaxPencePerHour int
	CreatedAt       time.Time
}

// Window is a weekly time a group wants a room: Start to End local
// wall-clock time on Day, read in the time zone of the room's venue. It
// runs within one day (End may be 24:00).
type Window struct {
	Day        Weekday
	Start, End ClockTime
}

// MaxNeedWindows is the most windows one need may list (two a day).
const MaxNeedWindows = 14

// IsSpaceCategory reports whether a category is a kind of room
// (space.*): the needs that may carry group size, activity, windows and
// budget.
func IsSpaceCategory(category string) bool { return strings.HasPrefix(category, "space.") }

// Validate checks the organisation's own fields (not its offers and needs,
// which are checked one by one) against the taxonomy. It returns a
// *ValidationError naming every bad field.
func (o *Organisation) Validate(tax *Taxonomy) error {
	ve := &ValidationError{}
	checkName(ve, "name", o.Name)
	if !o.Type.Valid() {
		ve.Add("type", "unknown organisation type %q (one of %s)", o.Type, joinTypes())
	}
	checkText(ve, "description", o.Description, MaxTextLen)
	checkText(ve, "website", o.Website, MaxShortTextLen)
	if o.Website != "" && !strings.HasPrefix(o.Website, "https://") && !strings.HasPrefix(o.Website, "http://") {
		ve.Add("website", "must start with http:// or https://")
	}
	checkText(ve, "email", o.Email, MaxShortTextLen)
	if o.Email != "" && (!strings.Contains(o.Email, "@") || strings.ContainsAny(o.Email, " \t\r\n<>")) {
		ve.Add("email", "is not an email address")
	}
	checkText(ve, "phone", o.Phone, 50)
	if o.ServiceRadiusKm < 0 || o.ServiceRadiusKm > MaxServiceRadius || o.ServiceRadiusKm != o.ServiceRadiusKm {
		ve.Add("service_radius_km", "must be between 0 and %d", MaxServiceRadius)
	}
	if o.CapacityHoursPerMonth < 0 || o.CapacityHoursPerMonth > MaxHoursPerMonth {
		ve.Add("capacity_hours_per_month", "must be between 0 and %d", MaxHoursPerMonth)
	}
	checkSlugs(ve, "values", o.Values, tax.IsValue, "value")
	checkSlugs(ve, "practices", o.Practices, tax.IsPractice, "practice")
	checkSlugs(ve, "exclusions", o.Exclusions, tax.IsPractice, "practice")
	return ve.Err()
}

// Validate checks an offer against the taxonomy.
func (o *Offer) Validate(tax *Taxonomy) error {
	return validateCategoryItem(tax, o.Category, o.Description, o.HoursPerMonth)
}

// Validate checks a need against the taxonomy. Only a space.* need may
// carry a group size, an activity, windows or a budget; windows must be
// well formed (a known day, start before end, within one day), at most
// MaxNeedWindows, not overlapping one another. It returns a
// *ValidationError naming every bad field.
func (n *Need) Validate(tax *Taxonomy) error {
	ve := &ValidationError{}
	ve.Merge("", validateCategoryItem(tax, n.Category, n.Description, n.HoursPerMonth))
	space := IsSpaceCategory(n.Category)
	only := func(field string, given bool) bool {
		if given && !space {
			ve.Add(field, "only a need for a room (a space.* category) may say %s", field)
			return false
		}
		return given
	}
	if only("group_size", n.GroupSize != 0) && (n.GroupSize < 1 || n.GroupSize > MaxCapacity) {
		ve.Add("group_size", "must be between 1 and %d", MaxCapacity)
	}
	if only("activity", n.Activity != "") && !tax.IsActivity(n.Activity) {
		ve.Add("activity", "unknown activity %s", quote(n.Activity))
	}
	if only("max_pence_per_hour", n.MaxPencePerHour != 0) && (n.MaxPencePerHour < 1 || n.MaxPencePerHour > MaxPencePerHour) {
		ve.Add("max_pence_per_hour", "must be between 1 and %d", MaxPencePerHour)
	}
	if only("windows", len(n.Windows) > 0) {
		validateWindows(ve, n.Windows)
	}
	return ve.Err()
}

// validateWindows checks a need's windows, naming each bad one.
func validateWindows(ve *ValidationError, ws []Window) {
	if len(ws) > MaxNeedWindows {
		ve.Add("windows", "must have at most %d entries", MaxNeedWindows)
		return
	}
	for i, w := range ws {
		f := fmt.Sprintf("windows[%d]", i)
		if w.Day.Time() < 0 {
			ve.Add(f+".day", "unknown day %s (one of mon, tue, wed, thu, fri, sat, sun)", quote(string(w.Day)))
		}
		if w.Start < 0 || w.Start >= 1440 {
			ve.Add(f+".start", "must be between 00:00 and 23:59")
		}
		if w.End <= w.Start || w.End > 1440 {
			ve.Add(f+".end", "must be after start and at most 24:00")
			continue
		}
		for j := 0; j < i; j++ {
			o := ws[j]
			if o.Day == w.Day && o.Start < w.End && w.Start < o.End {
				ve.Add(f, "overlaps windows[%d] on %s", j, w.Day)
			}
		}
	}
}

func validateCategoryItem(tax *Taxonomy, category, description string, hours int) error {
	ve := &ValidationError{}
	if category == "" {
		ve.Add("category", "is required")
	} else if !tax.IsCategory(category) {
		ve.Add("category", "unknown category %q", category)
	}
	checkText(ve, "description", description, MaxTextLen)
	if hours < 0 || hours > MaxHoursPerMonth {
		ve.Add("hours_per_month", "must be between 0 and %d", MaxHoursPerMonth)
	}
	return ve.Err()
}

func joinTypes() string {
	s := make([]string, len(OrgTypes))
	for i, t := range OrgTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
