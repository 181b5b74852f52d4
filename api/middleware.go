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
}

// IsAdmin reports whether the caller may administer orgID: the operator,
// an admin of it, or one of its keys.
func (c Caller) IsAdmin(orgID string) bool {
	return c.Operator || (orgID != "" && c.OrganisationID == orgID && c.Role == matching.RoleAdmin)
}

// Anonymous reports whether the request carried no token.
func (c Caller) Anonymous() bool { return c.OrganisationID == "" && !c.Operator }

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

// authenticate resolves the bearer token, if any (see tokenOrganisation).
// A token that is sent but unknown is a 401 even on a read, so clients
// learn their token is wrong; a client address that sends too many is
// answered 429 (see failedAuthPerMinute).
func (h *handler) authenticate(c *gin.Context) {
	header := c.GetHeader("Authorization")
	if header == "" {
		c.Next()
		return
	}
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 200 {
		c.Header("WWW-Authenticate", `Bearer realm="commonground"`)
		fail(c, fmt.Errorf("%w: Authorization must be \"Bearer <token>\"", matching.ErrUnauthorized))
		return
	}
	if h.adminToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(h.adminToken)) == 1 {
		setCaller(c, Caller{Operator: true}, matching.Principal{Kind: matching.PrincipalOperator, Name: "operator"})
		c.Next()
		return
	}
	id, err := h.tokenOrganisation(c, HashToken(token))
	if err != nil {
		var throttled *errTooManyFailures
		switch {
		case errors.As(err, &throttled):
			tooMany(c, throttled.after, "too many unknown tokens from this address")
			return
		case errors.Is(err, matching.ErrNotFound):
			c.Header("WWW-Authenticate", `Bearer realm="commonground", error="invalid_token"`)
			err = fmt.Errorf("%w: the token is not valid", matching.ErrUnauthorized)
		}
		fail(c, err)
		return
	}
	setCaller(c, Caller{OrganisationID: id, Role: matching.RoleAdmin}, matching.Principal{Kind: matching.PrincipalKey, OrganisationID: id, Role: matching.RoleAdmin})
	c.Next()
}

// setCaller records who is calling, for the handlers (caller) and, as the
// request context's principal, for the store's audit log and events.
func setCaller(c *gin.Context, who Caller, p matching.Principal) {
	c.Set(ctxCaller, who)
	c.Request = c.Request.WithContext(matching.WithPrincipal(c.Request.Context(), p))
}

// mustAuth returns the caller, or writes a 401 and returns false.
func mustAuth(c *gin.Context) (Caller, bool) {
	who := caller(c)
	if who.Anonymous() {
		c.Header("WWW-Authenticate", `Bearer realm="commonground"`)
		fail(c, fmt.Errorf("%w: this request needs an organisation's token (Authorization: Bearer <token>)", matching.ErrUnauthorized))
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
