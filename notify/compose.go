package notify

import (
	"bytes"
	"html/template"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must load on machines without a zoneinfo database
	"unicode/utf8"
)

// maxSubjectSummary is how much of the summary goes into a subject line.
const maxSubjectSummary = 80

// london is where the service's people are; mail shows their local time.
var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("notify: " + err.Error()) // embedded by time/tzdata, so never
	}
	return loc
}

// ComposeEventMail writes the notification mail for e (To left empty):
// the subject "Common Ground: " and the summary (shortened to about 80
// characters), and a plain-text and an HTML part (everything escaped),
// each with the summary, when it happened in UK time, a link to the page
// concerned under publicURL and how to stop these emails.
func ComposeEventMail(e Event, publicURL string) Message {
	base := strings.TrimRight(publicURL, "/")
	summary := strings.TrimSpace(e.Summary)
	if summary == "" {
		summary = e.Event
	}
	v := mailView{
		Summary:     summary,
		When:        e.CreatedAt.In(london).Format("Monday 2 January 2006, 15:04"),
		Link:        base + EventPath(e.Event),
		SettingsURL: base + "/dashboard/organisation",
	}
	var html bytes.Buffer
	if err := htmlTmpl.Execute(&html, v); err != nil {
		panic("notify: HTML mail template: " + err.Error()) // a fixed template over strings: never
	}
	return Message{
		Subject: "Common Ground: " + shorten(oneLine(summary), maxSubjectSummary),
		Text:    plainText(v),
		HTML:    html.String(),
	}
}

// EventPath is the page of the web app that shows an event's subject:
// partnership and consortium events go to /dashboard/partners, everything
// else (bookings, messages, anything new) to /dashboard.
func EventPath(event string) string {
	switch {
	case strings.HasPrefix(event, "partnership."), strings.HasPrefix(event, "consortium."):
		return "/dashboard/partners"
	default:
		return "/dashboard"
	}
}

type mailView struct {
	Summary, When, Link, SettingsURL string
}

// oneLine keeps header values on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// shorten cuts s to at most n characters, at a word boundary when one is
// near, adding an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-") + "…"
}

// plainText is the text/plain part; no escaping, it is not HTML.
func plainText(v mailView) string {
	return v.Summary + "\n\n" +
		"When: " + v.When + "\n" +
		"See it on Common Ground: " + v.Link + "\n\n" +
		"-- \nYou get this because email notifications are on for your account; " +
		"turn them off in your organisation page: " + v.SettingsURL + "\n"
}

var htmlTmpl = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Common Ground</title></head>
<body style="font-family: sans-serif; line-height: 1.4">
<p>{{.Summary}}</p>
<p>When: {{.When}}</p>
<p><a href="{{.Link}}">See it on Common Ground</a> ({{.Link}})</p>
<hr>
<p style="font-size: smaller; color: #555">You get this because email notifications are on for your account; turn them off in your organisation page: <a href="{{.SettingsURL}}">{{.SettingsURL}}</a></p>
</body>
</html>
`))
