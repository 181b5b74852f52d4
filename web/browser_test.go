package web_test

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"commonground/matching"
	"commonground/seed"
)

// axeSource is axe-core, injected into each page to check it.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeTags are the rule sets checked: WCAG 2.0, 2.1 and 2.2 at A and AA.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]`

// chromiumPath finds Chromium: skipped when it is missing, unless CI is
// set, when its absence fails the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (apt-get install chromium); CI needs it for the browser tests")
	}
	t.Skip("browser tests skipped: Chromium is not installed (apt-get install chromium)")
	return ""
}

// newChrome starts a headless Chromium for t, at width × 900.
func newChrome(t *testing.T, path string, width int64) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("lang", "en-GB"),
		chromedp.WindowSize(int(width), 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkA11y runs axe-core in the page and reports each violation.
func checkA11y(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var loaded bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(axeSource+";true", &loaded)); err != nil {
		t.Fatalf("%s: inject axe: %v", name, err)
	}
	var violations []axeViolation
	// The map's markers are left out: each is a second way to a room the
	// list links to with full-size targets (WCAG 2.5.8's "equivalent"
	// exception), and markers of neighbouring buildings may touch.
	script := `axe.run({exclude: [".leaflet-marker-pane"]}, {runOnly: {type: "tag", values: ` + axeTags + `}}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`
	await := func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
	if err := chromedp.Run(ctx, chromedp.Evaluate(script, &violations, await)); err != nil {
		t.Fatalf("%s: run axe: %v", name, err)
	}
	for _, v := range violations {
		t.Errorf("%s: accessibility: %s (%s, %s) at %v", name, v.Help, v.ID, v.Impact, v.Nodes)
	}
}

// visit loads path and checks it with axe.
func visit(t *testing.T, ctx context.Context, base, path string) {
	t.Helper()
	if err := chromedp.Run(ctx, chromedp.Navigate(base+path), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	checkA11y(t, ctx, path)
}

// currentPath is the page's path and query.
func currentPath(t *testing.T, ctx context.Context) string {
	t.Helper()
	var loc string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`location.pathname + location.search`, &loc)); err != nil {
		t.Fatal(err)
	}
	return loc
}

// text is the visible text of the page's main content.
func text(t *testing.T, ctx context.Context) string {
	t.Helper()
	var s string
	if err := chromedp.Run(ctx, chromedp.Text("main", &s, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestInBrowser drives Chromium through the flows a person takes, with
// JavaScript on, checking every page with axe-core: search by town →
// open a room → register → book → the owner approves on their dashboard
// → the booker sees it confirmed; and add a building and a room.
func TestInBrowser(t *testing.T) {
	path := chromiumPath(t)
	eachSite(t, func(t *testing.T, s *site) {
		ctx := newChrome(t, path, 1280)
		base := s.srv.URL

		visit(t, ctx, base, "/")
		err := chromedp.Run(ctx,
			chromedp.SetValue("#place", "Cambridge", chromedp.ByQuery),
			chromedp.SetValue("#day", "fri", chromedp.ByQuery),
			chromedp.SetValue("#start", "11:00", chromedp.ByQuery),
			chromedp.SetValue("#end", "12:00", chromedp.ByQuery),
			chromedp.SetValue("#from", nextWeek(), chromedp.ByQuery),
			chromedp.SetValue("#count", "2", chromedp.ByQuery),
			chromedp.Submit("#place", chromedp.ByQuery),
			chromedp.WaitVisible(".matches", chromedp.ByQuery))
		if err != nil {
			t.Fatalf("search: %v", err)
		}
		checkA11y(t, ctx, "/find")
		var markers int
		if err := chromedp.Run(ctx, chromedp.WaitVisible(".leaflet-marker-icon", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelectorAll(".leaflet-marker-icon").length`, &markers)); err != nil {
			t.Fatalf("map: %v", err)
		}
		var buildings int
		chromedp.Run(ctx, chromedp.Evaluate(`new Set([...document.querySelectorAll(".match")].map(li => li.dataset.lat + "," + li.dataset.lon)).size`, &buildings))
		if markers != buildings || markers == 0 {
			t.Errorf("the map shows %d markers for the %d buildings of the rooms listed", markers, buildings)
		}

		// The first room whose owner approves requests.
		var href string
		if err := chromedp.Run(ctx, chromedp.Evaluate(`(async () => {
			for (const a of document.querySelectorAll(".match h2 a")) {
				const id = new URL(a.href).pathname.split("/")[2];
				const sp = await (await fetch("/v1/spaces/" + id)).json();
				if (!sp.instant_book) return a.getAttribute("href");
			}
			return "";
		})()`, &href, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })); err != nil || href == "" {
			t.Fatalf("no room needing approval: %q %v", href, err)
		}
		spacePath := strings.SplitN(href, "?", 2)[0]
		visit(t, ctx, base, href)
		var ownerID string
		chromedp.Run(ctx, chromedp.Evaluate(`(async () => (await (await fetch("/v1`+spacePath+`")).json()).organisation_id)()`,
			&ownerID, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))

		email := fmt.Sprintf("browser-%d@web-test.example.org", time.Now().UnixNano())
		visit(t, ctx, base, "/signup")
		err = chromedp.Run(ctx,
			chromedp.SendKeys("#name", "Moving Stories Dance", chromedp.ByQuery),
			chromedp.SetValue("#type", "arts", chromedp.ByQuery),
			chromedp.SendKeys("#place", "Cambridge", chromedp.ByQuery),
			chromedp.SendKeys("#admin_name", "Ada Booker", chromedp.ByQuery),
			chromedp.SendKeys("#email", email, chromedp.ByQuery),
			chromedp.SendKeys("#password", "correct horse battery", chromedp.ByQuery),
			chromedp.Submit("#password", chromedp.ByQuery),
			chromedp.WaitVisible("#add-venue", chromedp.ByQuery))
		if err != nil {
			t.Fatalf("sign up: %v", err)
		}
		checkA11y(t, ctx, "/dashboard/rooms")

		visit(t, ctx, base, spacePath)
		err = chromedp.Run(ctx,
			chromedp.SetValue("#b-day", "fri", chromedp.ByQuery),
			chromedp.SetValue("#b-start", "11:00", chromedp.ByQuery),
			chromedp.SetValue("#b-end", "12:00", chromedp.ByQuery),
			chromedp.SetValue("#b-from", nextWeek(), chromedp.ByQuery),
			chromedp.SetValue("#b-count", "2", chromedp.ByQuery),
			chromedp.SendKeys("#b-purpose", "Rehearsals for the spring show", chromedp.ByQuery),
			chromedp.Submit("#b-purpose", chromedp.ByQuery),
			chromedp.WaitVisible("#confirm-booking", chromedp.ByQuery))
		if err != nil {
			t.Fatalf("quote: %v", err)
		}
		checkA11y(t, ctx, "/spaces/{id} with a quote")
		err = chromedp.Run(ctx,
			chromedp.Click("#confirm-booking", chromedp.ByQuery),
			chromedp.WaitVisible("#messages", chromedp.ByQuery))
		if err != nil {
			t.Fatalf("book: %v", err)
		}
		bookingPath := currentPath(t, ctx)
		checkA11y(t, ctx, "/dashboard/bookings/…")
		if got := text(t, ctx); !strings.Contains(got, "Waiting for the room") {
			t.Errorf("new booking page says:\n%s", got)
		}

		signOutIn(t, ctx, base, s.demoOwnerEmail(t, ownerID), seed.DemoPassword)
		visit(t, ctx, base, "/dashboard")
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`form[action="`+bookingPath+`/approve"] button`, chromedp.ByQuery)); err != nil {
			t.Fatalf("approve: %v", err)
		}
		// The owner proposes a partnership to a suggestion, and reads it.
		visit(t, ctx, base, "/dashboard/partners")
		var canPropose bool
		chromedp.Run(ctx, chromedp.Evaluate(`!!document.querySelector('form[action="/dashboard/partners"]')`, &canPropose))
		if canPropose {
			err = chromedp.Run(ctx,
				chromedp.Evaluate(`document.querySelector('form[action="/dashboard/partners"]').closest("details").open = true`, nil),
				chromedp.SendKeys(`form[action="/dashboard/partners"] textarea[name="purpose"]`, "Summer dance school", chromedp.ByQuery),
				chromedp.SendKeys(`form[action="/dashboard/partners"] textarea[name="outcomes"]`, "Forty young people dance for a week", chromedp.ByQuery))
			if err != nil {
				t.Fatalf("propose: %v", err)
			}
			submit(t, ctx, `form[action="/dashboard/partners"] textarea[name="purpose"]`)
			var link string
			chromedp.Run(ctx, chromedp.Evaluate(`(document.querySelector('a[href^="/dashboard/partnerships/"]') || {}).pathname || ""`, &link))
			if link == "" {
				t.Errorf("after proposing, no partnership is listed:\n%s", text(t, ctx))
			} else {
				visit(t, ctx, base, link)
				// The partner accepts (by the store: this browser is the
				// proposer's); the page then carries the health-check form.
				pid := strings.TrimPrefix(link, "/dashboard/partnerships/")
				stored, err := s.app.DB.GetPartnership(t.Context(), pid)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.app.DB.TransitionPartnership(t.Context(), pid, matching.ActionAccept, matching.Actor{OrganisationID: stored.PartnerID}); err != nil {
					t.Fatal(err)
				}
				visit(t, ctx, base, link+"#check")
				// A change to the agreement now waits for the partner.
				err = chromedp.Run(ctx,
					chromedp.Evaluate(`document.querySelector('form[action$="/agreement"]').closest("details").open = true`, nil),
					chromedp.SetValue("#ag-purpose", "Summer dance school and a sharing", chromedp.ByQuery))
				if err != nil {
					t.Fatalf("change the agreement: %v", err)
				}
				submit(t, ctx, "#ag-purpose")
				visit(t, ctx, base, link)
				if got := text(t, ctx); !strings.Contains(got, "waiting for") || !strings.Contains(got, "Summer dance school and a sharing") {
					t.Errorf("the proposed change is not shown waiting:\n%s", got)
				}
			}
		}
		signOutIn(t, ctx, base, email, "correct horse battery")
		visit(t, ctx, base, bookingPath)
		if got := text(t, ctx); !strings.Contains(got, "Confirmed.") {
			t.Errorf("after approval the booker sees:\n%s", got)
		}
		visit(t, ctx, base, "/dashboard")
		if got := text(t, ctx); !strings.Contains(got, "Rehearsals") && !strings.Contains(got, "you book from") {
			t.Errorf("the booker's dashboard lacks the booking:\n%s", got)
		}

		// Add a building and a room, then see its stars.
		visit(t, ctx, base, "/dashboard/rooms")
		err = chromedp.Run(ctx,
			chromedp.SendKeys("#v-name", "Moving Stories Studio", chromedp.ByQuery),
			chromedp.SendKeys("#v-place", "Cambridge", chromedp.ByQuery),
			chromedp.Submit("#v-place", chromedp.ByQuery),
			chromedp.WaitVisible("section.venue details summary", chromedp.ByQuery),
			chromedp.Click("section.venue details summary", chromedp.ByQuery),
			chromedp.SendKeys(`section.venue input[name="name"]`, "Studio A", chromedp.ByQuery),
			chromedp.SendKeys(`section.venue input[name="capacity"]`, "20", chromedp.ByQuery),
			chromedp.SendKeys(`section.venue input[name="floor_area_m2"]`, "90", chromedp.ByQuery),
			chromedp.Click(`section.venue input[name="mirrors"]`, chromedp.ByQuery),
			chromedp.Click(`section.venue input[name="climate_control"]`, chromedp.ByQuery),
			chromedp.Poll(`(document.querySelector("section.venue .live-stars") || {}).textContent.includes("of 5 stars")`, nil),
			chromedp.Submit(`section.venue input[name="name"]`, chromedp.ByQuery),
			chromedp.WaitVisible("#stars", chromedp.ByQuery))
		if err != nil {
			t.Fatalf("add a room: %v", err)
		}
		checkA11y(t, ctx, "the new room")
		if got := text(t, ctx); !strings.Contains(got, "of 5 stars") {
			t.Errorf("the new room's page shows no stars:\n%s", got)
		}
		var roomID string
		chromedp.Run(ctx, chromedp.Evaluate(`location.pathname.split("/")[2]`, &roomID))
		visit(t, ctx, base, "/dashboard/rooms/spaces/"+roomID)
		checkA11y(t, ctx, "/dashboard/rooms/spaces/{id}")
		var live string
		err = chromedp.Run(ctx, chromedp.SetValue("#floor", "concrete", chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById("floor").dispatchEvent(new Event("change", {bubbles: true}))`, nil),
			chromedp.Poll(`document.getElementById("live-stars").textContent.includes("With these details")`, nil),
			chromedp.Text("#live-stars", &live, chromedp.ByQuery))
		if err != nil || !strings.Contains(live, "concrete floor") || !strings.Contains(live, "lost") {
			t.Errorf("the live rating after choosing a concrete floor: %q %v", live, err)
		}
		visit(t, ctx, base, spacePath)
		venuePath, orgPath := "", ""
		chromedp.Run(ctx, chromedp.AttributeValue(".crumbs a", "href", &venuePath, nil, chromedp.ByQuery),
			chromedp.AttributeValue(`.crumbs a[href^="/organisations/"]`, "href", &orgPath, nil, chromedp.ByQuery))

		for _, p := range []string{venuePath, orgPath, "/nearby", "/nearby?place=Ely&when=now", "/dashboard/partners",
			"/dashboard/organisation", "/dashboard/partners/consortium?requirements=skill.youth-work&radius_km=25&max_members=3", "/password-reset", "/password-reset/not-a-token", "/invitations/not-a-token",
			"/spaces/no-such-room"} {
			visit(t, ctx, base, p)
		}
		visit(t, ctx, base, "/dashboard/organisation#calendar")
		submit(t, ctx, `form[action="/dashboard/organisation/calendar-key"] button`)
		checkA11y(t, ctx, "/dashboard/organisation with a new calendar link")
		var calURL string
		chromedp.Run(ctx, chromedp.Value("#calendar-url", &calURL, chromedp.ByQuery))
		if !strings.Contains(calURL, "/calendar.ics?key=") {
			t.Errorf("the calendar link shown is %q", calURL)
		}
		signOut(t, ctx)
		visit(t, ctx, base, "/signin")
	})
}

// signOut presses the header's sign-out button.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`form[action="/signout"] button`, chromedp.ByQuery)); err != nil {
		t.Fatalf("sign out: %v", err)
	}
}

// signOutIn signs out and in again as someone else.
func signOutIn(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	signOut(t, ctx)
	visit(t, ctx, base, "/signin")
	if err := chromedp.Run(ctx,
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", password, chromedp.ByQuery)); err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	submit(t, ctx, "#password")
	if p := currentPath(t, ctx); p != "/dashboard" {
		t.Fatalf("signed in as %s, the browser is at %s, want /dashboard", email, p)
	}
}

// submit submits the form holding sel and waits for the next page.
func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Submit(sel, chromedp.ByQuery)); err != nil {
		t.Fatalf("submit %s: %v", sel, err)
	}
}
