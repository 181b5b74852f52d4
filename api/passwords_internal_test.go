package api

import (
	"context"
	"testing"
	"time"

	"commonground/password"
)

var cheap = password.Params{MemoryKiB: 1024, Time: 1, Threads: 1, KeyLen: 32}

func TestPasswordHasher(t *testing.T) {
	h := newPasswordHasher(cheap, 2, time.Second)
	ctx := context.Background()
	stored, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		stored, pw string
		want       bool
	}{
		{stored, "correct horse battery", true},
		{stored, "wrong", false},
		{"", "correct horse battery", false}, // no account: the dummy hash
	} {
		got, err := h.Check(ctx, tc.stored, tc.pw)
		if err != nil || got != tc.want {
			t.Errorf("Check(%q, %q) = %v, %v; want %v", tc.stored, tc.pw, got, err, tc.want)
		}
	}
}

func TestPasswordHasherSlots(t *testing.T) {
	h := newPasswordHasher(cheap, 2, 20*time.Millisecond)
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
