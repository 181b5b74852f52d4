package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// Amendment is the API shape of a proposed change to an agreement in
// force. Changes holds only the fields it changes, in the agreement's
// shape (purpose, roles, outcomes, review_on).
type Amendment struct {
	N          int              `json:"n"`
	Status     string           `json:"status"`
	ProposedBy string           `json:"proposed_by"`
	Changes    AgreementChanges `json:"changes"`
	DecidedBy  *string          `json:"decided_by"`
	CreatedAt  string           `json:"created_at"`
	DecidedAt  *string          `json:"decided_at"`
}

// AgreementChanges are the fields an amendment changes.
type AgreementChanges struct {
	Purpose  *string            `json:"purpose,omitempty"`
	Roles    *map[string]string `json:"roles,omitempty"`
	Outcomes *[]string          `json:"outcomes,omitempty"`
	ReviewOn *string            `json:"review_on,omitempty"`
}

// AmendmentAnswer is the body of an answer to an amendment: the amendment
// as answered and the partnership as it now stands.
type AmendmentAnswer struct {
	Amendment   Amendment   `json:"amendment"`
	Partnership Partnership `json:"partnership"`
}

// amendmentEnvelope is the body of a 202 answer to a PATCH that proposes
// an amendment.
type amendmentEnvelope struct {
	Amendment Amendment `json:"amendment"`
}

// AgreementVersion is the API shape of one agreement both sides consented
// to: version 1 as accepted, and one more for each accepted amendment
// (amendment: its n) or operator's correction (amendment: null).
type AgreementVersion struct {
	Version   int               `json:"version"`
	Amendment *int              `json:"amendment"`
	Purpose   string            `json:"purpose"`
	Roles     map[string]string `json:"roles"`
	Outcomes  []string          `json:"outcomes"`
	ReviewOn  string            `json:"review_on"`
	AgreedAt  string            `json:"agreed_at"`
}

func toAmendmentJSON(a *matching.Amendment) Amendment {
	out := Amendment{N: a.N, Status: string(a.Status), ProposedBy: a.ProposedBy, CreatedAt: rfc3339(a.CreatedAt)}
	c := a.Changes
	out.Changes.Purpose = c.Purpose
	if c.Roles != nil {
		r := c.Roles
		out.Changes.Roles = &r
	}
	if c.Outcomes != nil {
		o := orEmpty(c.Outcomes)
		out.Changes.Outcomes = &o
	}
	if c.ReviewOn != nil {
		r := c.ReviewOn.UTC().Format(matching.DateLayout)
		out.Changes.ReviewOn = &r
	}
	if a.Status != matching.AmendmentProposed {
		by, at := a.DecidedBy, rfc3339(a.DecidedAt)
		if by != "" {
			out.DecidedBy = &by
		}
		out.DecidedAt = &at
	}
	return out
}

func toVersionJSON(v *matching.AgreementVersion) AgreementVersion {
	out := AgreementVersion{Version: v.Version, Purpose: v.Purpose, Roles: v.Roles, Outcomes: orEmpty(v.Outcomes),
		ReviewOn: v.ReviewOn.UTC().Format(matching.DateLayout), AgreedAt: rfc3339(v.AgreedAt)}
	if out.Roles == nil {
		out.Roles = map[string]string{}
	}
	if v.Amendment > 0 {
		n := v.Amendment
		out.Amendment = &n
	}
	return out
}

// amendmentNumber reads the amendment number in the path: a whole number
// from 1; anything else is an amendment that does not exist.
func amendmentNumber(c *gin.Context, id string) (int, bool) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || strconv.Itoa(n) != c.Param("n") {
		fail(c, fmt.Errorf("partnership %s: amendment %s: %w", id, clip(c.Param("n")), matching.ErrNotFound))
		return 0, false
	}
	return n, true
}

// decideAmendment serves POST /v1/partnerships/{id}/amendments/{n}/accept
// and /decline: 200 with the amendment and the partnership, 403 when the
// organisation that proposed it answers, 409 when it was answered already
// (of two answers at once, one wins and the other gets 409) or the
// partnership is no longer accepted or active, 404 for an outsider or an
// amendment that does not exist.
func (h *handler) decideAmendment(action matching.AmendmentAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		n, ok := amendmentNumber(c, id)
		if !ok {
			return
		}
		audit(c, "", "partnership.amendment_"+map[matching.AmendmentAction]string{
			matching.AmendmentAccept: "accepted", matching.AmendmentDecline: "declined"}[action], "partnership", id)
		p, am, err := h.store.DecideAmendment(c.Request.Context(), id, n, action, actorOf(caller(c)))
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, AmendmentAnswer{Amendment: toAmendmentJSON(am), Partnership: toPartnershipJSON(p)})
	}
}

// intPage is a page of a list keyed by number, from idPage's cursor.
func intPage(page matching.Page) (after, limit int) {
	after, _ = strconv.Atoi(page.AfterID) // the cursor is ours: a number, or empty
	return after, page.Limit
}

// listAmendments answers a partnership's amendments, oldest first, paged
// by cursor.
func (h *handler) listAmendments(c *gin.Context) {
	p, _, ok := h.visiblePartnership(c)
	if !ok {
		return
	}
	page, limit, key, ok := idPage(c)
	if !ok {
		return
	}
	after, n := intPage(page)
	ams, err := h.store.ListAmendments(c.Request.Context(), p.ID, after, n)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, linked(c, pageOf(ams, limit, key, func(a *matching.Amendment) string { return strconv.Itoa(a.N) }, toAmendmentJSON)))
}

// listAgreementVersions answers a partnership's agreement versions, the
// first first, paged by cursor; a partnership not yet accepted has none.
func (h *handler) listAgreementVersions(c *gin.Context) {
	p, _, ok := h.visiblePartnership(c)
	if !ok {
		return
	}
	page, limit, key, ok := idPage(c)
	if !ok {
		return
	}
	after, n := intPage(page)
	vs, err := h.store.ListAgreementVersions(c.Request.Context(), p.ID, after, n)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, linked(c, pageOf(vs, limit, key, func(v *matching.AgreementVersion) string { return strconv.Itoa(v.Version) }, toVersionJSON)))
}
