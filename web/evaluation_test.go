package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"commonground/api"
	"commonground/matching"
)

// completedPartnership is acceptedPartnership, started and completed by
// form posts.
func completedPartnership(t *testing.T, s *site) (me, partner *browser, id string) {
	t.Helper()
	me, partner, id = acceptedPartnership(t, s)
	if strings.Contains(me.get("/dashboard/partnerships/"+id).body, "/evaluation\"") {
		t.Error("an accepted partnership offers the closing evaluation")
	}
	if p := me.post("/dashboard/partnerships/"+id+"/evaluation", evaluation("4", "yes")); p.status != http.StatusConflict ||
		!strings.Contains(p.body, `role="alert">A partnership is evaluated once it is completed, and this one is accepted.</p>`) {
		t.Errorf("evaluating an accepted partnership: got %d, want 409 saying why\n%.5000s", p.status, p.body)
	}
	for _, action := range []string{"activate", "complete"} {
		if p := me.post("/dashboard/partnerships/"+id+"/"+action, url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("%s: got %d\n%.2000s", action, p.status, p.body)
		}
	}
	return me, partner, id
}

// evaluation is a full evaluation form: every criterion scored score and
// the one agreed outcome answered met.
func evaluation(score, met string) url.Values {
	f := url.Values{"comment": {"We would work together again"}, "met-0": {met}}
	for _, c := range matching.HealthCriteria {
		f.Set(c, score)
	}
	return f
}

// TestEvaluationWithoutJavaScript: once a partnership is completed each
// side sends its closing evaluation from the partnership's page, by a
// form of the six criteria (with their prompts) and a yes/partly/no
// answer for each agreed outcome; a refused answer is shown beside its
// field; both evaluations are then shown in words, and a second one from
// the same side is refused in words.
func TestEvaluationWithoutJavaScript(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		me, partner, id := completedPartnership(t, s)
		var tax api.Taxonomy
		s.api(t, "GET", "/v1/taxonomy", "", nil, &tax)
		page := me.get("/dashboard/partnerships/" + id)
		if page.status != http.StatusOK || !strings.Contains(page.body, `action="/dashboard/partnerships/`+id+`/evaluation"`) {
			t.Fatalf("a completed partnership's page has no evaluation form: %d\n%.4000s", page.status, page.body)
		}
		for _, c := range tax.HealthCriteria {
			if !strings.Contains(page.body, `<label for="ev-`+c.Slug+`">Score for `+html.EscapeString(c.Label)+`</label>`) ||
				!strings.Contains(page.body, "<li>"+html.EscapeString(c.Prompts[0])+"</li>") {
				t.Errorf("the evaluation form lacks %s with its prompts", c.Label)
			}
		}
		for _, opt := range []string{"yes", "partly", "no"} {
			if !strings.Contains(page.body, `name="met-0" value="`+opt+`"`) {
				t.Errorf("the outcome has no %q choice", opt)
			}
		}
		if !strings.Contains(page.body, "Outcome “Ten workshops”: was it met?") {
			t.Errorf("the outcome is not named in its question")
		}

		// No answer for the outcome: the API's refusal, beside it; the
		// scores chosen stay chosen.
		bad := evaluation("4", "")
		bad.Set("trust", "2")
		p := me.post("/dashboard/partnerships/"+id+"/evaluation", bad)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `<p class="error" id="met-0-error">Answer yes, partly or no.</p>`) ||
			!strings.Contains(p.body, `<option value="2" selected>2</option>`) {
			t.Fatalf("an unanswered outcome: got %d, want 400 with the error beside it\n%.6000s", p.status, p.body)
		}
		if n, _ := s.app.DB.ListEvaluations(t.Context(), id); len(n) != 0 {
			t.Fatalf("a refused evaluation was stored: %+v", n)
		}
		// A score out of range is refused beside its criterion.
		out := evaluation("4", "yes")
		out.Set("coordination", "9")
		p = me.post("/dashboard/partnerships/"+id+"/evaluation", out)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="ev-coordination-error">The score must be a whole number from 1 to 5`) {
			t.Errorf("a score of 9: got %d, want 400 with the error beside coordination\n%.6000s", p.status, p.body)
		}

		if p := me.post("/dashboard/partnerships/"+id+"/evaluation", evaluation("4", "yes")); p.status != http.StatusSeeOther {
			t.Fatalf("evaluate: got %d\n%.3000s", p.status, p.body)
		}
		mine := me.get("/dashboard/partnerships/" + id)
		if strings.Contains(mine.body, `/evaluation"`) || !strings.Contains(mine.body, "<h3>Your evaluation</h3>") ||
			!strings.Contains(mine.body, "<li>Ten workshops: met</li>") || !strings.Contains(mine.body, "<li>Trust: 4 out of 5</li>") ||
			!strings.Contains(mine.body, "Waiting for ") {
			t.Errorf("after evaluating: want ours in words, no form, and waiting for theirs\n%.6000s", mine.body)
		}
		if p := partner.post("/dashboard/partnerships/"+id+"/evaluation", evaluation("3", "partly")); p.status != http.StatusSeeOther {
			t.Fatalf("the partner evaluates: got %d\n%.3000s", p.status, p.body)
		}
		both := me.get("/dashboard/partnerships/" + id)
		if !strings.Contains(both.body, "'s evaluation</h3>") || !strings.Contains(both.body, "<li>Ten workshops: partly met</li>") ||
			strings.Contains(both.body, "Waiting for ") {
			t.Errorf("both evaluations are not shown:\n%.6000s", both.body)
		}
		// A second evaluation from the same side is refused, in words.
		p = me.post("/dashboard/partnerships/"+id+"/evaluation", evaluation("5", "yes"))
		if p.status != http.StatusConflict || !strings.Contains(p.body, `role="alert">This organisation has evaluated the partnership already`) {
			t.Errorf("a second evaluation: got %d, want 409 saying it was sent already\n%.6000s", p.status, p.body)
		}
		evs, err := s.app.DB.ListEvaluations(t.Context(), id)
		if err != nil || len(evs) != 2 || evs[0].Scores[3] != 4 {
			t.Errorf("stored evaluations: %+v %v", evs, err)
		}
		if p := me.post("/dashboard/partnerships/"+id+"/evaluation", url.Values{"csrf_token": {""}, "commitment": {"5"}}); p.status != http.StatusForbidden {
			t.Errorf("without a CSRF token: got %d, want 403", p.status)
		}
		stranger, _ := s.register(t, "Evaluation Outsiders")
		if p := stranger.post("/dashboard/partnerships/"+id+"/evaluation", evaluation("1", "no")); p.status != http.StatusNotFound {
			t.Errorf("a stranger evaluates: got %d, want 404", p.status)
		}
	})
}
