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
// database has vouched for is remembered (by its hash) together with what
// it stands for (an API key and its organisation, or a session with its
// person and memberships), and is accepted without asking again for
// tokenReverify. So a revoked key, an ended session or a removed member
// loses access on every replica within tokenReverify, and at once on the
// replica that made the change, which forgets every remembered token.
// A remembered key whose organisation the read model no longer holds was
// deleted, and is asked about at once. Reads and matching with a
// remembered token keep working while the database is down.
const (
	// tokenCacheSize bounds how many tokens are remembered (about 200
	// bytes each); the least recently used goes first.
	tokenCacheSize = 10_000
	// tokenReverify is how long a remembered token is trusted before the
	// database is asked again. If the database cannot answer then, the
	// token stays accepted while the read model holds its organisation,
	// and the database is asked again tokenRetry later.
	tokenReverify = time.Second
	tokenRetry    = 10 * time.Second
	// tokenLookupTimeout bounds asking the database about a remembered
	// token, so that a database that hangs does not hold up requests the
	// read model can answer, nor add much to a write's own wait for the
	// database (COMMONGROUND_DB_TIMEOUT). The lookup takes a few
	// milliseconds when the database answers.
	tokenLookupTimeout = 200 * time.Millisecond
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

// tokenCache remembers verified tokens: token hash → credential, at most
// max of them, least recently used out first. Its methods do nothing on a
// nil cache.
type tokenCache struct {
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*lru.Element // of *tokenEntry
	order   lru.List                // most recently used at the front
}

type tokenEntry struct {
	hash string
	cred *matching.Credential
	// reverify is when the database should be asked again.
	reverify time.Time
}

func newTokenCache(max int, now func() time.Time) *tokenCache {
	return &tokenCache{max: max, now: now, entries: map[string]*lru.Element{}}
}

// get returns the credential remembered for hash, and whether it is due
// to be verified again.
func (tc *tokenCache) get(hash string) (cred *matching.Credential, due, ok bool) {
	if tc == nil {
		return nil, false, false
	}
	now := tc.now()
	tc.mu.Lock()
	defer tc.mu.Unlock()
	el := tc.entries[hash]
	if el == nil {
		return nil, false, false
	}
	tc.order.MoveToFront(el)
	e := el.Value.(*tokenEntry)
	return e.cred, !now.Before(e.reverify), true
}

// put remembers that hash stands for cred, to be verified again after d.
func (tc *tokenCache) put(hash string, cred *matching.Credential, d time.Duration) {
	if tc == nil {
		return
	}
	reverify := tc.now().Add(d)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if el := tc.entries[hash]; el != nil {
		e := el.Value.(*tokenEntry)
		e.cred, e.reverify = cred, reverify
		tc.order.MoveToFront(el)
		return
	}
	tc.entries[hash] = tc.order.PushFront(&tokenEntry{hash: hash, cred: cred, reverify: reverify})
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

// clear forgets every token: a key was revoked, a session ended or a
// membership changed here, and every token is asked about again.
func (tc *tokenCache) clear() {
	if tc == nil {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	clear(tc.entries)
	tc.order.Init()
}

// errTooManyFailures is a client that presented too many unknown tokens;
// after says when it may try again.
type errTooManyFailures struct{ after time.Duration }

func (e *errTooManyFailures) Error() string {
	return fmt.Sprintf("too many failed authentications: try again in %v", e.after)
}

// tokenCredential returns what the token hashing to hash stands for: from
// the cache while it is fresh (and, for a key, the read model holds its
// organisation), from the database otherwise. Its errors wrap
// matching.ErrNotFound for a token nobody holds (counted against the
// client address), or are an *errTooManyFailures, or the store's.
func (h *handler) tokenCredential(c *gin.Context, hash string) (*matching.Credential, error) {
	cached, due, ok := h.tokens.get(hash)
	if ok && cached.Kind == matching.PrincipalPerson && !h.now().Before(cached.ExpiresAt) {
		h.tokens.forget(hash)
		return nil, fmt.Errorf("session expired: %w", matching.ErrNotFound)
	}
	// A remembered key whose organisation the read model no longer holds
	// was deleted, or is so new this replica has not seen it yet: ask.
	ok = ok && (cached.Kind != matching.PrincipalKey || h.engine.HasOrganisation(cached.OrganisationID))
	if ok && !due {
		return cached, nil
	}
	client := clientKey(c)
	if d := h.authFailures.delay(client); d > 0 {
		if ok {
			return cached, nil
		}
		return nil, &errTooManyFailures{after: d}
	}
	ctx := c.Request.Context()
	if ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tokenLookupTimeout)
		defer cancel()
	}
	cred, err := h.store.Credential(ctx, hash)
	switch {
	case err == nil && cred.Kind == matching.PrincipalPerson && !h.now().Before(cred.ExpiresAt):
		h.tokens.forget(hash)
		return nil, fmt.Errorf("session expired: %w", matching.ErrNotFound)
	case err == nil:
		h.tokens.put(hash, cred, tokenReverify)
		if cred.Kind == matching.PrincipalKey && (cred.KeyLastUsedAt == nil || h.now().Sub(*cred.KeyLastUsedAt) > time.Minute) {
			h.touchKey(cred.KeyID)
		}
		return cred, nil
	case errors.Is(err, matching.ErrNotFound):
		h.tokens.forget(hash)
		h.authFailures.spend(client)
		return nil, err
	case ok && c.Request.Context().Err() == nil:
		// The database did not answer; the read model says the
		// organisation is still there.
		logger(c).Warn("could not verify a remembered token again; accepting it while its organisation exists",
			"error", err.Error(), "request_id", requestID(c))
		h.tokens.put(hash, cached, tokenRetry)
		return cached, nil
	}
	return nil, err
}

// touchKey records, in the background, that a key was used; the store
// writes at most once a minute per key.
func (h *handler) touchKey(id string) {
	at := h.now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		h.store.TouchAPIKey(ctx, id, at)
	}()
}
