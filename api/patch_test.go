package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"commonground/store"
)

// patchRaw sends one PATCH with a JSON body from any goroutine (it does
// not touch t) and returns the status.
func (s *server) patchRaw(path, token string, body any) (int, error) {
	j, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest("PATCH", s.url+path, bytes.NewReader(j))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var raw bytes.Buffer
	raw.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("PATCH %s: got %d, want 200; body %s", path, resp.StatusCode, raw.Bytes())
	}
	return resp.StatusCode, nil
}

// TestConcurrentPatchesOfDifferentFields sends two PATCHes of different
// fields of one organisation, venue or space at once, 50 times over: both
// changes must hold every time (neither PATCH may write back the other's
// field as it was before).
func TestConcurrentPatchesOfDifferentFields(t *testing.T) {
	const rounds = 50
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		orgID, token := s.registerAt(t, "Racing Dance", cLat, cLon)
		venueID := s.venue(t, token, "Racing Hall", cLat, cLon)
		spaceID := s.space(t, token, venueID, spaceBody("Racing Room")).ID

		tests := []struct {
			path string
			// bodies are the two PATCHes of round r; got reads the two
			// fields back from a GET.
			bodies func(r int) [2]map[string]any
			got    func(m map[string]any) [2]any
		}{
			{"/v1/organisations/" + orgID,
				func(r int) [2]map[string]any {
					return [2]map[string]any{{"name": fmt.Sprint("Name ", r)}, {"description": fmt.Sprint("Description ", r)}}
				},
				func(m map[string]any) [2]any { return [2]any{m["name"], m["description"]} }},
			{"/v1/venues/" + venueID,
				func(r int) [2]map[string]any {
					return [2]map[string]any{{"name": fmt.Sprint("Hall ", r)}, {"address": fmt.Sprint(r, " Mill Road")}}
				},
				func(m map[string]any) [2]any { return [2]any{m["name"], m["address"]} }},
			{"/v1/spaces/" + spaceID,
				func(r int) [2]map[string]any {
					return [2]map[string]any{{"name": fmt.Sprint("Room ", r)}, {"capacity": 10 + r}}
				},
				func(m map[string]any) [2]any { return [2]any{m["name"], m["capacity"]} }},
		}
		for _, tt := range tests {
			t.Run(strings.Split(tt.path, "/")[2], func(t *testing.T) {
				lost := 0
				for r := 1; r <= rounds; r++ {
					bodies := tt.bodies(r)
					var wg sync.WaitGroup
					errs := make([]error, 2)
					for i, b := range bodies {
						wg.Go(func() { _, errs[i] = s.patchRaw(tt.path, token, b) })
					}
					wg.Wait()
					for _, err := range errs {
						if err != nil {
							t.Fatal(err)
						}
					}
					got := tt.got(s.get(t, tt.path, token))
					var want [2]any
					for i, b := range bodies {
						for _, v := range b {
							want[i] = v
						}
					}
					// JSON numbers decode as float64.
					if n, ok := want[1].(int); ok {
						want[1] = float64(n)
					}
					if got != want {
						lost++
						t.Logf("round %d: got %v, want %v", r, got, want)
					}
				}
				if lost > 0 {
					t.Errorf("a concurrent PATCH was lost in %d of %d rounds", lost, rounds)
				}
			})
		}
	})
}
