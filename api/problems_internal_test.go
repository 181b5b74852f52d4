package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestEveryProblemTypeHasAPage finds every problem type the package's
// code can send (the codes table, and the types named in calls to
// failStatus or after problemTypeBase) and checks that its page exists,
// says the status the code sends with it, and is served as HTML.
func TestEveryProblemTypeHasAPage(t *testing.T) {
	sent := map[string]int{} // type → status, 0 where the source does not say
	for _, c := range codes {
		sent[c.typ] = c.status
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`failStatus\(c, http\.Status\w+, "([a-z-]+)"`),
		regexp.MustCompile(`problemTypeBase\s*\+\s*"([a-z-]+)"`),
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if _, ok := sent[m[1]]; !ok {
					sent[m[1]] = 0
				}
			}
		}
	}
	if len(sent) < 15 {
		t.Fatalf("found %d problem types in the source, want at least 15: is the search still finding them?", len(sent))
	}
	h := &handler{}
	for typ, status := range sent {
		page, ok := problemPages[typ]
		if !ok {
			t.Errorf("problem type %q is sent but has no page", typ)
			continue
		}
		if status != 0 && page.Status != status {
			t.Errorf("problem type %q: its page says status %d, the service sends %d", typ, page.Status, status)
		}
		w := httptest.NewRecorder()
		c, _ := ginTestContext(w, "/problems/"+typ, typ)
		h.problemPage(c)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), "<h1>"+page.Title+"</h1>") {
			t.Errorf("GET /problems/%s: got %d %s, want 200 HTML with its title", typ, w.Code, w.Header().Get("Content-Type"))
		}
	}
	for typ := range problemPages {
		if _, ok := sent[typ]; !ok {
			t.Errorf("problem page %q is for a type the service never sends", typ)
		}
	}
}

func ginTestContext(w http.ResponseWriter, path, typ string) (*gin.Context, *gin.Engine) {
	c, e := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, path, nil)
	c.Params = gin.Params{{Key: "type", Value: typ}}
	return c, e
}
