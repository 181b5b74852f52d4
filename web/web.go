// Package web serves the pages a person uses: server-rendered HTML over
// the same JSON API mobile apps and other services call. Every page reads
// and writes through that API, in process, so a page and the API apply
// the same rules (validation, permissions, booking, matching) from one
// implementation; the pages only parse forms, choose words and render.
//
// No page needs JavaScript: every action is a plain form, protected by a
// CSRF token. Scripts (the map, "use my location") are files under
// static/, allowed by a Content-Security-Policy that forbids inline
// script.
package web

import (
	"cmp"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"commonground/matching"
)

//go:embed templates static
var files embed.FS

// DefaultTileURL is OpenStreetMap's standard tile layer.
const DefaultTileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// Config holds the pages' dependencies.
type Config struct {
	// API is the JSON API (api.NewRouter's handler): every page reads and
	// writes through it. Requests for paths that are not pages go to it
	// as they are.
	API http.Handler
	// Calendar gives a room's booked sessions (the store; see Calendar).
	Calendar Calendar
	// Taxonomy names activities, organisation types and categories.
	Taxonomy *matching.Taxonomy
	Logger   *slog.Logger
	// PublicURL is where people reach the service; an https URL makes the
	// cookies Secure.
	PublicURL string
	// TileURL is the map's tile template ({z}/{x}/{y}); "" for
	// DefaultTileURL, "none" for markers on a plain background.
	TileURL string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Handler serves the pages, and passes every other request to the API.
type Handler struct {
	api      http.Handler
	calendar Calendar
	tax      *matching.Taxonomy
	log      *slog.Logger
	secure   bool
	public   string // the public URL, without a trailing slash; "" if unset
	tileURL  string // "" for no tiles
	tileSrc  string // the tiles' origin, for the CSP
	now      func() time.Time
	pages    map[string]*template.Template
	// activityOptions are the taxonomy's activities for a select.
	activityOptions []option
	static          http.Handler
	mux             *http.ServeMux
}

// NewHandler builds the pages' handler. It panics if the embedded
// templates do not parse, which the package's tests rule out.
func NewHandler(cfg Config) *Handler {
	h := &Handler{api: cfg.API, calendar: cfg.Calendar, tax: cfg.Taxonomy,
		log: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), now: cfg.Now}
	if h.now == nil {
		h.now = time.Now
	}
	h.secure = strings.HasPrefix(strings.ToLower(cfg.PublicURL), "https:")
	h.public = strings.TrimRight(strings.TrimSpace(cfg.PublicURL), "/")
	switch tiles := strings.TrimSpace(cfg.TileURL); tiles {
	case "none":
	case "":
		h.tileURL = DefaultTileURL
	default:
		h.tileURL = tiles
	}
	h.tileSrc = tileSource(h.tileURL)
	h.pages = parsePages()
	if h.tax != nil {
		for _, a := range h.tax.Activities {
			h.activityOptions = append(h.activityOptions, option{a.Slug, a.Label})
		}
	}
	sub, _ := fs.Sub(files, "static")
	h.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	h.routes()
	return h
}

// tileSource is the origin a tile template's images come from, for the
// Content-Security-Policy: with {s} (subdomains) every subdomain of its
// host; "" when there are no tiles.
func tileSource(tiles string) string {
	if tiles == "" {
		return ""
	}
	u, err := url.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tiles))
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Host
	if strings.HasPrefix(tiles, u.Scheme+"://{s}.") {
		host = "*." + strings.TrimPrefix(host, "a.")
	}
	return u.Scheme + "://" + host
}

func (h *Handler) routes() {
	m := http.NewServeMux()
	// Pages and static files are gzipped for clients that take it (the
	// API compresses its own answers).
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.EnableZstd(false))
	if err != nil {
		panic("gzhttp options: " + err.Error()) // fixed options: a programming error
	}
	page := func(pattern string, fn http.HandlerFunc) { m.Handle(pattern, gz(h.pageMiddleware(fn))) }
	page("GET /{$}", h.home)
	page("GET /find", h.find)
	page("GET /nearby", h.nearby)
	page("GET /spaces/{id}", h.space)
	page("POST /spaces/{id}/quote", h.quote)
	page("POST /spaces/{id}/book", h.book)
	page("GET /venues/{id}", h.venue)
	page("GET /organisations/{id}", h.organisation)

	page("GET /signup", h.signupForm)
	page("POST /signup", h.signup)
	page("GET /signin", h.signinForm)
	page("POST /signin", h.signin)
	page("POST /signout", h.signout)
	page("GET /password-reset", h.resetRequestForm)
	page("POST /password-reset", h.resetRequest)
	page("GET /password-reset/{token}", h.resetForm)
	page("POST /password-reset/{token}", h.reset)
	page("GET /invitations/{token}", h.invitationForm)
	page("POST /invitations/{token}", h.acceptInvitation)

	page("GET /dashboard", h.dashboard)
	page("POST /dashboard/act-for", h.actFor)
	page("POST /dashboard/bookings/{id}/{action}", h.bookingAction)
	page("GET /dashboard/bookings/{id}", h.bookingPage)
	page("POST /dashboard/bookings/{id}/messages", h.postMessage)
	page("POST /dashboard/bookings/{id}/sessions/{index}/cancel", h.cancelSession)
	page("POST /dashboard/notifications/{id}/read", h.readNotification)
	page("GET /dashboard/rooms", h.rooms)
	page("POST /dashboard/rooms/venues", h.addVenue)
	page("POST /dashboard/rooms/venues/{id}/spaces", h.addSpace)
	page("GET /dashboard/rooms/spaces/{id}", h.editSpaceForm)
	page("POST /dashboard/rooms/spaces/{id}", h.editSpace)
	page("POST /dashboard/rooms/spaces/{id}/closures", h.addClosure)
	page("POST /dashboard/rooms/spaces/{id}/closures/{index}/delete", h.removeClosure)
	m.Handle("GET /dashboard/rooms/stars", http.HandlerFunc(h.stars))
	page("GET /dashboard/partners", h.partners)
	page("POST /dashboard/partners", h.propose)
	page("GET /dashboard/partners/consortium", h.consortium)
	page("POST /dashboard/consortia", h.formConsortium)
	page("GET /dashboard/consortia/{id}", h.consortiumPage)
	page("POST /dashboard/consortia/{id}/health", h.healthCheck("/v1/consortia/", "/dashboard/consortia/"))
	page("POST /dashboard/consortia/{id}/{action}", h.stateAction("/v1/consortia/", "/dashboard/consortia/"))
	page("GET /dashboard/partnerships/{id}", h.partnershipPage)
	page("POST /dashboard/partnerships/{id}/messages", h.postPartnershipMessage)
	page("POST /dashboard/partnerships/{id}/health", h.healthCheck("/v1/partnerships/", "/dashboard/partnerships/"))
	page("POST /dashboard/partnerships/{id}/agreement", h.editAgreement)
	page("POST /dashboard/partnerships/{id}/evaluation", h.evaluate)
	page("POST /dashboard/partnerships/{id}/amendments/{n}/{decision}", h.decideAmendment)
	page("POST /dashboard/partnerships/{id}/{action}", h.stateAction("/v1/partnerships/", "/dashboard/partnerships/"))
	page("POST /dashboard/organisation/invitations", h.invite)
	page("POST /dashboard/organisation", h.saveProfile)
	page("POST /dashboard/organisation/{kind}", h.addItem)
	page("POST /dashboard/organisation/{kind}/{id}/delete", h.removeItem)
	page("POST /dashboard/organisation/api-keys", h.createKey)
	page("POST /dashboard/organisation/api-keys/{id}/revoke", h.revokeKey)
	page("POST /dashboard/organisation/calendar-key", h.createCalendarKey)
	page("POST /dashboard/organisation/webhooks", h.createHook)
	page("POST /dashboard/organisation/webhooks/{id}/delete", h.deleteHook)
	page("GET /dashboard/organisation", h.organisationSettings)

	m.Handle("GET /static/", gz(h.staticFiles()))
	// Everything else is the API's: /v1/…, /healthz, /openapi.json, …;
	// a browser asking for a page that does not exist gets a page.
	m.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && !apiPath(r.URL.Path) && strings.Contains(r.Header.Get("Accept"), "text/html") {
			h.pageMiddleware(func(w http.ResponseWriter, r *http.Request) {
				h.errorPage(w, r, http.StatusNotFound, "We could not find that page. It may have been removed, or the link may be wrong.")
			}).ServeHTTP(w, r)
			return
		}
		h.api.ServeHTTP(w, r)
	}))
	h.mux = m
}

// apiPrefixes are the paths the API serves besides /v1/.
var apiPrefixes = []string{"/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/problems/"}

// apiPath reports whether path is the API's.
func apiPath(path string) bool {
	for _, p := range apiPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// ServeHTTP routes a request to its page, or to the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

// maxFormBytes bounds a form's body.
const maxFormBytes = 64 << 10

// pageMiddleware sets the pages' security headers, bounds the body,
// checks the CSRF token of every POST and recovers from a panic with a
// plain error page.
func (h *Handler) pageMiddleware(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		w = sw
		// One line a page, as the API logs its requests; the path only, as
		// queries may hold a postcode.
		defer func() {
			h.log.Info("page", "method", r.Method, "path", r.URL.Path, "status", sw.status, "took", time.Since(start).Round(time.Microsecond))
		}()
		h.securityHeaders(w)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.log.Error("page panicked", "path", r.URL.Path, "panic", v)
				h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment.")
			}
		}()
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if !h.checkCSRF(r) {
				h.errorPage(w, r, http.StatusForbidden, "This form had expired or did not come from this site. Go back, reload the page and send it again.")
				return
			}
		}
		next(w, h.withSession(w, r))
	})
}

// statusWriter remembers the status a page answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// securityHeaders: no inline script, no framing, no sniffing; images may
// come from the map's tile server.
func (h *Handler) securityHeaders(w http.ResponseWriter) {
	img := "'self' data:"
	if h.tileSrc != "" {
		img += " " + h.tileSrc
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src "+img+
		"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
}

// staticFiles serves the embedded files; they change only with the
// binary, so browsers may keep them a day.
func (h *Handler) staticFiles() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.securityHeaders(w)
		if strings.HasSuffix(r.URL.Path, "/") {
			// No listings of the folders.
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.static.ServeHTTP(w, r)
	})
}
