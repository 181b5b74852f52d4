package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
)

// inbox is a page of GET /v1/notifications.
type inbox struct {
	Items      []api.Notification `json:"items"`
	NextCursor *string            `json:"next_cursor"`
}

// messages is a page of GET …/messages.
type messages struct {
	Items      []api.Message `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

// inboxOf reads path (GET /v1/notifications…) with token.
func (s *server) inboxOf(t *testing.T, path, token string) (inbox, http.Header) {
	t.Helper()
	status, h, m := s.do(t, "GET", path, token, nil)
	wantStatus(t, "GET "+path, status, http.StatusOK, m)
	return as[inbox](t, m), h
}

func TestInbox(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		b := newBookable(t, s, false)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, one("2027-01-04T10:00:00Z", "2027-01-04T11:00:00Z"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		bookingID := bookingOf(t, raw).Booking.ID

		got, h := s.inboxOf(t, "/v1/notifications", b.ownerToken)
		if len(got.Items) != 1 || got.NextCursor != nil {
			t.Fatalf("owner's inbox: got %+v, want one item and no next page", got)
		}
		n := got.Items[0]
		if n.Event != "booking.requested" || n.ReadAt != nil || n.Subject != (api.Subject{Type: "booking", ID: bookingID}) {
			t.Errorf("got %+v, want an unread booking.requested about booking %s", n, bookingID)
		}
		if want := "Fen Dance asks to book Studio One for 1 session."; n.Summary != want {
			t.Errorf("summary: got %q, want %q", n.Summary, want)
		}
		if cc := h.Get("Cache-Control"); cc != "private, no-cache" {
			t.Errorf("Cache-Control: got %q, want private, no-cache", cc)
		}
		etag := h.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		status, _, _ = s.send(t, request{method: "GET", path: "/v1/notifications", token: b.ownerToken, header: map[string]string{"If-None-Match": etag}})
		if status != http.StatusNotModified {
			t.Errorf("If-None-Match: got %d, want 304", status)
		}
		if mine, _ := s.inboxOf(t, "/v1/notifications", b.bookerToken); len(mine.Items) != 0 {
			t.Errorf("booker's inbox: got %d items, want none: it made the booking", len(mine.Items))
		}

		// Reading marks it, once; the inbox's ETag changes.
		status, _, m := s.do(t, "POST", "/v1/notifications/"+n.ID+"/read", b.ownerToken, nil)
		wantStatus(t, "read", status, http.StatusOK, m)
		read := as[api.Notification](t, m)
		if read.ReadAt == nil || read.ID != n.ID {
			t.Fatalf("read: got %+v, want read_at set", read)
		}
		status, _, m = s.do(t, "POST", "/v1/notifications/"+n.ID+"/read", b.ownerToken, nil)
		wantStatus(t, "read again", status, http.StatusOK, m)
		if again := as[api.Notification](t, m); again.ReadAt == nil || *again.ReadAt != *read.ReadAt {
			t.Errorf("read again: got read_at %v, want the first %s", again.ReadAt, *read.ReadAt)
		}
		if unread, _ := s.inboxOf(t, "/v1/notifications?unread=true", b.ownerToken); len(unread.Items) != 0 {
			t.Errorf("unread=true: got %d items, want none", len(unread.Items))
		}
		if all, h2 := s.inboxOf(t, "/v1/notifications?unread=false", b.ownerToken); len(all.Items) != 1 || all.Items[0].ReadAt == nil || h2.Get("ETag") == etag {
			t.Errorf("unread=false: got %+v (ETag %s, was %s), want the read item and a new ETag", all.Items, h2.Get("ETag"), etag)
		}

		// Not another organisation's, and not the operator's or nobody's.
		status, _, _ = s.do(t, "POST", "/v1/notifications/"+n.ID+"/read", b.bookerToken, nil)
		wantStatus(t, "another organisation reads it", status, http.StatusNotFound, nil)
		status, _, _ = s.do(t, "POST", "/v1/notifications/00000000-0000-7000-8000-000000000000/read", b.ownerToken, nil)
		wantStatus(t, "no such notification", status, http.StatusNotFound, nil)
		for _, tc := range []struct {
			method, path, token string
			want                int
		}{
			{"GET", "/v1/notifications", "", http.StatusUnauthorized},
			{"POST", "/v1/notifications/" + n.ID + "/read", "", http.StatusUnauthorized},
			{"GET", "/v1/notifications", adminToken, http.StatusBadRequest},
			{"POST", "/v1/notifications/" + n.ID + "/read", adminToken, http.StatusBadRequest},
			{"GET", "/v1/notifications?unread=yes", b.ownerToken, http.StatusBadRequest},
			{"GET", "/v1/notifications?colour=red", b.ownerToken, http.StatusBadRequest},
			{"GET", "/v1/notifications?cursor=nonsense", b.ownerToken, http.StatusBadRequest},
		} {
			status, _, m := s.do(t, tc.method, tc.path, tc.token, nil)
			wantStatus(t, fmt.Sprintf("%s %s (token %q)", tc.method, tc.path, tc.token), status, tc.want, m)
		}
	})
}

func TestInboxPaging(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		b := newBookable(t, s, true)
		var booked []string
		for i := range 5 {
			start := time.Date(2027, 1, 4+7*i, 10, 0, 0, 0, time.UTC) // Mondays
			status, _, raw := s.book(t, b.bookerToken, b.space.ID, one(start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339)), nil)
			wantStatus(t, "book", status, http.StatusCreated, string(raw))
			booked = append(booked, bookingOf(t, raw).Booking.ID)
		}
		var subjects []string
		path := "/v1/notifications?limit=2"
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			page, h := s.inboxOf(t, path, b.ownerToken)
			for _, n := range page.Items {
				if n.Event != "booking.confirmed" {
					t.Errorf("got %s, want booking.confirmed: an instant booking", n.Event)
				}
				subjects = append(subjects, n.Subject.ID)
			}
			if page.NextCursor == nil {
				if h.Get("Link") != "" {
					t.Errorf("last page: got Link %q, want none", h.Get("Link"))
				}
				break
			}
			if link := h.Get("Link"); !strings.Contains(link, `rel="next"`) || !strings.Contains(link, *page.NextCursor) {
				t.Errorf("Link: got %q, want the next page", link)
			}
			path = "/v1/notifications?limit=2&cursor=" + *page.NextCursor
		}
		want := []string{booked[4], booked[3], booked[2], booked[1], booked[0]} // newest first
		if strings.Join(subjects, ",") != strings.Join(want, ",") {
			t.Errorf("paged: got %v, want %v", subjects, want)
		}
		// A cursor of the unread list does not serve the whole list.
		page, _ := s.inboxOf(t, "/v1/notifications?limit=2&unread=true", b.ownerToken)
		status, _, _ := s.do(t, "GET", "/v1/notifications?limit=2&cursor="+*page.NextCursor, b.ownerToken, nil)
		wantStatus(t, "another query's cursor", status, http.StatusBadRequest, nil)
	})
}

func TestMessages(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		b := newBookable(t, s, false)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, one("2027-01-04T10:00:00Z", "2027-01-04T11:00:00Z"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		bookingID := bookingOf(t, raw).Booking.ID
		p := s.propose(t, b.bookerToken, partnershipBody(b.ownerID))
		_, thirdToken := s.registerAt(t, "Third Party", cLat-0.01, cLon)

		for _, tc := range []struct {
			subject, path, token, to string
		}{
			{"booking", "/v1/bookings/" + bookingID + "/messages", b.bookerToken, b.ownerToken},
			{"partnership", "/v1/partnerships/" + p.ID + "/messages", b.ownerToken, b.bookerToken},
		} {
			t.Run(tc.subject, func(t *testing.T) {
				status, h, m := s.do(t, "POST", tc.path, tc.token, map[string]any{"body": "  Can we start at 10:15?\n"})
				wantStatus(t, "post", status, http.StatusCreated, m)
				msg := as[api.Message](t, m)
				id := bookingID
				if tc.subject == "partnership" {
					id = p.ID
				}
				if msg.Body != "Can we start at 10:15?" || msg.Subject != (api.Subject{Type: tc.subject, ID: id}) || msg.AuthorName == "" || msg.ID == "" || msg.CreatedAt == "" {
					t.Errorf("got %+v, want the trimmed body about %s %s, signed", msg, tc.subject, id)
				}
				if h.Get("Location") == "" {
					t.Error("no Location")
				}
				// The other party reads it, and is told.
				status, h, m = s.do(t, "GET", tc.path, tc.to, nil)
				wantStatus(t, "list", status, http.StatusOK, m)
				if l := as[messages](t, m); len(l.Items) != 1 || l.Items[0] != msg {
					t.Errorf("list: got %+v, want the message", l.Items)
				}
				if cc := h.Get("Cache-Control"); cc != "private, no-cache" {
					t.Errorf("Cache-Control: got %q", cc)
				}
				told, _ := s.inboxOf(t, "/v1/notifications?unread=true", tc.to)
				if len(told.Items) == 0 || told.Items[0].Event != "message.posted" || !strings.HasSuffix(told.Items[0].Summary, ": Can we start at 10:15?") {
					t.Errorf("the other party's inbox: got %+v, want message.posted first", told.Items)
				}
				// The operator reads but does not post.
				status, _, m = s.do(t, "GET", tc.path, adminToken, nil)
				wantStatus(t, "operator reads", status, http.StatusOK, m)
				status, _, m = s.do(t, "POST", tc.path, adminToken, map[string]any{"body": "hello"})
				wantStatus(t, "operator posts", status, http.StatusForbidden, m)
				// Nobody else knows it exists, whatever the body.
				for _, body := range []any{map[string]any{"body": "hello"}, map[string]any{"body": ""}} {
					status, _, m = s.do(t, "POST", tc.path, thirdToken, body)
					wantStatus(t, "third party posts", status, http.StatusNotFound, m)
				}
				status, _, m = s.do(t, "GET", tc.path, thirdToken, nil)
				wantStatus(t, "third party reads", status, http.StatusNotFound, m)
				for _, method := range []string{"GET", "POST"} {
					status, _, m = s.do(t, method, tc.path, "", map[string]any{"body": "hello"})
					wantStatus(t, "anonymous "+method, status, http.StatusUnauthorized, m)
				}
			})
		}

		status, _, m := s.do(t, "POST", "/v1/bookings/00000000-0000-7000-8000-000000000000/messages", b.ownerToken, map[string]any{"body": "hello"})
		wantStatus(t, "no such booking", status, http.StatusNotFound, m)

		path := "/v1/bookings/" + bookingID + "/messages"
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"empty", `{"body": ""}`, "body"},
			{"blank", `{"body": " \n\t "}`, "body"},
			{"too long", map[string]any{"body": strings.Repeat("é", 5001)}, "body"},
			{"NUL", `{"body": "a\u0000b"}`, "body"},
			{"unknown field", `{"body": "hi", "subject": "x"}`, "subject"},
			{"wrong type", `{"body": 5}`, "body"},
			{"missing", `{}`, "body"},
			{"null", `{"body": null}`, "body"},
			{"not JSON", `body=hi`, ""},
			{"no body", "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, _, raw := s.send(t, request{method: "POST", path: path, token: b.bookerToken, body: tc.body})
				wantStatus(t, tc.name, status, http.StatusBadRequest, string(raw))
				if tc.field != "" {
					if _, ok := fieldMessage(problem(t, decode(t, tc.name, raw)), tc.field); !ok {
						t.Errorf("the problem does not name %s: %s", tc.field, raw)
					}
				}
			})
		}
		ok := strings.Repeat("é", 5000)
		status, _, m = s.do(t, "POST", path, b.bookerToken, map[string]any{"body": ok})
		wantStatus(t, "5000 characters", status, http.StatusCreated, m)

		// Oldest first, paged.
		for i := range 3 {
			status, _, m := s.do(t, "POST", path, b.ownerToken, map[string]any{"body": fmt.Sprintf("note %d", i)})
			wantStatus(t, "post", status, http.StatusCreated, m)
		}
		var bodies []string
		next := path + "?limit=2"
		for range 5 {
			page := as[messages](t, s.get(t, next, b.ownerToken))
			for _, msg := range page.Items {
				bodies = append(bodies, msg.Body[:min(len(msg.Body), 22)])
			}
			if page.NextCursor == nil {
				break
			}
			next = path + "?limit=2&cursor=" + *page.NextCursor
		}
		want := []string{"Can we start at 10:15?", strings.Repeat("é", 11), "note 0", "note 1", "note 2"}
		if strings.Join(bodies, "|") != strings.Join(want, "|") {
			t.Errorf("messages: got %q, want %q", bodies, want)
		}
	})
}
