package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail,omitempty"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"request_id,omitempty"`
	Errors    []matching.FieldError `json:"errors,omitempty"`
	// Conflicts lists the sessions behind a booking conflict.
	Conflicts []SessionConflict `json:"conflicts,omitempty"`
}

// codes maps each domain error to its HTTP status and problem type, in one
// place.
var codes = []struct {
	err    error
	status int
	typ    string
	title  string
}{
	{matching.ErrInvalid, http.StatusBadRequest, "invalid-request", "Invalid request"},
	{matching.ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "Missing or invalid token"},
	{matching.ErrForbidden, http.StatusForbidden, "forbidden", "Not allowed"},
	{matching.ErrNotFound, http.StatusNotFound, "not-found", "Not found"},
	{matching.ErrConflict, http.StatusConflict, "conflict", "Conflict"},
	{matching.ErrUnprocessable, http.StatusUnprocessableEntity, "unprocessable", "Unprocessable request"},
	{errPreconditionFailed, http.StatusPreconditionFailed, "precondition-failed", "Precondition failed"},
	{matching.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "Database unavailable"},
	{errTooLarge, http.StatusRequestEntityTooLarge, "too-large", "Request body too large"},
	{errNotAcceptable, http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type"},
}

var (
	errTooLarge      = errors.New("request body is larger than 1 MiB")
	errNotAcceptable = errors.New("request body must be JSON (Content-Type: application/json)")
)

// problemTypeBase prefixes every problem type; relative references keep
// the type stable wherever the service is deployed.
const problemTypeBase = "/problems/"

// busyRetryAfter is the Retry-After, in seconds, of a request the service
// was too slow to answer.
const busyRetryAfter = 5

// statusClientClosed is the status recorded (in the log and the
// metrics) for a request whose client went away before it was answered:
// nginx's 499. Nobody reads its body.
const statusClientClosed = 499

// fail writes err as a problem body and aborts the request. Domain errors
// keep their message; a request that ran out of time is a 503 with
// Retry-After, one whose client went away a 499 (see contextProblem);
// anything else is logged with the request id and shown as "internal
// error".
func fail(c *gin.Context, err error) {
	writeProblem(c, problemOf(c, err))
}

// problemOf is the problem body fail writes for err.
func problemOf(c *gin.Context, err error) Problem {
	p := Problem{RequestID: requestID(c), Instance: c.Request.URL.Path}
	if errors.Is(err, matching.ErrUnavailable) && c.Request.Context().Err() != nil {
		// The request's own end decides: see contextProblem.
		contextProblem(c, err, &p)
		return p
	}
	for _, code := range codes {
		if errors.Is(err, code.err) {
			p.Status, p.Type, p.Title, p.Detail = code.status, problemTypeBase+code.typ, code.title, err.Error()
			break
		}
	}
	var ve *matching.ValidationError
	if errors.As(err, &ve) {
		p.Errors = ve.Errors
		p.Detail = "the request has invalid fields: see errors"
		if len(ve.Errors) == 1 {
			p.Detail = ve.Errors[0].Field + " " + ve.Errors[0].Message
		}
	}
	var re *matching.RefusedError
	if errors.As(err, &re) {
		p.Errors = re.Errors
		p.Detail = "the space does not take this request: see errors"
		if len(re.Errors) == 1 {
			p.Detail = re.Errors[0].Field + ": " + re.Errors[0].Message
		}
	}
	var ce *matching.ConflictError
	if errors.As(err, &ce) {
		p.Conflicts = toConflicts(ce.Conflicts)
	}
	if p.Status == http.StatusServiceUnavailable {
		unavailableProblem(c, err, &p)
	}
	if p.Status == 0 {
		contextProblem(c, err, &p)
	}
	if p.Status == 0 {
		logger(c).LogAttrs(c.Request.Context(), slog.LevelError, "internal error",
			slog.String("request_id", p.RequestID), slog.String("error", err.Error()))
		p.Status, p.Type, p.Title, p.Detail = http.StatusInternalServerError, problemTypeBase+"internal", "Internal error", "internal error"
	}
	return p
}

// contextProblem fills in p when err comes of the request's context
// rather than of the request: the client went away (the request's context
// was cancelled: 499, logged at info, since nothing is wrong with the
// service), or the work ran out of time (the request's deadline, see
// withTimeout, or any other deadline or cancellation inside the service:
// 503 with Retry-After, logged as a warning). The request's context decides, as well as
// err: once it is done, the database may report it as anything, such as
// a transaction already rolled back. p is left alone for other errors.
func contextProblem(c *gin.Context, err error, p *Problem) {
	ctx := c.Request.Context()
	clientGone := errors.Is(ctx.Err(), context.Canceled)
	if !clientGone && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return
	}
	attrs := []slog.Attr{slog.String("request_id", p.RequestID), slog.String("error", err.Error())}
	if clientGone {
		logger(c).LogAttrs(ctx, slog.LevelInfo, "client went away before the answer", attrs...)
		p.Status, p.Type, p.Title, p.Detail = statusClientClosed, problemTypeBase+"client-closed-request",
			"Client closed request", "the client went away before the answer"
		return
	}
	logger(c).LogAttrs(ctx, slog.LevelWarn, "request ran out of time", attrs...)
	c.Header("Retry-After", strconv.Itoa(busyRetryAfter))
	p.Status, p.Type, p.Title, p.Detail = http.StatusServiceUnavailable, problemTypeBase+"timeout",
		"Service busy", "the service took too long to answer: try again in "+strconv.Itoa(busyRetryAfter)+" seconds"
}

// unavailableProblem completes p for an error wrapping
// matching.ErrUnavailable: the database did not answer in time or is
// gone. It is a 503 with the Retry-After of a request that ran out of time
// (see contextProblem), logged as a warning; the detail does not show the
// database's own words.
func unavailableProblem(c *gin.Context, err error, p *Problem) {
	logger(c).LogAttrs(c.Request.Context(), slog.LevelWarn, "database unavailable",
		slog.String("request_id", p.RequestID), slog.String("error", err.Error()))
	c.Header("Retry-After", strconv.Itoa(busyRetryAfter))
	p.Detail = "the database is not answering: try again in " + strconv.Itoa(busyRetryAfter) + " seconds"
}

func writeProblem(c *gin.Context, p Problem) {
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(p.Status, p)
}

// failStatus writes a problem for a status with no domain error behind it
// (404 for an unknown route, 405, 503).
func failStatus(c *gin.Context, status int, typ, title, detail string) {
	writeProblem(c, Problem{Type: problemTypeBase + typ, Title: title, Status: status, Detail: detail,
		Instance: c.Request.URL.Path, RequestID: requestID(c)})
}
