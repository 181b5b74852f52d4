package matching

import (
	"math/rand/v2"
	"testing"
)

// TestSessionSet holds the set to a []bool over every session number a
// request can have.
func TestSessionSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var s, u sessionSet
		var want [MaxSessions]bool
		for range r.IntN(2 * MaxSessions) {
			i := r.IntN(MaxSessions)
			if r.IntN(3) == 0 {
				s.remove(i)
				want[i] = false
			} else {
				s.add(i)
				want[i] = true
			}
		}
		for range r.IntN(MaxSessions) {
			u.add(r.IntN(MaxSessions))
		}
		s.markDone()
		s.andNot(&u)
		n := 0
		for i := range MaxSessions {
			want[i] = want[i] && !u.has(i)
			if s.has(i) != want[i] {
				t.Fatalf("session %d: has %v, want %v", i, s.has(i), want[i])
			}
			if want[i] {
				n++
			}
		}
		if !s.done() || s.count() != n {
			t.Fatalf("done %v count %d; want done and %d", s.done(), s.count(), n)
		}
	}
}
