package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// MaxBodyBytes is the largest request body accepted (1 MiB).
const MaxBodyBytes = 1 << 20

const (
	ctxRequestID = "cg.request_id"
	ctxCaller    = "cg.caller"
	ctxLogger    = "cg.logger"
)

// Caller is who is making a request: a person (by a session) or an API
// key acting for an organisation, the operator, or nobody.
type Caller struct {
	// OrganisationID is the organisation the caller acts for.
	OrganisationID string
	Operator       bool
	// PersonID is the person signed in ("" for a key or the operator);
	// KeyID the API key used ("" for a person or the operator).
	PersonID, KeyID string
	// Role is the caller's role in OrganisationID; a key acts as an
	// admin.
	Role matching.Role
	// Ambiguous is a person with several memberships who did not name
	// the one they act for (see OrganisationHeader).
	Ambiguous bool
}

// IsAdmin reports whether the caller may administer orgID: the operator,
// an admin of it, or one of its keys.
func (c Caller) IsAdmin(orgID string) bool {
	return c.Operator || (orgID != "" && c.OrganisationID == orgID && c.Role == matching.RoleAdmin)
}

// Anonymous reports whether the request carried no token.
func (c Caller) Anonymous() bool { return c.OrganisationID == "" && !c.Operator && c.PersonID == "" }

// CanWrite reports whether the caller may change something owned by orgID.
func (c Caller) CanWrite(orgID string) bool {
	return c.Operator || (c.OrganisationID != "" && c.OrganisationID == orgID)
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

func caller(c *gin.Context) Caller {
	if v, ok := c.Get(ctxCaller); ok {
		return v.(Caller)
	}
	return Caller{}
}

// validRequestID accepts a client's X-Request-ID only if it is short and
// plain, so it can be logged and echoed safely.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// requestLog gives each request an id (the client's X-Request-ID if sane),
// and logs one line when it ends.
func (h *handler) requestLog(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-ID")
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Set(ctxRequestID, id)
	c.Set(ctxLogger, h.log)
	c.Header("X-Request-ID", id)
	c.Next()
	took := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", took),
		slog.String("client", c.ClientIP()),
	}
	if peer := c.RemoteIP(); peer != c.ClientIP() {
		attrs = append(attrs, slog.String("proxy", peer))
	}
	if who := caller(c); who.OrganisationID != "" {
		attrs = append(attrs, slog.String("organisation_id", who.OrganisationID))
	} else if who.Operator {
		attrs = append(attrs, slog.Bool("operator", true))
	}
	h.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	h.metrics.observe(c.Request.Method, route, c.Writer.Status(), took)
}

// recoverer turns a panic into a logged 500 problem, never a stack trace in
// the body.
func (h *handler) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// limitBody refuses bodies over MaxBodyBytes with 413: at once when the
// client declares the length, and while reading otherwise.
func (h *handler) limitBody(c *gin.Context) {
	if c.Request.ContentLength > MaxBodyBytes {
		fail(c, errTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
	c.Next()
}

// HashToken is how tokens are kept: only the SHA-256 of the random token
// is stored, so a leaked database holds no usable token. A salted slow
// hash is not needed: tokens carry 256 bits of randomness.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken makes a random bearer token.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "cg_" + hex.EncodeToString(b)
}

// SessionCookie is the cookie the web pages keep a person's session in.
// The JSON API accepts it only from pages of the same origin (see
// sameOrigin), so another site's page cannot act with it.
const SessionCookie = "cg_session"

// OrganisationHeader names the organisation a person with several
// memberships acts for.
const OrganisationHeader = "Common-Ground-Organisation"

// authenticate resolves the bearer token (or a same-origin session
// cookie), if any (see tokenCredential), into the caller. A token that is
// sent but unknown is a 401 even on a read, so clients learn their token is
// wrong; a client address that sends too many is answered 429 (see
// failedAuthPerMinute).
func (h *handler) authenticate(c *gin.Context) {
	c.Request = c.Request.WithContext(matching.NewAuditSlot(c.Request.Context()))
	token, ok := bearer(c)
	if !ok {
		return
	}
	if token == "" {
		c.Next()
		return
	}
	if h.adminToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(h.adminToken)) == 1 {
		setCaller(c, Caller{Operator: true}, matching.Principal{Kind: matching.PrincipalOperator, Name: "operator"})
		c.Next()
		return
	}
	cred, err := h.tokenCredential(c, HashToken(token))
	if err != nil {
		var throttled *errTooManyFailures
		switch {
		case errors.As(err, &throttled):
			tooMany(c, throttled.after, "too many unknown tokens from this address")
			return
		case errors.Is(err, matching.ErrNotFound):
			c.Header("WWW-Authenticate", `Bearer realm="commonground", error="invalid_token"`)
			err = fmt.Errorf("%w: the token is not valid (it may have expired, been revoked or signed out)", matching.ErrUnauthorized)
		}
		fail(c, err)
		return
	}
	who, p, err := h.callerFor(c, cred)
	if err != nil {
		fail(c, err)
		return
	}
	setCaller(c, who, p)
	c.Next()
}

// bearer returns the request's token: the Authorization header's, or the
// session cookie's on a same-origin request; "" for none. A malformed
// header is answered 401 and false returned.
func bearer(c *gin.Context) (string, bool) {
	header := c.GetHeader("Authorization")
	if header == "" {
		if ck, err := c.Request.Cookie(SessionCookie); err == nil && ck.Value != "" && len(ck.Value) <= 200 && sameOrigin(c.Request) {
			return ck.Value, true
		}
		return "", true
	}
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 200 {
		c.Header("WWW-Authenticate", `Bearer realm="commonground"`)
		fail(c, fmt.Errorf("%w: Authorization must be \"Bearer <token>\"", matching.ErrUnauthorized))
		return "", false
	}
	return token, true
}

// sameOrigin reports whether a request comes from a page of the service's
// own origin: its Origin header names the host it was sent to, or, with no
// Origin, the browser says so (Sec-Fetch-Site: same-origin). Requests that
// say neither, such as curl's, are not: a cookie alone never authenticates
// them.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
	}
	return r.Header.Get("Sec-Fetch-Site") == "same-origin"
}

// callerFor turns a credential into the caller and principal: a key acts
// for its organisation as an admin; a person for the organisation the
// Common-Ground-Organisation header names (403 when they are not a
// member), or for their only one. A person with several memberships and no
// header acts for none (see mustAuth).
func (h *handler) callerFor(c *gin.Context, cred *matching.Credential) (Caller, matching.Principal, error) {
	if cred.Kind == matching.PrincipalKey {
		return Caller{OrganisationID: cred.OrganisationID, KeyID: cred.KeyID, Role: matching.RoleAdmin},
			matching.Principal{Kind: matching.PrincipalKey, ID: cred.KeyID, Name: cred.KeyName, OrganisationID: cred.OrganisationID, Role: matching.RoleAdmin}, nil
	}
	who := Caller{PersonID: cred.Person.ID}
	p := matching.Principal{Kind: matching.PrincipalPerson, ID: cred.Person.ID, Name: cred.Person.Name}
	var live []matching.Membership
	for _, m := range cred.Memberships {
		if h.engine == nil || h.engine.HasOrganisation(m.OrganisationID) {
			live = append(live, m)
		}
	}
	pick := func(m matching.Membership) {
		who.OrganisationID, who.Role = m.OrganisationID, m.Role
		p.OrganisationID, p.Role = m.OrganisationID, m.Role
	}
	if want := strings.TrimSpace(c.GetHeader(OrganisationHeader)); want != "" {
		for _, m := range live {
			if m.OrganisationID == want {
				pick(m)
				return who, p, nil
			}
		}
		return who, p, fmt.Errorf("%w: you are not a member of the organisation %s names", matching.ErrForbidden, OrganisationHeader)
	}
	switch len(live) {
	case 1:
		pick(live[0])
	case 0:
	default:
		who.Ambiguous = true
	}
	return who, p, nil
}

// setCaller records who is calling, for the handlers (caller) and, as the
// request context's principal, for the store's audit log and events.
func setCaller(c *gin.Context, who Caller, p matching.Principal) {
	c.Set(ctxCaller, who)
	c.Request = c.Request.WithContext(matching.WithPrincipal(c.Request.Context(), p))
}

// mustAuth returns the caller acting for an organisation (or the
// operator), or writes a 401 (no token), a 400 (a person who belongs to
// several organisations and did not say which) or a 403 (a person who
// belongs to none) and returns false.
func mustAuth(c *gin.Context) (Caller, bool) {
	who := caller(c)
	switch {
	case who.Anonymous():
		c.Header("WWW-Authenticate", `Bearer realm="commonground"`)
		fail(c, fmt.Errorf("%w: this request needs a token (Authorization: Bearer <token>): an organisation's API key or a person's session", matching.ErrUnauthorized))
		return who, false
	case who.Ambiguous:
		fail(c, fmt.Errorf("%w: you belong to several organisations; name the one you act for in the %s header", matching.ErrInvalid, OrganisationHeader))
		return who, false
	case who.OrganisationID == "" && !who.Operator:
		fail(c, fmt.Errorf("%w: you are not a member of any organisation yet; register one or accept an invitation", matching.ErrForbidden))
		return who, false
	}
	return who, true
}

// mustPerson returns the signed-in person's caller, or writes a 401 and
// returns false.
func mustPerson(c *gin.Context) (Caller, bool) {
	who := caller(c)
	if who.PersonID == "" {
		c.Header("WWW-Authenticate", `Bearer realm="commonground"`)
		fail(c, fmt.Errorf("%w: this request needs a person's session (POST /v1/sessions)", matching.ErrUnauthorized))
		return who, false
	}
	return who, true
}

// mustOwn checks that the caller may change something owned by orgID,
// writing 401 or 403 otherwise.
func mustOwn(c *gin.Context, orgID, what string) bool {
	who, ok := mustAuth(c)
	if !ok {
		return false
	}
	if !who.CanWrite(orgID) {
		fail(c, fmt.Errorf("%w: only the organisation that owns this %s may change it", matching.ErrForbidden, what))
		return false
	}
	return true
}

// mustAdmin checks that the caller may administer orgID, writing 401 or
// 403 otherwise.
func mustAdmin(c *gin.Context, orgID, what string) bool {
	who, ok := mustAuth(c)
	if !ok {
		return false
	}
	if !who.IsAdmin(orgID) {
		fail(c, fmt.Errorf("%w: only an admin of the organisation may %s", matching.ErrForbidden, what))
		return false
	}
	return true
}

// withTimeout bounds each request's work: the store's calls give up when
// the deadline passes, and fail answers the error they return with 503 and
// Retry-After (see contextProblem).
func withTimeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
