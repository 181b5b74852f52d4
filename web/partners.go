package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"commonground/api"
	"commonground/matching"
)

// partnersView is the data of /dashboard/partners.
type partnersView struct {
	Suggestions  *api.PartnerResult
	Excluded     string
	Partnerships []partnershipRow
	Consortia    []consortiumRow
	Labels       map[string]string
	// Criteria are the health criteria with their prompts (the API's
	// taxonomy), read when a health check may be recorded.
	Criteria []api.HealthCriterion
	ReviewOn string
}

// CheckForm is the health-check form of partnership id.
func (v *partnersView) CheckForm(id string) criteriaForm {
	return criteriaForm{Prefix: "hc-" + id, Criteria: v.Criteria}
}

type partnershipRow struct {
	api.Partnership
	OtherName string
	Proposed  bool // by us
	// Actions are what we may do now, by the partnership rules; CanCheck
	// says whether a health check may be recorded.
	Actions  []string
	CanCheck bool
}

// allowed lists the actions the partnership rules let org take on p, and
// whether it may record a health check: the page offers only those.
func allowed(p api.Partnership, org string) ([]string, bool) {
	mp := matching.Partnership{ID: p.ID, ProposerID: p.ProposerID, PartnerID: p.PartnerID,
		Status: matching.PartnershipStatus(p.Status)}
	var out []string
	for _, a := range matching.PartnershipActions {
		if _, err := mp.Transition(a, matching.Actor{OrganisationID: org}); err == nil {
			out = append(out, string(a))
		}
	}
	return out, mp.CanRecordHealth() == nil
}

type partnershipList struct {
	Items []api.Partnership `json:"items"`
}

// partners: organisations whose offers meet our needs and whose needs we
// meet (two-way first, with reasons), and our partnerships.
func (h *Handler) partners(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	me := sessionOf(r).OrgID
	v := partnersView{Labels: h.labels(),
		ReviewOn: h.today().AddDate(0, 6, 0).Format(matching.DateLayout)}
	var res api.PartnerResult
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(me)+"/partners", url.Values{"radius_km": {"25"}, "limit": {"10"}}, &res); err != nil {
		if statusOf(err) != http.StatusServiceUnavailable {
			h.pageError(w, r, err)
			return
		}
	} else {
		v.Suggestions = &res
		v.Excluded = partnerExcludedSentence(res.Excluded)
	}
	var list partnershipList
	if err := h.get(r, "/v1/partnerships", url.Values{"limit": {"100"}}, &list); err != nil {
		h.pageError(w, r, err)
		return
	}
	var err error
	if v.Consortia, err = h.consortiumRows(r, me); err != nil {
		h.pageError(w, r, err)
		return
	}
	names := &nameCache{h: h, r: r, orgs: map[string]string{}, spaces: map[string][2]string{}}
	for _, p := range list.Items {
		other := p.PartnerID
		if other == me {
			other = p.ProposerID
		}
		row := partnershipRow{Partnership: p, OtherName: names.org(other), Proposed: p.ProposerID == me}
		row.Actions, row.CanCheck = allowed(p, me)
		v.Partnerships = append(v.Partnerships, row)
		if row.CanCheck && v.Criteria == nil {
			criteria, err := h.healthCriteria(r)
			if err != nil {
				h.pageError(w, r, err)
				return
			}
			v.Criteria = criteria
		}
	}
	h.render(w, r, http.StatusOK, "partners", view{Title: "Partners", Nav: "dashboard", D: &v})
}

// propose proposes a partnership to a suggested organisation.
func (h *Handler) propose(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	var outcomes []string
	for _, line := range strings.Split(r.PostFormValue("outcomes"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			outcomes = append(outcomes, line)
		}
	}
	body := map[string]any{"partner_id": r.PostFormValue("partner_id"), "purpose": strings.TrimSpace(r.PostFormValue("purpose")),
		"outcomes": outcomes}
	if d := strings.TrimSpace(r.PostFormValue("review_on")); d != "" {
		body["review_on"] = d
	}
	if err := h.call(r, http.MethodPost, "/v1/partnerships", nil, body, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/partners#ours")
}

// stateAction accepts, declines, starts, completes or ends a
// partnership or a consortium (apiBase and pageBase are their paths, with
// a trailing slash); the API decides who may.
func (h *Handler) stateAction(apiBase, pageBase string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.requireSession(w, r) {
			return
		}
		action := r.PathValue("action")
		if !slices.Contains(matching.PartnershipActions, matching.PartnershipAction(action)) {
			h.errorPage(w, r, http.StatusNotFound, "We could not find that page.")
			return
		}
		id := url.PathEscape(r.PathValue("id"))
		if err := h.call(r, http.MethodPost, apiBase+id+"/"+action, nil, nil, nil); err != nil {
			h.formError(w, r, err)
			return
		}
		redirect(w, r, pageBase+id)
	}
}

// healthCheck records a health check of a partnership or a consortium
// (apiBase and pageBase are their paths, with a trailing slash): a score
// from 1 to 5 on each of the six criteria.
func (h *Handler) healthCheck(apiBase, pageBase string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.requireSession(w, r) {
			return
		}
		body, ok := healthBody(r)
		if !ok {
			h.errorPage(w, r, http.StatusBadRequest, "Give every question a score from 1 to 5, then send the check again.")
			return
		}
		id := url.PathEscape(r.PathValue("id"))
		if err := h.call(r, http.MethodPost, apiBase+id+"/health", nil, body, nil); err != nil {
			h.formError(w, r, err)
			return
		}
		redirect(w, r, pageBase+id+"#health")
	}
}

// formError answers a refused form with the API's reason, on a page with
// the way back.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := err.(*apiError)
	if !ok || e.Status >= 500 || e.Status == http.StatusNotFound || e.Status == http.StatusUnauthorized {
		h.pageError(w, r, err)
		return
	}
	msg := cleanDetail(e.Problem.Detail, e.Problem.Title)
	if len(e.Problem.Errors) > 0 {
		var parts []string
		for _, fe := range e.Problem.Errors {
			if r, _ := utf8.DecodeRuneInString(fe.Message); unicode.IsUpper(r) {
				// Already a sentence of its own.
				parts = append(parts, strings.TrimSuffix(fe.Message, "."))
				continue
			}
			parts = append(parts, label(fe.Field)+" "+fe.Message)
		}
		msg = sentence(strings.Join(parts, "; "))
	}
	h.errorPage(w, r, e.Status, msg+" Go back to change it.")
}

// partnerExcludedSentence says which organisations nearby were left out
// and why.
func partnerExcludedSentence(ex map[string]int) string {
	phrases := []struct{ key, one, many string }{
		{"too_far", "1 organisation was too far", "%d organisations were too far"},
		{"values_conflict", "1 has values that conflict with yours", "%d have values that conflict with yours"},
		{"no_complement", "1 neither meets your needs nor needs what you offer", "%d neither meet your needs nor need what you offer"},
	}
	out := ""
	for _, p := range phrases {
		n := ex[p.key]
		if n == 0 {
			continue
		}
		if out != "" {
			out += "; "
		}
		if n == 1 {
			out += p.one
		} else {
			out += sprintf(p.many, n)
		}
	}
	return sentence(out)
}

// settingsView is the data of /dashboard/organisation.
type settingsView struct {
	Org     api.Organisation
	Members []api.Member
	Admin   bool
	Labels  map[string]string
	// Invited is the link of the invitation just made, and its email.
	Invited, InvitedEmail string
	Error                 string
	Types                 []matching.OrgType
	Values, Categories    []matching.Term
	HasValue              map[string]bool
	Keys                  []api.APIKey
	// NewKey is a key just made, with its token (shown once); NewHook a
	// webhook, with its secret.
	NewKey  *api.APIKey
	Hooks   []api.Webhook
	Events  []string
	NewHook *api.WebhookCreated
	// NewCalendar is the calendar address just made, shown this once.
	NewCalendar string
}

type memberList struct {
	Items []api.Member `json:"items"`
}

// organisationSettings: our profile and, for admins, our members.
func (h *Handler) organisationSettings(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	h.showSettings(w, r, http.StatusOK, &settingsView{})
}

func (h *Handler) showSettings(w http.ResponseWriter, r *http.Request, status int, v *settingsView) {
	s := sessionOf(r)
	v.Admin, v.Labels = s.Admin(), h.labels()
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(s.OrgID), nil, &v.Org); err != nil {
		h.pageError(w, r, err)
		return
	}
	if err := h.settingsOptions(r, v); err != nil {
		h.pageError(w, r, err)
		return
	}
	if v.Admin {
		var ms memberList
		if err := h.get(r, "/v1/organisations/"+url.PathEscape(s.OrgID)+"/members", url.Values{"limit": {"100"}}, &ms); err != nil {
			h.pageError(w, r, err)
			return
		}
		v.Members = ms.Items
	}
	h.render(w, r, status, "settings", view{Title: "Your organisation", Nav: "dashboard", D: v})
}

// invite invites a colleague by email (admins): the page shows the link
// to send them, which is also emailed when mail is set up.
func (h *Handler) invite(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	v := &settingsView{InvitedEmail: strings.TrimSpace(r.PostFormValue("email"))}
	var out struct {
		AcceptURL string `json:"accept_url"`
	}
	role := r.PostFormValue("role")
	err := h.call(r, http.MethodPost, "/v1/organisations/"+url.PathEscape(sessionOf(r).OrgID)+"/invitations", nil,
		map[string]string{"email": v.InvitedEmail, "role": role}, &out)
	if err != nil {
		e, ok := err.(*apiError)
		if !ok || e.Status >= 500 {
			h.pageError(w, r, err)
			return
		}
		v.Error = cleanDetail(firstMessage(e), e.Problem.Title)
		h.showSettings(w, r, e.Status, v)
		return
	}
	v.Invited = out.AcceptURL
	h.showSettings(w, r, http.StatusOK, v)
}
