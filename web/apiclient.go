package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"commonground/api"
	"commonground/matching"
)

// Calendar is what a room's page needs of the store beyond the API: the
// confirmed sessions it shows as booked (the calendar feed's source).
// *store.DB implements it.
type Calendar interface {
	SpaceCalendar(ctx context.Context, spaceID string, since time.Time) (matching.Calendar, error)
}

// apiError is an answer of the API other than a success: its status and
// problem body.
type apiError struct {
	Status  int
	Problem api.Problem
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Problem.Title, e.Problem.Detail)
}

// fieldErrors maps each field the API named to its message, under the
// form's field name (the last part of the API's path: "weekly.day" is
// "day", "near.place" is "place").
func (e *apiError) fieldErrors() map[string]string {
	out := map[string]string{}
	for _, fe := range e.Problem.Errors {
		name := fe.Field
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		if name == "near" {
			name = "place"
		}
		if _, ok := out[name]; !ok {
			out[name] = fe.Message
		}
	}
	return out
}

// call makes one request of the API, in process, as the person signed in
// on r (if any), and decodes a successful JSON answer into out (nil: the
// body is dropped). An answer of 400 and above is an *apiError.
func (h *Handler) call(r *http.Request, method, path string, query url.Values, body, out any) error {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	ctx, answer := api.InProcess(r.Context())
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return err
	}
	req.RemoteAddr = r.RemoteAddr
	req.Host = r.Host
	for _, k := range []string{"X-Forwarded-For", "X-Real-IP", "User-Agent"} {
		if v := r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if s := sessionOf(r); s != nil {
		req.Header.Set("Authorization", "Bearer "+s.token)
		if s.OrgID != "" {
			req.Header.Set(api.OrganisationHeader, s.OrgID)
		}
	}
	rec := newRecorder()
	h.api.ServeHTTP(rec, req)
	if rec.status >= 400 {
		e := &apiError{Status: rec.status}
		if err := json.Unmarshal(rec.body.Bytes(), &e.Problem); err != nil {
			e.Problem.Title = http.StatusText(rec.status)
		}
		return e
	}
	if out == nil {
		return nil
	}
	if answer.Taken() {
		if t, ok := out.(answerTaker); ok && t.takeAnswer(answer.Value()) {
			return nil
		}
		if err := answer.Into(out); err != nil {
			return fmt.Errorf("%s %s: take the answer: %w", method, path, err)
		}
		return nil
	}
	if rec.body.Len() == 0 {
		return nil
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s: decode the answer: %w", method, path, err)
	}
	return nil
}

// answerTaker is a page's answer type that reads an API answer's Go
// value (see api.Answer) of a type other than its own.
type answerTaker interface {
	// takeAnswer reads v and reports whether it could.
	takeAnswer(v any) bool
}

// get is call for a GET.
func (h *Handler) get(r *http.Request, path string, query url.Values, out any) error {
	return h.call(r, http.MethodGet, path, query, nil, out)
}

// recorder keeps an in-process answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Flush lets the API's middleware flush; there is nothing to flush to.
func (r *recorder) Flush() {}

// statusOf is the status of an API error, or 0.
func statusOf(err error) int {
	if e, ok := err.(*apiError); ok {
		return e.Status
	}
	return 0
}

// pageError answers a page whose API call failed: the API's own status
// and words for a 4xx, a plain 503 or 500 otherwise.
func (h *Handler) pageError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := err.(*apiError)
	switch {
	case ok && e.Status == http.StatusNotFound:
		h.errorPage(w, r, http.StatusNotFound, "We could not find that page. It may have been removed, or the link may be wrong.")
	case ok && e.Status == http.StatusUnauthorized:
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	case ok && e.Status < 500:
		h.errorPage(w, r, e.Status, cleanDetail(e.Problem.Detail, e.Problem.Title))
	case ok && e.Status == http.StatusServiceUnavailable:
		h.errorPage(w, r, http.StatusServiceUnavailable, "The service is busy or its database is not answering. Please try again in a minute.")
	default:
		h.log.Error("page failed", "path", r.URL.Path, "error", err.Error())
		h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment.")
	}
}

// refusalSummary says above a form what the API refused: rest, the
// messages the form has no field to put beside; else the problem's
// detail when it named no field; else marked, which points to the notes
// beside the fields.
func refusalSummary(e *apiError, rest []string, marked string) string {
	switch {
	case len(rest) > 0:
		return sentence(strings.Join(rest, "; "))
	case len(e.Problem.Errors) == 0:
		return cleanDetail(e.Problem.Detail, e.Problem.Title)
	}
	return marked
}

// cleanDetail is a problem's detail as a sentence, without the domain
// error's name, which says nothing a person needs, nor the one word
// naming the thing refused before it ("evaluation: conflict: this
// organisation …" is "This organisation …").
func cleanDetail(detail, title string) string {
	s := strings.TrimSpace(detail)
	for _, e := range []error{matching.ErrInvalid, matching.ErrNotFound, matching.ErrConflict, matching.ErrForbidden,
		matching.ErrUnauthorized, matching.ErrUnprocessable, matching.ErrUnavailable} {
		if i := strings.Index(s, e.Error()+": "); i >= 0 && !strings.Contains(strings.TrimSuffix(s[:i], ": "), " ") {
			s = s[i+len(e.Error())+2:]
			break
		}
	}
	if s == "" {
		s = title
	}
	if s == "" {
		return "That did not work."
	}
	return sentence(s)
}
