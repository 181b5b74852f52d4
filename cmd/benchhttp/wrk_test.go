package main

import (
	"encoding/json"
	"math"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

const wrkReport = `Running 10s test @ http://127.0.0.1:39153/v1/nearby?lat=51.54247&lon=-0.12430&radius_km=5&kind=spaces
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    58.41ms   62.12ms 412.07ms   84.35ms
    Req/Sec   684.12    112.40     1.01k    70.50%
  Latency Distribution
     50%   42.18ms
     75%   80.02ms
     90%  137.47ms
     99%  267.97ms
  13612 requests in 10.01s, 303.42MB read
Requests/sec:   1360.12
Transfer/sec:     30.31MB
`

const wrkErrors = `Running 1s test @ http://127.0.0.1:18097/
  1 threads and 2 connections
  Latency Distribution
     50%  812.00us
     75%    1.71ms
     90%    1.20s
     99%    2.00m
  1664 requests in 1.10s, 1.63MB read
  Socket errors: connect 1, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 17
Requests/sec:   1512.31
Transfer/sec:      1.48MB
`

func TestParseWrk(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      WrkResult
	}{
		{"report", wrkReport, WrkResult{RequestsPerSec: 1360.12, P50: 42180 * time.Microsecond, P75: 80020 * time.Microsecond,
			P90: 137470 * time.Microsecond, P99: 267970 * time.Microsecond, Requests: 13612}},
		{"errors and units", wrkErrors, WrkResult{RequestsPerSec: 1512.31, P50: 812 * time.Microsecond, P75: 1710 * time.Microsecond,
			P90: 1200 * time.Millisecond, P99: 2 * time.Minute, Requests: 1664, Non2xx: 17, SocketErrors: 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWrk(tc.out)
			if err != nil {
				t.Fatal(err)
			}
			got.Output = ""
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseWrkRefusesAnIncompleteReport(t *testing.T) {
	for _, out := range []string{"", "unable to connect to 127.0.0.1:1 Connection refused\n", "Requests/sec:   12.0\n",
		"  Latency Distribution\n     99%    3.5xs\nRequests/sec: 1\n",
		"  Latency Distribution\n     99%  1e308s\nRequests/sec: 1\n", "  Latency Distribution\n     99%  1ms\nRequests/sec: NaN\n"} {
		if _, err := ParseWrk(out); err == nil {
			t.Errorf("ParseWrk(%q): got no error, want one", out)
		}
	}
}

func FuzzParseWrk(f *testing.F) {
	f.Add(wrkReport)
	f.Add(wrkErrors)
	f.Add("  Latency Distribution\n     99%  1e308s\nRequests/sec: NaN\n")
	f.Fuzz(func(t *testing.T, out string) {
		r, err := ParseWrk(out)
		if err == nil && !(r.RequestsPerSec > 0 && r.RequestsPerSec < math.Inf(1) && r.P99 > 0) {
			t.Errorf("ParseWrk(%q) = %+v without an error", out, r)
		}
	})
}

// TestFindTargets: the page and the API are asked the same search.
func TestFindTargets(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	pair, err := findTargets("http://127.0.0.1:1", "Ely", now)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(pair[0].script)
	api, page := pair[0], pair[1]
	if page.api != api || api.script == "" || page.script != "" {
		t.Fatalf("the page must be measured against the API's POST: %+v %+v", api, page)
	}
	var body struct {
		Near     struct{ Place string }
		RadiusKm float64 `json:"radius_km"`
		Group    int     `json:"group_size"`
		Activity string
		Weekly   struct {
			Day, Start, End, From string
			Count                 int
		}
		Tier string
	}
	if err := json.Unmarshal(api.body, &body); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(page.url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	asked := map[string][2]string{
		"place": {q.Get("place"), body.Near.Place}, "radius_km": {q.Get("radius_km"), strconv.FormatFloat(body.RadiusKm, 'f', -1, 64)},
		"group_size": {q.Get("group_size"), strconv.Itoa(body.Group)}, "activity": {q.Get("activity"), body.Activity},
		"day": {q.Get("day"), body.Weekly.Day}, "start": {q.Get("start"), body.Weekly.Start}, "end": {q.Get("end"), body.Weekly.End},
		"from": {q.Get("from"), body.Weekly.From}, "count": {q.Get("count"), strconv.Itoa(body.Weekly.Count)},
		"tier": {q.Get("tier"), body.Tier},
	}
	for k, v := range asked {
		if v[0] != v[1] || v[0] == "" {
			t.Errorf("%s: the page asks %q, the API %q", k, v[0], v[1])
		}
	}
	if body.Weekly.From != "2027-03-08" || body.Near.Place != "Ely" {
		t.Errorf("from %s near %s, want 2027-03-08 near Ely", body.Weekly.From, body.Near.Place)
	}
}
