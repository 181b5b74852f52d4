package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"commonground/api"
	"commonground/matching"
)

// consortiumView is the data of the consortium search: the capabilities
// a bid needs, and the teams that cover them with us as lead.
type consortiumView struct {
	Categories []matching.Term
	Labels     map[string]string
	Wanted     []string
	RadiusKm   string
	MaxMembers string
	Result     *api.ConsortiumResult
	Error      string
}

// Has reports whether slug was asked for.
func (v *consortiumView) Has(slug string) bool { return slices.Contains(v.Wanted, slug) }

// consortium: teams of organisations near us that together cover what a
// commissioner asks for, pairwise compatible, with us as lead.
func (h *Handler) consortium(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	q := r.URL.Query()
	v := &consortiumView{Categories: h.tax.Categories, Labels: h.labels(), Wanted: q["requirements"],
		RadiusKm: orDefault(q.Get("radius_km"), "25"), MaxMembers: orDefault(q.Get("max_members"), "4")}
	page := view{Title: "Build a consortium", Nav: "dashboard", D: v}
	if len(v.Wanted) == 0 {
		h.render(w, r, http.StatusOK, "consortium", page)
		return
	}
	me := sessionOf(r).OrgID
	var org api.Organisation
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(me), nil, &org); err != nil {
		h.pageError(w, r, err)
		return
	}
	radius, err1 := strconv.ParseFloat(v.RadiusKm, 64)
	members, err2 := strconv.Atoi(v.MaxMembers)
	if err1 != nil || err2 != nil {
		v.Error = "Choose a distance and a team size from the lists."
		h.render(w, r, http.StatusBadRequest, "consortium", page)
		return
	}
	body := map[string]any{"requirements": v.Wanted, "near": map[string]float64{"lat": org.Location.Lat, "lon": org.Location.Lon},
		"radius_km": radius, "lead_organisation_id": me, "max_members": members, "limit": 5}
	var res api.ConsortiumResult
	if err := h.call(r, http.MethodPost, "/v1/match/consortium", nil, body, &res); err != nil {
		e, ok := err.(*apiError)
		if !ok || e.Status >= 500 {
			h.pageError(w, r, err)
			return
		}
		v.Error = cleanDetail(firstMessage(e), e.Problem.Title)
		h.render(w, r, e.Status, "consortium", page)
		return
	}
	v.Result = &res
	h.render(w, r, http.StatusOK, "consortium", page)
}
