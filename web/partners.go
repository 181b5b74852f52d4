package web

import (
	"net/http"
	"net/url"

	"commonground/api"
)

// partnersView is the data of /dashboard/partners.
type partnersView struct {
	Suggestions  *api.PartnerResult
	Excluded     string
	Partnerships []partnershipRow
	Labels       map[string]string
}

type partnershipRow struct {
	api.Partnership
	OtherName string
	Proposed  bool // by us
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
	v := partnersView{Labels: h.labels()}
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
	names := &nameCache{h: h, r: r, orgs: map[string]string{}, spaces: map[string][2]string{}}
	for _, p := range list.Items {
		other := p.PartnerID
		if other == me {
			other = p.ProposerID
		}
		v.Partnerships = append(v.Partnerships, partnershipRow{Partnership: p, OtherName: names.org(other), Proposed: p.ProposerID == me})
	}
	h.render(w, r, http.StatusOK, "partners", view{Title: "Partners", Nav: "dashboard", D: &v})
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
}

type memberList struct {
	Items []api.Member `json:"items"`
}

// organisationSettings: our profile and, for admins, our members.
func (h *Handler) organisationSettings(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	s := sessionOf(r)
	v := settingsView{Admin: s.Admin(), Labels: h.labels()}
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(s.OrgID), nil, &v.Org); err != nil {
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
	h.render(w, r, http.StatusOK, "settings", view{Title: "Your organisation", Nav: "dashboard", D: &v})
}
