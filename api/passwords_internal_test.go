package api

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h := newPasswordHasher(argonParams{memoryKiB: 1024, time: 1, threads: 1, keyLen: 32}, 2, time.Second)
	ctx := context.Background()
	stored, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("stored = %q, want an argon2id PHC string", stored)
	}
	again, _ := h.Hash(ctx, "correct horse battery")
	if again == stored {
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
		{"$argon2i$v=19$m=1024,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", false},
		{"plain text", "plain text", false},
	} {
		got, err := h.Check(ctx, tc.stored, tc.pw)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Check(%q, %q) = %v, want %v", tc.stored, tc.pw, got, tc.want)
		}
	}
}

func TestPasswordHasherSlots(t *testing.T) {
	h := newPasswordHasher(argonParams{memoryKiB: 1024, time: 1, threads: 1, keyLen: 32}, 2, 20*time.Millisecond)
	ctx := context.Background()
	h.acquire(ctx)
	h.acquire(ctx)
	if _, err := h.Hash(ctx, "0123456789"); err != errHashBusy {
		t.Fatalf("third hash with both slots taken: err = %v, want errHashBusy", err)
	}
	h.release()
	if _, err := h.Hash(ctx, "0123456789"); err != nil {
		t.Fatalf("hash with a slot free: %v", err)
	}
}

// BenchmarkPasswordHash measures one hash with the service's parameters:
// it should take 20–100 ms.
func BenchmarkPasswordHash(b *testing.B) {
	b.ReportAllocs()
	h := newPasswordHasher(defaultArgon, 1, time.Minute)
	for b.Loop() {
		h.hashNow("correct horse battery")
	}
}
