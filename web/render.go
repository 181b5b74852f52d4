package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

// view is what every page's template gets.
type view struct {
	Title   string
	Session *session
	CSRF    string
	// Nav marks the menu item of the page.
	Nav string
	// Scripts are the static scripts the page loads (each enhances it
	// only).
	Scripts []string
	// Styles are extra style sheets (Leaflet's, for a map).
	Styles []string
	// TileURL is the map's tile template; "" for none.
	TileURL string
	D       any
}

// parsePages parses each page template with the layout and the shared
// pieces.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" || base == "parts.html" {
			continue
		}
		t := template.Must(template.New(base).Funcs(funcs).ParseFS(files,
			"templates/layout.html", "templates/parts.html", name))
		out[strings.TrimSuffix(base, ".html")] = t
	}
	return out
}

// pageBuffers hold pages while they are rendered.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes page name with status, as the person on r sees it.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := h.pages[name]
	if !ok {
		panic("web: no page template " + name)
	}
	v.Session = sessionOf(r)
	v.CSRF = csrfOf(r)
	if v.TileURL == "" {
		v.TileURL = h.tileURL
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			pageBuffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", v); err != nil {
		h.log.Error("rendering a page failed", "page", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// Pages may show who is signed in: never shared, always fresh.
	hd.Set("Cache-Control", "private, no-cache")
	hd.Set("Vary", "Cookie")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage answers with a page that says what went wrong and what to do.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	title := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		title = "Page not found"
	case http.StatusForbidden:
		title = "Not allowed"
	}
	h.render(w, r, status, "error", view{Title: title, D: message})
}

// redirect sends the browser on with a 303 after a form.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localPath is next if it is a path on this site, else fallback: a
// sign-in's "next" never sends anyone elsewhere.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return fallback
	}
	return next
}
