package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestFaultsShort runs every scenario in its short form against the
// service built from this repository. Broken invariants (acknowledged
// writes lost, SIGTERM under load not exiting 0 within 10 s) fail it, and
// so does every finding the suite checks for (lost PATCH updates, spoofed
// forwarding headers believed, 5xx other than 503 or waits past the
// database timeout while PostgreSQL is away, start-up deaf to SIGTERM):
// all of them are fixed, so each is a regression. FAULTS_STRICT=0 logs
// findings without failing, to survey a change. The PostgreSQL scenarios are skipped without
// TEST_DATABASE_URL, pg-restart also without pg_createcluster.
func TestFaultsShort(t *testing.T) {
	if testing.Short() {
		t.Skip("go test -short: the fault suite starts processes and PostgreSQL clusters")
	}
	o, err := parseFlags([]string{"-short"})
	if err != nil {
		t.Fatal(err)
	}
	o.strict = os.Getenv("FAULTS_STRICT") != "0"
	ctx := t.Context()
	s, closeSuite, err := newSuite(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSuite()
	var results []*result
	for _, sc := range scenarios {
		t.Run(strings.ReplaceAll(sc.name, "/", "-"), func(t *testing.T) {
			r := runScenario(ctx, s, sc)
			results = append(results, r)
			var out bytes.Buffer
			r.summary(&out)
			t.Log("\n" + out.String())
			switch {
			case r.skipped != "":
				t.Skip(r.skipped)
			case r.err != nil:
				t.Fatalf("could not run: %v", r.err)
			}
			for _, v := range r.violations {
				t.Errorf("MUST: %s", v)
			}
			if o.strict {
				for _, f := range r.findings {
					t.Errorf("%s", f)
				}
			}
		})
	}
	var out bytes.Buffer
	table(&out, results)
	t.Log("\n" + out.String())
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantErr  bool
		only     []string
		duration time.Duration
		rounds   int
	}{
		{args: nil, duration: 5 * time.Second, rounds: 100},
		{args: []string{"-short"}, duration: 1500 * time.Millisecond, rounds: 20},
		{args: []string{"-short", "-rounds", "7"}, duration: 1500 * time.Millisecond, rounds: 7},
		{args: []string{"-only", "patch-rounds, pg-frozen"}, only: []string{"patch-rounds", "pg-frozen"}, duration: 5 * time.Second, rounds: 100},
		{args: []string{"-only", "patch-rounds/sqlite"}, only: []string{"patch-rounds/sqlite"}, duration: 5 * time.Second, rounds: 100},
		{args: []string{"-only", "no-such"}, wantErr: true},
		{args: []string{"-after", "500ms"}, wantErr: true},
		{args: []string{"-rounds", "0"}, wantErr: true},
		{args: []string{"extra"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, err := parseFlags(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if strings.Join(o.only, ",") != strings.Join(tt.only, ",") {
				t.Errorf("got only %q, want %q", o.only, tt.only)
			}
			if o.duration != tt.duration || o.rounds != tt.rounds {
				t.Errorf("got duration %s, rounds %d; want %s, %d", o.duration, o.rounds, tt.duration, tt.rounds)
			}
		})
	}
}

func TestSelected(t *testing.T) {
	tests := []struct {
		only []string
		name string
		want bool
	}{
		{nil, "pg-frozen", true},
		{[]string{"patch-rounds"}, "patch-rounds/sqlite", true},
		{[]string{"patch-rounds"}, "patch-rounds/postgres", true},
		{[]string{"patch-rounds/sqlite"}, "patch-rounds/postgres", false},
		{[]string{"sqlite-kill9"}, "sigterm-under-load", false},
	}
	for _, tt := range tests {
		if got := selected(tt.only, tt.name); got != tt.want {
			t.Errorf("selected(%q, %q) = %v, want %v", tt.only, tt.name, got, tt.want)
		}
	}
}

func TestOutcome(t *testing.T) {
	ok := newResult("a")
	finding := newResult("b")
	finding.finding("lost updates")
	broken := newResult("c")
	broken.violation("writes lost")
	tests := []struct {
		name    string
		results []*result
		strict  bool
		wantErr bool
	}{
		{"all ok", []*result{ok}, true, false},
		{"finding, not strict", []*result{ok, finding}, false, false},
		{"finding, strict", []*result{ok, finding}, true, true},
		{"invariant broken", []*result{ok, broken}, false, true},
		{"could not run", []*result{{name: "d", err: io.EOF}}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := outcome(tt.results, tt.strict); (err != nil) != tt.wantErr {
				t.Errorf("got %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestLogClients(t *testing.T) {
	log := `time=2026-12-06T10:52:12.571Z level=INFO msg=request request_id=spoof-x-1 method=POST client=198.18.0.2
time=2026-12-06T10:52:12.572Z level=INFO msg=request request_id=spoof-x-2 method=POST client=127.0.0.1
time=2026-12-06T10:52:12.573Z level=INFO msg=request request_id=other method=POST client=198.18.0.3
{"time":"2026-12-06T10:52:12.574Z","msg":"request","request_id":"spoof-x-3","client":"198.18.0.4"}
{"time":"2026-12-06T10:52:12.575Z","msg":"request","request_id":"spoof-x-4","client":"127.0.0.1"}
`
	shown, spoofed := logClients(log, "spoof-x-")
	if shown != 4 || spoofed != 2 {
		t.Errorf("got %d shown, %d spoofed; want 4, 2", shown, spoofed)
	}
}

// TestProxyFreeze checks the proxy forwards, holds everything while
// frozen (also new connections), and delivers it after the thaw.
func TestProxyFreeze(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	px, err := startProxy(echo.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()

	roundTrip := func(c net.Conn, msg string, within time.Duration) (string, error) {
		c.SetDeadline(time.Now().Add(within))
		if _, err := c.Write([]byte(msg)); err != nil {
			return "", err
		}
		buf := make([]byte, len(msg))
		_, err := io.ReadFull(c, buf)
		return string(buf), err
	}
	c, err := net.Dial("tcp", px.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(c, "before", 2*time.Second); err != nil || got != "before" {
		t.Fatalf("before the freeze: got %q, %v; want %q", got, err, "before")
	}

	px.Freeze()
	if got, err := roundTrip(c, "frozen", 200*time.Millisecond); err == nil {
		t.Fatalf("while frozen: got %q, want a timeout", got)
	}
	fresh, err := net.Dial("tcp", px.Addr())
	if err != nil {
		t.Fatalf("a new connection while frozen: %v, want it accepted", err)
	}
	defer fresh.Close()
	if got, err := roundTrip(fresh, "new", 200*time.Millisecond); err == nil {
		t.Fatalf("a new connection while frozen: got %q, want a timeout", got)
	}

	px.Thaw()
	buf := make([]byte, len("frozen"))
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "frozen" {
		t.Fatalf("after the thaw: got %q, %v; want the held %q", buf, err, "frozen")
	}
	buf = make([]byte, len("new"))
	fresh.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(fresh, buf); err != nil || string(buf) != "new" {
		t.Fatalf("new connection after the thaw: got %q, %v; want %q", buf, err, "new")
	}
}

func TestVerify(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/organisations/here", "/v1/bookings/booked":
			if r.URL.Path == "/v1/bookings/booked" && r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.Write([]byte("{}"))
		case "/v1/organisations/broken":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	acks := []ack{
		{kind: "organisation", id: "here"},
		{kind: "booking", id: "booked", token: "tok"},
		{kind: "organisation", id: "gone"},
		{kind: "organisation", id: "broken"},
	}
	lost, unchecked, first := verify(t.Context(), srv.URL, acks)
	if lost != 1 || unchecked != 1 || first != "organisation gone" {
		t.Errorf("got lost %d, unchecked %d, first %q; want 1, 1, %q", lost, unchecked, first, "organisation gone")
	}
}
