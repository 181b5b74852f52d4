package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"commonground/seed"
)

// signInBrowser signs Chromium in by the sign-in form.
func signInBrowser(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	visit(t, ctx, base, "/signin")
	if err := chromedp.Run(ctx,
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", seed.DemoPassword, chromedp.ByQuery)); err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	submit(t, ctx, "#password")
	if p := currentPath(t, ctx); p != "/dashboard" {
		t.Fatalf("signed in as %s, the browser is at %s, want /dashboard", email, p)
	}
}

// TestPartnerPagesInBrowser checks with axe-core, in Chromium, the
// partnership page with its closing evaluation form (empty, refused and
// sent) and the consortium pages (the search's forms, forming, an
// invitation to answer, active with its health-check form).
func TestPartnerPagesInBrowser(t *testing.T) {
	path := chromiumPath(t)
	eachSite(t, func(t *testing.T, s *site) {
		base := s.srv.URL
		_, _, pid := completedPartnership(t, s)
		stored, err := s.app.DB.GetPartnership(t.Context(), pid)
		if err != nil {
			t.Fatal(err)
		}
		ctx := newChrome(t, path, 1280)
		signInBrowser(t, ctx, base, s.demoOwnerEmail(t, stored.ProposerID))
		visit(t, ctx, base, "/dashboard/partnerships/"+pid+"#evaluation")
		// Sent with no answer for the outcome: refused beside it.
		submit(t, ctx, "#ev-comment")
		checkA11y(t, ctx, "/dashboard/partnerships/{id} with a refused evaluation")
		if got := text(t, ctx); !strings.Contains(got, "Answer yes, partly or no.") {
			t.Errorf("the refused evaluation says:\n%s", got)
		}
		if err := chromedp.Run(ctx, chromedp.Click("#met-0-yes", chromedp.ByQuery)); err != nil {
			t.Fatalf("answer the outcome: %v", err)
		}
		submit(t, ctx, "#ev-comment")
		checkA11y(t, ctx, "/dashboard/partnerships/{id} evaluated")
		if got := text(t, ctx); !strings.Contains(got, "Your evaluation") || !strings.Contains(got, "Ten workshops: met") {
			t.Errorf("after evaluating, the page says:\n%s", got)
		}
		visit(t, ctx, base, "/dashboard/partners")
		signOut(t, ctx)

		_, leadID, kid, members := formedConsortium(t, s)
		signInBrowser(t, ctx, base, s.demoOwnerEmail(t, leadID))
		visit(t, ctx, base, "/dashboard/partners/consortium?requirements=skill.youth-work&requirements=skill.safeguarding&radius_km=50&max_members=3")
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("details").forEach(d => d.open = true)`, nil)); err != nil {
			t.Fatal(err)
		}
		checkA11y(t, ctx, "/dashboard/partners/consortium with the teams' forms open")
		visit(t, ctx, base, "/dashboard/consortia/"+kid)
		visit(t, ctx, base, "/dashboard/partners")
		signOut(t, ctx)
		signInBrowser(t, ctx, base, s.demoOwnerEmail(t, members[0]))
		visit(t, ctx, base, "/dashboard")
		visit(t, ctx, base, "/dashboard/consortia/"+kid)
		submit(t, ctx, `form[action="/dashboard/consortia/`+kid+`/accept"] button`)
		checkA11y(t, ctx, "/dashboard/consortia/{id} accepted by a member")
		signOut(t, ctx)
		for _, m := range members[1:] {
			b := s.signIn(t, s.demoOwnerEmail(t, m), seed.DemoPassword)
			if p := b.post("/dashboard/consortia/"+kid+"/accept", url.Values{}); p.status != http.StatusSeeOther {
				t.Fatalf("accept: %d", p.status)
			}
		}
		signInBrowser(t, ctx, base, s.demoOwnerEmail(t, leadID))
		visit(t, ctx, base, "/dashboard/consortia/"+kid)
		submit(t, ctx, `form[action="/dashboard/consortia/`+kid+`/activate"] button`)
		checkA11y(t, ctx, "/dashboard/consortia/{id} active")
		submit(t, ctx, "#hc-comment")
		checkA11y(t, ctx, "/dashboard/consortia/{id} with a health check")
		if got := text(t, ctx); !strings.Contains(got, "Active") || strings.Contains(got, "No health checks yet") {
			t.Errorf("after the health check, the page says:\n%s", got)
		}
	})
}
