package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"commonground/api"
	"commonground/openactive"
	"commonground/store"
)

const publicBase = "https://cg.example"

// openDataServer is a server whose clock is the real one (the change log
// is stamped with it) plus an offset the test moves on.
func openDataServer(t *testing.T, db *store.DB) (*server, *atomic.Int64) {
	var ahead atomic.Int64
	s := newServer(t, db, func(c *api.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
		c.PublicURL = publicBase
	})
	return s, &ahead
}

// feedPage gets one page of a feed and checks the RPDE and HTTP rules every
// page keeps.
func feedPage(t *testing.T, s *server, path string) openactive.Page {
	t.Helper()
	status, h, raw := s.send(t, request{method: "GET", path: path})
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, raw)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if h.Get("ETag") == "" {
		t.Errorf("GET %s: no ETag", path)
	}
	var p struct {
		Next    string            `json:"next"`
		License string            `json:"license"`
		Items   []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if !strings.HasPrefix(p.Next, publicBase+"/openactive/") {
		t.Errorf("GET %s: next %q is not absolute under the public URL", path, p.Next)
	}
	if p.License != "https://creativecommons.org/licenses/by/4.0/" {
		t.Errorf("GET %s: license %q", path, p.License)
	}
	want := "public, max-age=3600"
	if len(p.Items) == 0 {
		want = "public, max-age=8"
		if p.Next != publicBase+path {
			t.Errorf("GET %s: the last page's next is %q, not its own URL", path, p.Next)
		}
	}
	if got := h.Get("Cache-Control"); got != want {
		t.Errorf("GET %s (%d items): Cache-Control %q, want %q", path, len(p.Items), got, want)
	}
	out := openactive.Page{Next: p.Next, License: p.License}
	for _, r := range p.Items {
		var it openactive.Item
		if err := json.Unmarshal(r, &it); err != nil {
			t.Fatal(err)
		}
		var data map[string]any
		json.Unmarshal(r, &struct {
			Data *map[string]any `json:"data"`
		}{&data})
		if it.State == openactive.StateDeleted && data != nil {
			t.Errorf("deleted item %s carries data", it.ID)
		}
		if it.State == openactive.StateUpdated && data == nil {
			t.Errorf("updated item %s carries no data", it.ID)
		}
		it.Data = data
		out.Items = append(out.Items, it)
	}
	return out
}

// walkFeed reads a feed from path to its end and returns the items and
// the path of the end.
func walkFeed(t *testing.T, s *server, path string) ([]openactive.Item, string) {
	t.Helper()
	var all []openactive.Item
	for range 1000 {
		p := feedPage(t, s, path)
		if len(p.Items) == 0 {
			return all, path
		}
		all = append(all, p.Items...)
		u, err := url.Parse(p.Next)
		if err != nil {
			t.Fatal(err)
		}
		path = u.RequestURI()
	}
	t.Fatal("feed does not end")
	return nil, ""
}

func TestOpenActiveFeeds(t *testing.T) {
	eachServer(t, func(t *testing.T, _ *server, db *store.DB) {
		s, ahead := openDataServer(t, db)
		_, token := s.registerAt(t, "Open Data Dance", cLat, cLon)
		_, booker := s.registerAt(t, "Open Data Youth", cLat, cLon)
		venue := s.venue(t, token, "Open Data Centre", cLat, cLon)
		x := s.space(t, token, venue, spaceBody("Studio X"))
		y := s.space(t, token, venue, spaceBody("Studio Y"))

		items, end := walkFeed(t, s, "/openactive/facility-uses")
		got := map[string]openactive.Item{}
		for _, it := range items {
			got[it.ID] = it
		}
		for _, id := range []string{x.ID, y.ID} {
			it, ok := got[id]
			if !ok || it.State != openactive.StateUpdated || it.Kind != openactive.KindFacilityUse {
				t.Fatalf("space %s in the feed: %+v", id, it)
			}
			d := it.Data.(map[string]any)
			if d["@type"] != "FacilityUse" || d["@id"] != publicBase+"/v1/spaces/"+id {
				t.Errorf("space %s data: %v", id, d)
			}
		}

		// A deleted space comes back at the end as a deleted item.
		status, _, m := s.do(t, "DELETE", "/v1/spaces/"+y.ID, token, nil)
		wantStatus(t, "delete space", status, http.StatusNoContent, m)
		ahead.Add(int64(2 * time.Second))
		more, _ := walkFeed(t, s, end)
		if len(more) != 1 || more[0].ID != y.ID || more[0].State != openactive.StateDeleted {
			t.Errorf("after deleting %s the feed goes on with %+v", y.ID, more)
		}

		// The slots feed: every item of X is a slot of an hour it is open
		// or a deleted hour; pick a free one and book it.
		ahead.Add(int64(openactive.Lag))
		slots, slotEnd := walkFeed(t, s, "/openactive/slots")
		var free *openactive.Item
		for i, it := range slots {
			if !strings.HasPrefix(it.ID, x.ID+"/") || it.State != openactive.StateUpdated {
				continue
			}
			d := it.Data.(map[string]any)
			if d["facilityUse"] != publicBase+"/v1/spaces/"+x.ID {
				t.Fatalf("slot %s: facilityUse %v", it.ID, d["facilityUse"])
			}
			if d["remainingUses"] == 1.0 && free == nil {
				free = &slots[i]
			}
		}
		if free == nil {
			t.Fatalf("no free slot of %s among %d items", x.ID, len(slots))
		}
		start := free.Data.(map[string]any)["startDate"].(string)
		end1 := free.Data.(map[string]any)["endDate"].(string)
		status, _, m = s.do(t, "POST", "/v1/spaces/"+x.ID+"/bookings", booker, map[string]any{
			"purpose": "class", "sessions": []any{map[string]any{"start": start, "end": end1}}})
		wantStatus(t, "book the free slot", status, http.StatusCreated, m)
		ahead.Add(int64(openactive.Lag + 2*time.Second))
		after, _ := walkFeed(t, s, slotEnd)
		var booked bool
		for _, it := range after {
			if !strings.HasPrefix(it.ID, x.ID+"/") {
				t.Errorf("after booking %s, %s moved too", x.ID, it.ID)
			}
			if it.ID == free.ID {
				booked = it.Data.(map[string]any)["remainingUses"] == 0.0
			}
		}
		if !booked {
			t.Errorf("after booking it, slot %s does not come again with remainingUses 0 (%d items)", free.ID, len(after))
		}
	})
}

func TestOpenActiveFeedRefusesBadCursors(t *testing.T) {
	s := newServer(t, nil)
	for _, q := range []string{"afterTimestamp=x&afterId=a", "afterTimestamp=1", "afterId=a", "afterTimestamp=1&afterId=%00"} {
		for _, feed := range []string{"/openactive/slots", "/openactive/facility-uses"} {
			status, h, raw := s.send(t, request{method: "GET", path: feed + "?" + q})
			if status != http.StatusBadRequest {
				t.Errorf("GET %s?%s: %d, want 400", feed, q, status)
				continue
			}
			p := checkProblem(t, feed, status, h, raw)
			if len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Field, "after") {
				t.Errorf("GET %s?%s: problem %+v does not name the parameter", feed, q, p)
			}
		}
	}
}

func TestOpenActiveDatasetSite(t *testing.T) {
	eachServer(t, func(t *testing.T, _ *server, db *store.DB) {
		s, _ := openDataServer(t, db)
		status, h, raw := s.send(t, request{method: "GET", path: "/openactive"})
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /openactive: %d %s", status, h.Get("Content-Type"))
		}
		if h.Get("Cache-Control") != "public, max-age=3600" || h.Get("ETag") == "" {
			t.Errorf("GET /openactive: Cache-Control %q, ETag %q", h.Get("Cache-Control"), h.Get("ETag"))
		}
		m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindSubmatch(raw)
		if m == nil {
			t.Fatalf("no JSON-LD in %s", raw)
		}
		var d map[string]any
		if err := json.Unmarshal(m[1], &d); err != nil {
			t.Fatal(err)
		}
		if d["@type"] != "Dataset" || d["url"] != publicBase+"/openactive" {
			t.Errorf("Dataset: %v", d)
		}
		logo := d["publisher"].(map[string]any)["logo"].(map[string]any)["url"].(string)
		status, h, _ = s.send(t, request{method: "GET", path: strings.TrimPrefix(logo, publicBase)})
		if status != http.StatusOK || h.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("GET %s: %d %s", logo, status, h.Get("Content-Type"))
		}
		status, _, _ = s.send(t, request{method: "GET", path: "/openactive", header: map[string]string{"If-None-Match": h.Get("ETag")}})
		if status != http.StatusOK {
			t.Errorf("the logo's ETag matched the page's: %d", status)
		}
		etag := fmt.Sprint(s.headOf(t, "/openactive").Get("ETag"))
		status, _, _ = s.send(t, request{method: "GET", path: "/openactive", header: map[string]string{"If-None-Match": etag}})
		if status != http.StatusNotModified {
			t.Errorf("GET /openactive with its ETag: %d, want 304", status)
		}
	})
}

// headOf answers the headers of a HEAD request.
func (s *server) headOf(t *testing.T, path string) http.Header {
	t.Helper()
	status, h, _ := s.send(t, request{method: "HEAD", path: path})
	if status != http.StatusOK {
		t.Fatalf("HEAD %s: %d", path, status)
	}
	return h
}
