package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"commonground/store"
)

// localAt is date at minutes after midnight, London time.
func localAt(t *testing.T, date string, minutes int) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, localOn(t, date, clock(minutes)))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// clock is minutes after midnight as HH:MM.
func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// TestConcurrentBookingsKeepTurnaround: fifty organisations' requests
// for hour-long sessions starting ten minutes apart, at once, on a space
// that keeps 30 minutes clear: whatever the interleaving, the confirmed
// sessions keep the gap, in the database and in the read model.
func TestConcurrentBookingsKeepTurnaround(t *testing.T) {
	const goroutines = 50
	concurrentBackends(t, func(t *testing.T, s *server, db *store.DB, url string) {
		b := newBookable(t, s, true)
		sp := thursdaySpace(t, s, b, "turnaround_minutes", 30)
		tokens := []string{b.bookerToken, b.ownerToken}
		for i := range 8 {
			_, tok := s.registerAt(t, fmt.Sprintf("Company %d", i), cLat, cLon)
			tokens = append(tokens, tok)
		}
		day := weeksAhead(14, time.Thursday)
		status := make([]int, goroutines)
		raws := make([][]byte, goroutines)
		errs := make([]error, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range goroutines {
			from := 9*60 + i*10
			body := thursdays(day, 1, clock(from), clock(from+60))
			wg.Go(func() {
				<-start
				status[i], raws[i], errs[i] = s.post(tokens[i%len(tokens)], "/v1/spaces/"+sp.ID+"/bookings", body)
			})
		}
		close(start)
		wg.Wait()
		created := 0
		for i := range goroutines {
			switch {
			case errs[i] != nil:
				t.Errorf("request %d: %v", i, errs[i])
			case status[i] == http.StatusCreated:
				created++
			case status[i] != http.StatusConflict:
				t.Errorf("request %d: got %d %s, want 201 or 409", i, status[i], raws[i])
			}
		}
		got := confirmedOccurrences(t, db, sp.ID)
		if created == 0 || len(got) != created {
			t.Fatalf("%d bookings created, %d confirmed occurrences; want as many, at least one", created, len(got))
		}
		for i := 1; i < len(got); i++ {
			if gap := got[i].Start.Sub(got[i-1].End); gap < 30*time.Minute {
				t.Errorf("confirmed sessions %v and %v are %v apart, less than the 30-minute turnaround", got[i-1], got[i], gap)
			}
		}
		// Each refused session really came within the turnaround of one
		// that was confirmed.
		for i := range goroutines {
			if status[i] != http.StatusConflict {
				continue
			}
			from := 9*60 + i*10
			s0, e0 := localAt(t, day, from), localAt(t, day, from+60)
			blocked := false
			for _, c := range got {
				blocked = blocked || (s0.Before(c.End.Add(30*time.Minute)) && c.Start.Add(-30*time.Minute).Before(e0))
			}
			if !blocked {
				t.Errorf("request %d (%s) was refused, but no confirmed session is within 30 minutes of it", i, clock(from))
			}
		}
		s.catchUp(t)
		if eng := engineBooked(t, s, sp.ID); len(eng) != len(got) {
			t.Errorf("the read model holds %d booked periods, the database %d", len(eng), len(got))
		}
		t.Logf("%d of %d confirmed; %d lost races", created, goroutines, db.LostRaces())
	})
}

// TestConcurrentBookingsKeepCap: one organisation sends fifty requests at
// once for fifty free hours at a space that lets one organisation hold 3
// future hours: exactly three are confirmed, the rest wait for the owner.
func TestConcurrentBookingsKeepCap(t *testing.T) {
	const goroutines = 50
	concurrentBackends(t, func(t *testing.T, s *server, db *store.DB, url string) {
		b := newBookable(t, s, true)
		sp := thursdaySpace(t, s, b, "max_hours_per_organisation", 3)
		status := make([]int, goroutines)
		raws := make([][]byte, goroutines)
		errs := make([]error, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range goroutines {
			day := weeksAhead(14+7*(i/10), time.Thursday)
			from := 9*60 + (i%10)*60
			body := thursdays(day, 1, clock(from), clock(from+60))
			wg.Go(func() {
				<-start
				status[i], raws[i], errs[i] = s.post(b.bookerToken, "/v1/spaces/"+sp.ID+"/bookings", body)
			})
		}
		close(start)
		wg.Wait()
		confirmed, requested := 0, 0
		for i := range goroutines {
			if errs[i] != nil || status[i] != http.StatusCreated {
				t.Errorf("request %d: got %d %s %v, want 201", i, status[i], raws[i], errs[i])
				continue
			}
			switch st := bookingOf(t, raws[i]).Booking.Status; st {
			case "confirmed":
				confirmed++
			case "requested":
				requested++
			default:
				t.Errorf("request %d: status %s", i, st)
			}
		}
		var hours float64
		for _, o := range confirmedOccurrences(t, db, sp.ID) {
			hours += o.End.Sub(o.Start).Hours()
		}
		if confirmed != 3 || requested != goroutines-3 || hours != 3 {
			t.Errorf("%d confirmed (%v hours in the database), %d requested; want 3 (3 hours) and %d", confirmed, hours, requested, goroutines-3)
		}
	})
}
