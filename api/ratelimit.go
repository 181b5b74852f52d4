package api

import (
	"math"
	"net/http"
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
// idle for ten minutes are forgotten.
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
// lets it through now (and spends a token).
func (l *writeLimiter) wait(client string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
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
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// limitWrites answers 429, with Retry-After, to a client over its write
// rate.
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
	client := "ip:" + c.ClientIP()
	if who.OrganisationID != "" {
		client = "org:" + who.OrganisationID
	}
	if d := h.writes.wait(client); d > 0 {
		secs := int(math.Ceil(d.Seconds()))
		c.Header("Retry-After", strconv.Itoa(secs))
		failStatus(c, http.StatusTooManyRequests, "rate-limited", "Too many requests",
			"too many writes: try again in "+strconv.Itoa(secs)+" s")
		return
	}
	c.Next()
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
