package delivery_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"commonground/delivery"
	"commonground/geo"
	"commonground/matching"
	"commonground/notify"
	"commonground/store"
)

// waitFor polls cond until it holds, failing t when it does not within
// limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createOrg saves an organisation named name.
func createOrg(t *testing.T, db *store.DB, name string) string {
	t.Helper()
	o := matching.Organisation{ID: uuid.NewString(), Name: name, Type: matching.OrgArts,
		Location: geo.MustPoint(52.2, 0.12), ServiceRadiusKm: 10, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := db.CreateOrganisation(t.Context(), &o, ""); err != nil {
		t.Fatalf("CreateOrganisation: %v", err)
	}
	return o.ID
}

// createHook saves a webhook of orgID posting to url, for events (every
// event when none).
func createHook(t *testing.T, db *store.DB, orgID, url string, events ...string) matching.Webhook {
	t.Helper()
	secret, err := notify.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	w := matching.Webhook{ID: uuid.NewString(), OrganisationID: orgID, URL: url, Events: events, Secret: secret}
	if err := db.CreateWebhook(t.Context(), &w); err != nil {
		t.Fatalf("CreateWebhook: %v", err)
	}
	return w
}

// record keeps an event of kind event for the organisations orgs, with its
// delivery job, as a write that causes it does.
func record(t *testing.T, db *store.DB, event, summary string, orgs ...string) matching.Event {
	t.Helper()
	ev := matching.Event{Event: event, SubjectType: "booking", SubjectID: uuid.NewString(), Summary: summary,
		Data: []byte(`{"note":"` + summary + `"}`)}
	if err := db.RecordEvent(t.Context(), &ev, orgs); err != nil {
		t.Fatalf("RecordEvent: %v", err)
	}
	return ev
}

// testConfig is a service configuration for tests: quick polling and
// retries, webhooks to 127.0.0.1 allowed.
func testConfig(mailer *notify.Mailer) delivery.Config {
	return delivery.Config{Mailer: mailer, PublicURL: "https://commonground.test", WebhookRetryBase: 50 * time.Millisecond,
		EmailRetryBase: 50 * time.Millisecond, AllowPrivate: true, PollInterval: 50 * time.Millisecond, Workers: 4,
		Logger: slog.New(slog.DiscardHandler)}
}

// start starts a delivery service on db, stopped when t ends.
func start(t *testing.T, db *store.DB, cfg delivery.Config) *delivery.Service {
	t.Helper()
	s, err := delivery.New(db, cfg)
	if err != nil {
		t.Fatalf("delivery.New: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return s
}

// openJobs counts the jobs not yet finished (completed, cancelled or
// discarded).
func openJobs(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.Gorm().Raw("SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')").Scan(&n).Error
	if err != nil {
		t.Fatalf("count open jobs: %v", err)
	}
	return n
}

// jobStates lists the states of the jobs of kind.
func jobStates(t *testing.T, db *store.DB, kind string) []string {
	t.Helper()
	var states []string
	if err := db.Gorm().Raw("SELECT state FROM river_job WHERE kind = ? ORDER BY id", kind).Scan(&states).Error; err != nil {
		t.Fatalf("job states: %v", err)
	}
	return states
}

// received is one message the test SMTP server accepted.
type received struct {
	To      string
	Subject string
	Body    string
}

// mailbox is a real SMTP server on 127.0.0.1 keeping what it accepts.
type mailbox struct {
	addr string
	srv  *smtp.Server

	mu    sync.Mutex
	mails []received
}

// listenSMTP starts a mailbox on addr ("127.0.0.1:0" for any port),
// closed when t ends.
func listenSMTP(t *testing.T, addr string) *mailbox {
	t.Helper()
	mb := &mailbox{}
	mb.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{mb: mb}, nil
	}))
	mb.srv.Domain = "mx.test"
	mb.srv.ReadTimeout, mb.srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("SMTP listen: %v", err)
	}
	mb.addr = l.Addr().String()
	go mb.srv.Serve(l)
	t.Cleanup(func() { mb.srv.Close(); l.Close() })
	return mb
}

// mailer sends through the mailbox at addr.
func mailer(t *testing.T, addr string) *notify.Mailer {
	t.Helper()
	cfg, err := notify.ParseSMTPURL("smtp://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	m, err := notify.NewMailer(cfg, "Common Ground <noreply@commonground.test>", notify.WithMailTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (mb *mailbox) received() []received {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]received(nil), mb.mails...)
}

// countTo counts the mails to each address.
func (mb *mailbox) countTo() map[string]int {
	n := map[string]int{}
	for _, m := range mb.received() {
		n[m.To]++
	}
	return n
}

type smtpSession struct {
	mb *mailbox
	to []string
}

// refused is the address the mailbox refuses for good.
const refused = "nobody@example.org"

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *smtpSession) Reset()        { s.to = nil }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	s.mb.mu.Lock()
	defer s.mb.mu.Unlock()
	for _, to := range s.to {
		s.mb.mails = append(s.mb.mails, received{To: to, Subject: subject, Body: string(raw)})
	}
	return nil
}

// hit is one request a receiver was sent.
type hit struct {
	ID, Timestamp string
	SignatureOK   bool
	Status        int
	Body          struct {
		ID        string          `json:"id"`
		Event     string          `json:"event"`
		CreatedAt string          `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}
}

// receiver is a real HTTP server on 127.0.0.1 taking webhook deliveries.
// It answers 503 to the first failFirst requests and 204 after; it
// checks each signature itself, by the Standard Webhooks scheme, against
// the secret it is given.
type receiver struct {
	srv *httptest.Server

	mu        sync.Mutex
	secret    string
	failFirst int
	hits      []hit
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	t.Helper()
	rc := &receiver{failFirst: failFirst}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

// setSecret is the secret signatures are checked against.
func (rc *receiver) setSecret(s string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret = s
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h := hit{ID: r.Header.Get("webhook-id"), Timestamp: r.Header.Get("webhook-timestamp")}
	_ = json.Unmarshal(body, &h.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	h.SignatureOK = r.Method == http.MethodPost && verify(rc.secret, h.ID, h.Timestamp, body, r.Header.Get("webhook-signature"))
	h.Status = http.StatusNoContent
	if len(rc.hits) < rc.failFirst {
		h.Status = http.StatusServiceUnavailable
	}
	rc.hits = append(rc.hits, h)
	w.WriteHeader(h.Status)
}

func (rc *receiver) received() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// delivered counts the successful deliveries per webhook-id.
func (rc *receiver) delivered() map[string]int {
	n := map[string]int{}
	for _, h := range rc.received() {
		if h.Status < 300 {
			n[h.ID]++
		}
	}
	return n
}

// verify checks a Standard Webhooks signature header (space-separated
// "v1,<base64>" entries) against HMAC-SHA256 of "id.timestamp.body" keyed
// with the base64 after "whsec_" in secret, and that the timestamp is
// within five minutes of now.
func verify(secret, id, timestamp string, body []byte, header string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") || id == "" {
		return false
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(header) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}
