package matching

import (
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
// categories as offers.
type Need struct {
	ID             string
	OrganisationID string
	Category       string
	Description    string
	HoursPerMonth  int
	CreatedAt      time.Time
}

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

// Validate checks a need against the taxonomy.
func (n *Need) Validate(tax *Taxonomy) error {
	return validateCategoryItem(tax, n.Category, n.Description, n.HoursPerMonth)
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
