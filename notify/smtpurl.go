package notify

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
)

// SMTPConfig says how to reach the mail server. Build it with
// ParseSMTPURL; String shows it with the password hidden.
type SMTPConfig struct {
	Host string
	Port int
	// ImplicitTLS is true for smtps:// (TLS from the first byte); for
	// smtp:// the Mailer upgrades with STARTTLS when the server offers it.
	ImplicitTLS bool
	// Username and Password are empty when the server needs no AUTH.
	Username string
	Password string
}

// Default ports when the URL names none: submission for smtp://,
// submissions (RFC 8314) for smtps://.
const (
	DefaultSMTPPort  = 587
	DefaultSMTPSPort = 465
)

// shortScheme matches schemes short and plain enough to quote in an error.
var shortScheme = regexp.MustCompile(`^[a-z][a-z0-9+.-]{0,9}$`)

// ParseSMTPURL reads an SMTP URL: smtp://user:pass@host:port (STARTTLS when
// the server offers it, plain otherwise) or smtps://user:pass@host:port
// (implicit TLS). User and password are optional (no AUTH without them)
// and percent-decoded; the port defaults to 587 for smtp and 465 for smtps.
//
// It returns an error, a sentence saying what is wrong, for any other
// scheme, a missing host, a bad port, a user without a password (or the
// reverse), or a path, query or fragment. No error ever quotes the
// password, nor any other part of the URL but a short scheme.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	if raw == "" {
		return SMTPConfig{}, errors.New("SMTP URL is empty; use smtp://user:password@host:port or smtps://…")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the whole URL, password included: say it in our words.
		return SMTPConfig{}, errors.New("SMTP URL is malformed (a bad port, or characters in the user name or password that must be percent-encoded)")
	}
	var cfg SMTPConfig
	switch u.Scheme {
	case "smtp":
		cfg.Port = DefaultSMTPPort
	case "smtps":
		cfg.Port = DefaultSMTPSPort
		cfg.ImplicitTLS = true
	case "":
		return SMTPConfig{}, errors.New("SMTP URL has no scheme; use smtp:// (STARTTLS when offered) or smtps:// (implicit TLS)")
	default:
		if shortScheme.MatchString(u.Scheme) {
			return SMTPConfig{}, fmt.Errorf("SMTP URL scheme %q is not supported; use smtp:// (STARTTLS when offered) or smtps:// (implicit TLS)", u.Scheme)
		}
		return SMTPConfig{}, errors.New("SMTP URL scheme is not supported; use smtp:// (STARTTLS when offered) or smtps:// (implicit TLS)")
	}
	if u.Opaque != "" {
		return SMTPConfig{}, errors.New("SMTP URL must look like smtp://user:password@host:port")
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return SMTPConfig{}, errors.New("SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, errors.New("SMTP URL port must be a number from 1 to 65535")
		}
		cfg.Port = n
	} else if hostHasEmptyPort(u.Host) {
		return SMTPConfig{}, errors.New("SMTP URL has a colon after the host but no port")
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, errors.New("SMTP URL must not have a path")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return SMTPConfig{}, errors.New("SMTP URL must not have query parameters; none are understood")
	}
	if u.Fragment != "" {
		return SMTPConfig{}, errors.New("SMTP URL must not have a fragment")
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
		switch {
		case cfg.Username == "" && cfg.Password != "":
			return SMTPConfig{}, errors.New("SMTP URL has a password but no user name")
		case cfg.Username != "" && cfg.Password == "":
			return SMTPConfig{}, errors.New("SMTP URL has a user name but no password")
		}
	}
	return cfg, nil
}

// hostHasEmptyPort reports "host:" (url.Parse accepts it, with no port).
func hostHasEmptyPort(hostport string) bool {
	return len(hostport) > 0 && hostport[len(hostport)-1] == ':'
}

// Addr is host:port, ready to dial.
func (c SMTPConfig) Addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// String shows the configuration as a URL with the password masked, safe
// to log.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: c.Addr()}
	if c.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	return u.String()
}
