package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// secretPrefix starts every webhook signing secret.
const secretPrefix = "whsec_"

// MinSecretBytes is the shortest decoded secret ParseSecret accepts.
const MinSecretBytes = 24

// NewSecret makes a signing secret to show once: "whsec_" and the standard
// base64 of 32 random bytes. It fails only when the system's random source
// does.
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// ParseSecret decodes a secret made by NewSecret (or any "whsec_" +
// standard base64 of at least 24 bytes) into the HMAC key. It returns an
// error for a missing prefix, bad base64 or a key shorter than 24 bytes.
func ParseSecret(s string) ([]byte, error) {
	if len(s) < len(secretPrefix) || s[:len(secretPrefix)] != secretPrefix {
		return nil, errors.New("webhook secret must start with whsec_")
	}
	if len(s) > 1024 {
		return nil, errors.New("webhook secret is too long")
	}
	enc := s[len(secretPrefix):]
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	// The decoder skips line breaks; a secret is one canonical string.
	if err != nil || base64.StdEncoding.EncodeToString(key) != enc {
		return nil, errors.New("webhook secret is not valid base64 after whsec_")
	}
	if len(key) < MinSecretBytes {
		return nil, fmt.Errorf("webhook secret is shorter than %d bytes", MinSecretBytes)
	}
	return key, nil
}

// Sign is the Standard Webhooks signature of one delivery: "v1," and the
// base64 HMAC-SHA256, keyed with key, of id "." unix-seconds "." body.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// DeliveryID derives a stable webhook-id for one event sent to one
// endpoint: the same pair always gives the same id, so every retry
// carries it, and two endpoints never share one.
func DeliveryID(eventID, hookID string) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + hookID))
	return "msg_" + hex.EncodeToString(sum[:16])
}

// UserAgent is sent with every delivery.
const UserAgent = "CommonGround-Webhooks/1"

// DefaultDeliveryTimeout is how long a delivery may take, connecting and
// reading the answer included.
const DefaultDeliveryTimeout = 10 * time.Second

// maxResponseBytes is how much of an answer is read (and thrown away).
const maxResponseBytes = 64 << 10

// Deliverer POSTs webhook deliveries. It is safe for concurrent use and
// keeps connections alive between deliveries.
type Deliverer struct {
	client *http.Client
}

// DelivererOption changes a Deliverer built by NewDeliverer.
type DelivererOption func(*http.Client)

// WithDeliveryTimeout replaces the 10 s limit on one delivery; values <= 0
// keep it.
func WithDeliveryTimeout(d time.Duration) DelivererOption {
	return func(c *http.Client) {
		if d > 0 {
			c.Timeout = d
		}
	}
}

// NewDeliverer builds a Deliverer. Unless allowPrivate, every address it
// connects to is checked as it connects, so a name that resolves (or is
// rebound) to a private address is refused whatever CheckURL said earlier.
// It ignores proxy settings and follows no redirects.
func NewDeliverer(allowPrivate bool, opts ...DelivererOption) *Deliverer {
	dialer := &net.Dialer{Timeout: DefaultDeliveryTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   DefaultDeliveryTimeout,
		ResponseHeaderTimeout: DefaultDeliveryTimeout,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   DefaultDeliveryTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	for _, o := range opts {
		o(client)
	}
	return &Deliverer{client: client}
}

// refusePrivate is the dialer's last word on every address it connects to.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return privateAddr("The webhook address %q could not be checked.", address)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return privateAddr("The webhook address %q could not be checked.", host)
	}
	if reason := nonPublic(addr); reason != "" {
		return privateAddr("The webhook URL led to %s, which is %s; webhooks go to public addresses only.", addr.Unmap(), reason)
	}
	return nil
}

// Attempt is what happened to one delivery, to record as the caller likes.
type Attempt struct {
	// Status is the HTTP status of the answer, 0 when there was none.
	Status int
	// Error says why the attempt failed, "" when it succeeded.
	Error string
	// Duration is how long the attempt took.
	Duration time.Duration
}

// payload is the JSON body of a delivery.
type payload struct {
	ID        string          `json:"id"`
	Event     string          `json:"event"`
	CreatedAt string          `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Deliver POSTs e to url as {"id", "event", "created_at", "data"} with
// id = msgID and the Standard Webhooks headers webhook-id (msgID),
// webhook-timestamp (now, in unix seconds) and webhook-signature (Sign
// with key). It reads at most 64 KiB of the answer and discards it.
//
// It returns the Attempt and a nil error for a 2xx answer. Otherwise the
// error says why (another status, a redirect, no answer within the
// timeout, a refused private address wrapping ErrPrivateAddress, a bad
// URL wrapping ErrBadURL, e.Data not being JSON) and the Attempt records
// it too. Retry with the same msgID.
func (d *Deliverer) Deliver(ctx context.Context, url string, key []byte, msgID string, e Event, now time.Time) (Attempt, error) {
	start := time.Now()
	fail := func(status int, err error) (Attempt, error) {
		return Attempt{Status: status, Error: err.Error(), Duration: time.Since(start)}, err
	}
	if _, err := parseHookURL(url); err != nil {
		return fail(0, err)
	}
	data := e.Data
	if len(bytes.TrimSpace(data)) == 0 {
		data = json.RawMessage("{}")
	}
	if !json.Valid(data) {
		return fail(0, errors.New("event data is not valid JSON"))
	}
	body, err := json.Marshal(payload{
		ID:        msgID,
		Event:     e.Event,
		CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339),
		Data:      data,
	})
	if err != nil {
		return fail(0, fmt.Errorf("encode delivery: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fail(0, badURL("The webhook URL could not be used: %v", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", Sign(key, msgID, now, body))

	resp, err := d.client.Do(req)
	if err != nil {
		return fail(0, fmt.Errorf("no answer: %w", err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		what := "answered"
		if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
			what = "redirected (not followed)"
		}
		return fail(resp.StatusCode, fmt.Errorf("receiver %s with %s", what, resp.Status))
	}
	return Attempt{Status: resp.StatusCode, Duration: time.Since(start)}, nil
}

// DefaultRetryBase is the first wait when none is configured.
const DefaultRetryBase = 5 * time.Second

// MaxRetryDelay caps every wait.
const MaxRetryDelay = time.Hour

// RetryDelay is how long to wait after failed attempt number attempt
// (1-based) before the next: base (5 s when base <= 0) after the first,
// doubling each time, never more than 1 h. Attempts below 1 count as 1.
func RetryDelay(attempt int, base time.Duration) time.Duration {
	if base <= 0 {
		base = DefaultRetryBase
	}
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, MaxRetryDelay)
}

// AttemptsFor is how many attempts, the first included, to make so that
// the waits between them (RetryDelay(1, base) … RetryDelay(n-1, base))
// add up to at least span: give up after that many and retries went on
// for at least span. It returns 1 when span <= 0.
func AttemptsFor(base, span time.Duration) int {
	n := 1
	var waited time.Duration
	for waited < span {
		waited += RetryDelay(n, base)
		n++
	}
	return n
}
