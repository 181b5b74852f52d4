// Package api is Common Ground's HTTP interface (gin): it parses and
// checks requests, authorises them, calls the store and the matching
// domain, and renders JSON, GeoJSON and RFC 9457 problem bodies.
package api

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"commonground/geo"
	"commonground/matching"
	"commonground/password"
)

// Store is what the API needs of the database. *store.DB implements it.
type Store interface {
	Ping(ctx context.Context) error

	GetOrganisation(ctx context.Context, id string) (*matching.Organisation, error)
	UpdateOrganisation(ctx context.Context, id string, edit func(*matching.Organisation) error) (*matching.Organisation, error)
	DeleteOrganisationIf(ctx context.Context, id string, check func(*matching.Organisation) error) error
	ListOrganisations(ctx context.Context, f matching.OrganisationFilter) ([]matching.Organisation, error)

	CreateOffer(ctx context.Context, o *matching.Offer) error
	GetOffer(ctx context.Context, id string) (*matching.Offer, error)
	DeleteOffer(ctx context.Context, id string) error
	CreateNeed(ctx context.Context, n *matching.Need) error
	GetNeed(ctx context.Context, id string) (*matching.Need, error)
	DeleteNeed(ctx context.Context, id string) error

	CreateVenue(ctx context.Context, v *matching.Venue) error
	GetVenue(ctx context.Context, id string) (*matching.Venue, error)
	UpdateVenue(ctx context.Context, id string, edit func(*matching.Venue) error) (*matching.Venue, error)
	DeleteVenueIf(ctx context.Context, id string, check func(*matching.Venue) error) error
	ListVenues(ctx context.Context, f matching.VenueFilter) ([]matching.Venue, error)
	// VenuesByID returns the venues with the IDs in ids, in that order,
	// leaving out those that do not exist.
	VenuesByID(ctx context.Context, ids []string) ([]matching.Venue, error)

	CreateSpace(ctx context.Context, s *matching.Space) error
	GetSpace(ctx context.Context, id string) (*matching.Space, error)
	UpdateSpace(ctx context.Context, id string, edit func(*matching.Space) error) (*matching.Space, error)
	DeleteSpaceIf(ctx context.Context, id string, check func(*matching.Space) error) error
	ListSpaces(ctx context.Context, f matching.SpaceFilter) ([]matching.Space, error)
	// SpacesByID returns the spaces with the IDs in ids, in that order,
	// leaving out those that do not exist.
	SpacesByID(ctx context.Context, ids []string) ([]matching.Space, error)

	BookingStore
	OpenDataStore
	PartnershipStore
	ConsortiumStore
	PeopleStore
	NotificationStore
	WebhookStore
	PostcodeStore
}

// Config holds the router's dependencies.
type Config struct {
	Store    Store
	Taxonomy *matching.Taxonomy
	Logger   *slog.Logger
	// AdminToken, when set, is the operator token: it may change anything.
	AdminToken string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// RequestTimeout bounds each request (default 30s).
	RequestTimeout time.Duration
	// Engine is the in-memory read model matching, nearby and the
	// located lists of venues and spaces run on; nil serves nearby and
	// the lists from the store and answers matching with 503.
	Engine *matching.Engine
	// Follower brings Engine up to date; writes call it before they
	// answer, so a client reads its own writes.
	Follower Follower
	// WritesPerSecond limits each organisation's writes (and anonymous
	// writes per client address) to this sustained rate, with bursts of
	// WriteBurst (default: the rate, rounded up); over it a write is a 429
	// with Retry-After. 0 does not limit.
	WritesPerSecond float64
	WriteBurst      int
	// TrustedProxies are the addresses of the proxies in front of the
	// service. Only a request from one of them is believed about the
	// client it forwards (X-Forwarded-For, X-Real-IP); any other request
	// is from its peer address. The rate limits and the request log go by
	// that client address. None by default.
	TrustedProxies []netip.Prefix
	// ConsortiumBudget bounds each consortium search (default
	// DefaultConsortiumBudget): when it runs out the answer holds the best
	// teams found so far, with "exhaustive": false.
	ConsortiumBudget time.Duration
	// HeavySlots is how many consortium searches, how many partner
	// matches, and how many searches for the groups a room suits, run at
	// once (default DefaultHeavySlots(); negative: no
	// limit). More wait up to HeavyWait (default DefaultHeavyWait) for a
	// slot and are then answered 503 with Retry-After.
	HeavySlots int
	HeavyWait  time.Duration
	// Places is the gazetteer GET /v1/places searches and place names in
	// requests resolve through; nil knows no place.
	Places *geo.Places
	// CORSOrigins are the origins whose pages may call the API (see
	// cors); none or "*" allows any.
	CORSOrigins []string
	// Mailer sends invitations and password-reset links; nil sends
	// nothing (the invitation's answer still carries its link).
	Mailer Mailer
	// PublicURL is where people reach the web pages, for links in
	// emails (default http://localhost:8080).
	PublicURL string
	// PasswordParams are argon2id's costs for new password hashes
	// (zero: password.Default); stored hashes carry their own.
	PasswordParams password.Params
	// PasswordSlots is how many password hashes run at once (default
	// DefaultPasswordSlots); more wait up to 5 s and are then answered
	// 503 with Retry-After.
	PasswordSlots int
	// AllowPrivateWebhooks lets webhooks be made for loopback and private
	// addresses (see notify.CheckURL).
	AllowPrivateWebhooks bool
}

// Follower catches the read model up with the database.
type Follower interface {
	CatchUp(ctx context.Context) error
}

type handler struct {
	writes     *writeLimiter // nil: no limit
	metrics    *metrics
	engine     *matching.Engine
	follower   Follower
	store      Store
	tax        *matching.Taxonomy
	log        *slog.Logger
	adminToken string
	now        func() time.Time

	authFailures *writeLimiter // unknown tokens per client address
	tokens       *tokenCache   // nil without a read model
	// consortia, partnerMatches and groupMatches limit the expensive
	// searches, each kind on its own (nil: no limit); consortiumBudget
	// bounds each consortium search.
	consortia, partnerMatches, groupMatches *heavyLimiter
	consortiumBudget                        time.Duration
	light                                   lightWork
	placeIndex                              *geo.Places

	passwords         *passwordHasher
	logins            *writeLimiter // failed sign-ins per email and per address
	mailer            Mailer
	publicURL         string
	allowPrivateHooks bool
	openData          openData
}

// NewRouter builds the HTTP handler with every route of the API.
func NewRouter(cfg Config) http.Handler {
	_, r := newRouter(cfg)
	return r
}

// newRouter builds the routes and the handler struct they are methods of.
func newRouter(cfg Config) (*handler, *gin.Engine) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	h := &handler{metrics: newMetrics(cfg.Engine, cfg.Store), engine: cfg.Engine, follower: cfg.Follower, store: cfg.Store, tax: cfg.Taxonomy, log: cfg.Logger, adminToken: cfg.AdminToken, placeIndex: cfg.Places,
		allowPrivateHooks: cfg.AllowPrivateWebhooks,
		// Microseconds: what both databases keep.
		now: func() time.Time { return cfg.Now().UTC().Truncate(time.Microsecond) }}

	if cfg.WritesPerSecond > 0 {
		h.writes = newWriteLimiter(cfg.WritesPerSecond, cfg.WriteBurst, cfg.Now)
	}
	h.authFailures = newWriteLimiter(failedAuthPerMinute/60.0, failedAuthPerMinute, cfg.Now)
	h.logins = newWriteLimiter(failedLoginsPerWindow/loginWindow.Seconds(), failedLoginsPerWindow, cfg.Now)
	h.passwords = newPasswordHasher(cmp.Or(cfg.PasswordParams, password.Default), cmp.Or(cfg.PasswordSlots, DefaultPasswordSlots()), 5*time.Second)
	h.mailer = cfg.Mailer
	h.publicURL = strings.TrimRight(cmp.Or(cfg.PublicURL, "http://localhost:8080"), "/")
	if cfg.Engine != nil {
		// The cache relies on the read model to learn of deletions.
		h.tokens = newTokenCache(tokenCacheSize, cfg.Now)
	}
	h.consortiumBudget = cmp.Or(cfg.ConsortiumBudget, DefaultConsortiumBudget)
	heavyWait := cmp.Or(cfg.HeavyWait, DefaultHeavyWait)
	h.consortia = newHeavyLimiter(cfg.HeavySlots, heavyWait, h.consortiumBudget)
	h.partnerMatches = newHeavyLimiter(cfg.HeavySlots, heavyWait, time.Second)
	h.groupMatches = newHeavyLimiter(cfg.HeavySlots, heavyWait, time.Second)

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(proxyList(cfg.TrustedProxies)); err != nil {
		cfg.Logger.Error("trusting no proxy", "error", err.Error())
		r.SetTrustedProxies(nil)
	}
	r.Use(h.requestLog, cors(cfg.CORSOrigins), compress(), h.light.track, h.recoverer, withTimeout(cfg.RequestTimeout), h.limitBody, conditionalGet(newGzipCache(gzipCacheBytes)))
	r.NoRoute(func(c *gin.Context) {
		failStatus(c, http.StatusNotFound, "not-found", "Not found", "no such endpoint: "+c.Request.Method+" "+clip(c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		failStatus(c, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed", c.Request.Method+" is not allowed here")
	})

	root := withHead{&r.RouterGroup}
	root.GET("/healthz", h.healthz)
	root.GET("/readyz", h.readyz)
	root.GET("/openapi.json", h.openAPI)
	root.GET("/problems/:type", h.problemPage)
	root.GET("/metrics", h.metrics.handler())

	// OpenActive open data: public, read-only, no token needed.
	root.GET("/openactive", h.openActiveDataset)
	root.GET("/openactive/logo.svg", h.openActiveLogo)
	root.GET("/openactive/facility-uses", h.facilityUseFeed)
	root.GET("/openactive/slots", h.slotFeed)

	v1 := withHead{r.Group("/v1", h.authenticate, checkPathIDs, h.limitWrites)}
	v1.GET("/taxonomy", h.taxonomy)
	v1.GET("/nearby", h.nearby)
	v1.GET("/places", h.listPlaces)
	v1.POST("/match/venues", h.matchVenues)
	v1.POST("/match/consortium", h.consortium)
	v1.GET("/organisations/:id/partners", h.partners)

	v1.POST("/sessions", h.createSession)
	v1.GET("/sessions/current", h.currentSession)
	v1.DELETE("/sessions/current", h.endSession)
	v1.GET("/people/me", h.getMe)
	v1.PATCH("/people/me", h.patchMe)
	v1.DELETE("/people/me", h.deleteMe)
	v1.POST("/password-resets", h.requestPasswordReset)
	v1.POST("/password-resets/:token", h.resetPassword)
	v1.POST("/invitations/:token/accept", h.acceptInvitation)
	v1.GET("/organisations/:id/members", requireAuth, h.listMembers)
	v1.PATCH("/organisations/:id/members/:person_id", requireAuth, h.patchMember)
	v1.DELETE("/organisations/:id/members/:person_id", requireAuth, h.deleteMember)
	v1.POST("/organisations/:id/invitations", requireAuth, h.createInvitation)
	v1.GET("/organisations/:id/api-keys", requireAuth, h.listAPIKeys)
	v1.POST("/organisations/:id/api-keys", requireAuth, h.createAPIKey)
	v1.DELETE("/organisations/:id/api-keys/:key_id", requireAuth, h.revokeAPIKey)
	v1.GET("/organisations/:id/audit", requireAuth, h.listAudit)
	v1.GET("/organisations/:id/calendar.ics", h.organisationCalendar)
	v1.POST("/organisations/:id/calendar-key", requireAuth, h.createCalendarKey)

	v1.POST("/organisations", h.createOrganisation)
	v1.GET("/organisations", h.listOrganisations)
	v1.GET("/organisations/:id", h.getOrganisation)
	v1.PATCH("/organisations/:id", requireAuth, h.patchOrganisation)
	v1.DELETE("/organisations/:id", requireAuth, h.deleteOrganisation)
	v1.POST("/organisations/:id/offers", requireAuth, h.createItem("offer"))
	v1.POST("/organisations/:id/needs", requireAuth, h.createItem("need"))
	v1.DELETE("/offers/:id", requireAuth, h.deleteOffer)
	v1.DELETE("/needs/:id", requireAuth, h.deleteNeed)

	v1.POST("/venues", requireAuth, h.createVenue)
	v1.GET("/venues", h.listVenues)
	v1.GET("/venues/:id", h.getVenue)
	v1.PATCH("/venues/:id", requireAuth, h.patchVenue)
	v1.DELETE("/venues/:id", requireAuth, h.deleteVenue)
	v1.POST("/venues/:id/spaces", requireAuth, h.createSpace)
	v1.GET("/venues/:id/spaces", h.listSpaces)

	v1.GET("/spaces", h.listSpaces)
	v1.GET("/spaces/:id", h.getSpace)
	v1.PATCH("/spaces/:id", requireAuth, h.patchSpace)
	v1.DELETE("/spaces/:id", requireAuth, h.deleteSpace)
	v1.GET("/spaces/:id/calendar.ics", h.spaceCalendar)
	v1.GET("/spaces/:id/groups", h.spaceGroups)
	v1.POST("/spaces/:id/bookings", requireAuth, h.createBooking)
	v1.POST("/spaces/:id/quote", requireAuth, h.quote)
	v1.GET("/bookings", requireAuth, h.listBookings)
	v1.GET("/bookings/:id", requireAuth, h.getBooking)
	v1.DELETE("/bookings/:id", requireAuth, h.changeBooking(matching.CancelBooking))
	v1.POST("/bookings/:id/approve", requireAuth, h.changeBooking(matching.ApproveBooking))
	v1.POST("/bookings/:id/decline", requireAuth, h.changeBooking(matching.DeclineBooking))
	v1.POST("/bookings/:id/occurrences/:index/cancel", requireAuth, h.cancelOccurrence)

	v1.POST("/partnerships", requireAuth, h.createPartnership)
	v1.GET("/partnerships", requireAuth, h.listPartnerships)
	v1.GET("/partnerships/:id", requireAuth, h.getPartnership)
	v1.PATCH("/partnerships/:id", requireAuth, h.patchPartnership)
	for _, action := range matching.PartnershipActions { // accept, decline, activate, complete, end
		v1.POST("/partnerships/:id/"+string(action), requireAuth, h.transitionPartnership(action))
	}
	v1.POST("/partnerships/:id/health", requireAuth, h.createHealthCheck(h.partnershipHealth()))
	v1.GET("/partnerships/:id/health", requireAuth, h.listHealthChecks(h.partnershipHealth()))
	v1.GET("/partnerships/:id/amendments", requireAuth, h.listAmendments)
	v1.POST("/partnerships/:id/amendments/:n/accept", requireAuth, h.decideAmendment(matching.AmendmentAccept))
	v1.POST("/partnerships/:id/amendments/:n/decline", requireAuth, h.decideAmendment(matching.AmendmentDecline))
	v1.GET("/partnerships/:id/agreement/versions", requireAuth, h.listAgreementVersions)
	v1.POST("/partnerships/:id/evaluation", requireAuth, h.createEvaluation)
	v1.GET("/partnerships/:id/evaluation", requireAuth, h.listEvaluations)
	v1.POST("/consortia", requireAuth, h.createConsortium)
	v1.GET("/consortia", requireAuth, h.listConsortia)
	v1.GET("/consortia/:id", requireAuth, h.getConsortium)
	for _, action := range matching.PartnershipActions { // accept, decline, activate, complete, end
		v1.POST("/consortia/:id/"+string(action), requireAuth, h.transitionConsortium(action))
	}
	v1.POST("/consortia/:id/health", requireAuth, h.createHealthCheck(h.consortiumHealth()))
	v1.GET("/consortia/:id/health", requireAuth, h.listHealthChecks(h.consortiumHealth()))
	v1.GET("/bookings/:id/messages", requireAuth, h.listMessages(matching.SubjectBooking))
	v1.POST("/bookings/:id/messages", requireAuth, h.postMessage(matching.SubjectBooking))
	v1.GET("/partnerships/:id/messages", requireAuth, h.listMessages(matching.SubjectPartnership))
	v1.POST("/partnerships/:id/messages", requireAuth, h.postMessage(matching.SubjectPartnership))

	v1.GET("/notifications", requireAuth, h.listNotifications)
	v1.POST("/notifications/:id/read", requireAuth, h.readNotification)

	v1.POST("/organisations/:id/webhooks", requireAuth, h.createWebhook)
	v1.GET("/organisations/:id/webhooks", requireAuth, h.listWebhooks)
	v1.DELETE("/organisations/:id/webhooks/:hook_id", requireAuth, h.deleteWebhook)
	v1.GET("/organisations/:id/webhooks/:hook_id/deliveries", requireAuth, h.listWebhookDeliveries)
	return h, r
}

// withHead routes HEAD wherever it routes GET, to the same handlers: the
// answer's headers are GET's, and net/http drops the body.
type withHead struct{ *gin.RouterGroup }

func (g withHead) GET(path string, handlers ...gin.HandlerFunc) gin.IRoutes {
	g.RouterGroup.HEAD(path, handlers...)
	return g.RouterGroup.GET(path, handlers...)
}

// proxyList spells prefixes as gin takes them.
func proxyList(prefixes []netip.Prefix) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p.Masked().String()
	}
	return out
}

// checkPathIDs answers 404 for an ID in the path that cannot name anything
// (see validID), before it reaches the database.
func checkPathIDs(c *gin.Context) {
	for _, p := range c.Params {
		if !validID(p.Value) {
			fail(c, fmt.Errorf("%w: no such %s", matching.ErrNotFound, p.Key))
			return
		}
	}
	c.Next()
}

// validID reports whether s could be an ID: IDs are UTF-8 text without NUL
// bytes, and PostgreSQL refuses any other text outright, which would turn a
// lookup of nonsense into a 500.
func validID(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// requireAuth answers 401 to anonymous callers before a write does any work.
func requireAuth(c *gin.Context) {
	if _, ok := mustAuth(c); ok {
		c.Next()
	}
}

func (h *handler) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 when the database answers within 2 seconds (or the
// store's own timeout, if shorter), and 503 with Retry-After when it does
// not.
func (h *handler) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		h.log.Warn("readiness check failed", "error", err.Error(), "request_id", requestID(c))
		c.Header("Retry-After", strconv.Itoa(busyRetryAfter))
		failStatus(c, http.StatusServiceUnavailable, "not-ready", "Not ready", "the database does not answer")
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// catchUp brings the read model up to date after a committed write. The
// write has landed whatever happens here; a failure is logged, and the
// background follower will catch up.
func (h *handler) catchUp(c *gin.Context) {
	if h.follower == nil {
		return
	}
	if err := h.follower.CatchUp(c.Request.Context()); err != nil {
		logger(c).Warn("read model catch-up after a write failed", "error", err.Error(), "request_id", requestID(c))
	}
}
