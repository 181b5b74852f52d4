package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"commonground/api"
	"commonground/matching"
)

// consortiumPageView is the data of one consortium's page.
type consortiumPageView struct {
	K api.ConsortiumPartnership
	// Status says where it stands, in words.
	Status   string
	Deadline string
	Lead     bool // we lead it
	LeadName string
	Members  []memberRow
	// Answer says we are an invited member still to answer; Actions are
	// the other steps the rules let us take now.
	Answer  bool
	Actions []string
	// CanCheck says a health check may be recorded; Check is its form.
	CanCheck bool
	Check    criteriaForm
	Checks   []api.HealthCheck
	Names    map[string]string
	Roles    []roleLine
}

// memberRow is one member and its answer.
type memberRow struct {
	ID, Name, Answer string
	Us               bool
}

type roleLine struct{ Name, Role string }

// consortiumRow is a consortium on the partners page.
type consortiumRow struct {
	api.ConsortiumPartnership
	Status string
	// Answer says we are invited and have not answered.
	Answer bool
	Lead   bool
}

type consortiumList struct {
	Items []api.ConsortiumPartnership `json:"items"`
}

// consortiumStatus says a consortium's status in words.
func consortiumStatus(k api.ConsortiumPartnership) string {
	switch matching.PartnershipStatus(k.Status) {
	case matching.ConsortiumForming:
		waiting := 0
		for _, m := range k.Members {
			if m.Response == string(matching.MemberInvited) {
				waiting++
			}
		}
		return "Forming: waiting for " + plural(waiting, "member", "members") + " to accept"
	case matching.PartnershipAccepted:
		return "Every member has accepted; the work has not started yet"
	case matching.PartnershipDeclined:
		return "Declined by a member"
	case matching.PartnershipActive:
		return "Active: the work has started"
	case matching.PartnershipCompleted:
		return "Completed"
	case matching.PartnershipEnded:
		return "Ended"
	}
	return sentence(label(k.Status))
}

// answerWords says a member's answer to its invitation.
func answerWords(response string) string {
	switch matching.MemberResponse(response) {
	case matching.MemberAccepted:
		return "has accepted"
	case matching.MemberDeclined:
		return "has declined"
	case matching.MemberInvited:
		return "has not answered yet"
	}
	return label(response)
}

// toMatchingConsortium is the API's consortium as the rules see it.
func toMatchingConsortium(k api.ConsortiumPartnership) *matching.ConsortiumPartnership {
	mk := &matching.ConsortiumPartnership{ID: k.ID, LeadID: k.LeadID, Status: matching.PartnershipStatus(k.Status)}
	for _, m := range k.Members {
		mk.Members = append(mk.Members, matching.ConsortiumInvitee{OrganisationID: m.OrganisationID, Response: matching.MemberResponse(m.Response)})
	}
	return mk
}

// consortiumAllowed lists the actions the consortium rules let org take
// on k, and whether it may record a health check: the page offers only
// those.
func consortiumAllowed(k api.ConsortiumPartnership, org string) ([]string, bool) {
	mk := toMatchingConsortium(k)
	var out []string
	for _, a := range matching.PartnershipActions {
		if _, _, err := mk.Transition(a, matching.Actor{OrganisationID: org}); err == nil {
			out = append(out, string(a))
		}
	}
	return out, mk.CanRecordHealth() == nil
}

// dateWords writes a date as "Friday 5 February 2027".
func dateWords(d string) string {
	t, err := time.Parse(matching.DateLayout, d)
	if err != nil {
		return d
	}
	return t.Format("Monday 2 January 2006")
}

// consortiumPage: one consortium, its bid, members and their answers,
// the steps we may take and its health checks; private to its
// organisations (404 to anyone else).
func (h *Handler) consortiumPage(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	me := sessionOf(r).OrgID
	id := url.PathEscape(r.PathValue("id"))
	var k api.ConsortiumPartnership
	if err := h.get(r, "/v1/consortia/"+id, nil, &k); err != nil {
		h.pageError(w, r, err)
		return
	}
	var checks checkList
	if err := h.get(r, "/v1/consortia/"+id+"/health", url.Values{"limit": {"100"}}, &checks); err != nil {
		h.pageError(w, r, err)
		return
	}
	names := &nameCache{h: h, r: r, orgs: map[string]string{}, spaces: map[string][2]string{}}
	v := consortiumPageView{K: k, Status: consortiumStatus(k), Deadline: dateWords(k.Bid.Deadline), Lead: k.LeadID == me,
		LeadName: names.org(k.LeadID), Checks: checks.Items, Names: map[string]string{}}
	v.Names[k.LeadID] = v.LeadName
	for _, m := range k.Members {
		row := memberRow{ID: m.OrganisationID, Name: names.org(m.OrganisationID), Answer: answerWords(m.Response), Us: m.OrganisationID == me}
		v.Names[m.OrganisationID] = row.Name
		v.Members = append(v.Members, row)
	}
	for _, org := range append([]string{k.LeadID}, k.MemberIDs...) {
		if role := k.Roles[org]; role != "" {
			v.Roles = append(v.Roles, roleLine{Name: v.Names[org], Role: role})
		}
	}
	actions, canCheck := consortiumAllowed(k, me)
	for _, a := range actions {
		if a == string(matching.ActionAccept) || a == string(matching.ActionDecline) {
			v.Answer = true
			continue
		}
		v.Actions = append(v.Actions, a)
	}
	v.CanCheck = canCheck
	if canCheck {
		criteria, err := h.healthCriteria(r)
		if err != nil {
			h.pageError(w, r, err)
			return
		}
		v.Check = criteriaForm{Prefix: "hc", Criteria: criteria}
	}
	h.render(w, r, http.StatusOK, "consortium-page", view{Title: "Consortium: " + k.Name, Nav: "dashboard", D: &v})
}

// healthBody is a health check's form as the API's body; false when a
// score is not a number.
func healthBody(r *http.Request) (map[string]any, bool) {
	body := map[string]any{"comment": strings.TrimSpace(r.PostFormValue("comment"))}
	for _, c := range matching.HealthCriteria {
		n, err := strconv.Atoi(r.PostFormValue(c))
		if err != nil {
			return nil, false
		}
		body[c] = n
	}
	return body, true
}

// consortiumRows are our consortia for the partners page.
func (h *Handler) consortiumRows(r *http.Request, me string) ([]consortiumRow, error) {
	var list consortiumList
	if err := h.get(r, "/v1/consortia", url.Values{"limit": {"100"}}, &list); err != nil {
		return nil, err
	}
	out := make([]consortiumRow, 0, len(list.Items))
	for _, k := range list.Items {
		row := consortiumRow{ConsortiumPartnership: k, Status: consortiumStatus(k), Lead: k.LeadID == me}
		acts, _ := consortiumAllowed(k, me)
		row.Answer = slices.Contains(acts, string(matching.ActionAccept))
		out = append(out, row)
	}
	return out, nil
}
