package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"commonground/api"
	"commonground/matching"
)

// accessView is the data of the sign-in, sign-up, reset and invitation
// forms: what was typed (never the password) and what is wrong.
type accessView struct {
	Next    string
	Token   string
	Fields  map[string]string
	Errors  map[string]string
	Message string
	Types   []matching.OrgType
	Done    bool
}

func newAccessView(r *http.Request) *accessView {
	return &accessView{Next: localPath(r.FormValue("next"), "/dashboard"), Fields: map[string]string{},
		Errors: map[string]string{}, Types: matching.OrgTypes}
}

// fail fills v from an API error: field errors under their fields, the
// rest as one message.
func (v *accessView) fail(err error) {
	if e, ok := err.(*apiError); ok {
		v.Errors = e.fieldErrors()
		if len(v.Errors) == 0 || e.Status != http.StatusBadRequest {
			v.Message = cleanDetail(e.Problem.Detail, e.Problem.Title)
		}
		return
	}
	v.Message = "Something went wrong on our side. Please try again in a moment."
}

func statusFor(err error) int {
	if s := statusOf(err); s >= 400 && s < 500 {
		return s
	}
	return http.StatusServiceUnavailable
}

func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin", view{Title: "Sign in", Nav: "signin", D: newAccessView(r)})
}

// signin checks the email and password with the API and keeps the new
// session in the cookie.
func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	v.Fields["email"] = r.PostFormValue("email")
	var out api.SessionOut
	err := h.call(r, http.MethodPost, "/v1/sessions", nil,
		map[string]string{"email": r.PostFormValue("email"), "password": r.PostFormValue("password")}, &out)
	if err != nil {
		v.fail(err)
		h.render(w, r, statusFor(err), "signin", view{Title: "Sign in", Nav: "signin", D: v})
		return
	}
	expires, _ := time.Parse(time.RFC3339, out.ExpiresAt)
	h.startSession(w, r, out.Token, expires)
	redirect(w, r, v.Next)
}

// signout ends the session at the API and forgets the cookie.
func (h *Handler) signout(w http.ResponseWriter, r *http.Request) {
	if sessionOf(r) != nil {
		_ = h.call(r, http.MethodDelete, "/v1/sessions/current", nil, nil, nil)
	}
	http.SetCookie(w, h.cookie(api.SessionCookie, "", -1))
	http.SetCookie(w, h.cookie(orgCookie, "", -1))
	redirect(w, r, "/")
}

func (h *Handler) signupForm(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	v.Fields["type"] = "arts"
	h.render(w, r, http.StatusOK, "signup", view{Title: "Register your organisation", Nav: "signup", D: v})
}

// signupFields are the sign-up form's fields by the API's names.
var signupFields = map[string]string{"name": "name", "type": "type", "description": "description",
	"location": "place", "admin.name": "admin_name", "admin.email": "email", "admin.password": "password"}

type placeList struct {
	Items []struct {
		Name string  `json:"name"`
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
	} `json:"items"`
}

// signup registers an organisation and its first person, an admin, then
// signs them in.
func (h *Handler) signup(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	for _, k := range []string{"name", "type", "place", "description", "admin_name", "email"} {
		v.Fields[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	page := view{Title: "Register your organisation", Nav: "signup", D: v}
	var places placeList
	if v.Fields["place"] == "" {
		v.Errors["place"] = "say where you are based: a town, a village or a postcode"
	} else if err := h.get(r, "/v1/places", url.Values{"q": {v.Fields["place"]}, "limit": {"1"}}, &places); err != nil || len(places.Items) == 0 {
		v.Errors["place"] = "we do not know that place: try a nearby town or your postcode"
	}
	if len(v.Errors) > 0 {
		h.render(w, r, http.StatusBadRequest, "signup", page)
		return
	}
	email, password := v.Fields["email"], r.PostFormValue("password")
	body := map[string]any{
		"name": v.Fields["name"], "type": v.Fields["type"], "description": v.Fields["description"],
		"location": map[string]float64{"lat": places.Items[0].Lat, "lon": places.Items[0].Lon},
		"admin":    map[string]string{"name": v.Fields["admin_name"], "email": email, "password": password},
	}
	if err := h.call(r, http.MethodPost, "/v1/organisations", nil, body, nil); err != nil {
		v.fail(err)
		if e, ok := err.(*apiError); ok && len(e.Problem.Errors) > 0 {
			// The admin's fields are admin.name, admin.email, admin.password.
			v.Errors = map[string]string{}
			for _, fe := range e.Problem.Errors {
				field, ok := signupFields[fe.Field]
				if !ok {
					v.Message = sentence(label(fe.Field) + " " + fe.Message)
					continue
				}
				v.Errors[field] = fe.Message
			}
		}
		h.render(w, r, statusFor(err), "signup", page)
		return
	}
	var out api.SessionOut
	if err := h.call(r, http.MethodPost, "/v1/sessions", nil, map[string]string{"email": email, "password": password}, &out); err != nil {
		redirect(w, r, "/signin")
		return
	}
	expires, _ := time.Parse(time.RFC3339, out.ExpiresAt)
	h.startSession(w, r, out.Token, expires)
	redirect(w, r, "/dashboard/rooms")
}

func (h *Handler) resetRequestForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "reset-request", view{Title: "Forgotten your password?", D: newAccessView(r)})
}

// resetRequest asks the API to mail a reset link; the answer is the same
// whether or not the email is known.
func (h *Handler) resetRequest(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	v.Fields["email"] = r.PostFormValue("email")
	if err := h.call(r, http.MethodPost, "/v1/password-resets", nil, map[string]string{"email": v.Fields["email"]}, nil); err != nil {
		v.fail(err)
		h.render(w, r, statusFor(err), "reset-request", view{Title: "Forgotten your password?", D: v})
		return
	}
	v.Done = true
	h.render(w, r, http.StatusOK, "reset-request", view{Title: "Check your email", D: v})
}

func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	v.Token = r.PathValue("token")
	h.render(w, r, http.StatusOK, "reset", view{Title: "Choose a new password", D: v})
}

// reset sets a new password with the link's token.
func (h *Handler) reset(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	v.Token = r.PathValue("token")
	err := h.call(r, http.MethodPost, "/v1/password-resets/"+url.PathEscape(v.Token), nil,
		map[string]string{"password": r.PostFormValue("password")}, nil)
	if err != nil {
		v.fail(err)
		h.render(w, r, statusFor(err), "reset", view{Title: "Choose a new password", D: v})
		return
	}
	v.Done = true
	h.render(w, r, http.StatusOK, "reset", view{Title: "Your password is changed", D: v})
}

func (h *Handler) invitationForm(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	v.Token = r.PathValue("token")
	h.render(w, r, http.StatusOK, "invitation", view{Title: "Join your organisation", D: v})
}

// acceptInvitation joins the organisation: as the person signed in, or
// as a new person (name and password), who is then signed in.
func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	v := newAccessView(r)
	v.Token = r.PathValue("token")
	v.Fields["name"] = r.PostFormValue("name")
	path := "/v1/invitations/" + url.PathEscape(v.Token) + "/accept"
	var body any
	if sessionOf(r) == nil {
		body = map[string]string{"name": v.Fields["name"], "password": r.PostFormValue("password")}
	}
	var out api.SessionOut
	if err := h.call(r, http.MethodPost, path, nil, body, &out); err != nil {
		v.fail(err)
		h.render(w, r, statusFor(err), "invitation", view{Title: "Join your organisation", D: v})
		return
	}
	if out.Token != "" {
		expires, _ := time.Parse(time.RFC3339, out.ExpiresAt)
		h.startSession(w, r, out.Token, expires)
	}
	redirect(w, r, "/dashboard")
}
