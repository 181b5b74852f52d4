package delivery_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps delivery off the HTTP side: no file of it, tests
// included, imports the API or gin.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no source files: %v", err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "commonground/api" || strings.HasPrefix(path, "github.com/gin-gonic/") {
				t.Errorf("%s imports %s; delivery works from the store and notify only", name, path)
			}
		}
	}
}
