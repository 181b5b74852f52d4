package web

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"commonground/api"
	"commonground/matching"
)

// searchForm is the room search, as typed: its field names are the API's
// (weekly's fields, and the requirements', are flattened).
type searchForm struct {
	Place           string
	Activity        string
	GroupSize       string
	Day             string
	Start           string
	End             string
	From            string
	Count           string
	RadiusKm        string
	MaxPencePerHour string
	Tier            string
	StepFree        bool
	ExplainSpaceID  string
}

// searchFields are the query parameters of a search, in the order the
// API documents them.
var searchFields = []string{"place", "activity", "group_size", "day", "start", "end", "from", "count",
	"radius_km", "max_pence_per_hour", "tier", "step_free"}

// readSearch reads a search from a query, filling in what is missing with
// an evening session next week for a group of 15 within 10 km.
func readSearch(q url.Values, today time.Time) searchForm {
	get := func(k, def string) string {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			return v
		}
		return def
	}
	next := today.AddDate(0, 0, 7)
	return searchForm{
		Place: get("place", ""), Activity: get("activity", "contemporary"), GroupSize: get("group_size", "15"),
		Day: get("day", strings.ToLower(next.Format("Mon"))[:3]), Start: get("start", "18:00"), End: get("end", "20:00"),
		From: get("from", today.Format(matching.DateLayout)), Count: get("count", "1"), RadiusKm: get("radius_km", "10"),
		MaxPencePerHour: get("max_pence_per_hour", ""), Tier: get("tier", "community"),
		StepFree: q.Get("step_free") == "true", ExplainSpaceID: q.Get("explain_space_id"),
	}
}

// Query is the search as query parameters, without the room to explain.
func (f searchForm) Query() url.Values {
	q := url.Values{}
	vals := []string{f.Place, f.Activity, f.GroupSize, f.Day, f.Start, f.End, f.From, f.Count, f.RadiusKm, f.MaxPencePerHour, f.Tier}
	for i, v := range vals {
		if v != "" {
			q.Set(searchFields[i], v)
		}
	}
	if f.StepFree {
		q.Set("step_free", "true")
	}
	return q
}

// QueryString is Query, encoded, for a link's query.
func (f searchForm) QueryString() template.URL { return template.URL(f.Query().Encode()) }

// body is the search as the body of POST /v1/match/venues; numbers that
// are not numbers are reported in errs under their field.
func (f searchForm) body(errs map[string]string) map[string]any {
	num := func(field, s string, whole bool) any {
		if whole {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs[field] = "must be a whole number"
			}
			return n
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			errs[field] = "must be a number"
		}
		return x
	}
	b := map[string]any{
		"near":       map[string]any{"place": f.Place},
		"radius_km":  num("radius_km", f.RadiusKm, false),
		"group_size": num("group_size", f.GroupSize, true),
		"activity":   f.Activity,
		"weekly": map[string]any{"day": f.Day, "start": f.Start, "end": f.End, "from": f.From,
			"count": num("count", f.Count, true)},
		"tier":  f.Tier,
		"limit": 20,
	}
	if f.MaxPencePerHour != "" {
		b["max_pence_per_hour"] = num("max_pence_per_hour", f.MaxPencePerHour, true)
	}
	if f.StepFree {
		b["requirements"] = map[string]any{"step_free": true}
	}
	if f.ExplainSpaceID != "" {
		b["explain_space_id"] = f.ExplainSpaceID
	}
	return b
}

// searchView is the data of the home page and of /find.
type searchView struct {
	Form   searchForm
	Errors map[string]string
	// Result is the answer, once searched.
	Result *api.VenueMatchResult
	// Total is how many rooms fit, of which Result shows the best.
	Total int
	// Excluded says what was left out and why, in a sentence.
	Excluded string
	// Nearby are rooms near the place that can be explained.
	Nearby []nearbyRoom
	// ExplainName names the room explained.
	ExplainName string
	// Cards are Result's matches, written out (see matchCards).
	Cards template.HTML
	// activityOptions are the activities to choose from.
	activityOptions []option
}

// The search form's choices that do not change.
var (
	radiusOptions = []option{{"3", "3 km"}, {"5", "5 km"}, {"10", "10 km"}, {"15", "15 km"}, {"25", "25 km"}, {"40", "40 km"}}
	dayOptions    = func() []option {
		out := make([]option, len(weekDays))
		for i, d := range weekDays {
			out[i] = option{d, dayName(d)}
		}
		return out
	}()
	budgetOptions = func() []option {
		out := []option{{"", "Any price"}}
		for _, b := range budgets {
			out = append(out, option{strconv.Itoa(b), "Up to " + pounds(b) + " an hour"})
		}
		return out
	}()
	tierOptions = func() []option {
		names := map[matching.Tier]string{"community": "Community groups", "standard": "Standard",
			"commercial": "Commercial"}
		out := make([]option, len(matching.Tiers))
		for i, t := range matching.Tiers {
			out[i] = option{string(t), cmp.Or(names[t], label(string(t)))}
		}
		return out
	}()
)

// The search form's selects, with the search's choice selected.
func (v searchView) RadiusOptions() template.HTML { return options(radiusOptions, v.Form.RadiusKm) }
func (v searchView) ActivityOptions() template.HTML {
	return options(v.activityOptions, v.Form.Activity)
}
func (v searchView) DayOptions() template.HTML { return options(dayOptions, v.Form.Day) }
func (v searchView) BudgetOptions() template.HTML {
	return options(budgetOptions, v.Form.MaxPencePerHour)
}
func (v searchView) TierOptions() template.HTML { return options(tierOptions, v.Form.Tier) }

// SearchInputs are the search as hidden fields, for the "why not this
// room?" form.
func (v searchView) SearchInputs() template.HTML { return hiddenInputs(v.Form.Query(), searchFields) }

// NearbyOptions are the rooms to ask "why not?" of, the asked one
// selected.
func (v searchView) NearbyOptions() template.HTML {
	opts := make([]option, len(v.Nearby))
	for i, n := range v.Nearby {
		opts[i] = option{n.ID, n.Name + ", " + n.VenueName + " (" + km(n.DistanceKm) + ")"}
	}
	return options(opts, v.Form.ExplainSpaceID)
}

var weekDays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// budgets are the budgets offered, in pence an hour.
var budgets = []int{1000, 1500, 2000, 3000, 4000, 6000}

func (h *Handler) newSearchView(f searchForm) searchView {
	return searchView{Form: f, Errors: map[string]string{}, activityOptions: h.activityOptions}
}

func (h *Handler) today() time.Time { return h.now().In(london) }

// home: what Common Ground is, and the search form.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	v := h.newSearchView(readSearch(url.Values{}, h.today()))
	h.render(w, r, http.StatusOK, "home", view{Title: "Find a room fit for dance", Nav: "home", D: v})
}

// find: the rooms that match a search, as a list and a map, with why.
func (h *Handler) find(w http.ResponseWriter, r *http.Request) {
	f := readSearch(r.URL.Query(), h.today())
	v := h.newSearchView(f)
	page := view{Title: "Rooms for your search", Nav: "home", D: &v}
	if f.Place == "" {
		v.Errors["place"] = "say where: a town, a village or a postcode"
		h.render(w, r, http.StatusBadRequest, "find", page)
		return
	}
	body := f.body(v.Errors)
	if len(v.Errors) > 0 {
		h.render(w, r, http.StatusBadRequest, "find", page)
		return
	}
	var res api.VenueMatchResult
	if err := h.call(r, http.MethodPost, "/v1/match/venues", nil, body, &res); err != nil {
		if e, ok := err.(*apiError); ok && e.Status == http.StatusBadRequest {
			v.Errors = e.fieldErrors()
			if len(v.Errors) == 0 {
				v.Errors["place"] = e.Problem.Detail
			}
			h.render(w, r, http.StatusBadRequest, "find", page)
			return
		}
		h.pageError(w, r, err)
		return
	}
	v.Result = &res
	v.Total = len(res.Matches)
	if res.TotalMatches != nil {
		v.Total = *res.TotalMatches
	}
	v.Excluded = excludedSentence(res.Excluded)
	v.Cards = matchCards(res.Matches, f.Query().Encode(), f.Tier)
	if len(res.Matches) > 0 {
		page.Styles = []string{"/static/leaflet/leaflet.css"}
		page.Scripts = []string{"/static/leaflet/leaflet.js", "/static/map.js"}
	}
	if total(res.Excluded) > 0 {
		v.Nearby = h.roomsNear(r, f)
	}
	if ex := res.Explanation; ex != nil {
		v.ExplainName = "this room"
		for _, n := range v.Nearby {
			if n.ID == ex.SpaceID {
				v.ExplainName = n.Name
			}
		}
		if ex.Match != nil {
			v.ExplainName = ex.Match.SpaceName + ", " + ex.Match.VenueName
		}
	}
	h.render(w, r, http.StatusOK, "find", page)
}

func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}
