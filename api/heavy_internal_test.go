package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func TestHeavyLimiter(t *testing.T) {
	l := newHeavyLimiter(2, 20*time.Millisecond, 1500*time.Millisecond)
	ctx := context.Background()
	for i := range 2 {
		if !l.acquire(ctx) {
			t.Fatalf("acquire %d of 2 slots: got false, want true", i+1)
		}
	}
	start := time.Now()
	if l.acquire(ctx) {
		t.Fatal("acquire a third of 2 slots: got true, want false")
	}
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Errorf("refused after %v, want after the 20ms wait", waited)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	l.wait = time.Hour
	start = time.Now()
	if l.acquire(cancelled) {
		t.Error("acquire with a cancelled context and no free slot: got true, want false")
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("a cancelled context waited %v, want no wait", waited)
	}

	// A slot given back goes to a waiter.
	got := make(chan bool)
	go func() { got <- l.acquire(ctx) }()
	time.Sleep(10 * time.Millisecond)
	l.release()
	if !<-got {
		t.Error("a waiter did not get the slot released")
	}

	// 503 with Retry-After: the slot's longest hold, in whole seconds.
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/v1/match/consortium", nil)
	l.wait = time.Millisecond
	if l.admit(c, "consortium searches") {
		t.Fatal("admit with no free slot: got true, want false")
	}
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "2" ||
		w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d, Retry-After %q, Content-Type %q; want 503, 2, application/problem+json",
			w.Code, w.Header().Get("Retry-After"), w.Header().Get("Content-Type"))
	}
}

func TestNewHeavyLimiter(t *testing.T) {
	tests := []struct {
		n         int
		wantNil   bool
		wantSlots int
	}{
		{-1, true, 0},
		{0, false, DefaultHeavySlots()},
		{3, false, 3},
	}
	for _, tt := range tests {
		l := newHeavyLimiter(tt.n, time.Millisecond, time.Second)
		if (l == nil) != tt.wantNil {
			t.Errorf("newHeavyLimiter(%d) = %v, want nil %v", tt.n, l, tt.wantNil)
			continue
		}
		if l != nil && cap(l.slots) != tt.wantSlots {
			t.Errorf("newHeavyLimiter(%d): got %d slots, want %d", tt.n, cap(l.slots), tt.wantSlots)
		}
	}
	var none *heavyLimiter
	if !none.acquire(context.Background()) {
		t.Error("no limiter: acquire got false, want true")
	}
	none.release()
}

func TestLightWorkPause(t *testing.T) {
	var l lightWork
	start := time.Now()
	l.pause()
	if took := time.Since(start); took > time.Millisecond {
		t.Errorf("no light request in flight: paused %v, want no pause", took)
	}

	l.n.Add(1)
	start = time.Now()
	l.pause()
	if took := time.Since(start); took < maxPause {
		t.Errorf("a light request in flight throughout: paused %v, want %v", took, maxPause)
	}

	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		l.pause()
		done <- time.Since(start)
	}()
	l.n.Add(-1)
	if took := <-done; took >= maxPause {
		t.Errorf("the light request ended at once: paused %v, want less than %v", took, maxPause)
	}

	// The middleware counts every request but consortium searches.
	r := gin.New()
	var seen []int64
	r.Use(l.track)
	r.GET("/v1/nearby", func(c *gin.Context) { seen = append(seen, l.n.Load()) })
	r.POST("/v1/match/consortium", func(c *gin.Context) { seen = append(seen, l.n.Load()) })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/nearby", nil))
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/v1/match/consortium", nil))
	if len(seen) != 2 || seen[0] != 1 || seen[1] != 0 || l.n.Load() != 0 {
		t.Errorf("light requests counted during nearby, consortium, after: %v, %d; want [1 0], 0", seen, l.n.Load())
	}
}
