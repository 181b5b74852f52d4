package password

import (
	"strings"
	"testing"
)

var cheap = Params{MemoryKiB: 1024, Time: 1, Threads: 1, KeyLen: 32}

func TestHashAndCheck(t *testing.T) {
	stored := Hash("correct horse battery", cheap)
	if !strings.HasPrefix(stored, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("Hash = %q, want an argon2id PHC string", stored)
	}
	if again := Hash("correct horse battery", cheap); again == stored {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		stored, pw string
		want       bool
	}{
		{stored, "correct horse battery", true},
		{stored, "correct horse batterY", false},
		{stored, "", false},
		{"", "correct horse battery", false},
		{"$argon2id$v=19$m=999999999,t=1,p=1$AAAA$AAAA", "x", false},
		{strings.Replace(stored, "argon2id", "argon2i", 1), "correct horse battery", false},
		{strings.Replace(stored, "v=19", "v=16", 1), "correct horse battery", false},
		{"plain text", "plain text", false},
	} {
		if got := Check(tc.stored, tc.pw); got != tc.want {
			t.Errorf("Check(%q, %q) = %v, want %v", tc.stored, tc.pw, got, tc.want)
		}
	}
}

// FuzzCheck: a stored string of any shape never panics nor matches a
// password it was not made from.
func FuzzCheck(f *testing.F) {
	f.Add(Hash("0123456789", cheap), "0123456789")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$", "")
	f.Add("$$$$$", "x")
	f.Fuzz(func(t *testing.T, stored, pw string) {
		if Check(stored, pw) && !strings.HasPrefix(stored, "$argon2id$v=19$") {
			t.Fatalf("Check(%q, %q) matched a string that is not an argon2id hash", stored, pw)
		}
	})
}

// BenchmarkHash measures one hash with the service's parameters: it
// should take 20–100 ms.
func BenchmarkHash(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Hash("correct horse battery", Default)
	}
}
