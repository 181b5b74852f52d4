package api

import (
	"context"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Defaults of the limits on expensive requests (see Config).
const (
	DefaultConsortiumBudget = 2 * time.Second
	DefaultHeavyWait        = 100 * time.Millisecond
)

// DefaultHeavySlots is how many expensive requests of one kind run at once
// unless Config says otherwise: half the cores the Go scheduler uses, at
// least one. A consortium search keeps a core busy for as long as its
// budget allows, so the searches together never hold more than half the
// machine, and nearby, the venue match and every other request keep the
// rest whatever number of searches are asked for. (GOMAXPROCS-1 would
// leave one core on a large machine for everything else.)
func DefaultHeavySlots() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// heavyLimiter admits a few expensive requests at a time. Others wait a
// little for a slot (in the order they came: waiting senders on a channel
// are served first come, first served), and are then refused with 503 and
// a Retry-After of retryAfter, the longest a slot is held.
type heavyLimiter struct {
	slots      chan struct{}
	wait       time.Duration
	retryAfter time.Duration
}

// newHeavyLimiter returns a limiter of n slots; nil when n is negative (no
// limit).
func newHeavyLimiter(n int, wait, retryAfter time.Duration) *heavyLimiter {
	if n < 0 {
		return nil
	}
	if n == 0 {
		n = DefaultHeavySlots()
	}
	return &heavyLimiter{slots: make(chan struct{}, n), wait: wait, retryAfter: retryAfter}
}

// acquire takes a slot, waiting up to l.wait or until ctx is done, and
// reports whether it got one. A nil limiter always admits.
func (l *heavyLimiter) acquire(ctx context.Context) bool {
	if l == nil {
		return true
	}
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	if l.wait <= 0 {
		return false
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// release gives back a slot acquire took.
func (l *heavyLimiter) release() {
	if l != nil {
		<-l.slots
	}
}

// admit takes a slot for the request, or answers 503 with Retry-After and
// returns false. The caller releases the slot when it is done.
func (l *heavyLimiter) admit(c *gin.Context, what string) bool {
	if l.acquire(c.Request.Context()) {
		return true
	}
	secs := strconv.Itoa(max(1, int(math.Ceil(l.retryAfter.Seconds()))))
	c.Header("Retry-After", secs)
	failStatus(c, http.StatusServiceUnavailable, "busy", "Busy",
		"too many "+what+" are running: try again in "+secs+" s")
	return false
}

// lightWork counts the requests in flight other than consortium searches;
// a consortium search pauses between chunks while any is, so the light
// requests get the cores first. A pause lasts at most maxPause, so the
// search still moves on (and, whatever happens, ends with its budget).
type lightWork struct {
	n atomic.Int64
}

// maxPause is the longest a search waits for light requests in one pause.
const maxPause = 2 * time.Millisecond

// track counts the request as light unless it is a consortium search.
func (l *lightWork) track(c *gin.Context) {
	if c.FullPath() == "/v1/match/consortium" {
		c.Next()
		return
	}
	l.n.Add(1)
	defer l.n.Add(-1)
	c.Next()
}

// pause waits while light requests are in flight, at most maxPause.
func (l *lightWork) pause() {
	if l.n.Load() == 0 {
		return
	}
	end := time.Now().Add(maxPause)
	for l.n.Load() > 0 && time.Now().Before(end) {
		time.Sleep(50 * time.Microsecond)
	}
}
