package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// publicHook is a public address: making a webhook sends nothing to it.
const publicHook = "https://1.1.1.1/hooks/common-ground"

func TestWebhooksAPI(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Hooked Dance", cLat, cLon)
		hooks := "/v1/organisations/" + orgID + "/webhooks"

		status, h, m := s.do(t, "POST", hooks, token, map[string]any{"url": publicHook,
			"events": []string{matching.EventBookingRequested, matching.EventMessagePosted, matching.EventBookingRequested}})
		wantStatus(t, "POST webhooks", status, http.StatusCreated, m)
		created := as[api.WebhookCreated](t, m)
		if !strings.HasPrefix(created.Secret, "whsec_") || len(created.Secret) < 30 {
			t.Errorf("secret: got %q, want whsec_ and base64", created.Secret)
		}
		if want := []string{matching.EventBookingRequested, matching.EventMessagePosted}; !slices.Equal(created.Events, want) {
			t.Errorf("events: got %v, want %v (each once)", created.Events, want)
		}
		if created.URL != publicHook || created.ID == "" || created.CreatedAt == "" {
			t.Errorf("created: got %+v", created)
		}
		if cc := h.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control of the answer with the secret: got %q, want no-store", cc)
		}
		stored, err := db.GetWebhook(t.Context(), orgID, created.ID)
		if err != nil || stored.Secret != created.Secret {
			t.Errorf("stored webhook: got %+v, %v, want the secret shown", stored, err)
		}

		status, _, m = s.do(t, "POST", hooks, token, map[string]any{"url": publicHook + "/all"})
		wantStatus(t, "POST webhooks, every event", status, http.StatusCreated, m)
		all := as[api.WebhookCreated](t, m)
		if all.Events == nil || len(all.Events) != 0 {
			t.Errorf("events of a webhook for every event: got %v, want []", all.Events)
		}

		status, h, raw := s.send(t, request{method: "GET", path: hooks, token: token})
		wantStatus(t, "GET webhooks", status, http.StatusOK, string(raw))
		if strings.Contains(string(raw), "secret") || strings.Contains(string(raw), "whsec_") {
			t.Errorf("the list shows a secret: %s", raw)
		}
		listed := as[struct {
			Items      []api.Webhook `json:"items"`
			NextCursor *string       `json:"next_cursor"`
		}](t, decode(t, "GET webhooks", raw))
		if got := []string{listed.Items[0].ID, listed.Items[1].ID}; len(listed.Items) != 2 || !slices.Equal(got, []string{created.ID, all.ID}) {
			t.Errorf("listed: got %+v, want the two, oldest first", listed.Items)
		}
		etag := h.Get("ETag")
		if status, _, _ := s.send(t, request{method: "GET", path: hooks, token: token, header: map[string]string{"If-None-Match": etag}}); etag == "" || status != http.StatusNotModified {
			t.Errorf("GET with If-None-Match of its ETag %q: got %d, want 304", etag, status)
		}
		if status, _, raw := s.send(t, request{method: "HEAD", path: hooks, token: token}); status != http.StatusOK || len(raw) != 0 {
			t.Errorf("HEAD webhooks: got %d with %d bytes, want 200 and no body", status, len(raw))
		}

		status, _, raw = s.send(t, request{method: "DELETE", path: hooks + "/" + all.ID, token: token})
		wantStatus(t, "DELETE webhook", status, http.StatusNoContent, string(raw))
		status, _, raw = s.send(t, request{method: "DELETE", path: hooks + "/" + all.ID, token: token})
		wantStatus(t, "DELETE webhook again", status, http.StatusNotFound, string(raw))
		if got, _ := db.ListWebhooks(t.Context(), orgID); len(got) != 1 {
			t.Errorf("webhooks after delete: got %d, want 1", len(got))
		}
	})
}

func TestWebhookRefusals(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Careful Dance", cLat, cLon)
		hooks := "/v1/organisations/" + orgID + "/webhooks"
		for _, tc := range []struct {
			name  string
			body  any
			field string // the field named, "" for none
			says  string // in the field's message or the detail
		}{
			{"loopback", map[string]any{"url": "http://127.0.0.1:8080/hook"}, "url", "loopback"},
			{"private", map[string]any{"url": "https://10.1.2.3/hook"}, "url", "private"},
			{"localhost", map[string]any{"url": "http://localhost/hook"}, "url", "this machine"},
			{"not http", map[string]any{"url": "ftp://1.1.1.1/hook"}, "url", "http"},
			{"no host", map[string]any{"url": "https:///hook"}, "url", "host"},
			{"with password", map[string]any{"url": "https://me:pw@1.1.1.1/hook"}, "url", "password"},
			{"no url", map[string]any{"events": []string{matching.EventBookingRequested}}, "url", "required"},
			{"unknown event", map[string]any{"url": publicHook, "events": []string{matching.EventBookingRequested, "booking.exploded"}}, "events[1]", "booking.exploded"},
			{"unknown field", map[string]any{"url": publicHook, "secret": "mine"}, "", "secret"},
			{"events not a list", map[string]any{"url": publicHook, "events": "booking.requested"}, "", "events"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, _, m := s.do(t, "POST", hooks, token, tc.body)
				wantStatus(t, "POST", status, http.StatusBadRequest, m)
				p := problem(t, m)
				text := p.Detail
				if tc.field != "" {
					msg, ok := fieldMessage(p, tc.field)
					if !ok {
						t.Fatalf("problem names fields %v, want %s", fieldNames(p), tc.field)
					}
					text = msg
				}
				if !strings.Contains(strings.ToLower(text), tc.says) {
					t.Errorf("got %q, want it to say %q", text, tc.says)
				}
			})
		}
		if got, _ := db.ListWebhooks(t.Context(), orgID); len(got) != 0 {
			t.Errorf("webhooks after refusals: got %d, want none", len(got))
		}
	})
}

func TestWebhooksAccess(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		a, tokenA := s.registerAt(t, "Access A", cLat, cLon)
		b, tokenB := s.registerAt(t, "Access B", cLat, cLon)
		status, _, m := s.do(t, "POST", "/v1/organisations/"+b+"/webhooks", tokenB, map[string]any{"url": publicHook})
		wantStatus(t, "POST B's webhook", status, http.StatusCreated, m)
		hookB := m["id"].(string)

		aHooks := "/v1/organisations/" + a + "/webhooks"
		for _, tc := range []struct {
			method, path, token string
			body                any
			want                int
		}{
			{"POST", aHooks, "", map[string]any{"url": publicHook}, http.StatusUnauthorized},
			{"GET", aHooks, "", nil, http.StatusUnauthorized},
			{"POST", aHooks, tokenB, map[string]any{"url": publicHook}, http.StatusForbidden},
			{"GET", aHooks, tokenB, nil, http.StatusForbidden},
			{"DELETE", "/v1/organisations/" + a + "/webhooks/" + hookB, tokenB, nil, http.StatusForbidden},
			{"GET", "/v1/organisations/" + a + "/webhooks/" + hookB + "/deliveries", tokenB, nil, http.StatusForbidden},
			// B's webhook seen from A: no such webhook of A's.
			{"DELETE", "/v1/organisations/" + a + "/webhooks/" + hookB, tokenA, nil, http.StatusNotFound},
			{"GET", "/v1/organisations/" + a + "/webhooks/" + hookB + "/deliveries", tokenA, nil, http.StatusNotFound},
			{"GET", "/v1/organisations/" + uuid.NewString() + "/webhooks", adminToken, nil, http.StatusNotFound},
			{"GET", aHooks, adminToken, nil, http.StatusOK},
		} {
			status, _, raw := s.send(t, request{method: tc.method, path: tc.path, token: tc.token, body: tc.body})
			if status != tc.want {
				t.Errorf("%s %s (token %t): got %d, want %d: %s", tc.method, tc.path, tc.token != "", status, tc.want, raw)
			}
		}
		if _, err := db.GetWebhook(t.Context(), b, hookB); err != nil {
			t.Errorf("B's webhook after A's attempts: %v", err)
		}
		if got, _ := db.ListWebhooks(t.Context(), a); len(got) != 0 {
			t.Errorf("A's webhooks: got %d, want none", len(got))
		}
	})
}

func TestWebhookDeliveriesAPI(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Delivered Dance", cLat, cLon)
		hooks := "/v1/organisations/" + orgID + "/webhooks"
		status, _, m := s.do(t, "POST", hooks, token, map[string]any{"url": publicHook})
		wantStatus(t, "POST webhook", status, http.StatusCreated, m)
		hookID := m["id"].(string)
		at := time.Date(2027, 1, 5, 18, 0, 0, 0, time.UTC)
		var want []string
		for i := 1; i <= 3; i++ {
			d := matching.WebhookDelivery{ID: uuid.NewString(), WebhookID: hookID, EventID: "ev-1", MessageID: "msg_1",
				Event: matching.EventBookingRequested, Attempt: i, Status: 503, Error: "receiver answered with 503 Service Unavailable",
				Duration: 15 * time.Millisecond, AttemptedAt: at.Add(time.Duration(i) * 250 * time.Millisecond)}
			if i == 3 {
				d.Status, d.Error = 200, ""
			}
			if err := db.RecordDelivery(t.Context(), &d); err != nil {
				t.Fatal(err)
			}
			want = append([]string{d.ID}, want...)
		}
		path := hooks + "/" + hookID + "/deliveries"
		status, h, raw := s.send(t, request{method: "GET", path: path + "?limit=2", token: token})
		wantStatus(t, "GET deliveries", status, http.StatusOK, string(raw))
		type page struct {
			Items      []api.WebhookDelivery `json:"items"`
			NextCursor *string               `json:"next_cursor"`
		}
		first := as[page](t, decode(t, "deliveries", raw))
		if len(first.Items) != 2 || first.NextCursor == nil {
			t.Fatalf("first page: got %d items, cursor %v; want 2 and a cursor", len(first.Items), first.NextCursor)
		}
		if link := h.Get("Link"); !strings.Contains(link, `rel="next"`) {
			t.Errorf("Link: got %q, want a next link", link)
		}
		newest := first.Items[0]
		if wantNewest := (api.WebhookDelivery{ID: want[0], EventID: "ev-1", WebhookID: hookID, MessageID: "msg_1",
			Event: matching.EventBookingRequested, Attempt: 3, Status: 200, DurationMs: 15,
			AttemptedAt: "2027-01-05T18:00:00.750Z"}); newest != wantNewest {
			t.Errorf("newest delivery:\ngot  %+v\nwant %+v", newest, wantNewest)
		}
		_, _, m = s.do(t, "GET", path+"?limit=2&cursor="+*first.NextCursor, token, nil)
		second := as[page](t, m)
		var got []string
		for _, d := range append(first.Items, second.Items...) {
			got = append(got, d.ID)
		}
		if !slices.Equal(got, want) || second.NextCursor != nil {
			t.Errorf("deliveries over two pages: got %v (cursor %v), want %v newest first and no cursor", got, second.NextCursor, want)
		}
		if status, _, raw := s.send(t, request{method: "HEAD", path: path, token: token}); status != http.StatusOK || len(raw) != 0 {
			t.Errorf("HEAD deliveries: got %d with %d bytes, want 200 and no body", status, len(raw))
		}
		status, _, m = s.do(t, "GET", hooks+"/"+uuid.NewString()+"/deliveries", token, nil)
		wantStatus(t, "GET deliveries of no webhook", status, http.StatusNotFound, m)
	})
}

// TestPrivateWebhooksAllowed makes a webhook for a loopback address on a
// router told to allow them, as COMMONGROUND_WEBHOOK_ALLOW_PRIVATE does.
func TestPrivateWebhooksAllowed(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := newServer(t, db) // registers the organisation
	orgID, token := s.registerAt(t, "Local Dance", cLat, cLon)
	h := api.NewRouter(api.Config{Store: db, Taxonomy: seed.Taxonomy(), Logger: slog.New(slog.DiscardHandler),
		AllowPrivateWebhooks: true})
	req := httptest.NewRequest("POST", "/v1/organisations/"+orgID+"/webhooks", strings.NewReader(`{"url": "http://127.0.0.1:9000/hook"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST a loopback webhook with private addresses allowed: got %d, want 201: %s", rec.Code, rec.Body)
	}
}

// TestOpenAPIWebhookResponses checks the webhooks routes' answers against
// the schemas openapi.json gives them.
func TestOpenAPIWebhookResponses(t *testing.T) {
	doc := openAPIDoc(t)
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		check := func(docPath string, want int, r request) map[string]any {
			t.Helper()
			status, h, raw := s.send(t, r)
			what := r.method + " " + r.path
			if status != want {
				t.Fatalf("%s: got status %d, want %d; body %s", what, status, want, raw)
			}
			schema := documentedSchema(t, doc, r.method, docPath, status, h.Get("Content-Type"))
			v := decode(t, what, raw)
			oaCheckDeclared(t, doc, what, "$", schema, any(v))
			return v
		}
		orgID, token := s.registerAt(t, "Documented Dance", cLat, cLon)
		hooks := "/v1/organisations/" + orgID + "/webhooks"
		const doc1, doc2, doc3 = "/v1/organisations/{id}/webhooks", "/v1/organisations/{id}/webhooks/{hook_id}", "/v1/organisations/{id}/webhooks/{hook_id}/deliveries"
		m := check(doc1, 201, request{method: "POST", path: hooks, token: token, body: map[string]any{"url": publicHook, "events": []string{"message.posted"}}})
		hookID := m["id"].(string)
		d := matching.WebhookDelivery{ID: uuid.NewString(), WebhookID: hookID, EventID: "ev", MessageID: "msg_1", Event: "message.posted", Attempt: 1, Status: 503, Error: "answered 503"}
		if err := db.RecordDelivery(t.Context(), &d); err != nil {
			t.Fatal(err)
		}
		check(doc1, 200, request{method: "GET", path: hooks, token: token})
		check(doc3, 200, request{method: "GET", path: hooks + "/" + hookID + "/deliveries", token: token})
		check(doc1, 400, request{method: "POST", path: hooks, token: token, body: map[string]any{"url": "http://10.0.0.1/"}})
		check(doc1, 403, request{method: "GET", path: hooks, token: s.otherToken(t)})
		check(doc3, 404, request{method: "GET", path: hooks + "/" + uuid.NewString() + "/deliveries", token: token})
		check(doc2, 404, request{method: "DELETE", path: hooks + "/" + uuid.NewString(), token: token})
	})
}

// otherToken registers another organisation and returns its token.
func (s *server) otherToken(t *testing.T) string {
	t.Helper()
	_, token := s.registerAt(t, "Other Dance "+uuid.NewString()[:8], cLat, cLon)
	return token
}

func TestWebhooksLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := newServer(t, db)
	orgID, token := s.registerAt(t, "Busy Dance", cLat, cLon)
	hooks := "/v1/organisations/" + orgID + "/webhooks"
	for i := range api.MaxWebhooks {
		status, _, m := s.do(t, "POST", hooks, token, map[string]any{"url": publicHook + "/" + strconv.Itoa(i)})
		wantStatus(t, "POST webhook "+strconv.Itoa(i+1), status, http.StatusCreated, m)
	}
	status, _, m := s.do(t, "POST", hooks, token, map[string]any{"url": publicHook + "/one-too-many"})
	wantStatus(t, "POST one webhook too many", status, http.StatusConflict, m)
	if p := problem(t, m); !strings.Contains(p.Detail, strconv.Itoa(api.MaxWebhooks)) {
		t.Errorf("detail: got %q, want it to give the limit", p.Detail)
	}
}
