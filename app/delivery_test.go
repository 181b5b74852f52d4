package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"commonground/app"
	"commonground/matching"
	"commonground/notify"
	"commonground/store/storetest"
)

// sink is an SMTP server on 127.0.0.1 keeping the recipients of what it
// accepts.
type sink struct {
	mu sync.Mutex
	to []string
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

func (s *sink) recipients() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.to)
}

type sinkSession struct {
	s  *sink
	to []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.to = append(ss.s.to, ss.to...)
	return nil
}

// TestNewDelivers wires the service with mail and webhooks as main does,
// makes a webhook through the API, and finds an event recorded in the
// database mailed and posted; Close then stops the deliveries before it
// closes the database.
func TestNewDelivers(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			mails := &sink{}
			srv := smtp.NewServer(mails)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(l)
			t.Cleanup(func() { srv.Close() })
			smtpCfg, err := notify.ParseSMTPURL("smtp://" + l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var posted []string // the events posted
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body struct{ Event string }
				json.NewDecoder(r.Body).Decode(&body)
				mu.Lock()
				posted = append(posted, body.Event)
				mu.Unlock()
			}))
			t.Cleanup(hook.Close)

			a, err := app.New(context.Background(), app.Config{DatabaseURL: storetest.URL(t, d), SMTP: &smtpCfg,
				MailFrom: "Hall <hall@example.org>", PublicURL: "https://commonground.test",
				WebhookRetryBase: 100 * time.Millisecond, WebhookAllowPrivate: true}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			closed := false
			defer func() {
				if !closed {
					a.Close()
				}
			}()

			code, body := do(t, a.Handler, "POST", "/v1/organisations", `{"name": "Wired Dance", "type": "arts",
				"location": {"lat": 52.2053, "lon": 0.1218}, "service_radius_km": 10}`)
			if code != http.StatusCreated {
				t.Fatalf("register: got %d %s", code, body)
			}
			var reg struct {
				Organisation struct{ ID string }
				Token        string
			}
			json.Unmarshal([]byte(body), &reg)
			req := httptest.NewRequest("POST", "/v1/organisations/"+reg.Organisation.ID+"/webhooks",
				strings.NewReader(`{"url": "`+hook.URL+`/events", "events": ["booking.requested"]}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+reg.Token)
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				t.Fatalf("POST a webhook to 127.0.0.1 with private addresses allowed: got %d %s", rec.Code, rec.Body)
			}
			storetest.InsertPerson(t, a.DB, reg.Organisation.ID, "ann@example.org", true)

			ev := matching.Event{Event: matching.EventBookingRequested, SubjectType: "booking", SubjectID: "b-1", Summary: "A booking was asked for"}
			if err := a.DB.RecordEvent(t.Context(), &ev, []string{reg.Organisation.ID}); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				mu.Lock()
				n := len(posted)
				mu.Unlock()
				if n == 1 && len(mails.recipients()) == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after 20s: %d webhook posts and mails to %v, want one of each", n, mails.recipients())
				}
				time.Sleep(50 * time.Millisecond)
			}
			if got := mails.recipients(); got[0] != "ann@example.org" {
				t.Errorf("mailed: got %v, want ann@example.org", got)
			}
			closed = true
			if err := a.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}
