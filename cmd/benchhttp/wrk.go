package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// WrkResult is what benchhttp reads from wrk's report.
type WrkResult struct {
	RequestsPerSec float64
	// Latency percentiles from --latency.
	P50, P75, P90, P99 time.Duration
	Requests           int
	// Non2xx counts answers outside 2xx and 3xx; SocketErrors sums wrk's
	// connect, read, write and timeout errors.
	Non2xx, SocketErrors int
	Output               string
}

// RunWrk runs wrk with --latency against url, with a Lua script when
// script is not empty, and parses its report.
func RunWrk(ctx context.Context, url, script string, threads, connections int, d time.Duration) (WrkResult, error) {
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(connections), "-d", fmt.Sprintf("%ds", int(d.Seconds())), "--latency"}
	if script != "" {
		args = append(args, "-s", script)
	}
	args = append(args, url)
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	if err != nil {
		return WrkResult{}, fmt.Errorf("wrk %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return ParseWrk(string(out))
}

// ParseWrk reads wrk's report (run with --latency).
func ParseWrk(out string) (WrkResult, error) {
	r := WrkResult{Output: out}
	inLatency := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Latency Distribution"):
			inLatency = true
		case inLatency && len(f) == 2 && strings.HasSuffix(f[0], "%"):
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return r, err
			}
			switch f[0] {
			case "50%":
				r.P50 = d
			case "75%":
				r.P75 = d
			case "90%":
				r.P90 = d
			case "99%":
				r.P99 = d
			}
		case strings.HasPrefix(line, "Requests/sec:") && len(f) == 2:
			inLatency = false
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || !(v > 0 && v < math.Inf(1)) {
				return r, fmt.Errorf("wrk Requests/sec %q is not a positive number", f[1])
			}
			r.RequestsPerSec = v
		case len(f) > 2 && f[1] == "requests" && f[2] == "in":
			inLatency = false
			r.Requests, _ = strconv.Atoi(f[0])
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:") && len(f) == 5:
			r.Non2xx, _ = strconv.Atoi(f[4])
		case strings.HasPrefix(line, "Socket errors:"):
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.Atoi(strings.TrimSuffix(f[i+1], ","))
				r.SocketErrors += n
			}
		}
	}
	if r.RequestsPerSec == 0 || r.P99 == 0 {
		return r, fmt.Errorf("could not read requests/s and p99 from wrk's output:\n%s", out)
	}
	return r, nil
}

// parseWrkDuration reads wrk's durations: "812.00us", "3.45ms", "1.20s",
// "2.00m".
func parseWrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f >= 0 && f*float64(u.unit) < math.MaxInt64) {
				return 0, fmt.Errorf("wrk duration %q is not a duration", s)
			}
			return time.Duration(math.Round(f * float64(u.unit))), nil
		}
	}
	return 0, fmt.Errorf("wrk duration %q: unknown unit", s)
}

// writePostScript writes a wrk Lua script that POSTs body as JSON and
// returns its path; the caller removes it.
func writePostScript(body []byte) (string, error) {
	f, err := os.CreateTemp("", "benchhttp-*.lua")
	if err != nil {
		return "", err
	}
	script := fmt.Sprintf("wrk.method = \"POST\"\nwrk.body = %s\nwrk.headers[\"Content-Type\"] = \"application/json\"\n", luaString(string(body)))
	if _, err := f.WriteString(script); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), f.Close()
}

// luaString quotes s as a Lua long string.
func luaString(s string) string {
	eq := ""
	for strings.Contains(s, "]"+eq+"]") {
		eq += "="
	}
	return "[" + eq + "[" + s + "]" + eq + "]"
}
