package matching

import (
	"math/rand/v2"
	"testing"
)

// TestIDIndexAgreesWithMap drives the index and a Go map with the same
// random inserts, moves and deletes, and checks they always agree.
func TestIDIndexAgreesWithMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var keys []uid // keys[slot]
	ix := newIDIndex(func(s int32) uid { return keys[s] })
	want := map[uid]int32{}
	var live []uid
	for step := 0; step < 200000; step++ {
		switch op := rng.IntN(10); {
		case op < 6 || len(live) == 0: // insert
			var u uid
			for i := range u {
				u[i] = byte(rng.IntN(256))
			}
			if step%7 == 0 {
				u[8], u[9] = 0, 0 // some keys share bytes, to force collisions
			}
			keys = append(keys, u)
			slot := int32(len(keys) - 1)
			ix.Set(u, slot)
			want[u] = slot
			live = append(live, u)
		case op < 8: // delete
			i := rng.IntN(len(live))
			u := live[i]
			ix.Delete(u)
			delete(want, u)
			live[i] = live[len(live)-1]
			live = live[:len(live)-1]
		default: // look up something absent
			var u uid
			u[0] = 0xff
			u[15] = byte(step)
			if _, ok := want[u]; !ok {
				if _, got := ix.Get(u); got {
					t.Fatalf("step %d: found an ID never inserted", step)
				}
			}
		}
		if step%997 == 0 {
			if ix.Len() != len(want) {
				t.Fatalf("step %d: Len %d, want %d", step, ix.Len(), len(want))
			}
			for u, slot := range want {
				if got, ok := ix.Get(u); !ok || got != slot {
					t.Fatalf("step %d: Get = %d, %v; want %d", step, got, ok, slot)
				}
			}
		}
	}
	n := 0
	for u, slot := range ix.All() {
		if want[u] != slot {
			t.Fatalf("All yields %v→%d, want %d", u, slot, want[u])
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("All yields %d, want %d", n, len(want))
	}
}
