package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// Partnerships and consortia take health checks alike: the same body, the
// same rules and the same answers, told apart only by a healthSubject.

// healthSubject is what the health-check endpoints need of one kind of
// agreement.
type healthSubject struct {
	// kind is the audit subject and the prefix of the audited action
	// ("partnership", "consortium"); collection is the path the
	// agreements are under ("/v1/partnerships/").
	kind, collection string
	// scorers says who scores the health, for a 403 to the operator.
	scorers string
	// visible reads the agreement in the path and who asks, having
	// answered 404 (and reported false) unless the caller may see it.
	visible func(c *gin.Context) (id string, actor matching.Actor, ok bool)
	add     func(ctx context.Context, hc *matching.HealthCheck) error
	list    func(ctx context.Context, id string, page matching.Page) ([]matching.HealthCheck, error)
}

func (h *handler) partnershipHealth() healthSubject {
	return healthSubject{kind: matching.SubjectPartnership, collection: "/v1/partnerships/", scorers: "the two organisations",
		visible: func(c *gin.Context) (string, matching.Actor, bool) {
			p, actor, ok := h.visiblePartnership(c)
			if !ok {
				return "", actor, false
			}
			return p.ID, actor, true
		},
		add: func(ctx context.Context, hc *matching.HealthCheck) error { return h.store.AddHealthCheck(ctx, hc) },
		list: func(ctx context.Context, id string, page matching.Page) ([]matching.HealthCheck, error) {
			return h.store.ListHealthChecks(ctx, id, page)
		}}
}

func (h *handler) consortiumHealth() healthSubject {
	return healthSubject{kind: matching.SubjectConsortium, collection: "/v1/consortia/", scorers: "the consortium's organisations",
		visible: func(c *gin.Context) (string, matching.Actor, bool) {
			k, actor, ok := h.visibleConsortium(c)
			if !ok {
				return "", actor, false
			}
			return k.ID, actor, true
		},
		add: func(ctx context.Context, hc *matching.HealthCheck) error {
			return h.store.AddConsortiumHealthCheck(ctx, hc)
		},
		list: func(ctx context.Context, id string, page matching.Page) ([]matching.HealthCheck, error) {
			return h.store.ListConsortiumHealthChecks(ctx, id, page)
		}}
}

// createHealthCheck records the caller's organisation's health check: 201
// with the check, 400 for a score that is missing or not a whole number
// from 1 to 5, 403 for the operator, 404 for an agreement the caller may
// not see, 409 unless it is accepted or active.
func (h *handler) createHealthCheck(s healthSubject) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, actor, ok := s.visible(c)
		if !ok {
			return
		}
		if actor.OrganisationID == "" {
			fail(c, fmt.Errorf("%w: health checks are scored by %s, with their own tokens", matching.ErrForbidden, s.scorers))
			return
		}
		var in healthCheckIn
		if err := decodeJSON(c, &in); err != nil {
			fail(c, err)
			return
		}
		hc, err := in.toHealthCheck(id, actor.OrganisationID, h.now().UTC())
		if err != nil {
			fail(c, err)
			return
		}
		audit(c, actor.OrganisationID, s.kind+".health_checked", s.kind, id)
		if err := s.add(c.Request.Context(), hc); err != nil {
			fail(c, err)
			return
		}
		c.Header("Location", s.collection+id+"/health")
		c.JSON(http.StatusCreated, toHealthCheckJSON(hc))
	}
}

// listHealthChecks answers an agreement's health checks, newest first,
// paged by cursor.
func (h *handler) listHealthChecks(s healthSubject) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, _, ok := s.visible(c)
		if !ok {
			return
		}
		page, limit, key, ok := idPage(c)
		if !ok {
			return
		}
		checks, err := s.list(c.Request.Context(), id, page)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, linked(c, pageOf(checks, limit, key, func(h *matching.HealthCheck) string { return h.ID }, toHealthCheckJSON)))
	}
}

// readScores copies the six scores of a body (in matching.HealthCriteria
// order) into scores, naming in ve each one that is missing.
func readScores(ve *matching.ValidationError, in [matching.NumHealthCriteria]*int, scores *matching.HealthScores) {
	for i, s := range in {
		if s == nil {
			ve.Add(matching.HealthCriteria[i], "is required (a whole number from %d to %d)", matching.MinHealthScore, matching.MaxHealthScore)
			continue
		}
		scores[i] = *s
	}
}
