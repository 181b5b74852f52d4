// Package password hashes and checks passwords with argon2id (RFC 9106),
// kept as PHC strings: "$argon2id$v=19$m=…,t=…,p=…$salt$hash", so the
// parameters can be raised later without invalidating stored hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	KeyLen    uint32
}

// Default is 19 MiB, 2 passes, 1 lane: OWASP's first recommendation for
// argon2id. One hash takes about 40 ms on a small server (see
// BenchmarkHash).
var Default = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32}

// Hash returns the PHC string of pw with a fresh random salt.
func Hash(pw string, p Params) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Check reports whether pw matches the PHC string stored, comparing in
// constant time. A string it cannot read, or whose parameters no hash of
// ours has (so a corrupt row cannot make a check take minutes or
// gigabytes), never matches.
func Check(stored, pw string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false
	}
	if p.MemoryKiB == 0 || p.MemoryKiB > 256*1024 || p.Time == 0 || p.Time > 10 || p.Threads == 0 || p.Threads > 8 {
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
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
