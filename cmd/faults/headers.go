package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// The default write limit, given to the service explicitly so the
// expected ceiling below stays true if the defaults change.
const (
	writeRate  = 10.0
	writeBurst = 50
)

// spoofedHeaders sends anonymous registrations from 127.0.0.1, each
// claiming another client address in X-Forwarded-For (then, on a fresh
// service, in X-Real-IP), at the default write limit. Without trusted
// proxies the service must limit them as one client, the real peer: at
// most the burst plus the rate over the elapsed time. It also reads the
// request log for the client address it shows, which must be the peer's.
func spoofedHeaders(ctx context.Context, s *suite, r *result) error {
	rec := &recorder{}
	var acks []ack
	for _, header := range []string{"X-Forwarded-For", "X-Real-IP"} {
		env := map[string]string{
			"DATABASE_URL":             "sqlite::memory:",
			"COMMONGROUND_SEED":        "none",
			"COMMONGROUND_WRITE_RATE":  fmt.Sprint(writeRate),
			"COMMONGROUND_WRITE_BURST": fmt.Sprint(writeBurst),
		}
		svc, err := launch(ctx, s.bin, env)
		if err != nil {
			return err
		}
		c := newClient(svc.base, rec, 1)
		tag := strings.ToLower(strings.ReplaceAll(header, "-", ""))
		accepted, limited := 0, 0
		var ids []string
		start := time.Now()
		for i := range s.o.registrations {
			body := map[string]any{"name": fmt.Sprintf("Spoofed %s %d", header, i), "type": "community",
				"location": map[string]any{"lat": 52.2, "lon": 0.12}}
			hdr := map[string]string{
				header:         fmt.Sprintf("198.18.%d.%d", i/250, 1+i%250),
				"X-Request-ID": fmt.Sprintf("spoof-%s-%d", tag, i),
			}
			status, raw, err := c.do(ctx, "register", "POST", "/v1/organisations", "", body, hdr)
			if err != nil {
				svc.kill()
				return err
			}
			switch status {
			case http.StatusCreated:
				accepted++
				var reg struct{ Organisation struct{ ID string } }
				if json.Unmarshal(raw, &reg) == nil && reg.Organisation.ID != "" {
					ids = append(ids, reg.Organisation.ID)
				}
			case http.StatusTooManyRequests:
				limited++
			}
		}
		elapsed := time.Since(start)
		ceiling := writeBurst + int(math.Ceil(writeRate*elapsed.Seconds())) + 1
		for _, id := range ids {
			acks = append(acks, ack{kind: "organisation", id: id})
		}
		// The database is in memory: read the writes back before stopping.
		lost, unchecked, first := verify(ctx, svc.base, acks[len(acks)-len(ids):])
		r.lost += lost
		if lost+unchecked > 0 {
			r.violation("%s: %d of %d acknowledged registrations lost, %d unchecked (first: %s)", header, lost, len(ids), unchecked, first)
		}
		svc.terminate(sigtermLimit)
		shown, spoofed := logClients(svc.log.String(), "spoof-"+tag+"-")

		r.figure("%s: %d of %d accepted, %d answered 429 (one client may have %d)", header, accepted, s.o.registrations, limited, ceiling)
		r.figure("%s: log shows the claimed address for %d of %d", header, spoofed, shown)
		if accepted > ceiling {
			r.finding("%s: %d of %d anonymous registrations from one peer accepted, over the %d one client may have: the header bypasses the write limit",
				header, accepted, s.o.registrations, ceiling)
		}
		if spoofed > 0 {
			r.finding("%s: the request log shows the address claimed by the header, not the peer's, for %d of %d requests", header, spoofed, shown)
		}
	}
	r.count(rec.all())
	r.checked, r.acked = true, len(acks)
	return nil
}

// logClients reads the request log lines whose request_id starts with
// prefix and counts them and those whose client is not 127.0.0.1. It reads
// the text and the JSON log formats.
func logClients(log, prefix string) (shown, spoofed int) {
	for line := range strings.Lines(log) {
		var client string
		if strings.HasPrefix(line, "{") {
			var v struct {
				RequestID string `json:"request_id"`
				Client    string `json:"client"`
			}
			if json.Unmarshal([]byte(line), &v) != nil || !strings.HasPrefix(v.RequestID, prefix) {
				continue
			}
			client = v.Client
		} else {
			if !strings.Contains(line, "request_id="+prefix) {
				continue
			}
			client = textField(line, "client")
		}
		shown++
		if client != "127.0.0.1" {
			spoofed++
		}
	}
	return shown, spoofed
}

// textField returns the value of key=value in a slog text line.
func textField(line, key string) string {
	for f := range strings.FieldsSeq(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
