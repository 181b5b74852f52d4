package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"commonground/store"
)

func TestConcurrentSpaceCreation(t *testing.T) {
	const n = 20
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Busy", cLat, cLon)
		venueID := s.venue(t, token, "Busy hall", cLat, cLon)
		statuses := make([]int, n)
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				body, _ := json.Marshal(spaceBody(fmt.Sprintf("Room %02d", i)))
				req, err := http.NewRequestWithContext(t.Context(), "POST", s.url+"/v1/venues/"+venueID+"/spaces", bytes.NewReader(body))
				if err != nil {
					errs[i] = err
					return
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				<-start
				resp, err := s.client.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				statuses[i] = resp.StatusCode
				var m map[string]any
				if json.Unmarshal(raw, &m) == nil {
					ids[i], _ = m["id"].(string)
				}
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || statuses[i] != http.StatusCreated || ids[i] == "" {
				t.Errorf("request %d: got status %d, id %q, error %v; want 201 with an id", i, statuses[i], ids[i], errs[i])
			}
		}
		got, _ := s.walk(t, "/v1/venues/"+venueID+"/spaces?limit=7")
		if len(got) != n || !sameSet(got, ids) {
			t.Errorf("got %d spaces %v, want exactly the %d created %v", len(got), got, n, ids)
		}
	})
}
