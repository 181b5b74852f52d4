package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
)

// ConsortiumStore is what the consortium endpoints need of the database.
// *store.DB implements it.
type ConsortiumStore interface {
	CreateConsortium(ctx context.Context, c *matching.ConsortiumPartnership) error
	GetConsortium(ctx context.Context, id string) (*matching.ConsortiumPartnership, error)
	ListConsortia(ctx context.Context, f matching.ConsortiumFilter) ([]matching.ConsortiumPartnership, error)
	// TransitionConsortium applies an action under the consortium's lock.
	TransitionConsortium(ctx context.Context, id string, action matching.PartnershipAction, actor matching.Actor) (*matching.ConsortiumPartnership, error)
	AddConsortiumHealthCheck(ctx context.Context, h *matching.HealthCheck) error
	ListConsortiumHealthChecks(ctx context.Context, consortiumID string, page matching.Page) ([]matching.HealthCheck, error)
}

// Consortia, like partnerships, are private to their organisations (the
// lead and the members): every endpoint needs a token, and to anyone else
// a consortium answers 404 in the same words as one that does not exist.

// consortiumPartnershipIn is the body of POST /v1/consortia. member_ids
// are the organisations other than the lead; the lead's own ID there is
// passed over, so the member IDs of a POST /v1/match/consortium result may
// be sent as they are.
type consortiumPartnershipIn struct {
	Name      string            `json:"name"`
	Purpose   string            `json:"purpose"`
	LeadID    string            `json:"lead_id"`
	MemberIDs []string          `json:"member_ids"`
	Roles     map[string]string `json:"roles"`
	Bid       *bidIn            `json:"bid"`
}

type bidIn struct {
	Title        string `json:"title"`
	Commissioner string `json:"commissioner"`
	Deadline     string `json:"deadline"`
}

// ConsortiumPartnership is the API shape of a consortium.
type ConsortiumPartnership struct {
	ID        string              `json:"id"`
	Name      string              `json:"name"`
	Purpose   string              `json:"purpose"`
	LeadID    string              `json:"lead_id"`
	MemberIDs []string            `json:"member_ids"`
	Members   []ConsortiumInvitee `json:"members"`
	Status    string              `json:"status"`
	Roles     map[string]string   `json:"roles"`
	Bid       Bid                 `json:"bid"`
	CreatedAt string              `json:"created_at"`
	UpdatedAt string              `json:"updated_at"`
	Health    PartnershipHealth   `json:"health"`
}

// ConsortiumInvitee is one member and its answer.
type ConsortiumInvitee struct {
	OrganisationID string  `json:"organisation_id"`
	Response       string  `json:"response"`
	RespondedAt    *string `json:"responded_at"`
}

// Bid is the commission a consortium bids for.
type Bid struct {
	Title        string `json:"title"`
	Commissioner string `json:"commissioner"`
	Deadline     string `json:"deadline"`
}

func toConsortiumJSON(c *matching.ConsortiumPartnership) ConsortiumPartnership {
	roles := c.Roles
	if roles == nil {
		roles = map[string]string{}
	}
	out := ConsortiumPartnership{ID: c.ID, Name: c.Name, Purpose: c.Purpose, LeadID: c.LeadID, Status: string(c.Status),
		Roles: roles, MemberIDs: make([]string, len(c.Members)), Members: make([]ConsortiumInvitee, len(c.Members)),
		Bid:       Bid{Title: c.Bid.Title, Commissioner: c.Bid.Commissioner, Deadline: c.Bid.Deadline.UTC().Format(matching.DateLayout)},
		CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(c.UpdatedAt),
		Health: PartnershipHealth{ByOrganisation: map[string]HealthCheck{}, Flags: orEmpty(c.Health.Flags),
			Checks: c.Health.Checks, LowChecks: c.Health.LowChecks}}
	for i, m := range c.Members {
		out.MemberIDs[i] = m.OrganisationID
		out.Members[i] = ConsortiumInvitee{OrganisationID: m.OrganisationID, Response: string(m.Response)}
		if !m.RespondedAt.IsZero() {
			at := rfc3339(m.RespondedAt)
			out.Members[i].RespondedAt = &at
		}
	}
	if l := c.Health.Latest; l != nil {
		latest := toHealthCheckJSON(l)
		out.Health.Latest = &latest
	}
	for org, h := range c.Health.ByOrganisation {
		out.Health.ByOrganisation[org] = toHealthCheckJSON(&h)
	}
	return out
}

// createConsortium forms a consortium led by the caller's organisation:
// 201 forming, 400 for a bad body or an unknown member, 403 unless the
// caller is the lead, 409 naming the first pair of organisations that may
// not work together.
func (h *handler) createConsortium(c *gin.Context) {
	who := caller(c)
	var in consortiumPartnershipIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if who.OrganisationID == "" || who.OrganisationID != in.LeadID {
		fail(c, fmt.Errorf("%w: a consortium is formed by its lead, with its own token (lead_id must be the caller's organisation)", matching.ErrForbidden))
		return
	}
	ctx := c.Request.Context()
	now := h.now().UTC()
	k := &matching.ConsortiumPartnership{ID: uuid.Must(uuid.NewV7()).String(), Name: in.Name, Purpose: in.Purpose, LeadID: in.LeadID,
		Status: matching.ConsortiumForming, Roles: in.Roles, CreatedAt: now, UpdatedAt: now}
	if k.Roles == nil {
		k.Roles = map[string]string{}
	}
	ve := &matching.ValidationError{}
	if in.MemberIDs == nil {
		ve.Add("member_ids", "is required: the organisations invited besides the lead")
	}
	for i, id := range in.MemberIDs {
		if id == in.LeadID {
			continue // a consortium search's members include the lead
		}
		if !validID(id) {
			ve.Add(fmt.Sprintf("member_ids[%d]", i), "is not a valid id")
		}
		k.Members = append(k.Members, matching.ConsortiumInvitee{OrganisationID: id, Response: matching.MemberInvited})
	}
	if in.Bid == nil {
		ve.Add("bid", "is required: {title, commissioner, deadline}")
	} else {
		k.Bid = matching.Bid{Title: in.Bid.Title, Commissioner: in.Bid.Commissioner}
		k.Bid.Deadline = parseDate(ve, "bid.deadline", in.Bid.Deadline)
	}
	mergeNew(ve, k.Validate())
	if in.Bid == nil { // said once, as "bid"
		ve.Errors = slices.DeleteFunc(ve.Errors, func(fe matching.FieldError) bool { return strings.HasPrefix(fe.Field, "bid.") })
	}
	// Every organisation must exist; then every pair must be compatible.
	orgs := []*matching.Organisation{}
	if len(ve.Errors) == 0 {
		for i, id := range append([]string{k.LeadID}, memberIDs(k)...) {
			o, err := h.store.GetOrganisation(ctx, id)
			if errors.Is(err, matching.ErrNotFound) {
				ve.Add(fmt.Sprintf("member_ids[%d]", memberIndex(in.MemberIDs, id, i)), "no organisation %q", clip(id))
				continue
			} else if err != nil {
				fail(c, err)
				return
			}
			orgs = append(orgs, o)
		}
	}
	sortFieldErrors(ve)
	if err := ve.Err(); err != nil {
		fail(c, err)
		return
	}
	if a, b, found := matching.Incompatible(h.tax, orgs); found {
		fail(c, fmt.Errorf("%w: %s (%s) and %s (%s) cannot be in one consortium: %s", matching.ErrConflict,
			a.Name, a.ID, b.Name, b.ID, incompatibility(h.tax, a, b)))
		return
	}
	audit(c, who.OrganisationID, "consortium.formed", matching.SubjectConsortium, k.ID)
	if err := h.store.CreateConsortium(ctx, k); err != nil {
		fail(c, err)
		return
	}
	created, err := h.store.GetConsortium(ctx, k.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/v1/consortia/"+k.ID)
	c.JSON(http.StatusCreated, toConsortiumJSON(created))
}

func memberIDs(k *matching.ConsortiumPartnership) []string {
	out := make([]string, len(k.Members))
	for i, m := range k.Members {
		out[i] = m.OrganisationID
	}
	return out
}

// memberIndex is id's index in ids (the body's member_ids), for naming
// the field; the lead (index 0 of the checked list) is not there.
func memberIndex(ids []string, id string, fallback int) int {
	for i, x := range ids {
		if x == id {
			return i
		}
	}
	return fallback
}

func errNoConsortium(id string) error {
	return fmt.Errorf("consortium %s: %w", id, matching.ErrNotFound)
}

// visibleConsortium reads the consortium in the path, answering 404
// unless the caller may see it.
func (h *handler) visibleConsortium(c *gin.Context) (*matching.ConsortiumPartnership, matching.Actor, bool) {
	actor := actorOf(caller(c))
	k, err := h.store.GetConsortium(c.Request.Context(), c.Param("id"))
	if err == nil && !k.VisibleTo(actor) {
		err = errNoConsortium(k.ID)
	}
	if err != nil {
		fail(c, err)
		return nil, actor, false
	}
	return k, actor, true
}

func (h *handler) getConsortium(c *gin.Context) {
	if k, _, ok := h.visibleConsortium(c); ok {
		c.JSON(http.StatusOK, toConsortiumJSON(k))
	}
}

// listConsortia lists the consortia the caller leads or is a member of
// (every one for the operator, or one organisation's with
// organisation_id=), optionally in one status, oldest first, paged.
func (h *handler) listConsortia(c *gin.Context) {
	a, ok := readAgreementQuery(c, "consortia", matching.ValidConsortiumStatus, matching.ConsortiumStatusList())
	if !ok {
		return
	}
	ks, err := h.store.ListConsortia(c.Request.Context(), matching.ConsortiumFilter{OrganisationID: a.org, Status: a.status, Page: a.page})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, linked(c, pageOf(ks, a.limit, a.key, func(k *matching.ConsortiumPartnership) string { return k.ID }, toConsortiumJSON)))
}

// transitionConsortium serves POST /v1/consortia/{id}/{action}: 200 with
// the consortium, 403 for the lead (or the operator) answering an
// invitation, 409 for an action its status does not allow or a member
// answering twice.
func (h *handler) transitionConsortium(action matching.PartnershipAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		audit(c, "", "consortium."+string(action), matching.SubjectConsortium, c.Param("id"))
		k, err := h.store.TransitionConsortium(c.Request.Context(), c.Param("id"), action, actorOf(caller(c)))
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, toConsortiumJSON(k))
	}
}
