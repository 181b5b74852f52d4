package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"commonground/matching"
)

// Passwords are hashed with argon2id (RFC 9106) and kept as a PHC string,
// "$argon2id$v=19$m=…,t=…,p=…$salt$hash", so the parameters can be raised
// later without invalidating stored hashes. The defaults take about 40 ms on
// a small server (see BenchmarkPasswordHash); hashSlots bounds how many run
// at once, so a flood of logins queues instead of starving every other
// request of CPU and memory.
type argonParams struct {
	memoryKiB uint32
	time      uint32
	threads   uint8
	keyLen    uint32
}

// defaultArgon is 19 MiB, 2 passes, 1 lane: OWASP's first
// recommendation for argon2id.
var defaultArgon = argonParams{memoryKiB: 19 * 1024, time: 2, threads: 1, keyLen: 32}

// passwordHasher hashes and checks passwords, at most slots at a time.
type passwordHasher struct {
	params argonParams
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

func newPasswordHasher(p argonParams, slots int, wait time.Duration) *passwordHasher {
	h := &passwordHasher{params: p, slots: make(chan struct{}, max(slots, 1)), wait: wait}
	b := make([]byte, 24)
	rand.Read(b)
	h.dummy = h.hashNow(base64.RawStdEncoding.EncodeToString(b))
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
	return h.hashNow(pw), nil
}

func (h *passwordHasher) hashNow(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	p := h.params
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memoryKiB, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memoryKiB, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
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
		checkPHC(h.dummy, pw)
		return false, nil
	}
	return checkPHC(stored, pw), nil
}

// checkPHC compares pw with an argon2id PHC string, in constant time. A
// string it cannot read never matches.
func checkPHC(stored, pw string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memoryKiB, &p.time, &p.threads); err != nil {
		return false
	}
	// Refuse parameters no hash of ours has, so a corrupt row cannot
	// make a check take minutes or gigabytes.
	if p.memoryKiB == 0 || p.memoryKiB > 256*1024 || p.time == 0 || p.time > 10 || p.threads == 0 || p.threads > 8 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.time, p.memoryKiB, p.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// checkNewPassword validates a password being set.
func checkNewPassword(ve *matching.ValidationError, field, pw string) {
	matching.ValidatePassword(ve, field, pw)
}
