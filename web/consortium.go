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
// a bid needs, and the teams that cover them with us as lead, each with
// a form to form it.
type consortiumView struct {
	Categories []matching.Term
	Labels     map[string]string
	Wanted     []string
	RadiusKm   string
	MaxMembers string
	Result     *api.ConsortiumResult
	Error      string
	// Failed is the team form the API refused, shown again with its
	// words (nil for none).
	Failed *teamForm
}

// Has reports whether slug was asked for.
func (v *consortiumView) Has(slug string) bool { return slices.Contains(v.Wanted, slug) }

// teamForm is the form that forms a team found as a consortium: what was
// typed (by the API's field names) and what the API said of it.
type teamForm struct {
	Team    int
	Values  map[string]string
	Errors  map[string]string
	Message string
}

// Form is the form of team i: the refused one again, or an empty one.
func (v *consortiumView) Form(i int) *teamForm {
	if v.Failed != nil && v.Failed.Team == i {
		return v.Failed
	}
	return &teamForm{Team: i}
}

// consortiumFields are the form's fields, by the API's names.
var consortiumFields = []string{"name", "purpose", "bid.title", "bid.commissioner", "bid.deadline"}

// consortium: teams of organisations near us that together cover what a
// commissioner asks for, pairwise compatible, with us as lead.
func (h *Handler) consortium(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	h.showConsortiumSearch(w, r, r.URL.Query(), http.StatusOK, nil)
}

// showConsortiumSearch runs the search q asks for and renders it with
// status; failed is a team form the API refused (nil for none).
func (h *Handler) showConsortiumSearch(w http.ResponseWriter, r *http.Request, q url.Values, status int, failed *teamForm) {
	v := &consortiumView{Categories: h.tax.Categories, Labels: h.labels(), Wanted: q["requirements"],
		RadiusKm: orDefault(q.Get("radius_km"), "25"), MaxMembers: orDefault(q.Get("max_members"), "4"), Failed: failed}
	page := view{Title: "Build a consortium", Nav: "dashboard", D: v}
	if len(v.Wanted) == 0 {
		h.render(w, r, status, "consortium", page)
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
	if failed != nil {
		page.Title = "Check the consortium's details: " + page.Title
	}
	h.render(w, r, status, "consortium", page)
}

// formConsortium forms a team found by the search as a consortium led by
// us: the API invites each member, and the consortium's page follows. A
// refusal shows the search again with the API's words beside the fields
// it names.
func (h *Handler) formConsortium(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "We could not read that form. Go back and send it again.")
		return
	}
	f := &teamForm{Values: map[string]string{}, Errors: map[string]string{}}
	f.Team, _ = strconv.Atoi(r.PostFormValue("team"))
	for _, k := range consortiumFields {
		f.Values[k] = r.PostFormValue(k)
	}
	members := r.PostForm["member_ids"]
	if members == nil {
		members = []string{}
	}
	body := map[string]any{"name": f.Values["name"], "purpose": f.Values["purpose"], "lead_id": sessionOf(r).OrgID,
		"member_ids": members, "bid": map[string]string{"title": f.Values["bid.title"],
			"commissioner": f.Values["bid.commissioner"], "deadline": f.Values["bid.deadline"]}}
	var k api.ConsortiumPartnership
	if err := h.call(r, http.MethodPost, "/v1/consortia", nil, body, &k); err != nil {
		e, ok := err.(*apiError)
		if !ok || e.Status >= 500 || e.Status == http.StatusUnauthorized {
			h.pageError(w, r, err)
			return
		}
		var rest []string
		for _, fe := range e.Problem.Errors {
			if slices.Contains(consortiumFields, fe.Field) {
				if _, ok := f.Errors[fe.Field]; !ok {
					f.Errors[fe.Field] = sentence(fe.Message)
				}
				continue
			}
			rest = append(rest, label(fe.Field)+" "+fe.Message)
		}
		f.Message = refusalSummary(e, rest, "Some details need changing: see the notes beside them.")
		q := url.Values{"requirements": r.PostForm["requirements"], "radius_km": {r.PostFormValue("radius_km")},
			"max_members": {r.PostFormValue("max_members")}}
		h.showConsortiumSearch(w, r, q, e.Status, f)
		return
	}
	redirect(w, r, "/dashboard/consortia/"+url.PathEscape(k.ID))
}
