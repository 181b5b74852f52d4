package web

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"commonground/api"
	"commonground/matching"
)

// partnershipView is the data of one partnership's page.
type partnershipView struct {
	Row      partnershipRow
	Checks   []api.HealthCheck
	Messages []api.Message
	// Criteria are the six health criteria with their labels and the
	// questions behind each, as the API's taxonomy gives them.
	Criteria []api.HealthCriterion
	Names    map[string]string
	// Editable says the agreement may be changed: at once while proposed,
	// as an amendment the other side accepts once accepted or active.
	Editable, Amends bool
	// Waiting is the amendment waiting for an answer, if any; Answer says
	// we are the side to give it.
	Waiting *api.Amendment
	Answer  bool
	// Outcomes are the agreement's outcomes, one a line, for the form.
	Outcomes string
	// Parties are the two organisations, us first, with their roles, for
	// the agreement's form.
	Parties []roleField
	// Check is the health-check form.
	Check criteriaForm
	// Evaluations are the closing evaluations recorded, in words; Evaluate
	// is our form while we may still post ours; EvalError what the API
	// said of the last one sent.
	Evaluations []evaluationRow
	Evaluate    *evaluationForm
	EvalError   string
	// Evaluated says we have posted ours; Completed that the partnership
	// is completed (when evaluations are made).
	Evaluated, Completed bool
}

// roleField is one organisation's role on the agreement's form.
type roleField struct {
	ID, Name, Role string
	Us             bool
}

type amendmentList struct {
	Items []api.Amendment `json:"items"`
}

type checkList struct {
	Items []api.HealthCheck `json:"items"`
}

// partnershipPage: one partnership, its agreement, health checks and the
// two organisations' messages; private to them (404 to anyone else).
func (h *Handler) partnershipPage(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	h.showPartnership(w, r, http.StatusOK, nil)
}

// showPartnership renders the partnership's page with status; failed is
// a closing evaluation the API refused, shown again with its words (nil
// for none).
func (h *Handler) showPartnership(w http.ResponseWriter, r *http.Request, status int, failed *evaluationForm) {
	me := sessionOf(r).OrgID
	id := url.PathEscape(r.PathValue("id"))
	var p api.Partnership
	if err := h.get(r, "/v1/partnerships/"+id, nil, &p); err != nil {
		h.pageError(w, r, err)
		return
	}
	var checks checkList
	if err := h.get(r, "/v1/partnerships/"+id+"/health", url.Values{"limit": {"100"}}, &checks); err != nil {
		h.pageError(w, r, err)
		return
	}
	var msgs messageList
	if err := h.get(r, "/v1/partnerships/"+id+"/messages", url.Values{"limit": {"100"}}, &msgs); err != nil {
		h.pageError(w, r, err)
		return
	}
	names := &nameCache{h: h, r: r, orgs: map[string]string{}, spaces: map[string][2]string{}}
	other := p.PartnerID
	if other == me {
		other = p.ProposerID
	}
	row := partnershipRow{Partnership: p, OtherName: names.org(other), Proposed: p.ProposerID == me}
	row.Actions, row.CanCheck = allowed(p, me)
	v := partnershipView{Row: row, Checks: checks.Items, Messages: msgs.Items,
		Names: map[string]string{me: names.org(me), other: row.OtherName}}
	switch p.Status {
	case "proposed":
		v.Editable = true
	case "accepted", "active":
		v.Editable, v.Amends = true, true
		var ams amendmentList
		if err := h.get(r, "/v1/partnerships/"+id+"/amendments", url.Values{"limit": {"100"}}, &ams); err != nil {
			h.pageError(w, r, err)
			return
		}
		for i := range ams.Items {
			if ams.Items[i].Status == "proposed" {
				v.Waiting = &ams.Items[i]
				v.Answer = v.Waiting.ProposedBy != me
			}
		}
	}
	v.Outcomes = strings.Join(p.Outcomes, "\n")
	v.Parties = []roleField{{ID: me, Name: v.Names[me], Role: p.Roles[me], Us: true},
		{ID: other, Name: row.OtherName, Role: p.Roles[other]}}
	v.Completed = p.Status == string(matching.PartnershipCompleted)
	if row.CanCheck || v.Completed {
		criteria, err := h.healthCriteria(r)
		if err != nil {
			h.pageError(w, r, err)
			return
		}
		v.Criteria = criteria
		v.Check = criteriaForm{Prefix: "hc", Criteria: criteria}
	}
	if v.Completed {
		var evs evaluationList
		if err := h.get(r, "/v1/partnerships/"+id+"/evaluation", nil, &evs); err != nil {
			h.pageError(w, r, err)
			return
		}
		v.Evaluations = evaluationRows(evs.Items, v.Criteria, v.Names, me)
		for _, e := range evs.Items {
			v.Evaluated = v.Evaluated || e.OrganisationID == me
		}
		if mayEvaluate(p, me) && !v.Evaluated {
			v.Evaluate = cmp.Or(failed, newEvaluationForm(p, v.Criteria))
		}
	}
	if failed != nil {
		v.EvalError = failed.Error
	}
	title := "Partnership with " + row.OtherName
	if failed != nil {
		title = "Check your evaluation: " + title
	}
	h.render(w, r, status, "partnership", view{Title: title, Nav: "dashboard", D: &v})
}

// mayEvaluate reports whether org may post its closing evaluation of p by
// the partnership rules (that each side posts once is the API's to say).
func mayEvaluate(p api.Partnership, org string) bool {
	mp := matching.Partnership{ID: p.ID, ProposerID: p.ProposerID, PartnerID: p.PartnerID,
		Status: matching.PartnershipStatus(p.Status)}
	return mp.CanEvaluate(matching.Actor{OrganisationID: org}) == nil
}

// postPartnershipMessage adds a message to a partnership's conversation.
func (h *Handler) postPartnershipMessage(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	id := url.PathEscape(r.PathValue("id"))
	if err := h.call(r, http.MethodPost, "/v1/partnerships/"+id+"/messages", nil, map[string]string{"body": r.PostFormValue("body")}, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/partnerships/"+id+"#messages")
}

// editAgreement changes the partnership's agreement from its page: the
// fields that differ from the agreement as it stands go to the API, which
// applies them at once while the partnership is proposed, and records
// them as an amendment for the other side to accept once it is accepted
// or active.
func (h *Handler) editAgreement(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	id := url.PathEscape(r.PathValue("id"))
	var p api.Partnership
	if err := h.get(r, "/v1/partnerships/"+id, nil, &p); err != nil {
		h.pageError(w, r, err)
		return
	}
	body := map[string]any{}
	if purpose := strings.TrimSpace(r.PostFormValue("purpose")); purpose != p.Purpose {
		body["purpose"] = purpose
	}
	outcomes := []string{}
	for _, line := range strings.Split(r.PostFormValue("outcomes"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			outcomes = append(outcomes, line)
		}
	}
	if !slices.Equal(outcomes, p.Outcomes) {
		body["outcomes"] = outcomes
	}
	if d := strings.TrimSpace(r.PostFormValue("review_on")); d != "" && d != p.ReviewOn {
		body["review_on"] = d
	}
	// Roles: one field a side, named as the API names its errors; an
	// empty one leaves that side without a role.
	roles := map[string]string{}
	for _, org := range []string{p.ProposerID, p.PartnerID} {
		if role := strings.TrimSpace(r.PostFormValue("roles." + org)); role != "" {
			roles[org] = role
		}
	}
	_, sent := r.PostForm["roles."+p.ProposerID]
	if sent && !maps.Equal(roles, p.Roles) {
		body["roles"] = roles
	}
	if len(body) == 0 {
		redirect(w, r, "/dashboard/partnerships/"+id+"#agreement")
		return
	}
	if err := h.call(r, http.MethodPatch, "/v1/partnerships/"+id, nil, body, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/partnerships/"+id+"#agreement")
}

// decideAmendment accepts or declines the amendment waiting on a
// partnership; the API decides who may.
func (h *Handler) decideAmendment(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	decision := r.PathValue("decision")
	n := r.PathValue("n")
	if decision != "accept" && decision != "decline" {
		h.errorPage(w, r, http.StatusNotFound, "We could not find that page.")
		return
	}
	id := url.PathEscape(r.PathValue("id"))
	if err := h.call(r, http.MethodPost, "/v1/partnerships/"+id+"/amendments/"+url.PathEscape(n)+"/"+decision, nil, nil, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/partnerships/"+id+"#agreement")
}
