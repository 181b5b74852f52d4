package api

import (
	lru "container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// Authentication does not ask the database on every request: a token the
// database has vouched for is remembered (by its hash) together with its
// organisation, and is accepted again while the read model still holds
// that organisation. Deleting an organisation is what revokes its token;
// the follower applies every replica's deletions within about half a
// second (store.Follower.Interval), so a deleted organisation's token
// stops working on every replica within a second, and at once on the
// replica that deleted it, which catches up before it answers. Reads and
// matching with a remembered token keep working while the database is
// down.
const (
	// tokenCacheSize bounds how many tokens are remembered (about 200
	// bytes each); the least recently used goes first.
	tokenCacheSize = 10_000
	// tokenReverify is how long a remembered token is trusted before the
	// database is asked again. If the database cannot answer then, the
	// token stays accepted while the read model holds its organisation,
	// and the database is asked again tokenRetry later.
	tokenReverify = 10 * time.Minute
	tokenRetry    = time.Minute
	// tokenLookupTimeout bounds asking the database about a remembered
	// token, so that a database that hangs does not hold up requests the
	// read model can answer.
	tokenLookupTimeout = time.Second
	// failedAuthPerMinute is how many unknown tokens one client address
	// (an IPv6 /64) may present a minute, in bursts of as many; past
	// that, a request whose token would need the database is answered
	// 429 with Retry-After (3 s at this rate) without asking it. Remembered
	// tokens and the operator token are not held up. A malformed
	// Authorization header costs nothing and is not counted. Requests
	// in flight at once are each let through before their failures
	// count, so a client may overshoot by as many as it sends at once.
	failedAuthPerMinute = 20
)

// tokenCache remembers verified tokens: token hash → organisation ID, at
// most max of them, least recently used out first. Its methods do nothing
// on a nil cache.
type tokenCache struct {
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*lru.Element // of *tokenEntry
	order   lru.List                // most recently used at the front
}

type tokenEntry struct {
	hash, orgID string
	// reverify is when the database should be asked again.
	reverify time.Time
}

func newTokenCache(max int, now func() time.Time) *tokenCache {
	return &tokenCache{max: max, now: now, entries: map[string]*lru.Element{}}
}

// get returns the organisation remembered for hash, and whether it is
// due to be verified again.
func (tc *tokenCache) get(hash string) (orgID string, due, ok bool) {
	if tc == nil {
		return "", false, false
	}
	now := tc.now()
	tc.mu.Lock()
	defer tc.mu.Unlock()
	el := tc.entries[hash]
	if el == nil {
		return "", false, false
	}
	tc.order.MoveToFront(el)
	e := el.Value.(*tokenEntry)
	return e.orgID, !now.Before(e.reverify), true
}

// put remembers that hash belongs to orgID, to be verified again after
// d.
func (tc *tokenCache) put(hash, orgID string, d time.Duration) {
	if tc == nil {
		return
	}
	reverify := tc.now().Add(d)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if el := tc.entries[hash]; el != nil {
		e := el.Value.(*tokenEntry)
		e.orgID, e.reverify = orgID, reverify
		tc.order.MoveToFront(el)
		return
	}
	tc.entries[hash] = tc.order.PushFront(&tokenEntry{hash: hash, orgID: orgID, reverify: reverify})
	for tc.order.Len() > tc.max {
		last := tc.order.Back()
		tc.order.Remove(last)
		delete(tc.entries, last.Value.(*tokenEntry).hash)
	}
}

// forget drops hash.
func (tc *tokenCache) forget(hash string) {
	if tc == nil {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if el := tc.entries[hash]; el != nil {
		tc.order.Remove(el)
		delete(tc.entries, hash)
	}
}

// errTooManyFailures is a client that presented too many unknown tokens;
// after says when it may try again.
type errTooManyFailures struct{ after time.Duration }

func (e *errTooManyFailures) Error() string {
	return fmt.Sprintf("too many failed authentications: try again in %v", e.after)
}

// tokenOrganisation returns the ID of the organisation whose token hashes
// to hash: from the cache while the read model holds the organisation,
// from the database otherwise. Its errors wrap matching.ErrNotFound for a
// token nobody holds (counted against the client address), or are an
// *errTooManyFailures, or the store's.
func (h *handler) tokenOrganisation(c *gin.Context, hash string) (string, error) {
	cached, due, ok := h.tokens.get(hash)
	// A remembered organisation the read model no longer holds was
	// deleted, or is so new this replica has not seen it yet: ask.
	ok = ok && h.engine.HasOrganisation(cached)
	if ok && !due {
		return cached, nil
	}
	client := clientKey(c)
	if d := h.authFailures.delay(client); d > 0 {
		if ok {
			return cached, nil
		}
		return "", &errTooManyFailures{after: d}
	}
	ctx := c.Request.Context()
	if ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tokenLookupTimeout)
		defer cancel()
	}
	id, err := h.store.OrganisationIDByTokenHash(ctx, hash)
	switch {
	case err == nil:
		h.tokens.put(hash, id, tokenReverify)
		return id, nil
	case errors.Is(err, matching.ErrNotFound):
		h.tokens.forget(hash)
		h.authFailures.spend(client)
		return "", err
	case ok && c.Request.Context().Err() == nil:
		// The database did not answer; the read model says the
		// organisation is still there.
		logger(c).Warn("could not verify a remembered token again; accepting it while its organisation exists",
			"error", err.Error(), "request_id", requestID(c))
		h.tokens.put(hash, cached, tokenRetry)
		return cached, nil
	}
	return "", err
}
