package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// loginCount numbers the login attempts, for their emails and addresses.
var loginCount atomic.Int64

// loginOnce signs in with a wrong password, for an email and from an
// address no attempt used before.
func loginOnce(ctx context.Context, base string, timeout time.Duration) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	n := loginCount.Add(1)
	body := fmt.Sprintf(`{"email": "nobody-%d@example.org", "password": "not the password"}`, n)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/sessions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
	start := time.Now()
	resp, err := loadClient.Do(req)
	if err != nil {
		return answer{took: time.Since(start)}, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return answer{status: resp.StatusCode, took: time.Since(start), retryAfter: resp.Header.Get("Retry-After")}, nil
}

// hammerLogins signs in wrongly back to back until ctx ends.
func hammerLogins(ctx context.Context, base string, timeout time.Duration, t *tally) {
	for ctx.Err() == nil {
		a, err := loginOnce(ctx, base, timeout)
		if ctx.Err() != nil {
			return
		}
		t.add(a, err)
	}
}
