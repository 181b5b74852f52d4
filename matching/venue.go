package matching

import (
	"strconv"
	"sync"
	"time"

	"github.com/paulmach/orb"
)

// DefaultTimezone is the time zone of a venue that does not name one.
const DefaultTimezone = "Europe/London"

// Accessibility records how a venue can be reached and used.
type Accessibility struct {
	StepFree         bool
	AccessibleToilet bool
	HearingLoop      bool
	Parking          bool
}

// Venue is a building owned by an organisation; its rooms are Spaces.
type Venue struct {
	ID             string
	OrganisationID string
	Name           string
	Address        string
	Postcode       string
	Location       orb.Point
	Timezone       string
	Accessibility  Accessibility
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Validate checks a venue's fields. It returns a *ValidationError.
func (v *Venue) Validate() error {
	ve := &ValidationError{}
	checkName(ve, "name", v.Name)
	checkText(ve, "address", v.Address, MaxShortTextLen)
	checkText(ve, "postcode", v.Postcode, 16)
	if _, err := LoadLocation(v.Timezone); err != nil {
		ve.Add("timezone", "%v", err)
	}
	return ve.Err()
}

// LoadLocation loads an IANA time zone by name ("Europe/London"). Unlike
// time.LoadLocation it refuses the empty name and "Local", which would make
// the answer depend on the machine the service runs on.
// Zones are cached: loading one reads and parses a zone file.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, errUnknownZone(name)
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errUnknownZone(name)
	}
	// Every caller gets the same *Location for a name, so zones compare
	// by pointer.
	kept, _ := zones.LoadOrStore(name, loc)
	return kept.(*time.Location), nil
}

// zones caches loaded time zones by name. Only names that loaded are
// kept, so it holds at most the IANA database's few hundred zones.
var zones sync.Map

type errUnknownZone string

func (e errUnknownZone) Error() string {
	return "unknown IANA time zone " + quote(string(e)) + " (for example Europe/London)"
}

// quote quotes a client's string for an error message, cut to 64 bytes.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}
