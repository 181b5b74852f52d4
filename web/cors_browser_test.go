package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"commonground/store"
)

// crossOriginPage calls the API named by ?api= the way a web app on another
// origin would, and writes what each call gave into #result as JSON.
const crossOriginPage = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Another origin</title></head>
<body><pre id="result"></pre><script>
(async () => {
  const api = new URLSearchParams(location.search).get("api");
  const out = {};
  const call = async (name, path, init) => {
    try {
      const r = await fetch(api + path, init);
      const body = await r.json();
      out[name] = {status: r.status, body: body, etag: r.headers.get("ETag") || ""};
    } catch (e) {
      out[name] = {error: String(e)};
    }
  };
  await call("taxonomy", "/v1/taxonomy", {});
  await call("match", "/v1/match/venues", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({near: {place: "Ely"}, radius_km: 15, group_size: 10, activity: "contemporary",
      sessions: [{start: "2027-02-02T18:00:00Z", end: "2027-02-02T19:00:00Z"}], limit: 3}),
  });
  await call("credentials", "/v1/taxonomy", {credentials: "include"});
  document.getElementById("result").textContent = JSON.stringify(out);
  const done = document.createElement("p");
  done.id = "done";
  done.textContent = "done";
  document.body.appendChild(done);
})();
</script></body></html>`

// TestCrossOriginFetchInBrowser loads a page from another origin into
// Chromium and calls the API from it: a plain GET, a JSON POST (which the
// browser preflights with OPTIONS) and a GET with credentials, which the
// API must not share, as cookies never cross origins.
func TestCrossOriginFetchInBrowser(t *testing.T) {
	path := chromiumPath(t)
	s := demoSite(t, store.SQLite)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, crossOriginPage)
	}))
	defer page.Close()

	ctx := newChrome(t, path, 1280)
	var raw string
	err := chromedp.Run(ctx,
		chromedp.Navigate(page.URL+"/?api="+url.QueryEscape(s.srv.URL)),
		chromedp.WaitVisible("#done", chromedp.ByID),
		chromedp.Text("#result", &raw, chromedp.ByID))
	if err != nil {
		t.Fatalf("run the page: %v", err)
	}
	type answer struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
		ETag   string          `json:"etag"`
		Error  string          `json:"error"`
	}
	var got map[string]answer
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("page result %q: %v", raw, err)
	}

	tax := got["taxonomy"]
	var taxonomy struct {
		Activities []json.RawMessage `json:"activities"`
	}
	if tax.Error != "" || tax.Status != http.StatusOK || json.Unmarshal(tax.Body, &taxonomy) != nil || len(taxonomy.Activities) == 0 {
		t.Errorf("GET /v1/taxonomy from another origin: got %+v, want 200 with the activities", tax)
	}
	if tax.ETag == "" {
		t.Errorf("GET /v1/taxonomy from another origin: the page cannot read the ETag (Access-Control-Expose-Headers)")
	}

	match := got["match"]
	var result struct {
		Matches []struct {
			SpaceID string `json:"space_id"`
		} `json:"matches"`
	}
	if match.Error != "" || match.Status != http.StatusOK || json.Unmarshal(match.Body, &result) != nil || len(result.Matches) == 0 {
		t.Errorf("POST /v1/match/venues from another origin: got %+v, want 200 with matches", match)
	}

	// With credentials the browser needs Access-Control-Allow-Credentials,
	// which the API never sends: the call fails in the page.
	if c := got["credentials"]; c.Error == "" {
		t.Errorf("GET with credentials from another origin: got %+v, want the browser to refuse it", c)
	}
}
