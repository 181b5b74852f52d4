package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"commonground/matching"
)

// The burst: workers that each own their organisations write through the
// API at once, and now and then, as the operator, change what another
// worker owns (which may be gone: 404 is then fine).

// burstOps are the kinds of write a burst worker makes.
var burstOps = []string{"register", "patch organisation", "delete organisation", "add offer", "delete offer", "add room need",
	"create venue", "move venue", "delete venue", "create space", "patch space", "delete space",
	"operator patches a space", "operator moves a venue", "book", "cancel booking"}

type burstOrg struct {
	id, token string
	venues    []*burstVenue
	offers    []string
}

type burstVenue struct {
	id     string
	spaces []string
}

// shared is what every worker has created, for the operator's writes.
type shared struct {
	mu             sync.Mutex
	venues, spaces []string
}

func (sh *shared) add(list *[]string, id string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	*list = append(*list, id)
}

func (sh *shared) pick(r *rand.Rand, list *[]string) string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if len(*list) == 0 {
		return ""
	}
	return (*list)[r.IntN(len(*list))]
}

type burstWorker struct {
	t     *testing.T
	s     *server
	r     *rand.Rand
	n     int
	sh    *shared
	orgs  []*burstOrg
	done  map[string]int
	names int
	// bookings are the worker's bookings: ID and the booking organisation's token.
	bookings [][2]string
}

func (w *burstWorker) name(what string) string {
	w.names++
	return fmt.Sprintf("W%d %s %d", w.n, what, w.names)
}

// call makes one request and checks its status is one of want; it
// returns the decoded body and whether the status was want[0].
func (w *burstWorker) call(op, method, path, token string, body any, want ...int) (map[string]any, bool) {
	status, _, raw := w.s.send(w.t, request{method: method, path: path, token: token, body: body})
	if !slices.Contains(want, status) {
		w.t.Errorf("worker %d, %s: %s %s: got %d, want one of %v; body %s", w.n, op, method, path, status, want, raw)
		return nil, false
	}
	var m map[string]any
	if status != http.StatusNoContent && status < 300 {
		m = decode(w.t, method+" "+path, raw)
	}
	return m, status == want[0]
}

func (w *burstWorker) point() map[string]any {
	lat, lon := offset(cLat, cLon, w.r.Float64()*40-20, w.r.Float64()*40-20)
	return map[string]any{"lat": lat, "lon": lon}
}

// subset picks some of slugs in a random order.
func (w *burstWorker) subset(slugs ...string) []string {
	out := []string{}
	for _, i := range w.r.Perm(len(slugs)) {
		if w.r.IntN(2) == 0 {
			out = append(out, slugs[i])
		}
	}
	return out
}

func (w *burstWorker) orgFields() map[string]any {
	types := []string{"arts", "youth_service", "community", "school", "council", "health", "faith", "business", "other"}
	return map[string]any{
		"type":                     types[w.r.IntN(len(types))],
		"service_radius_km":        float64(w.r.IntN(1000)) / 10,
		"capacity_hours_per_month": w.r.IntN(200),
		"values":                   w.subset("animal-welfare", "environmental-sustainability", "inclusion"),
		"practices":                w.subset("animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship"),
		"exclusions":               w.subset("animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship"),
	}
}

func (w *burstWorker) venueFields() map[string]any {
	zones := []string{"Europe/London", "Europe/Dublin", "Europe/Paris"}
	return map[string]any{
		"location": w.point(),
		"timezone": zones[w.r.IntN(len(zones))],
		"accessibility": map[string]any{"step_free": w.r.IntN(2) == 0, "accessible_toilet": w.r.IntN(2) == 0,
			"hearing_loop": w.r.IntN(2) == 0, "parking": w.r.IntN(2) == 0},
	}
}

// spaceFields is a random, valid space profile: every field a space
// has, changed opening hours, closures (in several offsets), prices in
// any order and prohibited activities in any order.
func (w *burstWorker) spaceFields() map[string]any {
	r := w.r
	kinds := []string{"studio", "hall", "classroom", "meeting_room", "theatre", "outdoor", "other"}
	floors := []string{"sprung", "semi_sprung", "wood", "vinyl", "concrete", "carpet", "other"}
	hours := []any{}
	for _, d := range w.subset("mon", "tue", "wed", "thu", "fri", "sat", "sun") {
		opens := 6*60 + r.IntN(7)*60 + r.IntN(4)*15
		closes := min(opens+60+r.IntN(12)*60, 24*60)
		hours = append(hours, map[string]any{"day": d, "opens": matching.ClockTime(opens).String(), "closes": matching.ClockTime(closes).String()})
	}
	closures := []any{}
	for i := range r.IntN(3) {
		start := time.Date(2027, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0,
			time.FixedZone("", (r.IntN(5)-2)*3600))
		closures = append(closures, map[string]any{"start": start.Format(time.RFC3339),
			"end": start.Add(time.Duration(1+r.IntN(72)) * time.Hour).Format(time.RFC3339), "reason": fmt.Sprintf("closure %d", i)})
	}
	prices := []any{}
	for _, tier := range w.subset("community", "standard", "commercial") {
		prices = append(prices, map[string]any{"tier": tier, "pence_per_hour": 500 + r.IntN(60)*100})
	}
	return map[string]any{
		"kind": kinds[r.IntN(len(kinds))], "capacity": 1 + r.IntN(200),
		"floor_area_m2": 10 + float64(r.IntN(3000))/10, "ceiling_height_m": float64(r.IntN(800)) / 100,
		"floor": floors[r.IntN(len(floors))], "mirrors": r.IntN(2) == 0, "barres": r.IntN(2) == 0,
		"sound_system": r.IntN(2) == 0, "changing_rooms": r.IntN(2) == 0, "climate_control": r.IntN(2) == 0,
		"obstructions": r.IntN(2) == 0, "instant_book": r.IntN(4) != 0,
		"prohibited_activities": w.subset("ballet", "contemporary", "tap", "jazz", "hip-hop", "aerial"),
		"prices":                prices, "opening_hours": hours, "closures": closures,
	}
}

// some keeps a random, non-empty part of fields.
func (w *burstWorker) some(fields map[string]any) map[string]any {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]any{}
	for _, k := range keys {
		if w.r.IntN(2) == 0 {
			out[k] = fields[k]
		}
	}
	if len(out) == 0 {
		out[keys[0]] = fields[keys[0]]
	}
	return out
}

func (w *burstWorker) anyOrg() *burstOrg { return w.orgs[w.r.IntN(len(w.orgs))] }

func (w *burstWorker) anyVenue() (*burstOrg, *burstVenue, int) {
	var all [][2]int
	for i, o := range w.orgs {
		for j := range o.venues {
			all = append(all, [2]int{i, j})
		}
	}
	if len(all) == 0 {
		return nil, nil, -1
	}
	p := all[w.r.IntN(len(all))]
	return w.orgs[p[0]], w.orgs[p[0]].venues[p[1]], p[1]
}

// can reports whether the worker's state allows a write of kind op.
func (w *burstWorker) can(op string) bool {
	venues, spaces, offers := 0, 0, 0
	for _, o := range w.orgs {
		offers += len(o.offers)
		for _, v := range o.venues {
			venues++
			spaces += len(v.spaces)
		}
	}
	switch op {
	case "register":
		return true
	case "patch organisation", "add offer", "add room need", "create venue":
		return len(w.orgs) > 0
	case "delete organisation":
		return len(w.orgs) > 1
	case "delete offer":
		return offers > 0
	case "move venue", "delete venue", "create space":
		return venues > 0
	case "patch space", "delete space":
		return spaces > 0
	case "operator patches a space":
		return w.sh.pick(w.r, &w.sh.spaces) != ""
	case "operator moves a venue":
		return w.sh.pick(w.r, &w.sh.venues) != ""
	case "book":
		return len(w.orgs) > 0 && w.sh.pick(w.r, &w.sh.spaces) != ""
	case "cancel booking":
		return len(w.bookings) > 0
	}
	return false
}

// plan is the worker's 16 writes, in no fixed order: a core every worker
// makes, and three more that differ from worker to worker, so that
// together they make every kind of write.
func (w *burstWorker) plan() []string {
	core := []string{"create venue", "create venue", "create space", "create space", "create space", "create space",
		"patch space", "move venue", "add offer", "add room need", "patch organisation", "delete space", "book", "book", "book", "cancel booking"}
	extra := [][]string{
		{"delete offer", "delete venue", "operator patches a space"},
		{"register", "create venue", "delete organisation"},
		{"operator moves a venue", "operator patches a space", "patch space"},
		{"delete venue", "move venue", "delete offer"},
	}
	return append(core, extra[w.n%len(extra)]...)
}

// run registers an organisation, then makes the planned writes in a
// random order that their preconditions allow (or, when none can go, a
// space or venue to build on).
func (w *burstWorker) run() {
	w.step("register")
	todo := w.plan()
	for len(todo) > 0 {
		var ready []int
		for i, op := range todo {
			if w.can(op) {
				ready = append(ready, i)
			}
		}
		if len(ready) == 0 {
			if slices.Contains(todo, "cancel booking") && w.can("book") {
				w.step("book") // the bookings so far all met conflicts
				continue
			}
			if w.can("create space") {
				w.step("create space")
			} else {
				w.step("create venue")
			}
			continue
		}
		i := ready[w.r.IntN(len(ready))]
		op := todo[i]
		todo = slices.Delete(todo, i, i+1)
		w.step(op)
	}
}

// step makes one write of kind op.
func (w *burstWorker) step(op string) {
	w.done[op]++
	switch op {
	case "register":
		body := orgBody(w.name("Org"), 0, 0)
		for k, v := range w.orgFields() {
			body[k] = v
		}
		body["location"] = w.point()
		m, ok := w.call(op, "POST", "/v1/organisations", "", body, http.StatusCreated)
		if !ok {
			return
		}
		org := m["organisation"].(map[string]any)
		o := &burstOrg{id: org["id"].(string), token: m["token"].(string)}
		for _, x := range org["offers"].([]any) {
			o.offers = append(o.offers, x.(map[string]any)["id"].(string))
		}
		w.orgs = append(w.orgs, o)
	case "patch organisation":
		o := w.anyOrg()
		body := w.some(w.orgFields())
		body["name"] = w.name("Org renamed")
		if w.r.IntN(2) == 0 {
			body["location"] = w.point()
		}
		w.call(op, "PATCH", "/v1/organisations/"+o.id, o.token, body, http.StatusOK)
	case "delete organisation":
		i := len(w.orgs) - 1 // with its venues and their spaces
		if _, ok := w.call(op, "DELETE", "/v1/organisations/"+w.orgs[i].id, w.orgs[i].token, nil, http.StatusNoContent); ok {
			w.orgs = slices.Delete(w.orgs, i, i+1)
		}
	case "add offer":
		o := w.anyOrg()
		categories := []string{"skill.dance-teaching", "skill.marketing", "space.hall", "resource.minibus"}
		m, ok := w.call(op, "POST", "/v1/organisations/"+o.id+"/offers", o.token,
			map[string]any{"category": categories[w.r.IntN(len(categories))], "hours_per_month": w.r.IntN(20)}, http.StatusCreated)
		if ok {
			o.offers = append(o.offers, m["id"].(string))
		}
	case "add room need":
		o := w.anyOrg()
		days := []string{"mon", "tue", "sat"}
		w.call(op, "POST", "/v1/organisations/"+o.id+"/needs", o.token, map[string]any{"category": "space.hall",
			"group_size": 1 + w.r.IntN(40), "activity": "folk", "max_pence_per_hour": 1000 + 250*w.r.IntN(12),
			"windows": []any{map[string]any{"day": days[w.r.IntN(len(days))], "start": "18:00", "end": "20:00"}}}, http.StatusCreated)
	case "delete offer":
		for _, o := range w.orgs {
			if len(o.offers) > 0 {
				i := w.r.IntN(len(o.offers))
				if _, ok := w.call(op, "DELETE", "/v1/offers/"+o.offers[i], o.token, nil, http.StatusNoContent); ok {
					o.offers = slices.Delete(o.offers, i, i+1)
				}
				return
			}
		}
	case "create venue":
		o := w.anyOrg()
		body := venueBody(w.name("Venue"), 0, 0)
		for k, v := range w.venueFields() {
			body[k] = v
		}
		if m, ok := w.call(op, "POST", "/v1/venues", o.token, body, http.StatusCreated); ok {
			v := &burstVenue{id: m["id"].(string)}
			o.venues = append(o.venues, v)
			w.sh.add(&w.sh.venues, v.id)
		}
	case "move venue":
		o, v, _ := w.anyVenue()
		body := w.some(w.venueFields())
		body["location"] = w.point()
		body["name"] = w.name("Venue moved")
		w.call(op, "PATCH", "/v1/venues/"+v.id, o.token, body, http.StatusOK)
	case "delete venue":
		o, v, j := w.anyVenue()
		if _, ok := w.call(op, "DELETE", "/v1/venues/"+v.id, o.token, nil, http.StatusNoContent); ok {
			o.venues = slices.Delete(o.venues, j, j+1)
		}
	case "create space":
		o, v, _ := w.anyVenue()
		body := w.spaceFields()
		body["name"] = w.name("Space")
		if m, ok := w.call(op, "POST", "/v1/venues/"+v.id+"/spaces", o.token, body, http.StatusCreated); ok {
			v.spaces = append(v.spaces, m["id"].(string))
			w.sh.add(&w.sh.spaces, m["id"].(string))
		}
	case "patch space", "delete space":
		for _, o := range w.orgs {
			for _, v := range o.venues {
				if len(v.spaces) == 0 {
					continue
				}
				i := w.r.IntN(len(v.spaces))
				if op == "patch space" {
					w.call(op, "PATCH", "/v1/spaces/"+v.spaces[i], o.token, w.some(w.spaceFields()), http.StatusOK)
				} else if _, ok := w.call(op, "DELETE", "/v1/spaces/"+v.spaces[i], o.token, nil, http.StatusNoContent); ok {
					v.spaces = slices.Delete(v.spaces, i, i+1)
				}
				return
			}
		}
	case "operator patches a space":
		id := w.sh.pick(w.r, &w.sh.spaces)
		w.call(op, "PATCH", "/v1/spaces/"+id, adminToken, w.some(w.spaceFields()), http.StatusOK, http.StatusNotFound)
	case "operator moves a venue":
		id := w.sh.pick(w.r, &w.sh.venues)
		w.call(op, "PATCH", "/v1/venues/"+id, adminToken, map[string]any{"location": w.point()}, http.StatusOK, http.StatusNotFound)
	case "book":
		// Any worker's space: 08:00, 12:00 and 16:00 for an hour on each
		// day of a week in May, taking the sessions it is open and free for.
		o := w.anyOrg()
		start := time.Date(2027, 5, 3+w.r.IntN(4)*7, 7, 0, 0, 0, time.UTC) // 08:00 BST
		var sessions []any
		for d := range 7 {
			for h := 0; h < 12; h += 4 {
				s := start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
				sessions = append(sessions, map[string]any{"start": s.Format(time.RFC3339), "end": s.Add(time.Hour).Format(time.RFC3339)})
			}
		}
		// 422: the space does not price the standard tier.
		m, ok := w.call(op, "POST", "/v1/spaces/"+w.sh.pick(w.r, &w.sh.spaces)+"/bookings", o.token,
			map[string]any{"sessions": sessions, "skip_conflicts": true}, http.StatusCreated, http.StatusConflict, http.StatusNotFound,
			http.StatusUnprocessableEntity)
		if ok {
			w.bookings = append(w.bookings, [2]string{m["booking"].(map[string]any)["id"].(string), o.token})
			if m["booking"].(map[string]any)["status"] == "confirmed" {
				w.done["booked confirmed"]++
			}
		}
	case "cancel booking":
		i := w.r.IntN(len(w.bookings))
		b := w.bookings[i]
		w.bookings = slices.Delete(w.bookings, i, i+1)
		// 401: the booking organisation was deleted, and its token with it.
		w.call(op, "DELETE", "/v1/bookings/"+b[0], b[1], nil, http.StatusOK, http.StatusNotFound, http.StatusUnauthorized)
	}
}

// burst has workers each make 16 writes through the API at once (see
// plan) and returns how many of each kind were made.
func burst(t *testing.T, s *server, workers int) map[string]int {
	t.Helper()
	sh := &shared{}
	done := make([]map[string]int, workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for n := range workers {
		w := &burstWorker{t: t, s: s, r: rand.New(rand.NewPCG(uint64(n), 42)), n: n, sh: sh, done: map[string]int{}}
		done[n] = w.done
		wg.Go(func() {
			<-start
			w.run()
		})
	}
	close(start)
	wg.Wait()
	total := map[string]int{}
	for _, d := range done {
		for k, v := range d {
			total[k] += v
		}
	}
	return total
}
