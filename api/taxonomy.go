package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// Term is the API shape of a taxonomy term.
type Term struct {
	Slug        string `json:"slug"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	Broader     string `json:"broader,omitempty"`
}

// Conflict is the API shape of a value/practice conflict.
type Conflict struct {
	Value    string `json:"value"`
	Practice string `json:"practice"`
}

// Taxonomy is the body of GET /v1/taxonomy.
type Taxonomy struct {
	Categories []Term     `json:"categories"`
	Values     []Term     `json:"values"`
	Practices  []Term     `json:"practices"`
	Activities []Term     `json:"activities"`
	Conflicts  []Conflict `json:"conflicts"`
	// Meets lists offer → need relations beyond broader/narrower (an offer
	// also meets a need for any broader category).
	Meets []Pair `json:"meets"`
	// HealthCriteria are the six criteria partnership health checks and
	// evaluations score, with the questions behind each.
	HealthCriteria []HealthCriterion `json:"health_criteria"`
}

// HealthCriterion is the API shape of a health criterion: its slug (the
// field name a health check scores it under), a label and its prompts.
type HealthCriterion struct {
	Slug    string   `json:"slug"`
	Label   string   `json:"label"`
	Prompts []string `json:"prompts"`
}

func toTerms(in []matching.Term) []Term {
	out := make([]Term, len(in))
	for i, t := range in {
		out[i] = Term{t.Slug, t.Label, t.Description, t.Broader}
	}
	return out
}

func (h *handler) taxonomy(c *gin.Context) {
	out := Taxonomy{
		Categories: toTerms(h.tax.Categories), Values: toTerms(h.tax.Values),
		Practices: toTerms(h.tax.Practices), Activities: toTerms(h.tax.Activities),
		Conflicts: make([]Conflict, len(h.tax.Conflicts)),
	}
	for i, x := range h.tax.Conflicts {
		out.Conflicts[i] = Conflict{x.Value, x.Practice}
	}
	out.Meets = make([]Pair, len(h.tax.Meets))
	for i, m := range h.tax.Meets {
		out.Meets[i] = Pair{Need: m.Need, Offer: m.Offer}
	}
	out.HealthCriteria = make([]HealthCriterion, len(h.tax.HealthCriteria))
	for i, hc := range h.tax.HealthCriteria {
		out.HealthCriteria[i] = HealthCriterion{Slug: hc.Slug, Label: hc.Label, Prompts: orEmpty(hc.Prompts)}
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, out)
}
