package notify

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestComposeEventMail(t *testing.T) {
	e := testEvent()
	msg := ComposeEventMail(e, "https://commonground.test/")
	if len(msg.To) != 0 {
		t.Errorf("To = %q, want empty", msg.To)
	}
	if got, want := msg.Subject, "Common Ground: Leaps & Bounds asked to book Main Hall for 10 Thursdays"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	// 14:05 UTC on 10 December is 14:05 in London (GMT).
	for _, part := range []struct{ name, body string }{{"text", msg.Text}, {"html", msg.HTML}} {
		for _, want := range []string{
			"Thursday 10 December 2026, 14:05",
			"https://commonground.test/dashboard",
			"You get this because email notifications are on for your account; turn them off in your organisation page:",
			"https://commonground.test/dashboard/organisation",
		} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
	}
	if strings.Contains(msg.Text, "&amp;") || !strings.Contains(msg.Text, "Leaps & Bounds") {
		t.Errorf("text part must carry the summary unescaped:\n%s", msg.Text)
	}
}

func TestComposeEventMailSummerTime(t *testing.T) {
	e := testEvent()
	e.CreatedAt = time.Date(2026, 7, 2, 13, 5, 0, 0, time.UTC) // 14:05 BST
	msg := ComposeEventMail(e, "https://commonground.test")
	if !strings.Contains(msg.Text, "Thursday 2 July 2026, 14:05") {
		t.Errorf("text part lacks the London time:\n%s", msg.Text)
	}
}

func TestComposeEventMailEscapesHTML(t *testing.T) {
	e := testEvent()
	e.Summary = `<script>alert("x")</script> asked to book "Hall"`
	msg := ComposeEventMail(e, "https://commonground.test")
	if strings.Contains(msg.HTML, "<script>") {
		t.Errorf("HTML part carries markup from the summary:\n%s", msg.HTML)
	}
	if !strings.Contains(msg.HTML, "&lt;script&gt;") {
		t.Errorf("HTML part lacks the escaped summary:\n%s", msg.HTML)
	}
}

func TestComposeEventMailLinks(t *testing.T) {
	tests := []struct {
		event, want string
	}{
		{"booking.requested", "https://cg.test/dashboard"},
		{"booking.cancelled", "https://cg.test/dashboard"},
		{"partnership.proposed", "https://cg.test/dashboard/partners"},
		{"partnership.health_flagged", "https://cg.test/dashboard/partners"},
		{"consortium.invited", "https://cg.test/dashboard/partners"},
		{"message.posted", "https://cg.test/dashboard"},
		{"something.new", "https://cg.test/dashboard"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			e := testEvent()
			e.Event = tt.event
			for _, base := range []string{"https://cg.test", "https://cg.test/"} {
				msg := ComposeEventMail(e, base)
				if !strings.Contains(msg.Text, "See it on Common Ground: "+tt.want+"\n") {
					t.Errorf("base %q: text part lacks link %q:\n%s", base, tt.want, msg.Text)
				}
				if !strings.Contains(msg.HTML, `href="`+tt.want+`"`) {
					t.Errorf("base %q: HTML part lacks link %q:\n%s", base, tt.want, msg.HTML)
				}
			}
		})
	}
}

func TestComposeEventMailLongSummary(t *testing.T) {
	e := testEvent()
	e.Summary = strings.Repeat("Leaps and Bounds asked to book Main Hall ", 5) + "\r\nBcc: x@example.org"
	msg := ComposeEventMail(e, "https://commonground.test")
	s := strings.TrimPrefix(msg.Subject, "Common Ground: ")
	if n := utf8.RuneCountInString(s); n > 80 || n < 40 {
		t.Errorf("subject summary has %d characters, want 40–80: %q", n, s)
	}
	if !strings.HasSuffix(s, "…") {
		t.Errorf("shortened subject %q does not end with an ellipsis", s)
	}
	if strings.ContainsAny(msg.Subject, "\r\n") {
		t.Errorf("subject %q spans lines", msg.Subject)
	}
}
