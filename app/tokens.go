package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"commonground/matching"
	"commonground/store"
)

// tokenMemory is the store as the API sees it, remembering which
// organisation each token named when the database last said, so that a
// request with a token still reaches the read model (matching, nearby)
// while the database is unavailable. The database decides whenever it
// answers: a token it no longer knows is forgotten at once. For a second
// after the database failed to answer, remembered tokens are not asked
// about, so each such request does not wait out the database's timeout.
type tokenMemory struct {
	*store.DB

	mu       sync.Mutex
	known    map[string]string // token hash → organisation ID
	downAt   time.Time         // when the database last failed to answer
	now      func() time.Time
	capacity int
}

// tokenRecheck is how long after the database failed to answer the
// remembered tokens are used without asking it.
const tokenRecheck = time.Second

func newTokenMemory(db *store.DB) *tokenMemory {
	return &tokenMemory{DB: db, known: map[string]string{}, now: time.Now, capacity: 100000}
}

// CreateOrganisation creates o and remembers its token.
func (m *tokenMemory) CreateOrganisation(ctx context.Context, o *matching.Organisation, tokenHash string) error {
	if err := m.DB.CreateOrganisation(ctx, o, tokenHash); err != nil {
		return err
	}
	if tokenHash != "" {
		m.mu.Lock()
		m.remember(tokenHash, o.ID)
		m.mu.Unlock()
	}
	return nil
}

// remember notes that hash names the organisation id; the caller holds mu.
func (m *tokenMemory) remember(hash, id string) {
	if _, ok := m.known[hash]; !ok && len(m.known) >= m.capacity {
		for k := range m.known { // forget one at random
			delete(m.known, k)
			break
		}
	}
	m.known[hash] = id
}

// OrganisationIDByTokenHash asks the database, and answers from memory
// when the database is unavailable and the token is remembered.
func (m *tokenMemory) OrganisationIDByTokenHash(ctx context.Context, hash string) (string, error) {
	m.mu.Lock()
	id, ok := m.known[hash]
	recent := !m.downAt.IsZero() && m.now().Sub(m.downAt) < tokenRecheck
	m.mu.Unlock()
	if ok && recent {
		return id, nil
	}
	got, err := m.DB.OrganisationIDByTokenHash(ctx, hash)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case err == nil:
		m.remember(hash, got)
		m.downAt = time.Time{}
	case errors.Is(err, matching.ErrNotFound):
		delete(m.known, hash)
	case errors.Is(err, matching.ErrUnavailable):
		m.downAt = m.now()
		if ok {
			return id, nil
		}
	}
	return got, err
}
