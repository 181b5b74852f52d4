package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"commonground/api"
	"commonground/matching"
)

type keyList struct {
	Items []api.APIKey `json:"items"`
}

// settingsOptions fills in what the settings forms choose from, and the
// admin's API keys.
func (h *Handler) settingsOptions(r *http.Request, v *settingsView) error {
	v.Types, v.Values, v.Categories = matching.OrgTypes, h.tax.Values, h.tax.Categories
	v.HasValue = map[string]bool{}
	for _, s := range v.Org.Values {
		v.HasValue[s] = true
	}
	if !v.Admin {
		return nil
	}
	var keys keyList
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(v.Org.ID)+"/api-keys", url.Values{"limit": {"100"}}, &keys); err != nil {
		return err
	}
	v.Keys = keys.Items
	var hooks hookList
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(v.Org.ID)+"/webhooks", url.Values{"limit": {"100"}}, &hooks); err != nil {
		return err
	}
	v.Hooks, v.Events = hooks.Items, matching.Events
	return nil
}

type hookList struct {
	Items []api.Webhook `json:"items"`
}

// createHook makes a webhook for the events ticked and shows its secret,
// once (admins).
func (h *Handler) createHook(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	r.ParseForm()
	var hook api.WebhookCreated
	path := "/v1/organisations/" + url.PathEscape(sessionOf(r).OrgID) + "/webhooks"
	body := map[string]any{"url": strings.TrimSpace(r.PostFormValue("url")), "events": orEmptyList(r.PostForm["events"])}
	if err := h.call(r, http.MethodPost, path, nil, body, &hook); err != nil {
		h.formError(w, r, err)
		return
	}
	h.showSettings(w, r, http.StatusOK, &settingsView{NewHook: &hook})
}

// deleteHook deletes a webhook (admins).
func (h *Handler) deleteHook(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	path := "/v1/organisations/" + url.PathEscape(sessionOf(r).OrgID) + "/webhooks/" + url.PathEscape(r.PathValue("id"))
	if err := h.call(r, http.MethodDelete, path, nil, nil, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/organisation#webhooks")
}

// saveProfile changes the organisation's profile and values (admins).
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	r.ParseForm()
	body := map[string]any{"values": orEmptyList(r.PostForm["values"])}
	for _, k := range []string{"name", "type", "description", "website", "email", "phone"} {
		body[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	h.settingsWrite(w, r, http.MethodPatch, "", body, "#profile")
}

// addItem adds an offer or a need (admins).
func (h *Handler) addItem(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	kind := r.PathValue("kind") // offers or needs
	if kind != "offers" && kind != "needs" {
		h.errorPage(w, r, http.StatusNotFound, "We could not find that page.")
		return
	}
	body := map[string]any{"category": r.PostFormValue("category"), "description": strings.TrimSpace(r.PostFormValue("description"))}
	if n := strings.TrimSpace(r.PostFormValue("hours_per_month")); n != "" {
		hours, err := strconv.Atoi(n)
		if err != nil {
			h.errorPage(w, r, http.StatusBadRequest, "Hours a month must be a whole number. Go back to change it.")
			return
		}
		body["hours_per_month"] = hours
	}
	h.settingsWrite(w, r, http.MethodPost, "/"+kind, body, "#offers")
}

// removeItem removes an offer or a need; the API checks it is ours.
func (h *Handler) removeItem(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	kind := r.PathValue("kind")
	if kind != "offers" && kind != "needs" {
		h.errorPage(w, r, http.StatusNotFound, "We could not find that page.")
		return
	}
	if err := h.call(r, http.MethodDelete, "/v1/"+kind+"/"+url.PathEscape(r.PathValue("id")), nil, nil, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/organisation#offers")
}

// createKey makes an API key and shows its token, once (admins).
func (h *Handler) createKey(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	var key api.APIKey
	path := "/v1/organisations/" + url.PathEscape(sessionOf(r).OrgID) + "/api-keys"
	if err := h.call(r, http.MethodPost, path, nil, map[string]string{"name": strings.TrimSpace(r.PostFormValue("name"))}, &key); err != nil {
		h.formError(w, r, err)
		return
	}
	h.showSettings(w, r, http.StatusOK, &settingsView{NewKey: &key})
}

// createCalendarKey makes a new address for the organisation's calendar
// of sessions (admins) and shows it once, to copy into a calendar
// application; the address before it stops working.
func (h *Handler) createCalendarKey(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	var key api.CalendarKey
	path := "/v1/organisations/" + url.PathEscape(sessionOf(r).OrgID) + "/calendar-key"
	if err := h.call(r, http.MethodPost, path, nil, nil, &key); err != nil {
		h.formError(w, r, err)
		return
	}
	h.showSettings(w, r, http.StatusOK, &settingsView{NewCalendar: h.absolute(r, key.CalendarURL)})
}

// absolute makes a path of this service a full address, on the public
// URL when one is set, else on the host the request came to.
func (h *Handler) absolute(r *http.Request, path string) string {
	if h.public != "" {
		return h.public + path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// revokeKey revokes an API key (admins).
func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	path := "/v1/organisations/" + url.PathEscape(sessionOf(r).OrgID) + "/api-keys/" + url.PathEscape(r.PathValue("id"))
	if err := h.call(r, http.MethodDelete, path, nil, nil, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/organisation#keys")
}

// settingsWrite sends a change of our organisation to the API and goes
// back to the settings, or says what was wrong.
func (h *Handler) settingsWrite(w http.ResponseWriter, r *http.Request, method, suffix string, body any, anchor string) {
	path := "/v1/organisations/" + url.PathEscape(sessionOf(r).OrgID) + suffix
	if err := h.call(r, method, path, nil, body, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/organisation"+anchor)
}

func orEmptyList(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
