package web_test

import (
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"commonground/store"
)

// TestPhoneWidthAndKeyboard: at 360 px no page scrolls sideways, and the
// search works by keyboard alone, from the skip link to the results.
func TestPhoneWidthAndKeyboard(t *testing.T) {
	path := chromiumPath(t)
	s := demoSite(t, store.SQLite)
	ctx := newChrome(t, path, 360)
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	base := s.srv.URL
	q := findQuery()
	found := s.browser(t).get("/find?" + q.Encode())
	spaceID := find(t, found.body, `href="/spaces/([0-9a-f-]+)\?`, "a match")
	for _, p := range []string{"/", "/find?" + q.Encode(), "/spaces/" + spaceID, "/nearby?place=Ely", "/signin", "/signup"} {
		var wide int
		if err := chromedp.Run(ctx, chromedp.Navigate(base+p), chromedp.WaitReady("body"),
			chromedp.Evaluate(`document.documentElement.scrollWidth`, &wide)); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if wide > 360 {
			t.Errorf("%s is %d px wide at 360 px: it scrolls sideways", p, wide)
		}
	}

	// Keyboard only: Tab reaches the skip link first; Enter moves to the
	// content; the search form is filled and sent with keys.
	var active, hash string
	err := chromedp.Run(ctx, chromedp.Navigate(base+"/"), chromedp.WaitReady("body"),
		chromedp.KeyEvent(kb.Tab),
		chromedp.Evaluate(`document.activeElement.className`, &active))
	if err != nil || active != "skip" {
		t.Fatalf("the first Tab lands on %q (%v), want the skip link", active, err)
	}
	err = chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter),
		chromedp.Evaluate(`location.hash + " " + document.activeElement.id`, &hash))
	if err != nil || hash != "#main main" {
		t.Errorf("after Enter on the skip link: %q (%v), want #main focused", hash, err)
	}
	err = chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(`document.activeElement.id`, &active))
	if err != nil || active != "place" {
		t.Fatalf("a Tab after the skip link lands on %q (%v), want the place field", active, err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("Ely"+kb.Enter)); err != nil {
		t.Fatalf("send the search with Enter: %v", err)
	}
	var title string
	chromedp.Run(ctx, chromedp.Text("h1", &title, chromedp.ByQuery))
	if title != "Rooms for your search" {
		t.Errorf("after searching by keyboard the page is %q", title)
	}

	// "Use my location" on /nearby: the browser says it is in Ely.
	err = chromedp.Run(ctx,
		cdpbrowser.GrantPermissions([]cdpbrowser.PermissionType{cdpbrowser.PermissionTypeGeolocation}).WithOrigin(base),
		emulation.SetGeolocationOverride().WithLatitude(52.3986).WithLongitude(0.2620).WithAccuracy(10),
		chromedp.Navigate(base+"/nearby"), chromedp.WaitVisible("#locate", chromedp.ByQuery))
	if err != nil {
		t.Fatalf("/nearby with a location: %v", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click("#locate", chromedp.ByQuery)); err != nil {
		t.Fatalf("use my location: %v", err)
	}
	var at string
	chromedp.Run(ctx, chromedp.Evaluate(`location.search`, &at))
	if !strings.Contains(at, "lat=52.3986") || !strings.Contains(at, "lon=0.2620") {
		t.Errorf("after 'use my location' the page asks %q, want the browser's position", at)
	}
	if got := text(t, ctx); !strings.Contains(got, "free") || strings.Contains(got, "Choose a day") {
		t.Errorf("the nearby page after 'use my location':\n%s", got)
	}
}
