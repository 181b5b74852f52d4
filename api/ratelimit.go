package api

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// writeLimiter keeps each client to a sustained rate of writes with room
// for bursts: a token bucket per organisation (by its token) or, for
// anonymous writes (registration), per client address. Reads, matching
// (a POST that changes nothing) and the operator are not limited. Buckets
// idle for ten minutes are forgotten. The same buckets, per client
// address, count unknown tokens (see failedAuthPerMinute).
type writeLimiter struct {
	every rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

const idleBucket = 10 * time.Minute

func newWriteLimiter(perSecond float64, burst int, now func() time.Time) *writeLimiter {
	if burst < 1 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &writeLimiter{every: rate.Limit(perSecond), burst: burst, now: now, clients: map[string]*bucket{}}
}

// wait reports how long the client must wait before its next write: 0
// lets it through now (and spends a token). left is the tokens the client
// has after it.
func (l *writeLimiter) wait(client string) (d time.Duration, left float64) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.bucket(client, now)
	r := lim.ReserveN(now, 1)
	if d = r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
	}
	return d, max(0, lim.TokensAt(now))
}

// rateLimitHeaders sets the RateLimit-Policy and RateLimit fields of the
// IETF draft "RateLimit header fields for HTTP" (draft-ietf-httpapi-
// ratelimit-headers-09): the policy "writes" allows burst writes (q) in the
// time the bucket takes to fill from empty (w, seconds); r is the writes
// left now, t the seconds until the bucket is full again.
func (l *writeLimiter) rateLimitHeaders(c *gin.Context, left float64) {
	perSecond := float64(l.every)
	window := max(1, int(math.Ceil(float64(l.burst)/perSecond)))
	full := max(0, int(math.Ceil((float64(l.burst)-left)/perSecond)))
	c.Header("RateLimit-Policy", fmt.Sprintf(`"writes";q=%d;w=%d`, l.burst, window))
	c.Header("RateLimit", fmt.Sprintf(`"writes";r=%d;t=%d`, int(math.Floor(left)), full))
}

// delay reports how long until the client has a token again, without
// spending one: 0 when it has one now.
func (l *writeLimiter) delay(client string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.bucket(client, now)
	if tokens := lim.TokensAt(now); tokens < 1 {
		return time.Duration((1 - tokens) / float64(l.every) * float64(time.Second))
	}
	return 0
}

// spend takes a token from the client's bucket, if it has one.
func (l *writeLimiter) spend(client string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(client, now).AllowN(now, 1)
}

// bucket returns the client's limiter, forgetting idle buckets now and
// then. l.mu must be held.
func (l *writeLimiter) bucket(client string, now time.Time) *rate.Limiter {
	if now.Sub(l.swept) > idleBucket {
		for k, b := range l.clients {
			if now.Sub(b.seen) > idleBucket {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	b := l.clients[client]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.clients[client] = b
	}
	b.seen = now
	return b.lim
}

// limitWrites answers 429, with Retry-After, to a client over its write
// rate; every limited write carries the RateLimit headers.
func (h *handler) limitWrites(c *gin.Context) {
	if h.writes == nil || !isWrite(c.Request.Method, c.FullPath()) {
		c.Next()
		return
	}
	who := caller(c)
	if who.Operator {
		c.Next()
		return
	}
	client := clientKey(c)
	if who.OrganisationID != "" {
		client = "org:" + who.OrganisationID
	}
	d, left := h.writes.wait(client)
	h.writes.rateLimitHeaders(c, left)
	if d > 0 {
		tooMany(c, d, "too many writes")
		return
	}
	c.Next()
}

// tooMany answers 429 with a Retry-After of d in whole seconds (at least
// one).
func tooMany(c *gin.Context, d time.Duration, what string) {
	secs := strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
	c.Header("Retry-After", secs)
	failStatus(c, http.StatusTooManyRequests, "rate-limited", "Too many requests", what+": try again in "+secs+" s")
}

// clientKey names the client a request comes from for the limiters: its
// address (see Config.TrustedProxies), with IPv6 addresses taken by their
// /64, the block one subscriber usually holds, so that one client cannot
// take a fresh bucket per address.
func clientKey(c *gin.Context) string {
	ip := c.ClientIP()
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr.String()
}

// isWrite says whether a request changes something: every POST, PATCH,
// PUT and DELETE except matching, which only reads.
func isWrite(method, route string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return !strings.HasPrefix(route, "/v1/match/")
	}
	return false
}
