package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

func TestTaxonomy(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		status, h, m := s.do(t, "GET", "/v1/taxonomy", "", nil)
		wantStatus(t, "GET /v1/taxonomy", status, http.StatusOK, m)
		if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("got Content-Type %q, want application/json", ct)
		}
		tax := as[api.Taxonomy](t, m)
		slugs := func(terms []api.Term) []string {
			var out []string
			for _, term := range terms {
				if term.Slug == "" || term.Label == "" {
					t.Errorf("term %+v: want a slug and a label", term)
				}
				out = append(out, term.Slug)
			}
			return out
		}
		for _, c := range []struct {
			name string
			got  []string
			want []string
		}{
			{"categories", slugs(tax.Categories), []string{"space.dance-studio", "space.hall", "space.rehearsal",
				"skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "skill.bid-writing", "skill.marketing", "resource.minibus"}},
			{"activities", slugs(tax.Activities), []string{"ballet", "contemporary", "tap", "jazz", "hip-hop", "flamenco", "ballroom", "folk", "aerial"}},
			{"values", slugs(tax.Values), []string{"animal-welfare", "environmental-sustainability", "inclusion"}},
			{"practices", slugs(tax.Practices), []string{"animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship"}},
		} {
			for _, slug := range c.want {
				if !slices.Contains(c.got, slug) {
					t.Errorf("%s: %q missing from %v", c.name, slug, c.got)
				}
			}
		}
		if !slices.Contains(tax.Conflicts, api.Conflict{Value: "animal-welfare", Practice: "animal-testing"}) {
			t.Errorf("conflicts: got %v, want animal-welfare/animal-testing among them", tax.Conflicts)
		}
	})
}

// failingPing is a store whose database never answers.
type failingPing struct{ *store.DB }

func (failingPing) Ping(context.Context) error { return errors.New("connection refused") }

func TestHealth(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		broken := newServer(t, failingPing{db})
		for _, c := range []struct {
			name string
			s    *server
			path string
			want int
		}{
			{"healthz", s, "/healthz", http.StatusOK},
			{"readyz", s, "/readyz", http.StatusOK},
			{"healthz, database down", broken, "/healthz", http.StatusOK},
			{"readyz, database down", broken, "/readyz", http.StatusServiceUnavailable},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, h, m := c.s.do(t, "GET", c.path, "", nil)
				wantStatus(t, c.path, status, c.want, m)
				if c.want == http.StatusServiceUnavailable {
					p := problem(t, m)
					if p.Detail == "" || p.Detail == "connection refused" {
						t.Errorf("got detail %q, want a message that does not leak the driver error", p.Detail)
					}
					if !strings.Contains(p.Detail, "database does not answer") {
						t.Errorf("got detail %q, want it to say the database does not answer", p.Detail)
					}
					if secs, err := strconv.Atoi(h.Get("Retry-After")); err != nil || secs < 1 {
						t.Errorf("got Retry-After %q, want whole seconds ≥ 1", h.Get("Retry-After"))
					}
				}
			})
		}
	})
}
