package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"commonground/api"
	"commonground/seed"
	"commonground/store"
)

// TestScreenshots writes pictures of the first screen of the main pages,
// 1280 and 390 pixels wide, to docs/screens/ for the README, when
// COMMONGROUND_SCREENSHOTS=1 (so ordinary runs leave the tree alone).
func TestScreenshots(t *testing.T) {
	if os.Getenv("COMMONGROUND_SCREENSHOTS") != "1" {
		t.Skip("set COMMONGROUND_SCREENSHOTS=1 to write docs/screens/")
	}
	path := chromiumPath(t)
	s := demoSite(t, store.SQLite)
	q := findQuery()
	q.Set("count", "1")
	// A request waiting for a room's owner, so the dashboard has one.
	b, _ := s.register(t, "Moving Stories Dance")
	found := b.get("/find?" + q.Encode())
	var spaceID, ownerID string
	for _, m := range regexp.MustCompile(`<h2><a href="/spaces/([0-9a-f-]+)\?`).FindAllStringSubmatch(found.body, -1) {
		var sp api.Space
		s.api(t, "GET", "/v1/spaces/"+m[1], "", nil, &sp)
		if !sp.InstantBook && spaceID == "" {
			spaceID, ownerID = m[1], sp.OrganisationID
		}
	}
	if spaceID == "" {
		t.Fatal("no room needing approval")
	}
	p := b.post("/spaces/"+spaceID+"/book", url.Values{"day": {q.Get("day")}, "start": {"18:00"}, "end": {"20:00"},
		"from": {nextWeek()}, "count": {"6"}, "purpose": {"Youth contemporary class"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("book: %d\n%.2000s", p.status, p.body)
	}
	dir := filepath.Join("..", "docs", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1280, 390} {
		ctx := newChrome(t, path, width)
		height := map[int64]int64{1280: 1000, 390: 844}[width]
		if err := chromedp.Run(ctx, chromedp.EmulateViewport(width, height)); err != nil {
			t.Fatal(err)
		}
		shoot := func(name, path string) {
			var png []byte
			if err := chromedp.Run(ctx, chromedp.Navigate(s.srv.URL+path), chromedp.WaitReady("body"),
				chromedp.CaptureScreenshot(&png)); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			file := filepath.Join(dir, name+"-"+itoa(int(width))+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		shoot("home", "/")
		shoot("find", "/find?"+q.Encode())
		shoot("space", "/spaces/"+spaceID+"?"+q.Encode())
		chromedp.Run(ctx, chromedp.Navigate(s.srv.URL+"/signin"),
			chromedp.SendKeys("#email", s.demoOwnerEmail(t, ownerID), chromedp.ByQuery),
			chromedp.SendKeys("#password", seed.DemoPassword, chromedp.ByQuery))
		submit(t, ctx, "#password")
		shoot("dashboard", "/dashboard")
	}
}
