package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"commonground/api"
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
	if row.CanCheck {
		var tax api.Taxonomy
		if err := h.get(r, "/v1/taxonomy", nil, &tax); err != nil {
			h.pageError(w, r, err)
			return
		}
		v.Criteria = tax.HealthCriteria
	}
	h.render(w, r, http.StatusOK, "partnership", view{Title: "Partnership with " + row.OtherName, Nav: "dashboard", D: &v})
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
