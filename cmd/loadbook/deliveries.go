package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"commonground/store"
)

// receiver is the webhook endpoint of the space owner: it counts the
// deliveries it gets, by webhook-id, and answers 204.
type receiver struct {
	mu   sync.Mutex
	ids  map[string]int
	srv  *http.Server
	url  string
	last time.Time
}

func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{ids: map[string]int{}, url: "http://" + ln.Addr().String() + "/hook"}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.ids[req.Header.Get("webhook-id")]++
		r.last = time.Now()
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}), ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// counts returns the distinct webhook-ids received and the repeats.
func (r *receiver) counts() (distinct, repeats int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.ids {
		distinct++
		repeats += n - 1
	}
	return distinct, repeats
}

func (r *receiver) close() { r.srv.Close() }

// queue is what the job queue and the outbox hold at a moment.
type queue struct {
	pending int64 // jobs not yet done: available, scheduled, retryable or running
	events  int64 // events recorded
	owner   int64 // of them, those in the space owner's inbox: one webhook delivery each
}

func readQueue(ctx context.Context, db *store.DB, ownerID string) (queue, error) {
	var q queue
	g := db.Gorm().WithContext(ctx)
	err := g.Raw("SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running')").Scan(&q.pending).Error
	if err == nil {
		err = g.Raw("SELECT COUNT(*) FROM events").Scan(&q.events).Error
	}
	if err == nil {
		err = g.Raw("SELECT COUNT(*) FROM notifications WHERE organisation_id = ?", ownerID).Scan(&q.owner).Error
	}
	return q, err
}

// sampler reads the queue every second while the load runs.
type sampler struct {
	stop    chan struct{}
	done    chan struct{}
	samples []int64
	err     error
}

func sample(ctx context.Context, db *store.DB, ownerID string) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				q, err := readQueue(ctx, db, ownerID)
				if err != nil {
					s.err = err
					return
				}
				s.samples = append(s.samples, q.pending)
			}
		}
	}()
	return s
}

func (s *sampler) finish() ([]int64, error) {
	close(s.stop)
	<-s.done
	return s.samples, s.err
}

// drain waits, up to limit, until the queue is empty and the receiver has
// one delivery for each event in the owner's inbox, and reports what it
// saw.
func drain(ctx context.Context, out io.Writer, db *store.DB, ownerID string, r *receiver, samples []int64, limit time.Duration) error {
	atEnd, err := readQueue(ctx, db, ownerID)
	if err != nil {
		return err
	}
	start := time.Now()
	var q queue
	for {
		if q, err = readQueue(ctx, db, ownerID); err != nil {
			return err
		}
		distinct, _ := r.counts()
		if q.pending == 0 && int64(distinct) >= q.owner {
			break
		}
		if time.Since(start) > limit {
			return fmt.Errorf("deliveries did not catch up within %s: %d jobs pending, %d of %d webhooks received",
				limit, q.pending, distinct, q.owner)
		}
		time.Sleep(100 * time.Millisecond)
	}
	distinct, repeats := r.counts()
	peak := int64(0)
	for _, n := range samples {
		peak = max(peak, n)
	}
	fmt.Fprintf(out, "\nevent deliveries (webhook of the spaces' owner on 127.0.0.1):\n")
	fmt.Fprintf(out, "  events recorded: %d; in the owner's inbox: %d\n", q.events, q.owner)
	fmt.Fprintf(out, "  jobs pending, sampled each second of the run: %v (peak %d)\n", samples, peak)
	fmt.Fprintf(out, "  jobs pending when the load stopped: %d; all delivered %s later\n", atEnd.pending, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "  webhooks received: %d distinct webhook-ids, %d repeats\n", distinct, repeats)
	if int64(distinct) != q.owner {
		return fmt.Errorf("webhooks received %d, want one per event in the owner's inbox (%d)", distinct, q.owner)
	}
	return nil
}
