package web_test

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"commonground/api"
	"commonground/seed"
	"commonground/store"
)

// localSpan writes an API period as the pages do, in local time.
func localSpan(t *testing.T, p api.Period) string {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := time.Parse(time.RFC3339, p.Start)
	b, err2 := time.Parse(time.RFC3339, p.End)
	if err1 != nil || err2 != nil {
		t.Fatalf("period %+v: %v %v", p, err1, err2)
	}
	a, b = a.In(loc), b.In(loc)
	if a.YearDay() == b.YearDay() {
		return a.Format("Mon 2 Jan 2006, 15:04") + " to " + b.Format("15:04")
	}
	return a.Format("Mon 2 Jan 2006, 15:04") + " to " + b.Format("Mon 2 Jan 2006, 15:04")
}

// TestGroupsThatNeedThisRoom: the room's edit page lists the groups the
// API finds for it (name, distance to one decimal, free windows as local
// days and times, reasons as sentences), or says there are none.
func TestGroupsThatNeedThisRoom(t *testing.T) {
	s := demoSite(t, store.SQLite)
	var list struct {
		Items []api.Space `json:"items"`
	}
	if st := s.api(t, "GET", "/v1/spaces?limit=100", "", nil, &list); st != http.StatusOK || len(list.Items) == 0 {
		t.Fatalf("list spaces: %d, %d", st, len(list.Items))
	}
	checked := false
	for _, sp := range list.Items {
		var res api.GroupResult
		if st := s.api(t, "GET", "/v1/spaces/"+sp.ID+"/groups", "", nil, &res); st != http.StatusOK {
			t.Fatalf("groups of %s: %d", sp.ID, st)
		}
		if len(res.Matches) == 0 || len(res.Matches[0].FreeWindows) == 0 {
			continue
		}
		owner := s.signIn(t, s.demoOwnerEmail(t, sp.OrganisationID), seed.DemoPassword)
		page := owner.get("/dashboard/rooms/spaces/" + sp.ID)
		if page.status != http.StatusOK || !strings.Contains(page.body, `id="groups">Groups that need this room</h2>`) {
			t.Fatalf("the edit page: %d, no groups section\n%.3000s", page.status, page.body)
		}
		for _, m := range res.Matches {
			if !strings.Contains(page.body, `<a href="/organisations/`+m.OrganisationID+`">`+html.EscapeString(m.Name)+`</a>`) {
				t.Errorf("%s is not listed", m.Name)
			}
			if want := fmt.Sprintf("%.1f km away", m.DistanceKm); !strings.Contains(page.body, want) {
				t.Errorf("%s: no %q", m.Name, want)
			}
			for _, w := range m.FreeWindows {
				if want := "<li>" + localSpan(t, w) + "</li>"; !strings.Contains(page.body, want) {
					t.Errorf("%s: the free window %+v is not shown as %q", m.Name, w, want)
				}
			}
			for _, r := range m.Reasons {
				if want := html.EscapeString(sentenceOf(strings.ReplaceAll(r.Detail, "_", "-"))); !strings.Contains(page.body, want) {
					t.Errorf("%s: the reason %q is not said", m.Name, want)
				}
			}
		}
		checked = true
		break
	}
	if !checked {
		t.Fatal("no demo room has a group with a free window")
	}

	// A room no group needs: the page says so.
	for _, sp := range list.Items {
		var res api.GroupResult
		s.api(t, "GET", "/v1/spaces/"+sp.ID+"/groups", "", nil, &res)
		if len(res.Matches) > 0 {
			continue
		}
		owner := s.signIn(t, s.demoOwnerEmail(t, sp.OrganisationID), seed.DemoPassword)
		page := owner.get("/dashboard/rooms/spaces/" + sp.ID)
		if !strings.Contains(page.body, "No organisation nearby has said it needs a room like this one yet.") {
			t.Errorf("a room no group needs: the page does not say so\n%.3000s", page.body)
		}
		return
	}
	t.Fatal("every demo room has groups: none to show the empty case")
}
