package openactive

import (
	"fmt"
	"math"
	"strings"
	"time"

	"commonground/matching"
)

// The JSON-LD context of OpenActive's Modelling Opportunity Data 2.0.
const contextURL = "https://openactive.io/"

// FacilityUse is an OpenActive FacilityUse: one space offered for hire,
// with its opening hours as hoursAvailable and its prices as offers.
type FacilityUse struct {
	Context        string                      `json:"@context"`
	Type           string                      `json:"@type"`
	ID             string                      `json:"@id"`
	URL            string                      `json:"url"`
	Identifier     string                      `json:"identifier"`
	Name           string                      `json:"name"`
	Description    string                      `json:"description"`
	Provider       Organization                `json:"provider"`
	Location       Place                       `json:"location"`
	Activity       []Concept                   `json:"activity"`
	HoursAvailable []OpeningHoursSpecification `json:"hoursAvailable,omitempty"`
	Offers         []Offer                     `json:"offers,omitempty"`
}

// Slot is an OpenActive Slot: an hour of a FacilityUse, bookable when
// remainingUses is 1.
type Slot struct {
	Context       string  `json:"@context"`
	Type          string  `json:"@type"`
	ID            string  `json:"@id"`
	Identifier    string  `json:"identifier"`
	FacilityUse   string  `json:"facilityUse"`
	StartDate     string  `json:"startDate"`
	EndDate       string  `json:"endDate"`
	Duration      string  `json:"duration"`
	RemainingUses int     `json:"remainingUses"`
	MaximumUses   int     `json:"maximumUses"`
	Offers        []Offer `json:"offers"`
}

// Organization is the organisation that owns a space.
type Organization struct {
	Type string `json:"@type"`
	ID   string `json:"@id"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// Place is a venue.
type Place struct {
	Type string         `json:"@type"`
	ID   string         `json:"@id"`
	URL  string         `json:"url"`
	Name string         `json:"name"`
	Geo  GeoCoordinates `json:"geo"`
}

// GeoCoordinates is a point in WGS 84 degrees.
type GeoCoordinates struct {
	Type      string  `json:"@type"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// OpeningHoursSpecification is one weekly opening period.
type OpeningHoursSpecification struct {
	Type      string   `json:"@type"`
	DayOfWeek []string `json:"dayOfWeek"`
	Opens     string   `json:"opens"`
	Closes    string   `json:"closes"`
}

// Offer is a price: pounds with pence as decimals, in GBP.
type Offer struct {
	Type          string  `json:"@type"`
	ID            string  `json:"@id"`
	Name          string  `json:"name"`
	Price         float64 `json:"price"`
	PriceCurrency string  `json:"priceCurrency"`
}

// Links says where the API serves the things a feed item names.
type Links struct{ Base string } // absolute, without a trailing slash

// Space is the URL of a space: the @id of its FacilityUse.
func (l Links) Space(id string) string { return l.Base + "/v1/spaces/" + id }

// Venue is the URL of a venue: the @id of its Place.
func (l Links) Venue(id string) string { return l.Base + "/v1/venues/" + id }

// Organisation is the URL of an organisation.
func (l Links) Organisation(id string) string { return l.Base + "/v1/organisations/" + id }

var schemaDays = map[matching.Weekday]string{
	"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
	"fri": "Friday", "sat": "Saturday", "sun": "Sunday",
}

var tierNames = map[matching.Tier]string{
	"community": "Community rate", "standard": "Standard rate", "commercial": "Commercial rate",
}

// NewFacilityUse describes space s of venue v, owned by org (nil when the
// snapshot lacks it), offered for the activities of tax it allows.
func NewFacilityUse(l Links, s *matching.Space, v *matching.Venue, org *matching.Organisation, tax *matching.Taxonomy) FacilityUse {
	id := l.Space(s.ID)
	fu := FacilityUse{
		Context: contextURL, Type: "FacilityUse", ID: id, URL: id, Identifier: s.ID,
		Name:        s.Name + " at " + v.Name,
		Description: describe(s),
		Location: Place{Type: "Place", ID: l.Venue(v.ID), URL: l.Venue(v.ID), Name: v.Name,
			Geo: GeoCoordinates{Type: "GeoCoordinates", Latitude: v.Location.Lat(), Longitude: v.Location.Lon()}},
		Activity: Activities(s, tax),
		Offers:   offers(id+"#/offers/", s.Prices, ", per hour"),
	}
	fu.Provider = Organization{Type: "Organization", ID: l.Organisation(s.OrganisationID)}
	if org != nil {
		fu.Provider.Name = org.Name
		fu.Provider.URL = org.Website
	}
	for _, h := range s.OpeningHours {
		closes := h.Closes.String()
		if h.Closes >= 24*60 {
			closes = "23:59" // the day's end: schema.org times stop at 23:59
		}
		fu.HoursAvailable = append(fu.HoursAvailable, OpeningHoursSpecification{
			Type: "OpeningHoursSpecification", DayOfWeek: []string{"https://schema.org/" + schemaDays[h.Day]},
			Opens: h.Opens.String(), Closes: closes})
	}
	return fu
}

// Activities are the Activity List concepts of the taxonomy's activities
// that space s does not prohibit, in taxonomy order, after "Dance".
func Activities(s *matching.Space, tax *matching.Taxonomy) []Concept {
	out := []Concept{danceConcept}
	for _, t := range tax.Activities {
		if s.Prohibits(t.Slug) {
			continue
		}
		if c, ok := Activity(t.Slug); ok {
			out = append(out, c)
		}
	}
	return out
}

var kindNouns = map[matching.SpaceKind]string{
	"studio": "studio", "hall": "hall", "classroom": "classroom", "meeting_room": "meeting room",
	"theatre": "theatre", "outdoor": "outdoor space", "other": "space",
}

// describe says in a sentence what the room is.
func describe(s *matching.Space) string {
	var b strings.Builder
	noun := kindNouns[s.Kind]
	if noun == "" {
		noun = "space"
	}
	article := "A"
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		article = "An"
	}
	fmt.Fprintf(&b, "%s %s for up to %d people, %s m²", article, noun, s.Capacity, trimFloat(s.FloorAreaM2))
	if s.Floor != "" {
		fmt.Fprintf(&b, ", %s floor", strings.ReplaceAll(string(s.Floor), "_", "-"))
	}
	fmt.Fprintf(&b, "; Fit to Dance %d of %d stars.", s.FitToDance(), matching.MaxFitToDance)
	return b.String()
}

func trimFloat(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", x), "0"), ".")
}

// offers are a space's prices for an hour, one Offer per tier, with IDs
// prefix followed by the tier, each named the tier's rate and then suffix.
func offers(prefix string, prices []matching.Price, suffix string) []Offer {
	var out []Offer
	for _, p := range prices {
		out = append(out, Offer{Type: "Offer", ID: prefix + string(p.Tier),
			Name: tierNames[p.Tier] + suffix, Price: pounds(p.PencePerHour), PriceCurrency: "GBP"})
	}
	return out
}

// pounds turns pence into pounds with two decimals at most.
func pounds(pence int) float64 { return math.Round(float64(pence)) / 100 }

// SlotLength is the length of every slot.
const SlotLength = time.Hour

// slotStamp names a slot by its start, in UTC to the minute.
func slotStamp(start time.Time) string { return start.UTC().Format("20060102T1504Z") }

// SlotID is a slot's RPDE item ID: the space's ID and the start.
func SlotID(spaceID string, start time.Time) string { return spaceID + "/" + slotStamp(start) }

// NewSlot describes the hour from start in space s; free says whether it
// can be booked.
func NewSlot(l Links, s *matching.Space, start time.Time, free bool) Slot {
	space := l.Space(s.ID)
	id := space + "#/slots/" + slotStamp(start)
	sl := Slot{Context: contextURL, Type: "Slot", ID: id, Identifier: SlotID(s.ID, start), FacilityUse: space,
		StartDate: start.UTC().Format(time.RFC3339), EndDate: start.Add(SlotLength).UTC().Format(time.RFC3339),
		Duration: "PT1H", MaximumUses: 1, Offers: offers(id+"/offers/", s.Prices, "")}
	if free {
		sl.RemainingUses = 1
	}
	if sl.Offers == nil {
		sl.Offers = []Offer{}
	}
	return sl
}
