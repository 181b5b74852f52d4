package web

import (
	"net/http"
	"net/url"
	"sort"

	"commonground/api"
)

// bookingRow is a booking on the dashboard, with the names it needs.
type bookingRow struct {
	api.Booking
	SpaceName string
	VenueName string
	OtherName string // the other party
	Next      *api.Occurrence
	Upcoming  int
	AsOwner   bool
}

// dashboardView is the data of the dashboard.
type dashboardView struct {
	OrgName string
	// Others are the person's other organisations, by ID, with names.
	Others        map[string]string
	ToApprove     []bookingRow // requests for our rooms
	Waiting       []bookingRow // our requests for others' rooms
	Upcoming      []bookingRow // confirmed, with a session still to come
	Notifications []api.Notification
	Unread        int
}

type bookingList struct {
	Items []api.Booking `json:"items"`
}

type notificationList struct {
	Items []api.Notification `json:"items"`
}

// dashboard: requests to approve or decline, our requests waiting,
// upcoming sessions as booker and as owner, and the inbox.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	me := sessionOf(r).OrgID
	var v dashboardView
	var org api.Organisation
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(me), nil, &org); err != nil {
		h.pageError(w, r, err)
		return
	}
	v.OrgName = org.Name
	names := &nameCache{h: h, r: r, orgs: map[string]string{me: org.Name}, spaces: map[string][2]string{}}
	for _, m := range sessionOf(r).Memberships {
		if m.OrganisationID != me {
			if v.Others == nil {
				v.Others = map[string]string{}
			}
			v.Others[m.OrganisationID] = names.org(m.OrganisationID)
		}
	}
	now := h.now()
	for _, status := range []string{"requested", "confirmed"} {
		var list bookingList
		if err := h.get(r, "/v1/bookings", url.Values{"status": {status}, "limit": {"100"}}, &list); err != nil {
			h.pageError(w, r, err)
			return
		}
		for _, b := range list.Items {
			row := bookingRow{Booking: b, AsOwner: b.SpaceOwnerID == me}
			for i := range b.Occurrences {
				o := &b.Occurrences[i]
				t, ok := parseTime(o.Start)
				if !ok || !t.After(now) || (o.Status != "confirmed" && o.Status != "requested") {
					continue
				}
				row.Upcoming++
				if row.Next == nil {
					row.Next = o
				}
			}
			if row.Upcoming == 0 {
				continue
			}
			row.SpaceName, row.VenueName = names.space(b.SpaceID)
			other := b.OrganisationID
			if !row.AsOwner {
				other = b.SpaceOwnerID
			}
			row.OtherName = names.org(other)
			switch {
			case status == "requested" && row.AsOwner:
				v.ToApprove = append(v.ToApprove, row)
			case status == "requested":
				v.Waiting = append(v.Waiting, row)
			default:
				v.Upcoming = append(v.Upcoming, row)
			}
		}
	}
	sort.Slice(v.Upcoming, func(i, j int) bool { return v.Upcoming[i].Next.Start < v.Upcoming[j].Next.Start })
	var inbox notificationList
	if err := h.get(r, "/v1/notifications", url.Values{"limit": {"20"}}, &inbox); err != nil {
		h.pageError(w, r, err)
		return
	}
	v.Notifications = inbox.Items
	for _, n := range inbox.Items {
		if n.ReadAt == nil {
			v.Unread++
		}
	}
	h.render(w, r, http.StatusOK, "dashboard", view{Title: "Dashboard", Nav: "dashboard", D: &v})
}

// nameCache looks names up once per page.
type nameCache struct {
	h      *Handler
	r      *http.Request
	orgs   map[string]string
	spaces map[string][2]string
}

func (c *nameCache) org(id string) string {
	if n, ok := c.orgs[id]; ok {
		return n
	}
	var o api.Organisation
	name := "an organisation no longer listed"
	if err := c.h.get(c.r, "/v1/organisations/"+url.PathEscape(id), nil, &o); err == nil {
		name = o.Name
	}
	c.orgs[id] = name
	return name
}

func (c *nameCache) space(id string) (string, string) {
	if n, ok := c.spaces[id]; ok {
		return n[0], n[1]
	}
	var s api.Space
	var v api.Venue
	n := [2]string{"a room no longer listed", ""}
	if err := c.h.get(c.r, "/v1/spaces/"+url.PathEscape(id), nil, &s); err == nil {
		n[0] = s.Name
		if err := c.h.get(c.r, "/v1/venues/"+url.PathEscape(s.VenueID), nil, &v); err == nil {
			n[1] = v.Name
		}
	}
	c.spaces[id] = n
	return n[0], n[1]
}

// readNotification marks one notification read.
func (h *Handler) readNotification(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	if err := h.call(r, http.MethodPost, "/v1/notifications/"+url.PathEscape(r.PathValue("id"))+"/read", nil, nil, nil); err != nil {
		h.pageError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard#inbox")
}

// actFor chooses which of their organisations a person acts for.
func (h *Handler) actFor(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	want := r.PostFormValue("organisation_id")
	for _, m := range sessionOf(r).Memberships {
		if m.OrganisationID == want {
			http.SetCookie(w, h.cookie(orgCookie, want, 0))
			redirect(w, r, "/dashboard")
			return
		}
	}
	h.errorPage(w, r, http.StatusForbidden, "You are not a member of that organisation.")
}
