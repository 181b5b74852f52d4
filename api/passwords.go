package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"runtime"
	"time"

	"commonground/password"
)

// Passwords are hashed with package password (argon2id). hashSlots
// bounds how many hashes run at once, so a flood of logins queues instead
// of starving every other request of CPU and memory.

// passwordHasher hashes and checks passwords, at most slots at a time.
type passwordHasher struct {
	params password.Params
	slots  chan struct{}
	// wait bounds how long a request waits for a slot before it is
	// answered 503.
	wait time.Duration
	// dummy is a hash of nothing anybody knows, checked when an email
	// has no account so that a wrong email takes as long as a wrong
	// password.
	dummy string
}

// errHashBusy is every hashing slot staying taken for the whole wait.
var errHashBusy = errors.New("too many sign-ins at once")

func newPasswordHasher(p password.Params, slots int, wait time.Duration) *passwordHasher {
	h := &passwordHasher{params: p, slots: make(chan struct{}, max(slots, 1)), wait: wait}
	b := make([]byte, 24)
	rand.Read(b)
	h.dummy = password.Hash(base64.RawStdEncoding.EncodeToString(b), p)
	return h
}

// acquire takes a hashing slot, waiting at most h.wait.
func (h *passwordHasher) acquire(ctx context.Context) error {
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errHashBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *passwordHasher) release() { <-h.slots }

// Hash returns the PHC string of pw, waiting for a slot.
func (h *passwordHasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return password.Hash(pw, h.params), nil
}

// Check reports whether pw matches the PHC string stored; stored == ""
// (no such account) checks against a dummy hash, taking as long, and is
// false.
func (h *passwordHasher) Check(ctx context.Context, stored, pw string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if stored == "" {
		password.Check(h.dummy, pw)
		return false, nil
	}
	return password.Check(stored, pw), nil
}

// DefaultPasswordSlots is how many passwords hash at once by default:
// half the processors the Go runtime uses, at least 1 and at most 2, so
// hashing never takes every core from the requests that do not hash.
func DefaultPasswordSlots() int {
	return min(2, max(1, runtime.GOMAXPROCS(0)/2))
}
