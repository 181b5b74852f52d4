package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

type accessibilityIn struct {
	StepFree         *bool `json:"step_free"`
	AccessibleToilet *bool `json:"accessible_toilet"`
	HearingLoop      *bool `json:"hearing_loop"`
	Parking          *bool `json:"parking"`
}

func (a *accessibilityIn) apply(dst *matching.Accessibility) {
	if a == nil {
		return
	}
	setBool(&dst.StepFree, a.StepFree)
	setBool(&dst.AccessibleToilet, a.AccessibleToilet)
	setBool(&dst.HearingLoop, a.HearingLoop)
	setBool(&dst.Parking, a.Parking)
}

func setBool(dst *bool, src *bool) {
	if src != nil {
		*dst = *src
	}
}

// venueIn is the body of POST /v1/venues and PATCH /v1/venues/{id}.
type venueIn struct {
	// OrganisationID is the owner; only the operator may name another
	// organisation than its own (organisations' venues are their own).
	OrganisationID *string          `json:"organisation_id"`
	Name           *string          `json:"name"`
	Address        *string          `json:"address"`
	Postcode       *string          `json:"postcode"`
	Location       *locationIn      `json:"location"`
	Timezone       *string          `json:"timezone"`
	Accessibility  *accessibilityIn `json:"accessibility"`
}

// Accessibility is the API shape of a venue's accessibility.
type Accessibility struct {
	StepFree         bool `json:"step_free"`
	AccessibleToilet bool `json:"accessible_toilet"`
	HearingLoop      bool `json:"hearing_loop"`
	Parking          bool `json:"parking"`
}

// Venue is the API shape of a venue.
type Venue struct {
	ID             string        `json:"id"`
	OrganisationID string        `json:"organisation_id"`
	Name           string        `json:"name"`
	Address        string        `json:"address"`
	Postcode       string        `json:"postcode"`
	Location       Location      `json:"location"`
	Timezone       string        `json:"timezone"`
	Accessibility  Accessibility `json:"accessibility"`
	CreatedAt      string        `json:"created_at"`
	UpdatedAt      string        `json:"updated_at"`
	DistanceKm     *float64      `json:"distance_km,omitempty"`
}

func toVenueJSON(v *matching.Venue) Venue {
	a := v.Accessibility
	return Venue{
		ID: v.ID, OrganisationID: v.OrganisationID, Name: v.Name, Address: v.Address, Postcode: v.Postcode,
		Location: toLocation(v.Location), Timezone: v.Timezone,
		Accessibility: Accessibility{a.StepFree, a.AccessibleToilet, a.HearingLoop, a.Parking},
		CreatedAt:     rfc3339(v.CreatedAt), UpdatedAt: rfc3339(v.UpdatedAt),
	}
}

// apply sets the fields the body carries; create says whether name and
// location are required. A postcode sent without a location places the
// venue by pc (see geocodeVenue), when it is new or the venue's postcode
// changes.
func (in *venueIn) apply(v *matching.Venue, create bool, pc postcodePoint) error {
	ve := &matching.ValidationError{}
	if !create && in.OrganisationID != nil && *in.OrganisationID != v.OrganisationID {
		ve.Add("organisation_id", "cannot be changed")
	}
	oldPostcode := v.Postcode
	setString(&v.Name, in.Name)
	setString(&v.Address, in.Address)
	setString(&v.Postcode, in.Postcode)
	setString(&v.Timezone, in.Timezone)
	geocode := pc.asked && (create || !samePostcode(oldPostcode, v.Postcode))
	switch {
	case geocode && pc.problem != "":
		ve.Add("postcode", "%s", pc.problem)
	case geocode:
		v.Location = pc.point
	case in.Location != nil || create:
		v.Location = in.Location.point(ve, "location")
	}
	in.Accessibility.apply(&v.Accessibility)
	ve.Merge("", v.Validate())
	return ve.Err()
}

func (h *handler) createVenue(c *gin.Context) {
	who := caller(c)
	var in venueIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	owner := who.OrganisationID
	if in.OrganisationID != nil && *in.OrganisationID != owner {
		if !who.Operator {
			fail(c, fmt.Errorf("%w: an organisation can only create venues it owns itself", matching.ErrForbidden))
			return
		}
		owner = *in.OrganisationID
		if _, err := h.store.GetOrganisation(c.Request.Context(), owner); err != nil {
			fail(c, matching.Invalid("organisation_id", "no organisation %q", clip(owner)))
			return
		}
	}
	if owner == "" {
		fail(c, matching.Invalid("organisation_id", "is required with the operator token"))
		return
	}
	now := h.now().UTC()
	v := &matching.Venue{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: owner,
		Timezone: matching.DefaultTimezone, CreatedAt: now, UpdatedAt: now}
	if err := h.placeLocation(c, in.Location, "location"); err != nil {
		fail(c, err)
		return
	}
	pc, err := h.geocodeVenue(c, &in)
	if err != nil {
		fail(c, err)
		return
	}
	if err := in.apply(v, true, pc); err != nil {
		fail(c, err)
		return
	}
	audit(c, v.OrganisationID, "venue.created", "venue", v.ID)
	if err := h.store.CreateVenue(c.Request.Context(), v); err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/v1/venues/"+v.ID)
	h.catchUp(c)
	c.JSON(http.StatusCreated, toVenueJSON(v))
}

func (h *handler) getVenue(c *gin.Context) {
	v, err := h.store.GetVenue(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	writeVenue(c, http.StatusOK, v)
}

// writeVenue answers with a venue and its ETag (see writeTagged).
func writeVenue(c *gin.Context, status int, v *matching.Venue) {
	c.Header("Cache-Control", "no-cache")
	writeTagged(c, status, toVenueJSON(v))
}

// venuePrecondition is the request's If-Match as a check of a venue (nil
// without one).
func venuePrecondition(c *gin.Context) (func(*matching.Venue) error, error) {
	l, err := ifMatch(c)
	if err != nil {
		return nil, err
	}
	return precondition(l, func(v *matching.Venue) any { return toVenueJSON(v) }), nil
}

// patchVenue changes the fields the body carries, applied in the store's
// transaction to the venue as it is then (see patchOrganisation).
func (h *handler) patchVenue(c *gin.Context) {
	ctx := c.Request.Context()
	v, err := h.store.GetVenue(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if !mustOwn(c, v.OrganisationID, "venue") {
		return
	}
	var in venueIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	check, err := venuePrecondition(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.placeLocation(c, in.Location, "location"); err != nil {
		fail(c, err)
		return
	}
	pc, err := h.geocodeVenue(c, &in)
	if err != nil {
		fail(c, err)
		return
	}
	audit(c, v.OrganisationID, "venue.updated", "venue", v.ID)
	v, err = h.store.UpdateVenue(ctx, v.ID, func(cur *matching.Venue) error {
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		return in.apply(cur, false, pc)
	})
	if err != nil {
		fail(c, err)
		return
	}
	h.catchUp(c)
	writeVenue(c, http.StatusOK, v)
}

func (h *handler) deleteVenue(c *gin.Context) {
	check, err := venuePrecondition(c)
	if err != nil {
		fail(c, err)
		return
	}
	h.deleteOwned(c, "venue", func(ctx context.Context, id string) (string, error) {
		v, err := h.store.GetVenue(ctx, id)
		if err != nil {
			return "", err
		}
		return v.OrganisationID, nil
	}, func(ctx context.Context, id string) error { return h.store.DeleteVenueIf(ctx, id, check) })
}

// postcodePoint is where a venue's postcode puts it: asked when the body
// sends a postcode and no location; then point, or the problem that
// stops the postcode placing the venue.
type postcodePoint struct {
	asked   bool
	point   orb.Point
	problem string
}

// geocodeVenue looks up the postcode of a venue body that has no location,
// before the store's transaction, which uses it only if the postcode is
// new or changed. The error is the store's, when it could not be asked.
func (h *handler) geocodeVenue(c *gin.Context, in *venueIn) (postcodePoint, error) {
	if in.Location != nil || in.Postcode == nil || strings.TrimSpace(*in.Postcode) == "" {
		return postcodePoint{}, nil
	}
	pc := postcodePoint{asked: true}
	code, ok := geo.NormalisePostcode(*in.Postcode)
	if !ok {
		pc.problem = fmt.Sprintf("%q is not a postcode such as CB7 4DL, so it cannot place the venue: send location", clip(*in.Postcode))
		return pc, nil
	}
	places := h.placesFor(c)
	p, found := places.lookup(code)
	if err := places.failed(nil); err != nil {
		return pc, err
	}
	if !found {
		pc.problem = fmt.Sprintf("unknown postcode %q: send location, or import the postcodes (go run . import --postcodes)", code)
		return pc, nil
	}
	pc.point = p.Point
	return pc, nil
}

// samePostcode says whether two postcodes are one, however written.
func samePostcode(a, b string) bool {
	na, okA := geo.NormalisePostcode(a)
	nb, okB := geo.NormalisePostcode(b)
	if okA && okB {
		return na == nb
	}
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
