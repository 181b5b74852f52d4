package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
)

// itemIn is an offer or need in a request body.
type itemIn struct {
	Category      string `json:"category"`
	Description   string `json:"description"`
	HoursPerMonth int    `json:"hours_per_month"`
}

// organisationIn is the body of POST /v1/organisations.
type organisationIn struct {
	Name                  string      `json:"name"`
	Type                  string      `json:"type"`
	Description           string      `json:"description"`
	Website               string      `json:"website"`
	Email                 string      `json:"email"`
	Phone                 string      `json:"phone"`
	Location              *locationIn `json:"location"`
	ServiceRadiusKm       float64     `json:"service_radius_km"`
	Values                []string    `json:"values"`
	Practices             []string    `json:"practices"`
	Exclusions            []string    `json:"exclusions"`
	CapacityHoursPerMonth int         `json:"capacity_hours_per_month"`
	Offers                []itemIn    `json:"offers"`
	Needs                 []needIn    `json:"needs"`
	// Admin is the organisation's first person, an admin.
	Admin *personIn `json:"admin"`
}

// organisationPatch is the body of PATCH /v1/organisations/{id}: only the
// fields sent change. Offers and needs have their own endpoints.
type organisationPatch struct {
	Name                  *string     `json:"name"`
	Type                  *string     `json:"type"`
	Description           *string     `json:"description"`
	Website               *string     `json:"website"`
	Email                 *string     `json:"email"`
	Phone                 *string     `json:"phone"`
	Location              *locationIn `json:"location"`
	ServiceRadiusKm       *float64    `json:"service_radius_km"`
	Values                *[]string   `json:"values"`
	Practices             *[]string   `json:"practices"`
	Exclusions            *[]string   `json:"exclusions"`
	CapacityHoursPerMonth *int        `json:"capacity_hours_per_month"`
}

// Organisation is the API shape of an organisation.
type Organisation struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Type                  string   `json:"type"`
	Description           string   `json:"description"`
	Website               string   `json:"website"`
	Email                 *string  `json:"email,omitempty"`
	Phone                 *string  `json:"phone,omitempty"`
	Location              Location `json:"location"`
	ServiceRadiusKm       float64  `json:"service_radius_km"`
	Values                []string `json:"values"`
	Practices             []string `json:"practices"`
	Exclusions            []string `json:"exclusions"`
	CapacityHoursPerMonth int      `json:"capacity_hours_per_month"`
	Offers                []Item   `json:"offers"`
	Needs                 []Need   `json:"needs"`
	// TrustedPartnerships counts its completed partnerships whose health
	// stayed good (a trust signal in partner matching).
	TrustedPartnerships int      `json:"trusted_partnerships"`
	CreatedAt           string   `json:"created_at"`
	UpdatedAt           string   `json:"updated_at"`
	DistanceKm          *float64 `json:"distance_km,omitempty"`
}

// Item is the API shape of an offer or a need.
type Item struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"`
	Category       string `json:"category"`
	Description    string `json:"description"`
	HoursPerMonth  int    `json:"hours_per_month"`
	CreatedAt      string `json:"created_at"`
}

// toOrganisationJSON renders an organisation, with its contact details
// when contact (see handler.contactVisible).
func toOrganisationJSON(o *matching.Organisation, contact bool) Organisation {
	out := Organisation{
		ID: o.ID, Name: o.Name, Type: string(o.Type), Description: o.Description, Website: o.Website,
		Location: toLocation(o.Location), ServiceRadiusKm: o.ServiceRadiusKm,
		Values: orEmpty(o.Values), Practices: orEmpty(o.Practices), Exclusions: orEmpty(o.Exclusions),
		CapacityHoursPerMonth: o.CapacityHoursPerMonth,
		TrustedPartnerships:   o.TrustedPartnerships,
		Offers:                make([]Item, len(o.Offers)), Needs: make([]Need, len(o.Needs)),
		CreatedAt: rfc3339(o.CreatedAt), UpdatedAt: rfc3339(o.UpdatedAt),
	}
	if contact {
		email, phone := o.Email, o.Phone
		out.Email, out.Phone = &email, &phone
	}
	for i, x := range o.Offers {
		out.Offers[i] = Item{x.ID, x.OrganisationID, x.Category, x.Description, x.HoursPerMonth, rfc3339(x.CreatedAt)}
	}
	for i := range o.Needs {
		out.Needs[i] = toNeedJSON(&o.Needs[i])
	}
	return out
}

// toOrganisation checks a registration body and builds the organisation.
func (in *organisationIn) toOrganisation(tax *matching.Taxonomy, id string) (*matching.Organisation, error) {
	ve := &matching.ValidationError{}
	o := &matching.Organisation{
		ID: id, Name: in.Name, Type: matching.OrgType(in.Type), Description: in.Description,
		Website: in.Website, Email: in.Email, Phone: in.Phone,
		ServiceRadiusKm: in.ServiceRadiusKm, Values: orEmpty(in.Values), Practices: orEmpty(in.Practices),
		Exclusions: orEmpty(in.Exclusions), CapacityHoursPerMonth: in.CapacityHoursPerMonth,
	}
	o.Location = in.Location.point(ve, "location")
	ve.Merge("", o.Validate(tax))
	if len(in.Offers)+len(in.Needs) > matching.MaxOffersOrNeeds {
		ve.Add("offers", "an organisation may list at most %d offers and needs together", matching.MaxOffersOrNeeds)
	} else {
		for i, x := range in.Offers {
			offer := matching.Offer{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: id,
				Category: x.Category, Description: x.Description, HoursPerMonth: x.HoursPerMonth}
			ve.Merge(fieldf("offers[%d]", i), offer.Validate(tax))
			o.Offers = append(o.Offers, offer)
		}
		for i := range in.Needs {
			need, err := in.Needs[i].toNeed(tax, uuid.Must(uuid.NewV7()).String(), id)
			ve.Merge(fieldf("needs[%d]", i), err)
			o.Needs = append(o.Needs, need)
		}
	}
	return o, ve.Err()
}

// apply changes o by the fields the patch carries and validates the result.
func (p *organisationPatch) apply(o *matching.Organisation, tax *matching.Taxonomy) error {
	ve := &matching.ValidationError{}
	setString(&o.Name, p.Name)
	if p.Type != nil {
		o.Type = matching.OrgType(*p.Type)
	}
	setString(&o.Description, p.Description)
	setString(&o.Website, p.Website)
	setString(&o.Email, p.Email)
	setString(&o.Phone, p.Phone)
	if p.Location != nil {
		o.Location = p.Location.point(ve, "location")
	}
	if p.ServiceRadiusKm != nil {
		o.ServiceRadiusKm = *p.ServiceRadiusKm
	}
	if p.Values != nil {
		o.Values = orEmpty(*p.Values)
	}
	if p.Practices != nil {
		o.Practices = orEmpty(*p.Practices)
	}
	if p.Exclusions != nil {
		o.Exclusions = orEmpty(*p.Exclusions)
	}
	if p.CapacityHoursPerMonth != nil {
		o.CapacityHoursPerMonth = *p.CapacityHoursPerMonth
	}
	ve.Merge("", o.Validate(tax))
	return ve.Err()
}

func setString(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}

// createOrganisation registers an organisation and returns its first API
// key's token once. With "admin", its first person is made, an admin;
// a signed-in person who registers one becomes its admin.
func (h *handler) createOrganisation(c *gin.Context) {
	var in organisationIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if err := h.placeLocation(c, in.Location, "location"); err != nil {
		fail(c, err)
		return
	}
	id := uuid.Must(uuid.NewV7()).String()
	o, err := in.toOrganisation(h.tax, id)
	ve := &matching.ValidationError{}
	if err != nil && !errors.As(err, &ve) {
		fail(c, err)
		return
	}
	var admin matching.Person
	if in.Admin != nil {
		admin = in.Admin.check(ve, "admin.", true)
	}
	if len(ve.Errors) > 0 {
		fail(c, ve)
		return
	}
	now := h.now().UTC()
	o.CreatedAt, o.UpdatedAt = now, now
	for i := range o.Offers {
		o.Offers[i].CreatedAt = now
	}
	for i := range o.Needs {
		o.Needs[i].CreatedAt = now
	}
	token := NewToken()
	reg := matching.Registration{KeyID: uuid.NewString(), KeyHash: HashToken(token)}
	ctx := c.Request.Context()
	if in.Admin != nil {
		stored, err := h.passwords.Hash(ctx, in.Admin.Password)
		if err != nil {
			hashFailed(c, err)
			return
		}
		admin.ID, admin.CreatedAt = uuid.NewString(), now
		reg.NewAdmin, reg.PasswordHash = &admin, stored
	} else if who := caller(c); who.PersonID != "" {
		reg.AdminID = who.PersonID
	}
	audit(c, o.ID, "organisation.created", "organisation", o.ID)
	if err := h.store.RegisterOrganisation(c.Request.Context(), o, reg); err != nil {
		fail(c, err)
		return
	}
	// The token is verified: it was just made. Remembering it lets the
	// new organisation read and match with it while the database is away.
	h.tokens.put(reg.KeyHash, &matching.Credential{Kind: matching.PrincipalKey, KeyID: reg.KeyID, KeyName: "registration", OrganisationID: o.ID}, tokenReverify)
	if reg.AdminID != "" {
		h.tokens.clear() // the person's memberships changed
	}
	c.Header("Location", "/v1/organisations/"+o.ID)
	h.catchUp(c)
	body := gin.H{"organisation": toOrganisationJSON(o, true), "token": token}
	if reg.NewAdmin != nil {
		body["admin"] = toPersonJSON(reg.NewAdmin)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, body)
}

func (h *handler) getOrganisation(c *gin.Context) {
	o, err := h.store.GetOrganisation(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	h.writeOrganisation(c, http.StatusOK, o)
}

// contactVisible returns which of orgIDs' contact details the caller may
// see: the operator all; an organisation its own, and those of the
// organisations it shares a booking (either side) or a partnership (any
// state) with; anyone else none. When the database cannot say, it shows
// only the caller's own.
func (h *handler) contactVisible(c *gin.Context, orgIDs []string) func(string) bool {
	who := caller(c)
	if who.Operator {
		return func(string) bool { return true }
	}
	if who.OrganisationID == "" {
		return func(string) bool { return false }
	}
	others := make([]string, 0, len(orgIDs))
	for _, id := range orgIDs {
		if id != who.OrganisationID {
			others = append(others, id)
		}
	}
	shared, err := h.store.SharesWith(c.Request.Context(), who.OrganisationID, others)
	if err != nil {
		logger(c).Warn("could not tell whose contact details to show; showing only the caller's own", "error", err.Error(), "request_id", requestID(c))
	}
	return func(id string) bool { return id == who.OrganisationID || shared[id] }
}

// writeOrganisation answers with an organisation as the caller may see it
// and its ETag (see writeTagged).
func (h *handler) writeOrganisation(c *gin.Context, status int, o *matching.Organisation) {
	who := caller(c)
	// Contact details depend on who asks.
	c.Writer.Header().Add("Vary", "Authorization")
	if who.Anonymous() {
		c.Header("Cache-Control", "no-cache")
	} else {
		c.Header("Cache-Control", "private, no-cache")
	}
	writeTagged(c, status, toOrganisationJSON(o, h.contactVisible(c, []string{o.ID})(o.ID)))
}

// patchOrganisation changes the fields the body carries, applied in the
// store's transaction to the organisation as it is then, so a concurrent
// PATCH of other fields is never undone; with If-Match, only if the
// organisation still carries one of the tags listed (else 412).
func (h *handler) patchOrganisation(c *gin.Context) {
	ctx := c.Request.Context()
	o, err := h.store.GetOrganisation(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if !mustOwn(c, o.ID, "organisation") {
		return
	}
	var p organisationPatch
	if err := decodeJSON(c, &p); err != nil {
		fail(c, err)
		return
	}
	if err := h.placeLocation(c, p.Location, "location"); err != nil {
		fail(c, err)
		return
	}
	check, err := organisationPrecondition(c)
	if err != nil {
		fail(c, err)
		return
	}
	audit(c, o.ID, "organisation.updated", "organisation", o.ID)
	o, err = h.store.UpdateOrganisation(ctx, o.ID, func(cur *matching.Organisation) error {
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		return p.apply(cur, h.tax)
	})
	if err != nil {
		fail(c, err)
		return
	}
	h.catchUp(c)
	h.writeOrganisation(c, http.StatusOK, o)
}

// organisationPrecondition is the request's If-Match as a check of an
// organisation (nil without one).
func organisationPrecondition(c *gin.Context) (func(*matching.Organisation) error, error) {
	l, err := ifMatch(c)
	if err != nil {
		return nil, err
	}
	who := caller(c)
	return precondition(l, func(o *matching.Organisation) any {
		// The tag the caller saw: an organisation may always see its own
		// contact details.
		return toOrganisationJSON(o, who.Operator || who.OrganisationID == o.ID)
	}), nil
}

func (h *handler) deleteOrganisation(c *gin.Context) {
	check, err := organisationPrecondition(c)
	if err != nil {
		fail(c, err)
		return
	}
	h.deleteOwned(c, "organisation", func(ctx context.Context, id string) (string, error) {
		o, err := h.store.GetOrganisation(ctx, id)
		if err != nil {
			return "", err
		}
		return o.ID, nil
	}, func(ctx context.Context, id string) error { return h.store.DeleteOrganisationIf(ctx, id, check) })
}

// createItem adds an offer or a need (kind) to an organisation.
func (h *handler) createItem(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		o, err := h.store.GetOrganisation(ctx, c.Param("id"))
		if err != nil {
			fail(c, err)
			return
		}
		if !mustOwn(c, o.ID, "organisation") {
			return
		}
		if len(o.Offers)+len(o.Needs) >= matching.MaxOffersOrNeeds {
			fail(c, matching.Invalid("", "an organisation may list at most %d offers and needs together", matching.MaxOffersOrNeeds))
			return
		}
		now := h.now().UTC()
		id := uuid.Must(uuid.NewV7()).String()
		if kind == "offer" {
			var in itemIn
			if err := decodeJSON(c, &in); err != nil {
				fail(c, err)
				return
			}
			x := matching.Offer{ID: id, OrganisationID: o.ID, Category: in.Category, Description: in.Description, HoursPerMonth: in.HoursPerMonth, CreatedAt: now}
			if err := x.Validate(h.tax); err != nil {
				fail(c, err)
				return
			}
			audit(c, o.ID, kind+".created", kind, id)
			if err := h.store.CreateOffer(ctx, &x); err != nil {
				fail(c, err)
				return
			}
			h.catchUp(c)
			c.JSON(http.StatusCreated, Item{ID: id, OrganisationID: o.ID, Category: in.Category, Description: in.Description, HoursPerMonth: in.HoursPerMonth, CreatedAt: rfc3339(now)})
			return
		}
		var in needIn
		if err := decodeJSON(c, &in); err != nil {
			fail(c, err)
			return
		}
		x, err := in.toNeed(h.tax, id, o.ID)
		if err != nil {
			fail(c, err)
			return
		}
		x.CreatedAt = now
		audit(c, o.ID, kind+".created", kind, id)
		if err := h.store.CreateNeed(ctx, &x); err != nil {
			fail(c, err)
			return
		}
		h.catchUp(c)
		c.JSON(http.StatusCreated, toNeedJSON(&x))
	}
}

func (h *handler) deleteOffer(c *gin.Context) {
	h.deleteOwned(c, "offer", func(ctx context.Context, id string) (string, error) {
		x, err := h.store.GetOffer(ctx, id)
		if err != nil {
			return "", err
		}
		return x.OrganisationID, nil
	}, h.store.DeleteOffer)
}

func (h *handler) deleteNeed(c *gin.Context) {
	h.deleteOwned(c, "need", func(ctx context.Context, id string) (string, error) {
		x, err := h.store.GetNeed(ctx, id)
		if err != nil {
			return "", err
		}
		return x.OrganisationID, nil
	}, h.store.DeleteNeed)
}

// deleteOwned serves a DELETE: it finds the resource's owner (owner
// returns a not-found error for a missing one), checks the caller may
// change it, deletes it, brings the read model up to date and answers 204.
func (h *handler) deleteOwned(c *gin.Context, what string, owner func(ctx context.Context, id string) (string, error),
	del func(ctx context.Context, id string) error) {
	ctx := c.Request.Context()
	id := c.Param("id")
	org, err := owner(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	if !mustOwn(c, org, what) {
		return
	}
	audit(c, org, what+".deleted", what, id)
	if err := del(ctx, id); err != nil {
		fail(c, err)
		return
	}
	h.catchUp(c)
	c.Status(http.StatusNoContent)
}
