package notify

import (
	"bytes"
	"html/template"
	"strings"
)

// accessMail is the body of the emails that carry a link to act on:
// an invitation and a password reset.
var accessMail = template.Must(template.New("access").Parse(`<!doctype html>
<html lang="en-GB"><body>
<p>{{.Lead}}</p>
<p><a href="{{.URL}}">{{.Action}}</a></p>
<p>{{.Note}}</p>
</body></html>
`))

type accessParts struct{ Lead, Action, URL, Note string }

func composeAccess(subject string, p accessParts) Message {
	var html bytes.Buffer
	if err := accessMail.Execute(&html, p); err != nil {
		panic("notify: access mail template: " + err.Error()) // the template is fixed, so never
	}
	text := strings.Join([]string{p.Lead, "", p.Action + ": " + p.URL, "", p.Note, ""}, "\n")
	return Message{Subject: subject, Text: text, HTML: html.String()}
}

// ComposeInvitation is the email inviting someone to join orgName, from
// inviter ("" when a key or the operator invited), with the link that
// accepts it.
func ComposeInvitation(orgName, inviter, acceptURL string) Message {
	lead := "You are invited to join " + orgName + " on Common Ground."
	if inviter != "" {
		lead = inviter + " invited you to join " + orgName + " on Common Ground."
	}
	return composeAccess("Common Ground: join "+shorten(orgName, 60), accessParts{
		Lead: lead, Action: "Accept the invitation", URL: acceptURL,
		Note: "The link works once and for 7 days. If you did not expect this, ignore this email.",
	})
}

// ComposePasswordReset is the email with the link that sets a new
// password.
func ComposePasswordReset(resetURL string) Message {
	return composeAccess("Common Ground: set a new password", accessParts{
		Lead:   "Someone asked to set a new password for your Common Ground account.",
		Action: "Set a new password", URL: resetURL,
		Note: "The link works once and for 1 hour. If it was not you, ignore this email: your password stays as it is.",
	})
}
