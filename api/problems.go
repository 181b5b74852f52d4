package api

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// problemPage says, for a person who met a problem type, what it means and
// what to do about it.
type problemPage struct {
	Status int
	Title  string
	Means  string
	Do     string
}

// problemPages are the pages the problem types resolve to: every type the
// service sends has one (TestEveryProblemTypeHasAPage).
var problemPages = map[string]problemPage{
	"invalid-request": {400, "Invalid request",
		"Something in the request is missing or not of the right form. The problem's errors list each field and what is wrong with it.",
		"Correct the fields named and send the request again."},
	"unauthorized": {401, "Missing or invalid token",
		"The request needs an organisation's token, or the token sent is not one the service knows.",
		"Send Authorization: Bearer followed by your organisation's token. A token is shown once, when the organisation registers."},
	"forbidden": {403, "Not allowed",
		"The token is valid, but its organisation may not make this change: only the organisation that owns something may change it.",
		"Ask the owning organisation, or use its token."},
	"not-found": {404, "Not found",
		"There is no such endpoint or resource, or it belongs to others and is private to them.",
		"Check the path and the ID."},
	"method-not-allowed": {405, "Method not allowed",
		"The path exists, but not with this method.",
		"See the API description at /openapi.json for the methods each path takes."},
	"conflict": {409, "Conflict",
		"The request clashes with the resource as it stands: a session already booked, a change its status does not allow, a name already taken.",
		"Read the detail (a booking conflict lists each session and why), then change the request."},
	"precondition-failed": {412, "Precondition failed",
		"The request carried If-Match, and the resource has changed since that ETag: someone else changed it first. Nothing was written.",
		"Fetch the resource again, apply your change to what is there now, and send it with the new ETag."},
	"too-large": {413, "Request body too large",
		"The request body is larger than the service accepts.",
		"Send a smaller body."},
	"unsupported-media-type": {415, "Unsupported media type",
		"The request body must be JSON.",
		"Send Content-Type: application/json with a JSON body."},
	"unprocessable": {422, "Unprocessable request",
		"The request is well formed but cannot be carried out as sent, for example an Idempotency-Key already used with a different body.",
		"Read the detail; use a new Idempotency-Key for a different request."},
	"rate-limited": {429, "Too many requests",
		"This client has made more requests of this kind than the service allows in the time: too many writes, or too many unknown tokens from one address.",
		"Wait the number of seconds in Retry-After before trying again. The RateLimit headers say how many writes are left."},
	"client-closed-request": {499, "Client closed request",
		"The client went away before the answer was ready. Nobody reads this answer; it is recorded for the logs.",
		"Nothing: a retry with the same Idempotency-Key is safe."},
	"internal": {500, "Internal error",
		"Something went wrong inside the service. It has been logged with the request's id.",
		"Try again later; if it goes on, report the request_id to the operator."},
	"unavailable": {503, "Database unavailable",
		"The service's database did not answer in time. Matching and nearby searches go on from memory; what needs the database waits.",
		"Try again after the seconds in Retry-After."},
	"timeout": {503, "Timed out",
		"The request took longer than the service allows and was stopped. A write that timed out was not kept.",
		"Try again after the seconds in Retry-After, with the same Idempotency-Key for a booking."},
	"busy": {503, "Busy",
		"The service is running as many heavy searches (consortia, partners) as it can at once.",
		"Try again after the seconds in Retry-After."},
	"not-ready": {503, "Not ready",
		"The service is starting, or cannot reach its database, and cannot answer this yet.",
		"Try again in a few seconds."},
}

var problemPageHTML = template.Must(template.New("problem").Parse(`<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — Common Ground</title></head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>HTTP status {{.Status}}. Answers of this kind are <code>application/problem+json</code> with this page's address as their <code>type</code>.</p>
<h2>What it means</h2>
<p>{{.Means}}</p>
<h2>What to do</h2>
<p>{{.Do}}</p>
</main>
</body>
</html>
`))

// problemPage answers GET /problems/{type}: a page for a person who met
// that problem type, or 404 for a type the service does not send.
func (h *handler) problemPage(c *gin.Context) {
	page, ok := problemPages[c.Param("type")]
	if !ok {
		failStatus(c, http.StatusNotFound, "not-found", "Not found", "no such problem type: "+clip(c.Param("type")))
		return
	}
	var b strings.Builder
	if err := problemPageHTML.Execute(&b, page); err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}
