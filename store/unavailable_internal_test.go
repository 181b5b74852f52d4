package store

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"commonground/matching"
)

func TestUnavailableClassifies(t *testing.T) {
	expired, cancel := bound(context.Background(), time.Nanosecond)
	defer cancel()
	<-expired.Done()
	callerDone, cancelCaller := context.WithCancel(context.Background())
	cancelCaller()
	tests := []struct {
		name     string
		err      error
		parent   context.Context
		bounded  context.Context
		wantGone bool
	}{
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, nil, nil, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, nil, nil, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, nil, nil, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, nil, nil, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, nil, nil, false},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), nil, nil, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), nil, nil, true},
		{"conn closed", pgconn.ErrConnClosed, nil, nil, true},
		{"sqlite busy", errors.New("database is locked (5) (SQLITE_BUSY)"), nil, nil, true},
		{"store timeout", context.DeadlineExceeded, context.Background(), expired, true},
		{"caller's deadline", context.DeadlineExceeded, nil, nil, false},
		{"caller gone", fmt.Errorf("read: %w", syscall.ECONNRESET), callerDone, nil, false},
		{"not found", errors.New("record not found"), nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := errors.Is(unavailable(tt.err, tt.parent, tt.bounded), matching.ErrUnavailable)
			if got != tt.wantGone {
				t.Errorf("unavailable(%v): got wraps ErrUnavailable %v, want %v", tt.err, got, tt.wantGone)
			}
		})
	}
}
