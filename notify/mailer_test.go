package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailParts reads a received mail: its headers and the decoded text/plain
// and text/html parts of its multipart/alternative body.
func mailParts(t *testing.T, data []byte) (hdr netmail.Header, text, html string) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read mail: %v", err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	if mt != "multipart/alternative" {
		t.Fatalf("content type = %q, want multipart/alternative", mt)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch pt {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		default:
			t.Errorf("unexpected part %q", pt)
		}
	}
	return m.Header, text, html
}

func testEvent() Event {
	return Event{
		ID:        "0b6f3c1e-6f4a-4c1e-9a53-2d0c6f7b9a10",
		Event:     "booking.requested",
		CreatedAt: time.Date(2026, 12, 10, 14, 5, 0, 0, time.UTC),
		Subject:   Subject{Type: "booking", ID: "b-42"},
		Summary:   "Leaps & Bounds asked to book Main Hall for 10 Thursdays",
		Data:      []byte(`{"booking_id":"b-42"}`),
	}
}

func newTestMailer(t *testing.T, rawURL string, opts ...MailerOption) *Mailer {
	t.Helper()
	cfg, err := ParseSMTPURL(rawURL)
	if err != nil {
		t.Fatalf("ParseSMTPURL: %v", err)
	}
	m, err := NewMailer(cfg, "Common Ground <noreply@commonground.test>", opts...)
	if err != nil {
		t.Fatalf("NewMailer: %v", err)
	}
	return m
}

func TestSendConversations(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	tests := []struct {
		name     string
		srv      smtpServerOpts
		scheme   string
		userinfo string
		wantTLS  bool
		wantUser string
		wantPass string
	}{
		{name: "plain, no STARTTLS offered, no auth", srv: smtpServerOpts{}, scheme: "smtp"},
		{name: "plain with AUTH PLAIN", srv: smtpServerOpts{needAuth: true}, scheme: "smtp",
			userinfo: "mailer:p%40ss%3Aword", wantUser: "mailer", wantPass: "p@ss:word"},
		{name: "STARTTLS when offered", srv: smtpServerOpts{tls: serverTLS}, scheme: "smtp", wantTLS: true},
		{name: "STARTTLS then AUTH PLAIN", srv: smtpServerOpts{tls: serverTLS, needAuth: true}, scheme: "smtp",
			userinfo: "mailer:s3cret", wantTLS: true, wantUser: "mailer", wantPass: "s3cret"},
		{name: "smtps implicit TLS with AUTH PLAIN", srv: smtpServerOpts{tls: serverTLS, implicit: true, needAuth: true},
			scheme: "smtps", userinfo: "mailer:s3cret", wantTLS: true, wantUser: "mailer", wantPass: "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, tt.srv)
			m := newTestMailer(t, srv.url(tt.scheme, tt.userinfo), WithTLSConfig(clientTLS), WithMailTimeout(5*time.Second))
			msg := ComposeEventMail(testEvent(), "https://commonground.test/")
			msg.To = []string{"ada@example.org"}
			if err := m.Send(context.Background(), msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("got %d mails, want 1", len(got))
			}
			r := got[0]
			if r.From != "noreply@commonground.test" {
				t.Errorf("MAIL FROM = %q, want noreply@commonground.test", r.From)
			}
			if len(r.To) != 1 || r.To[0] != "ada@example.org" {
				t.Errorf("RCPT TO = %q, want [ada@example.org]", r.To)
			}
			if r.TLS != tt.wantTLS {
				t.Errorf("encrypted = %v, want %v", r.TLS, tt.wantTLS)
			}
			if r.AuthUser != tt.wantUser || r.AuthPass != tt.wantPass {
				t.Errorf("AUTH = %q/%q, want %q/%q", r.AuthUser, r.AuthPass, tt.wantUser, tt.wantPass)
			}
			hdr, text, html := mailParts(t, r.Data)
			if got, want := hdr.Get("Subject"), "Common Ground: Leaps & Bounds asked to book Main Hall for 10 Thursdays"; got != want {
				t.Errorf("Subject = %q, want %q", got, want)
			}
			for _, part := range []struct{ name, body, summary string }{
				{"text", text, "Leaps & Bounds asked to book Main Hall for 10 Thursdays"},
				{"html", html, "Leaps &amp; Bounds asked to book Main Hall for 10 Thursdays"},
			} {
				if !strings.Contains(part.body, part.summary) {
					t.Errorf("%s part lacks the summary %q:\n%s", part.name, part.summary, part.body)
				}
				if !strings.Contains(part.body, "https://commonground.test/dashboard") {
					t.Errorf("%s part lacks the link:\n%s", part.name, part.body)
				}
			}
		})
	}
}

func TestSendOneMessagePerRecipient(t *testing.T) {
	srv := startSMTP(t, smtpServerOpts{})
	m := newTestMailer(t, srv.url("smtp", ""))
	msg := ComposeEventMail(testEvent(), "https://commonground.test")
	msg.To = []string{"ada@example.org", "Bo <bo@example.net>"}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.received()
	if len(got) != 2 {
		t.Fatalf("got %d mails, want 2", len(got))
	}
	for i, want := range []string{"ada@example.org", "bo@example.net"} {
		if len(got[i].To) != 1 || got[i].To[0] != want {
			t.Errorf("mail %d RCPT TO = %q, want [%s]", i, got[i].To, want)
		}
		hdr, _, _ := mailParts(t, got[i].Data)
		if to := hdr.Get("To"); !strings.Contains(to, want) || strings.Contains(to, ",") {
			t.Errorf("mail %d To header = %q, want only %s", i, to, want)
		}
	}
}

func TestSendRefusals(t *testing.T) {
	refusals := map[string]*smtp.SMTPError{
		"gone@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"},
		"full@example.org": {Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"},
	}
	tests := []struct {
		name          string
		to            []string
		wantPermanent bool
		wantFailed    []string
		wantDelivered int
	}{
		{name: "5xx on RCPT is permanent", to: []string{"gone@example.org"}, wantPermanent: true, wantFailed: []string{"gone@example.org"}},
		{name: "4xx on RCPT is temporary", to: []string{"full@example.org"}, wantFailed: []string{"full@example.org"}},
		{name: "others still delivered", to: []string{"gone@example.org", "ada@example.org"}, wantPermanent: true,
			wantFailed: []string{"gone@example.org"}, wantDelivered: 1},
		{name: "mixed refusals are temporary", to: []string{"gone@example.org", "full@example.org"},
			wantFailed: []string{"gone@example.org", "full@example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, smtpServerOpts{rejectRcpt: refusals})
			m := newTestMailer(t, srv.url("smtp", ""))
			err := m.Send(context.Background(), Message{To: tt.to, Subject: "s", Text: "t", HTML: "<p>t</p>"})
			if err == nil {
				t.Fatal("Send: no error")
			}
			if got := IsPermanent(err); got != tt.wantPermanent {
				t.Errorf("IsPermanent = %v, want %v (%v)", got, tt.wantPermanent, err)
			}
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SendError", err)
			}
			var failed []string
			for _, f := range se.Failed {
				failed = append(failed, f.Address)
			}
			if strings.Join(failed, ",") != strings.Join(tt.wantFailed, ",") {
				t.Errorf("failed = %q, want %q", failed, tt.wantFailed)
			}
			if got := len(srv.received()); got != tt.wantDelivered {
				t.Errorf("delivered %d, want %d", got, tt.wantDelivered)
			}
		})
	}
}

func TestSendInvalidRecipientIsPermanent(t *testing.T) {
	m := newTestMailer(t, "smtp://127.0.0.1:1")
	err := m.Send(context.Background(), Message{To: []string{"not an address"}, Subject: "s", Text: "t"})
	if err == nil || !IsPermanent(err) {
		t.Errorf("Send = %v, want a permanent error", err)
	}
}

func TestSendConnectionRefusedIsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	m := newTestMailer(t, "smtp://"+addr)
	err = m.Send(context.Background(), Message{To: []string{"ada@example.org"}, Subject: "s", Text: "t"})
	if err == nil {
		t.Fatal("Send to a closed port: no error")
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
}

func TestSendUntrustedCertificateFails(t *testing.T) {
	serverTLS, _ := selfSigned(t)
	_, otherClient := selfSigned(t)
	srv := startSMTP(t, smtpServerOpts{tls: serverTLS})
	m := newTestMailer(t, srv.url("smtp", ""), WithTLSConfig(otherClient))
	err := m.Send(context.Background(), Message{To: []string{"ada@example.org"}, Subject: "s", Text: "t"})
	if err == nil {
		t.Fatal("Send over STARTTLS with an untrusted certificate: no error")
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("server received %d mails, want 0", n)
	}
}

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				<-done
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { close(done); l.Close() })
	return l.Addr().String()
}

func TestSendServerNeverAnswers(t *testing.T) {
	addr := silentServer(t)
	msg := Message{To: []string{"ada@example.org"}, Subject: "s", Text: "t"}

	t.Run("mailer timeout", func(t *testing.T) {
		m := newTestMailer(t, "smtp://"+addr, WithMailTimeout(300*time.Millisecond))
		err := m.Send(context.Background(), msg)
		if err == nil {
			t.Fatal("Send: no error")
		}
		if IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = true, want false", err)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		m := newTestMailer(t, "smtp://"+addr, WithMailTimeout(time.Minute))
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := m.Send(ctx, msg)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Send = %v, want one wrapping context.DeadlineExceeded", err)
		}
		if IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = true, want false", err)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		m := newTestMailer(t, "smtp://"+addr, WithMailTimeout(time.Minute))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		err := m.Send(ctx, msg)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Send = %v, want one wrapping context.Canceled", err)
		}
	})
}

func TestNewMailerValidatesFrom(t *testing.T) {
	cfg := SMTPConfig{Host: "mail.example.org", Port: 587}
	for _, from := range []string{"", "nobody", "a@example.org, b@example.org", "<>"} {
		t.Run(from, func(t *testing.T) {
			if _, err := NewMailer(cfg, from); err == nil {
				t.Errorf("NewMailer(%q): no error", from)
			}
		})
	}
	if _, err := NewMailer(cfg, "Common Ground <noreply@example.org>"); err != nil {
		t.Errorf("NewMailer with a named address: %v", err)
	}
}

func TestSendKeepsPasswordOffPlainConnections(t *testing.T) {
	// ::ffff:127.0.0.1 reaches the loopback server but is not a name
	// go-mail treats as this machine, so it stands for a remote server
	// that offers no STARTTLS.
	srv := startSMTP(t, smtpServerOpts{needAuth: true})
	m := newTestMailer(t, fmt.Sprintf("smtp://mailer:s3cret@[::ffff:127.0.0.1]:%d", srv.port))
	err := m.Send(context.Background(), Message{To: []string{"ada@example.org"}, Subject: "s", Text: "t"})
	if err == nil {
		t.Fatal("Send with a password over a plain connection: no error")
	}
	if !strings.Contains(err.Error(), "unencrypted") {
		t.Errorf("Send = %v, want a refusal to authenticate unencrypted", err)
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("server received %d mails, want 0", n)
	}
}

func TestSendClosesConnectionAfterRefusedGreeting(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	closed := make(chan struct{})
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "220 mx.test ESMTP\r\n")
		buf := make([]byte, 512)
		for {
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Read(buf); err != nil {
				if err == io.EOF {
					close(closed)
				}
				return
			}
			io.WriteString(c, "554 5.7.1 go away\r\n")
		}
	}()
	m := newTestMailer(t, "smtp://"+l.Addr().String())
	if err := m.Send(context.Background(), Message{To: []string{"ada@example.org"}, Subject: "s", Text: "t"}); err == nil {
		t.Fatal("Send to a server refusing EHLO and HELO: no error")
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Error("the connection was left open after Send returned")
	}
}
