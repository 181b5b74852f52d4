package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// verifyWebhook checks a delivery the way a receiver following the
// Standard Webhooks scheme would, written here independently of Sign.
func verifyWebhook(secret string, hdr http.Header, body []byte, now time.Time) error {
	enc, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return errors.New("secret lacks whsec_")
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return fmt.Errorf("secret: %v", err)
	}
	id, ts := hdr.Get("webhook-id"), hdr.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return errors.New("missing webhook-id or webhook-timestamp")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %v", ts, err)
	}
	if d := now.Sub(time.Unix(secs, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %d is %v off", secs, d)
	}
	h := hmac.New(sha256.New, key)
	io.WriteString(h, id+"."+ts+".")
	h.Write(body)
	want := h.Sum(nil)
	for _, sig := range strings.Split(hdr.Get("webhook-signature"), " ") {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid v1 signature")
}

// receiver is a webhook endpoint on 127.0.0.1 that verifies and records.
type receiver struct {
	*httptest.Server
	secret string

	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	errs    []error
}

func newReceiver(t *testing.T, secret string, status int) *receiver {
	t.Helper()
	r := &receiver{secret: secret}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		verr := verifyWebhook(r.secret, req.Header, body, time.Now())
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Clone())
		r.errs = append(r.errs, verr)
		r.mu.Unlock()
		if verr != nil {
			http.Error(w, verr.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(status)
		io.WriteString(w, strings.Repeat("x", 100<<10)) // more than Deliver reads
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func mustSecret(t *testing.T) (string, []byte) {
	t.Helper()
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return secret, key
}

func TestDeliverSignedPayload(t *testing.T) {
	secret, key := mustSecret(t)
	rcv := newReceiver(t, secret, http.StatusNoContent)
	d := NewDeliverer(true)
	e := testEvent()
	msgID := DeliveryID(e.ID, "hook-1")
	now := time.Now()

	att, err := d.Deliver(context.Background(), rcv.URL+"/hooks", key, msgID, e, now)
	if err != nil {
		t.Fatalf("Deliver: %v (%+v)", err, att)
	}
	if att.Status != http.StatusNoContent || att.Error != "" || att.Duration <= 0 {
		t.Errorf("attempt = %+v, want status 204, no error, a duration", att)
	}
	if rcv.calls() != 1 {
		t.Fatalf("receiver called %d times, want 1", rcv.calls())
	}
	if rcv.errs[0] != nil {
		t.Fatalf("receiver's verification: %v", rcv.errs[0])
	}
	hdr := rcv.headers[0]
	for name, want := range map[string]string{
		"Content-Type":      "application/json",
		"User-Agent":        "CommonGround-Webhooks/1",
		"Webhook-Id":        msgID,
		"Webhook-Timestamp": strconv.FormatInt(now.Unix(), 10),
	} {
		if got := hdr.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	var body struct {
		ID        string          `json:"id"`
		Event     string          `json:"event"`
		CreatedAt string          `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(rcv.bodies[0], &body); err != nil {
		t.Fatalf("body %s: %v", rcv.bodies[0], err)
	}
	if body.ID != msgID || body.Event != "booking.requested" || body.CreatedAt != "2026-12-10T14:05:00Z" || string(body.Data) != `{"booking_id":"b-42"}` {
		t.Errorf("body = %s", rcv.bodies[0])
	}
}

func TestDeliverEmptyDataIsObject(t *testing.T) {
	secret, key := mustSecret(t)
	rcv := newReceiver(t, secret, http.StatusOK)
	e := testEvent()
	e.Data = nil
	if _, err := NewDeliverer(true).Deliver(context.Background(), rcv.URL, key, "msg_1", e, time.Now()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if !strings.Contains(string(rcv.bodies[0]), `"data":{}`) {
		t.Errorf("body = %s, want data {}", rcv.bodies[0])
	}
}

func TestDeliverVerifierRejects(t *testing.T) {
	secret, key := mustSecret(t)
	_, otherKey := mustSecret(t)
	rcv := newReceiver(t, secret, http.StatusOK)
	d := NewDeliverer(true)
	tests := []struct {
		name string
		key  []byte
		now  time.Time
	}{
		{"wrong key", otherKey, time.Now()},
		{"stale timestamp", key, time.Now().Add(-10 * time.Minute)},
		{"future timestamp", key, time.Now().Add(10 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			att, err := d.Deliver(context.Background(), rcv.URL, tt.key, "msg_1", testEvent(), tt.now)
			if err == nil || att.Status != http.StatusUnauthorized {
				t.Errorf("Deliver = %+v, %v; want a 401 failure", att, err)
			}
		})
	}
}

func TestDeliverFailures(t *testing.T) {
	_, key := mustSecret(t)
	e := testEvent()

	t.Run("500", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}))
		defer srv.Close()
		att, err := NewDeliverer(true).Deliver(context.Background(), srv.URL, key, "msg_1", e, time.Now())
		if err == nil || att.Status != 500 || att.Error == "" {
			t.Errorf("Deliver = %+v, %v; want an error with status 500", att, err)
		}
	})

	t.Run("redirect not followed", func(t *testing.T) {
		var followed atomic.Int32
		mux := http.NewServeMux()
		mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		})
		mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, _ *http.Request) { followed.Add(1) })
		srv := httptest.NewServer(mux)
		defer srv.Close()
		att, err := NewDeliverer(true).Deliver(context.Background(), srv.URL+"/hook", key, "msg_1", e, time.Now())
		if err == nil || att.Status != http.StatusTemporaryRedirect {
			t.Errorf("Deliver = %+v, %v; want an error with status 307", att, err)
		}
		if followed.Load() != 0 {
			t.Error("the redirect was followed")
		}
	})

	t.Run("receiver hangs", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		d := NewDeliverer(true, WithDeliveryTimeout(300*time.Millisecond))
		att, err := d.Deliver(context.Background(), srv.URL, key, "msg_1", e, time.Now())
		if err == nil || att.Status != 0 || att.Error == "" {
			t.Errorf("Deliver = %+v, %v; want an error and no status", att, err)
		}
	})

	t.Run("data not JSON", func(t *testing.T) {
		bad := e
		bad.Data = []byte(`{"a":`)
		if _, err := NewDeliverer(true).Deliver(context.Background(), "https://hooks.example.org", key, "msg_1", bad, time.Now()); err == nil {
			t.Error("Deliver with broken data: no error")
		}
	})

	t.Run("bad URL", func(t *testing.T) {
		_, err := NewDeliverer(true).Deliver(context.Background(), "ftp://hooks.example.org", key, "msg_1", e, time.Now())
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("Deliver = %v, want ErrBadURL", err)
		}
	})
}

func TestDelivererRefusesPrivateAtConnect(t *testing.T) {
	secret, key := mustSecret(t)
	rcv := newReceiver(t, secret, http.StatusOK)
	for _, url := range []string{rcv.URL, strings.Replace(rcv.URL, "127.0.0.1", "localhost", 1)} {
		t.Run(url, func(t *testing.T) {
			att, err := NewDeliverer(false).Deliver(context.Background(), url, key, "msg_1", testEvent(), time.Now())
			if !errors.Is(err, ErrPrivateAddress) {
				t.Errorf("Deliver = %v, want ErrPrivateAddress", err)
			}
			if att.Status != 0 || att.Error == "" {
				t.Errorf("attempt = %+v, want no status and an error", att)
			}
		})
	}
	if n := rcv.calls(); n != 0 {
		t.Errorf("receiver was reached %d times, want 0", n)
	}
	if _, err := NewDeliverer(true).Deliver(context.Background(), rcv.URL, key, "msg_1", testEvent(), time.Now()); err != nil {
		t.Errorf("with private addresses allowed: %v", err)
	}
}

func TestSecrets(t *testing.T) {
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "whsec_") || len(s) != len("whsec_")+44 {
		t.Errorf("NewSecret() = %q, want whsec_ and 44 base64 characters", s)
	}
	key, err := ParseSecret(s)
	if err != nil || len(key) != 32 {
		t.Errorf("ParseSecret(NewSecret()) = %d bytes, %v; want 32 bytes", len(key), err)
	}
	if s2, _ := NewSecret(); s2 == s {
		t.Error("two secrets are the same")
	}
	b24 := base64.StdEncoding.EncodeToString(make([]byte, 24))
	b23 := base64.StdEncoding.EncodeToString(make([]byte, 23))
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"whsec_" + b24, true},
		{"whsec_" + b23, false},
		{b24, false},
		{"whsec_", false},
		{"whsec_!!!!" + b24, false},
		{"whsec_" + strings.TrimRight(base64.StdEncoding.EncodeToString(make([]byte, 32)), "="), false},
		{"WHSEC_" + b24, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSecret(tt.in)
			if (err == nil) != tt.ok {
				t.Errorf("ParseSecret(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
		})
	}
}

func TestSignMatchesIndependentVerifier(t *testing.T) {
	secret, key := mustSecret(t)
	now := time.Now()
	body := []byte(`{"id":"msg_1"}`)
	hdr := http.Header{}
	hdr.Set("webhook-id", "msg_1")
	hdr.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	// A receiver must accept any one valid signature among several.
	hdr.Set("webhook-signature", "v1,AAAA "+Sign(key, "msg_1", now, body))
	if err := verifyWebhook(secret, hdr, body, now); err != nil {
		t.Errorf("verify: %v", err)
	}
	if err := verifyWebhook(secret, hdr, []byte(`{"id":"msg_2"}`), now); err == nil {
		t.Error("a changed body verified")
	}
}

func TestDeliveryIDStable(t *testing.T) {
	a, b := DeliveryID("ev-1", "hook-1"), DeliveryID("ev-1", "hook-1")
	if a != b || !strings.HasPrefix(a, "msg_") {
		t.Errorf("DeliveryID = %q then %q, want one stable msg_ id", a, b)
	}
	if DeliveryID("ev-1", "hook-2") == a || DeliveryID("ev-2", "hook-1") == a {
		t.Error("different event or hook gave the same id")
	}
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		attempt int
		base    time.Duration
		want    time.Duration
	}{
		{1, 5 * time.Second, 5 * time.Second},
		{2, 5 * time.Second, 10 * time.Second},
		{3, 5 * time.Second, 20 * time.Second},
		{10, 5 * time.Second, 2560 * time.Second},
		{11, 5 * time.Second, time.Hour},
		{1000, 5 * time.Second, time.Hour},
		{1, 0, 5 * time.Second},
		{2, -time.Second, 10 * time.Second},
		{0, time.Second, time.Second},
		{3, 2 * time.Hour, time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%v", tt.attempt, tt.base), func(t *testing.T) {
			if got := RetryDelay(tt.attempt, tt.base); got != tt.want {
				t.Errorf("RetryDelay(%d, %v) = %v, want %v", tt.attempt, tt.base, got, tt.want)
			}
		})
	}
}

func TestAttemptsForCoversSpan(t *testing.T) {
	for _, base := range []time.Duration{0, 5 * time.Second, time.Second, time.Minute} {
		t.Run(base.String(), func(t *testing.T) {
			n := AttemptsFor(base, 24*time.Hour)
			var waits time.Duration
			for i := 1; i < n; i++ {
				waits += RetryDelay(i, base)
			}
			if waits < 24*time.Hour {
				t.Errorf("%d attempts wait %v in all, want at least 24h", n, waits)
			}
			if short := waits - RetryDelay(n-1, base); short >= 24*time.Hour {
				t.Errorf("%d attempts is more than needed: %d already wait %v", n, n-1, short)
			}
		})
	}
	if got := AttemptsFor(5*time.Second, 24*time.Hour); got != 34 {
		t.Errorf("AttemptsFor(5s, 24h) = %d, want 34", got)
	}
	if got := AttemptsFor(5*time.Second, 0); got != 1 {
		t.Errorf("AttemptsFor(5s, 0) = %d, want 1", got)
	}
}
