package web

import (
	"net/http"
	"net/url"

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
