package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"commonground/api"
	"commonground/matching"
)

// criteriaForm is the six health criteria as a form's fields: each under
// its label with the questions behind it and a score from 1 to 5. Health
// checks (of a partnership or a consortium) and closing evaluations share
// it, so they read alike.
type criteriaForm struct {
	// Prefix makes the fields' ids unique on a page holding several forms.
	Prefix   string
	Criteria []api.HealthCriterion
	// Values are the scores chosen (by slug), Errors what the API said of
	// them.
	Values map[string]string
	Errors map[string]string
}

// healthForm is a health check's form (the "healthform" piece): where it
// posts, what is checked ("partnership", "consortium"), its comment
// field's id, the criteria and the page's CSRF token.
type healthForm struct {
	Action, Of, CommentID string
	Check                 criteriaForm
	CSRF                  string
}

func newHealthForm(action, of, commentID string, check criteriaForm, csrf string) healthForm {
	return healthForm{Action: action, Of: of, CommentID: commentID, Check: check, CSRF: csrf}
}

// Value is the score chosen for slug: 3 until one is.
func (f criteriaForm) Value(slug string) string {
	if v := f.Values[slug]; v != "" {
		return v
	}
	return "3"
}

// Scores are the choices of a score, from 1 (poor) to 5 (strong).
func (f criteriaForm) Scores() []option { return scoreOptions }

var scoreOptions = []option{{"1", "1 – poor"}, {"2", "2"}, {"3", "3 – fair"}, {"4", "4"}, {"5", "5 – strong"}}

// healthCriteria reads the criteria with their labels and prompts from
// the API's taxonomy.
func (h *Handler) healthCriteria(r *http.Request) ([]api.HealthCriterion, error) {
	var tax api.Taxonomy
	if err := h.get(r, "/v1/taxonomy", nil, &tax); err != nil {
		return nil, err
	}
	return tax.HealthCriteria, nil
}

// evaluationForm is the closing evaluation's form: the six scores, each
// agreed outcome judged, and a comment, with what the API said of them.
type evaluationForm struct {
	Scores   criteriaForm
	Outcomes []outcomeChoice
	Comment  string
	// Error is the API's word on the form as a whole.
	Error string
}

// outcomeChoice is one agreed outcome on the form: whether it was met.
type outcomeChoice struct {
	N       int
	Outcome string
	Met     string
	Error   string
}

// evaluationRow is one side's evaluation, in words.
type evaluationRow struct {
	By       string
	Mine     bool
	At       string
	Scores   []scoreWord
	Outcomes []api.OutcomeMet
	Comment  string
}

type scoreWord struct {
	Label string
	Score int
}

type evaluationList struct {
	Items []api.Evaluation `json:"items"`
}

// metWords says how far an outcome was met.
func metWords(met string) string {
	switch met {
	case string(matching.OutcomeMetYes):
		return "met"
	case string(matching.OutcomeMetPartly):
		return "partly met"
	case string(matching.OutcomeMetNo):
		return "not met"
	}
	return label(met)
}

// evaluationRows are the evaluations in words, with the criteria's labels.
func evaluationRows(evs []api.Evaluation, criteria []api.HealthCriterion, names map[string]string, me string) []evaluationRow {
	labels := map[string]string{}
	for _, c := range criteria {
		labels[c.Slug] = c.Label
	}
	out := make([]evaluationRow, 0, len(evs))
	for _, e := range evs {
		row := evaluationRow{By: names[e.OrganisationID], Mine: e.OrganisationID == me, At: e.CreatedAt, Comment: e.Comment}
		if row.By == "" {
			row.By = "A party"
		}
		scores := []int{e.Commitment, e.ClarityOfPurpose, e.Coordination, e.Trust, e.Communication, e.ConflictResolution}
		for i, slug := range matching.HealthCriteria {
			row.Scores = append(row.Scores, scoreWord{Label: orDefault(labels[slug], sentence(label(slug))), Score: scores[i]})
		}
		for _, o := range e.OutcomesMet {
			row.Outcomes = append(row.Outcomes, api.OutcomeMet{Outcome: o.Outcome, Met: metWords(o.Met)})
		}
		out = append(out, row)
	}
	return out
}

// newEvaluationForm is the empty form for p's outcomes.
func newEvaluationForm(p api.Partnership, criteria []api.HealthCriterion) *evaluationForm {
	f := &evaluationForm{Scores: criteriaForm{Prefix: "ev", Criteria: criteria, Values: map[string]string{}, Errors: map[string]string{}}}
	for i, o := range p.Outcomes {
		f.Outcomes = append(f.Outcomes, outcomeChoice{N: i, Outcome: o})
	}
	return f
}

var outcomeField = regexp.MustCompile(`^outcomes_met\[(\d+)\]\.(outcome|met)$`)

// fail puts the API's refusal beside the fields it names: a score beside
// its criterion, an outcome's answer beside the outcome, the rest above
// the form.
func (f *evaluationForm) fail(e *apiError) {
	var rest []string
	for _, fe := range e.Problem.Errors {
		if m := outcomeField.FindStringSubmatch(fe.Field); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n < len(f.Outcomes) {
				msg := "Answer yes, partly or no."
				if m[2] == "outcome" {
					msg = sentence("this outcome " + fe.Message)
				}
				if f.Outcomes[n].Error == "" {
					f.Outcomes[n].Error = msg
				}
				continue
			}
		}
		if isCriterion(fe.Field) {
			if _, ok := f.Scores.Errors[fe.Field]; !ok {
				f.Scores.Errors[fe.Field] = sentence("the score " + fe.Message)
			}
			continue
		}
		rest = append(rest, label(fe.Field)+" "+fe.Message)
	}
	f.Error = refusalSummary(e, rest, "Some answers need changing: see the notes beside them.")
}

func isCriterion(s string) bool {
	for _, c := range matching.HealthCriteria {
		if c == s {
			return true
		}
	}
	return false
}

// evaluate records our side's closing evaluation of a completed
// partnership. A refusal shows the page again with the API's words beside
// the answers it names.
func (h *Handler) evaluate(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	id := url.PathEscape(r.PathValue("id"))
	var p api.Partnership
	if err := h.get(r, "/v1/partnerships/"+id, nil, &p); err != nil {
		h.pageError(w, r, err)
		return
	}
	criteria, err := h.healthCriteria(r)
	if err != nil {
		h.pageError(w, r, err)
		return
	}
	f := newEvaluationForm(p, criteria)
	f.Comment = strings.TrimSpace(r.PostFormValue("comment"))
	body := map[string]any{"comment": f.Comment}
	for _, c := range matching.HealthCriteria {
		v := r.PostFormValue(c)
		f.Scores.Values[c] = v
		if n, err := strconv.Atoi(v); err == nil {
			body[c] = n
		}
	}
	met := make([]map[string]string, len(f.Outcomes))
	for i := range f.Outcomes {
		f.Outcomes[i].Met = r.PostFormValue("met-" + strconv.Itoa(i))
		met[i] = map[string]string{"outcome": f.Outcomes[i].Outcome, "met": f.Outcomes[i].Met}
	}
	body["outcomes_met"] = met
	if err := h.call(r, http.MethodPost, "/v1/partnerships/"+id+"/evaluation", nil, body, nil); err != nil {
		e, ok := err.(*apiError)
		if !ok || e.Status >= 500 || e.Status == http.StatusNotFound || e.Status == http.StatusUnauthorized {
			h.pageError(w, r, err)
			return
		}
		f.fail(e)
		h.showPartnership(w, r, e.Status, f)
		return
	}
	redirect(w, r, "/dashboard/partnerships/"+id+"#evaluation")
}
