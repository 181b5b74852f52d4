package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Message is one email to send. Send mails it to each address in To
// separately, so no recipient sees another's address.
type Message struct {
	To      []string
	Subject string
	Text    string // the text/plain part
	HTML    string // the text/html part; empty sends text only
}

// Mailer sends Messages through one SMTP server. It is safe for
// concurrent use; each Send opens its own connection.
type Mailer struct {
	cfg     SMTPConfig
	from    string
	tls     *tls.Config
	timeout time.Duration
}

// MailerOption changes a Mailer built by NewMailer.
type MailerOption func(*Mailer)

// DefaultMailTimeout bounds connecting and each step of an SMTP
// conversation unless WithMailTimeout says otherwise.
const DefaultMailTimeout = 10 * time.Second

// WithTLSConfig sets the TLS configuration for STARTTLS and smtps (for
// example one trusting a private CA). ServerName defaults to the host.
func WithTLSConfig(c *tls.Config) MailerOption {
	return func(m *Mailer) {
		if c != nil {
			m.tls = c.Clone()
		}
	}
}

// WithMailTimeout bounds connecting and each step of the conversation
// (default 10 s); values <= 0 keep the default.
func WithMailTimeout(d time.Duration) MailerOption {
	return func(m *Mailer) {
		if d > 0 {
			m.timeout = d
		}
	}
}

// NewMailer builds a Mailer sending as from ("noreply@example.org" or
// "Common Ground <noreply@example.org>"). It returns an error when from is
// not one valid address or cfg has no host or a port out of range.
func NewMailer(cfg SMTPConfig, from string, opts ...MailerOption) (*Mailer, error) {
	addrs, err := netmail.ParseAddressList(from)
	if err != nil || len(addrs) != 1 {
		return nil, errors.New("mail sender is not one valid email address")
	}
	if cfg.Host == "" {
		return nil, errors.New("SMTP configuration has no host")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, errors.New("SMTP configuration port must be from 1 to 65535")
	}
	m := &Mailer{cfg: cfg, from: addrs[0].String(), timeout: DefaultMailTimeout}
	for _, o := range opts {
		o(m)
	}
	if m.tls == nil {
		m.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if m.tls.ServerName == "" {
		m.tls.ServerName = cfg.Host
	}
	return m, nil
}

// SendError reports a Send that did not reach every recipient. When the
// conversation itself failed (connecting, TLS, AUTH, a timeout) every
// recipient is listed with that same error.
type SendError struct {
	Failed []RecipientError
	// Total is the number of recipients the Send was given.
	Total int
}

// RecipientError is why one recipient was not mailed. Code is the SMTP
// reply code when the server refused the message for this recipient
// (MAIL, RCPT or DATA), 0 otherwise.
type RecipientError struct {
	Address string
	Code    int
	Err     error
}

// Permanent reports a 5xx refusal: sending again cannot succeed.
func (r RecipientError) Permanent() bool { return r.Code >= 500 && r.Code <= 599 }

func (e *SendError) Error() string {
	parts := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		parts[i] = f.Address + ": " + f.Err.Error()
	}
	return fmt.Sprintf("mail not sent to %d of %d recipients: %s", len(e.Failed), e.Total, strings.Join(parts, "; "))
}

// Unwrap gives the distinct underlying errors, so errors.Is finds
// context.DeadlineExceeded and the like.
func (e *SendError) Unwrap() []error {
	var out []error
	for i, f := range e.Failed {
		if i == 0 || f.Err != e.Failed[i-1].Err {
			out = append(out, f.Err)
		}
	}
	return out
}

// IsPermanent reports whether err from Send is one that retrying cannot
// cure: every failed recipient was refused with a 5xx reply. A 4xx reply,
// a refused or dropped connection, a timeout, a cancelled context or a
// failed TLS or AUTH step (configuration, which can be fixed) is
// temporary and gives false, as does nil.
func IsPermanent(err error) bool {
	var se *SendError
	if !errors.As(err, &se) || len(se.Failed) == 0 {
		return false
	}
	for _, f := range se.Failed {
		if !f.Permanent() {
			return false
		}
	}
	return true
}

// Send mails msg to each address in msg.To, one message per recipient
// (each with only its own address in To) in one SMTP conversation:
// STARTTLS when the server offers it (smtp://) or TLS from the start
// (smtps://), then AUTH PLAIN (or LOGIN when PLAIN is not offered) when
// the configuration has a user. Credentials are never sent over an
// unencrypted connection except to localhost.
//
// It returns nil when every recipient was accepted, an error without
// sending anything when msg is incomplete or an address is invalid (a
// *SendError that IsPermanent), and otherwise a *SendError naming each
// recipient not mailed; see IsPermanent. ctx bounds the whole
// conversation: cancelling it closes the connection.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	if len(msg.To) == 0 {
		return errors.New("mail has no recipients")
	}
	if msg.Subject == "" || (msg.Text == "" && msg.HTML == "") {
		return errors.New("mail needs a subject and a body")
	}
	msgs := make([]*mail.Msg, len(msg.To))
	var invalid []RecipientError
	for i, to := range msg.To {
		mm, err := m.build(to, msg)
		if err != nil {
			invalid = append(invalid, RecipientError{Address: to, Code: 550, Err: err})
		}
		msgs[i] = mm
	}
	if len(invalid) > 0 {
		return &SendError{Failed: invalid, Total: len(msg.To)}
	}

	conv := &conversation{ctx: ctx, m: m}
	defer conv.stop()
	client, err := m.client(conv.dial)
	if err != nil {
		return m.failAll(ctx, msg.To, err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return m.failAll(ctx, msg.To, err)
	}
	var failed []RecipientError
	for i, mm := range msgs {
		if err := client.SendWithSMTPClient(sc, mm); err != nil {
			failed = append(failed, recipientError(ctx, msg.To[i], err))
		}
	}
	// Every message is accepted or refused by now: a failed QUIT changes nothing.
	_ = client.CloseWithSMTPClient(sc)
	if len(failed) > 0 {
		return &SendError{Failed: failed, Total: len(msg.To)}
	}
	return nil
}

// build makes the message for one recipient.
func (m *Mailer) build(to string, msg Message) (*mail.Msg, error) {
	if _, err := netmail.ParseAddress(to); err != nil {
		return nil, errors.New("not a valid email address")
	}
	mm := mail.NewMsg()
	if err := mm.From(m.from); err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	if err := mm.To(to); err != nil {
		return nil, errors.New("not a valid email address")
	}
	mm.Subject(msg.Subject)
	mm.SetDate()
	mm.SetMessageID()
	switch {
	case msg.Text != "" && msg.HTML != "":
		mm.SetBodyString(mail.TypeTextPlain, msg.Text)
		mm.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	case msg.Text != "":
		mm.SetBodyString(mail.TypeTextPlain, msg.Text)
	default:
		mm.SetBodyString(mail.TypeTextHTML, msg.HTML)
	}
	return mm, nil
}

// client builds the go-mail client for one conversation.
func (m *Mailer) client(dial mail.DialContextFunc) (*mail.Client, error) {
	opts := []mail.Option{
		mail.WithPort(m.cfg.Port),
		mail.WithTimeout(m.timeout),
		mail.WithTLSPolicy(mail.TLSOpportunistic),
		mail.WithTLSConfig(m.tls),
		mail.WithDialContextFunc(dial),
	}
	if m.cfg.Username != "" {
		opts = append(opts,
			mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(m.cfg.Username),
			mail.WithPassword(m.cfg.Password))
	}
	return mail.NewClient(m.cfg.Host, opts...)
}

// failAll reports one conversation-level error for every recipient.
func (m *Mailer) failAll(ctx context.Context, to []string, err error) error {
	err = withContext(ctx, fmt.Errorf("SMTP conversation with %s failed: %w", m.cfg.Addr(), err))
	failed := make([]RecipientError, len(to))
	for i, a := range to {
		failed[i] = RecipientError{Address: a, Err: err}
	}
	return &SendError{Failed: failed, Total: len(to)}
}

// recipientError classifies go-mail's error for one message.
func recipientError(ctx context.Context, to string, err error) RecipientError {
	re := RecipientError{Address: to, Err: withContext(ctx, err)}
	var se *mail.SendError
	if errors.As(err, &se) {
		re.Code = se.ErrorCode()
	}
	if ctx.Err() != nil {
		re.Code = 0
	}
	return re
}

// withContext adds ctx's error when it ended, so callers can tell.
func withContext(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// conversation dials the server for one Send and closes the connection
// when the Send's context ends, since go-mail only watches it while
// dialling.
type conversation struct {
	ctx context.Context
	m   *Mailer

	mu    sync.Mutex
	conns []net.Conn
	stops []func() bool
}

func (c *conversation) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	// go-mail joins host and port without brackets, which breaks IPv6
	// literals: dial the configured address instead.
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, c.m.cfg.Addr())
	if err != nil {
		return nil, err
	}
	if c.m.cfg.ImplicitTLS {
		tc := tls.Client(conn, c.m.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	stop := context.AfterFunc(c.ctx, func() { conn.Close() })
	c.mu.Lock()
	c.conns = append(c.conns, conn)
	c.stops = append(c.stops, stop)
	c.mu.Unlock()
	return conn, nil
}

// stop ends the conversation: go-mail leaves the connection open when a
// step before sending fails, so it is closed here whatever happened.
func (c *conversation) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, conn := range c.conns {
		c.stops[i]()
		conn.Close()
	}
}
