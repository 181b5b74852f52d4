package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"commonground/store"
)

// TestConditionalRequests checks the ETag of each single resource and the
// answers to If-None-Match (GET) and If-Match (PATCH, DELETE).
func TestConditionalRequests(t *testing.T) {
	doc := openAPIDoc(t)
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		orgID, token := s.registerAt(t, "Tagged Dance", cLat, cLon)
		venueID := s.venue(t, token, "Tagged Hall", cLat, cLon)
		spaceID := s.space(t, token, venueID, spaceBody("Tagged Room")).ID

		// fetch GETs path with the token and returns the ETag and body,
		// checking the answer's headers are documented.
		fetch := func(t *testing.T, docPath, path string, header map[string]string) (int, string, []byte) {
			t.Helper()
			status, h, raw := s.send(t, request{method: "GET", path: path, token: token, header: header})
			checkDocumentedHeaders(t, doc, "GET", docPath, status, h)
			return status, h.Get("ETag"), raw
		}
		// write sends a PATCH or DELETE with If-Match (none for "") and
		// returns the status, ETag and body, checking the answer against
		// the document.
		write := func(t *testing.T, method, docPath, path, ifMatch string, body any) (int, string, []byte) {
			t.Helper()
			var header map[string]string
			if ifMatch != "" {
				header = map[string]string{"If-Match": ifMatch}
			}
			status, h, raw := s.send(t, request{method: method, path: path, token: token, body: body, header: header})
			checkDocumentedHeaders(t, doc, method, docPath, status, h)
			if len(raw) > 0 {
				var v any
				if err := json.Unmarshal(raw, &v); err != nil {
					t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
				}
				oaCheckDeclared(t, doc, method+" "+path, "$", documentedSchema(t, doc, method, docPath, status, h.Get("Content-Type")), v)
			}
			return status, h.Get("ETag"), raw
		}

		for _, tt := range []struct {
			docPath, path string
			patch, bad    map[string]any // a valid change, an invalid one
		}{
			{"/v1/organisations/{id}", "/v1/organisations/" + orgID, map[string]any{"name": "Retagged Dance"}, map[string]any{"name": ""}},
			{"/v1/venues/{id}", "/v1/venues/" + venueID, map[string]any{"name": "Retagged Hall"}, map[string]any{"name": ""}},
			{"/v1/spaces/{id}", "/v1/spaces/" + spaceID, map[string]any{"capacity": 44}, map[string]any{"capacity": -1}},
		} {
			t.Run(strings.Split(tt.path, "/")[2], func(t *testing.T) {
				status, etag, body := fetch(t, tt.docPath, tt.path, nil)
				if status != http.StatusOK || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
					t.Fatalf("GET: got %d with ETag %q, want 200 with a strong ETag", status, etag)
				}

				for _, c := range []struct {
					ifNoneMatch string
					want        int
				}{
					{etag, http.StatusNotModified},
					{"W/" + etag, http.StatusNotModified},
					{`"other", ` + etag, http.StatusNotModified},
					{"*", http.StatusNotModified},
					{`"other"`, http.StatusOK},
					{etag + "x", http.StatusOK}, // malformed: ignored
				} {
					got, gotTag, raw := fetch(t, tt.docPath, tt.path, map[string]string{"If-None-Match": c.ifNoneMatch})
					if got != c.want || gotTag != etag {
						t.Errorf("GET If-None-Match %s: got %d with ETag %q, want %d with %q", c.ifNoneMatch, got, gotTag, c.want, etag)
					}
					if c.want == http.StatusNotModified && len(raw) > 0 {
						t.Errorf("GET If-None-Match %s: 304 with a body %s", c.ifNoneMatch, raw)
					}
				}

				// A stale tag, a weak one, or none of the right ones: 412,
				// even for a body that would not validate, and nothing
				// is written.
				for _, ifMatch := range []string{`"stale"`, "W/" + etag, `"stale", W/` + etag} {
					for _, b := range []map[string]any{tt.patch, tt.bad} {
						got, _, raw := write(t, "PATCH", tt.docPath, tt.path, ifMatch, b)
						if got != http.StatusPreconditionFailed {
							t.Errorf("PATCH If-Match %s %v: got %d, want 412; body %s", ifMatch, b, got, raw)
							continue
						}
						if p := problem(t, decode(t, "412", raw)); p.Type != "/problems/precondition-failed" {
							t.Errorf("PATCH If-Match %s: problem type %q, want /problems/precondition-failed", ifMatch, p.Type)
						}
					}
				}
				if got, gotTag, raw := write(t, "DELETE", tt.docPath, tt.path, `"stale"`, nil); got != http.StatusPreconditionFailed || gotTag != "" {
					t.Errorf("DELETE If-Match stale: got %d with ETag %q, want 412 without; body %s", got, gotTag, raw)
				}
				if _, after, raw := fetch(t, tt.docPath, tt.path, nil); after != etag || !bytes.Equal(raw, body) {
					t.Errorf("after refused writes: ETag %q, body %s; want unchanged %q, %s", after, raw, etag, body)
				}

				if got, _, raw := write(t, "PATCH", tt.docPath, tt.path, `"unquoted`, tt.patch); got != http.StatusBadRequest {
					t.Errorf("PATCH with a malformed If-Match: got %d, want 400; body %s", got, raw)
				}

				// The current tag, among others: 200 with a new tag, the
				// one a GET then gives.
				got, patched, raw := write(t, "PATCH", tt.docPath, tt.path, `"other", `+etag, tt.patch)
				if got != http.StatusOK || patched == "" || patched == etag {
					t.Fatalf("PATCH If-Match current: got %d with ETag %q (before %q), want 200 with a new one; body %s", got, patched, etag, raw)
				}
				if _, now, _ := fetch(t, tt.docPath, tt.path, nil); now != patched {
					t.Errorf("GET after PATCH: ETag %q, want the PATCH's %q", now, patched)
				}
				if got, _, _ := write(t, "PATCH", tt.docPath, tt.path, etag, tt.patch); got != http.StatusPreconditionFailed {
					t.Errorf("PATCH If-Match with the tag from before the PATCH: got %d, want 412", got)
				}
				if got, starred, _ := write(t, "PATCH", tt.docPath, tt.path, "*", tt.patch); got != http.StatusOK || starred == "" {
					t.Errorf("PATCH If-Match *: got %d with ETag %q, want 200 with one", got, starred)
				}
				if got, plain, _ := write(t, "PATCH", tt.docPath, tt.path, "", tt.patch); got != http.StatusOK || plain == "" {
					t.Errorf("PATCH without If-Match: got %d with ETag %q, want 200 with one", got, plain)
				}
			})
		}

		// An organisation's tag follows its offers and needs, and differs
		// for callers shown different answers (contact details).
		_, before, _ := fetch(t, "/v1/organisations/{id}", "/v1/organisations/"+orgID, nil)
		status, _, m := s.do(t, "POST", "/v1/organisations/"+orgID+"/offers", token,
			map[string]any{"category": "skill.youth-work", "description": "youth club", "hours_per_month": 2})
		wantStatus(t, "add offer", status, http.StatusCreated, m)
		_, after, _ := fetch(t, "/v1/organisations/{id}", "/v1/organisations/"+orgID, nil)
		if after == before {
			t.Errorf("organisation ETag %q did not change when an offer was added", after)
		}
		_, h, _ := s.send(t, request{method: "GET", path: "/v1/organisations/" + orgID})
		if anon := h.Get("ETag"); anon == "" || anon == after {
			t.Errorf("anonymous GET: ETag %q, want one of its own (the owner's is %q)", anon, after)
		}

		// A delete with the current tag goes ahead, in reverse order of
		// ownership.
		for _, c := range []struct{ docPath, path string }{
			{"/v1/spaces/{id}", "/v1/spaces/" + spaceID},
			{"/v1/venues/{id}", "/v1/venues/" + venueID},
			{"/v1/organisations/{id}", "/v1/organisations/" + orgID},
		} {
			_, etag, _ := fetch(t, c.docPath, c.path, nil)
			if got, _, raw := write(t, "DELETE", c.docPath, c.path, etag, nil); got != http.StatusNoContent {
				t.Errorf("DELETE %s If-Match current: got %d, want 204; body %s", c.path, got, raw)
			}
		}
	})
}

// checkDocumentedHeaders fails t unless openapi.json declares the answer's
// status for method path, and, when the answer carries an ETag, declares
// that header for it.
func checkDocumentedHeaders(t *testing.T, doc map[string]any, method, path string, status int, h http.Header) {
	t.Helper()
	item, _ := doc["paths"].(map[string]any)[path].(map[string]any)
	o, _ := item[strings.ToLower(method)].(map[string]any)
	responses, _ := o["responses"].(map[string]any)
	r, ok := responses[fmt.Sprint(status)]
	if !ok {
		t.Errorf("%s %s: status %d is not documented", method, path, status)
		return
	}
	if h.Get("ETag") == "" {
		return
	}
	headers, _ := oaDeref(t, doc, r)["headers"].(map[string]any)
	if _, ok := headers["ETag"]; !ok {
		t.Errorf("%s %s: answer %d carries an ETag, which the document does not declare", method, path, status)
	}
}
