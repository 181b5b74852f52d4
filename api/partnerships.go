package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
)

// PartnershipStore is what the partnership endpoints need of the
// database. *store.DB implements it.
type PartnershipStore interface {
	CreatePartnership(ctx context.Context, p *matching.Partnership) error
	GetPartnership(ctx context.Context, id string) (*matching.Partnership, error)
	ListPartnerships(ctx context.Context, f matching.PartnershipFilter) ([]matching.Partnership, error)
	// UpdatePartnership locks the partnership, lets edit change its
	// agreement and saves it, in one transaction; once the partnership is
	// accepted an organisation's change is saved as a proposed amendment
	// instead, and returned, the agreement in force unchanged.
	UpdatePartnership(ctx context.Context, id string, actor matching.Actor, edit func(p *matching.Partnership) error) (*matching.Partnership, *matching.Amendment, error)
	// DecideAmendment accepts or declines amendment n, applying an
	// accepted one to the agreement, in one transaction.
	DecideAmendment(ctx context.Context, id string, n int, action matching.AmendmentAction, actor matching.Actor) (*matching.Partnership, *matching.Amendment, error)
	// ListAmendments lists a partnership's amendments, n after after.
	ListAmendments(ctx context.Context, partnershipID string, after, limit int) ([]matching.Amendment, error)
	// ListAgreementVersions lists a partnership's agreement versions,
	// those after after.
	ListAgreementVersions(ctx context.Context, partnershipID string, after, limit int) ([]matching.AgreementVersion, error)
	// AddEvaluation records a closing evaluation, once a side, and returns
	// the partnership as it then stands.
	AddEvaluation(ctx context.Context, e *matching.Evaluation) (*matching.Partnership, error)
	ListEvaluations(ctx context.Context, partnershipID string) ([]matching.Evaluation, error)
	TransitionPartnership(ctx context.Context, id string, action matching.PartnershipAction, actor matching.Actor) (*matching.Partnership, error)
	AddHealthCheck(ctx context.Context, h *matching.HealthCheck) error
	// ListHealthChecks lists a partnership's checks newest first.
	ListHealthChecks(ctx context.Context, partnershipID string, page matching.Page) ([]matching.HealthCheck, error)
}

// Partnerships are private to their two organisations: every endpoint
// needs a token, and a partnership the caller is not party to answers 404
// in the same words as one that does not exist. The operator may read and
// change any (acting for either side), but neither proposes partnerships
// nor scores their health: those are the organisations' own word.

func actorOf(who Caller) matching.Actor {
	return matching.Actor{OrganisationID: who.OrganisationID, Operator: who.Operator}
}

// errNoPartnership is the answer for a partnership the caller may not see,
// worded as the store words one that does not exist.
func errNoPartnership(id string) error {
	return fmt.Errorf("partnership %s: %w", id, matching.ErrNotFound)
}

// visiblePartnership reads the partnership in the path, answering 404
// unless the caller may see it.
func (h *handler) visiblePartnership(c *gin.Context) (*matching.Partnership, matching.Actor, bool) {
	actor := actorOf(caller(c))
	p, err := h.store.GetPartnership(c.Request.Context(), c.Param("id"))
	if err == nil && !p.VisibleTo(actor) {
		err = errNoPartnership(p.ID)
	}
	if err != nil {
		fail(c, err)
		return nil, actor, false
	}
	return p, actor, true
}

// createPartnership proposes a partnership from the caller's organisation
// to partner_id: 400 for a bad agreement or an unknown partner, 409 when
// the two organisations' values conflict.
func (h *handler) createPartnership(c *gin.Context) {
	who := caller(c)
	if who.OrganisationID == "" {
		fail(c, fmt.Errorf("%w: a partnership is proposed by an organisation, with its own token", matching.ErrForbidden))
		return
	}
	var in partnershipIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	now := h.now().UTC()
	p := &matching.Partnership{ID: uuid.Must(uuid.NewV7()).String(), ProposerID: who.OrganisationID, PartnerID: in.PartnerID,
		Status: matching.PartnershipProposed, Purpose: in.Purpose, Roles: in.Roles, Outcomes: orEmpty(in.Outcomes),
		CreatedAt: now, UpdatedAt: now}
	if p.Roles == nil {
		p.Roles = map[string]string{}
	}
	ve := &matching.ValidationError{}
	if !validID(in.PartnerID) {
		ve.Add("partner_id", "is not a valid id")
	}
	p.ReviewOn = parseDate(ve, "review_on", in.ReviewOn)
	mergeNew(ve, p.Validate())
	var partner *matching.Organisation
	if len(fieldsOf(ve)["partner_id"]) == 0 {
		var err error
		partner, err = h.store.GetOrganisation(ctx, in.PartnerID)
		if errors.Is(err, matching.ErrNotFound) {
			ve.Add("partner_id", "no organisation %q", clip(in.PartnerID))
		} else if err != nil {
			fail(c, err)
			return
		}
	}
	sortFieldErrors(ve)
	if err := ve.Err(); err != nil {
		fail(c, err)
		return
	}
	proposer, err := h.store.GetOrganisation(ctx, who.OrganisationID)
	if err != nil {
		fail(c, err)
		return
	}
	if why := incompatibility(h.tax, proposer, partner); why != "" {
		fail(c, fmt.Errorf("%w: %s and %s cannot partner: %s", matching.ErrConflict, proposer.Name, partner.Name, why))
		return
	}
	audit(c, who.OrganisationID, "partnership.proposed", "partnership", p.ID)
	if err := h.store.CreatePartnership(ctx, p); err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/v1/partnerships/"+p.ID)
	c.JSON(http.StatusCreated, toPartnershipJSON(p))
}

// incompatibility says why two organisations may not partner (see
// Taxonomy.Compatible), or "" when they may.
func incompatibility(tax *matching.Taxonomy, a, b *matching.Organisation) string {
	for _, pair := range [][2]*matching.Organisation{{a, b}, {b, a}} {
		x, y := pair[0], pair[1]
		for _, p := range y.Practices {
			for _, e := range x.Exclusions {
				if e == p {
					return fmt.Sprintf("%s excludes %s, which %s practises", x.Name, p, y.Name)
				}
			}
			for _, v := range x.Values {
				if tax.ValueConflictsWith(v, p) {
					return fmt.Sprintf("%s holds the value %s, which conflicts with %s, which %s practises", x.Name, v, p, y.Name)
				}
			}
		}
	}
	if !tax.Compatible(a, b) {
		return "their values conflict"
	}
	return ""
}

func (h *handler) getPartnership(c *gin.Context) {
	if p, _, ok := h.visiblePartnership(c); ok {
		c.JSON(http.StatusOK, toPartnershipJSON(p))
	}
}

// listPartnerships lists the caller's partnerships (every one for the
// operator, or one organisation's with organisation_id=), optionally in
// one status, oldest first, paged by cursor.
func (h *handler) listPartnerships(c *gin.Context) {
	a, ok := readAgreementQuery(c, "partnerships", matching.PartnershipStatus.Valid, statusList())
	if !ok {
		return
	}
	ps, err := h.store.ListPartnerships(c.Request.Context(), matching.PartnershipFilter{OrganisationID: a.org, Status: a.status, Page: a.page})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, linked(c, pageOf(ps, a.limit, a.key, func(p *matching.Partnership) string { return p.ID }, toPartnershipJSON)))
}

func statusList() string {
	s := make([]string, len(matching.PartnershipStatuses))
	for i, x := range matching.PartnershipStatuses {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// patchPartnership changes the agreement (purpose, roles, outcomes,
// review_on): while the partnership is proposed the change applies at
// once (200 with the partnership); once it is accepted or active, an
// organisation's change is an amendment the other side must accept (202
// with {"amendment"}; 409 while another waits), and the operator's
// applies at once as a correction. 409 once declined, completed or ended.
func (h *handler) patchPartnership(c *gin.Context) {
	p, actor, ok := h.visiblePartnership(c)
	if !ok {
		return
	}
	var in partnershipPatch
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	action := "partnership.updated"
	if p.NeedsConsent(actor) {
		action = "partnership.amendment_proposed"
	}
	audit(c, p.ProposerID, action, "partnership", p.ID)
	p, am, err := h.store.UpdatePartnership(c.Request.Context(), p.ID, actor, in.apply)
	if err != nil {
		fail(c, err)
		return
	}
	if am != nil {
		c.Header("Location", fmt.Sprintf("/v1/partnerships/%s/amendments/%d", p.ID, am.N))
		c.JSON(http.StatusAccepted, amendmentEnvelope{Amendment: toAmendmentJSON(am)})
		return
	}
	c.JSON(http.StatusOK, toPartnershipJSON(p))
}

// transitionPartnership serves POST /v1/partnerships/{id}/{action}: 200
// with the partnership in its new status, 403 for the proposer answering
// its own proposal, 409 for an action its status does not allow.
func (h *handler) transitionPartnership(action matching.PartnershipAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		audit(c, "", "partnership."+string(action), "partnership", c.Param("id"))
		p, err := h.store.TransitionPartnership(c.Request.Context(), c.Param("id"), action, actorOf(caller(c)))
		if err != nil {
			fail(c, err)
			return
		}
		if p.StayedGood() {
			// Both organisations' trust counts changed.
			h.catchUp(c)
		}
		c.JSON(http.StatusOK, toPartnershipJSON(p))
	}
}

// parseDate reads a YYYY-MM-DD date as midnight UTC, recording an error
// under field.
func parseDate(ve *matching.ValidationError, field, s string) time.Time {
	if s == "" {
		ve.Add(field, "is required (a date, YYYY-MM-DD)")
		return time.Time{}
	}
	d, err := time.Parse(matching.DateLayout, s)
	if err != nil {
		ve.Add(field, "must be a date such as 2027-03-31, got %q", clip(s))
		return time.Time{}
	}
	return d
}

// mergeNew adds the field errors of err (a *ValidationError) for fields
// ve does not name yet, so one problem is reported once.
func mergeNew(ve *matching.ValidationError, err error) {
	var other *matching.ValidationError
	if !errors.As(err, &other) {
		ve.Merge("", err)
		return
	}
	seen := fieldsOf(ve)
	for _, fe := range other.Errors {
		if len(seen[fe.Field]) == 0 {
			ve.Errors = append(ve.Errors, fe)
		}
	}
}

// fieldsOf maps each field ve names to its messages.
func fieldsOf(ve *matching.ValidationError) map[string][]string {
	m := map[string][]string{}
	for _, fe := range ve.Errors {
		m[fe.Field] = append(m[fe.Field], fe.Message)
	}
	return m
}
