package api

import (
	"errors"
	"log/slog"
	"net/http"

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

// fail writes err as a problem body and aborts the request. Domain errors
// keep their message; anything else is logged with the request id and shown
// as "internal error".
func fail(c *gin.Context, err error) {
	writeProblem(c, problemOf(c, err))
}

// problemOf is the problem body fail writes for err.
func problemOf(c *gin.Context, err error) Problem {
	p := Problem{RequestID: requestID(c), Instance: c.Request.URL.Path}
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
	var ce *matching.ConflictError
	if errors.As(err, &ce) {
		p.Conflicts = toConflicts(ce.Conflicts)
	}
	if p.Status == 0 {
		logger(c).LogAttrs(c.Request.Context(), slog.LevelError, "internal error",
			slog.String("request_id", p.RequestID), slog.String("error", err.Error()))
		p.Status, p.Type, p.Title, p.Detail = http.StatusInternalServerError, problemTypeBase+"internal", "Internal error", "internal error"
	}
	return p
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
