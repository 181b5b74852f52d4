package main

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"commonground/notify"
)

// notifyConfig is how events are delivered by email and webhook.
type notifyConfig struct {
	// SMTP is the mail server (COMMONGROUND_SMTP_URL,
	// smtp://user:pass@host:port or smtps://…); nil sends no email.
	SMTP *notify.SMTPConfig
	// MailFrom is the sender of every email (COMMONGROUND_MAIL_FROM,
	// default "Common Ground <noreply@localhost>").
	MailFrom string
	// PublicURL is where people reach the service, for the links in
	// emails (COMMONGROUND_PUBLIC_URL, default http://localhost:8080).
	PublicURL string
	// WebhookRetryBase is the first wait before a failed webhook delivery
	// is tried again (COMMONGROUND_WEBHOOK_RETRY_BASE, default 5s).
	WebhookRetryBase time.Duration
	// WebhookAllowPrivate lets webhooks go to loopback and private
	// addresses (COMMONGROUND_WEBHOOK_ALLOW_PRIVATE, default false).
	WebhookAllowPrivate bool
}

// loadNotifyConfig reads the mail and webhook settings. Its errors name
// the variable at fault and never show a password.
func loadNotifyConfig(getenv func(string) string) (notifyConfig, error) {
	cfg := notifyConfig{
		MailFrom:  orDefault(getenv("COMMONGROUND_MAIL_FROM"), "Common Ground <noreply@localhost>"),
		PublicURL: strings.TrimRight(orDefault(getenv("COMMONGROUND_PUBLIC_URL"), "http://localhost:8080"), "/"),
	}
	if raw := strings.TrimSpace(getenv("COMMONGROUND_SMTP_URL")); raw != "" {
		smtp, err := notify.ParseSMTPURL(raw)
		if err != nil {
			return cfg, fmt.Errorf("COMMONGROUND_SMTP_URL: %w", err)
		}
		cfg.SMTP = &smtp
	}
	if addrs, err := mail.ParseAddressList(cfg.MailFrom); err != nil || len(addrs) != 1 {
		return cfg, fmt.Errorf("COMMONGROUND_MAIL_FROM must be one email address such as \"Common Ground <noreply@example.org>\", got %q", cfg.MailFrom)
	}
	if err := checkPublicURL(cfg.PublicURL); err != nil {
		return cfg, fmt.Errorf("COMMONGROUND_PUBLIC_URL %w, got %q", err, cfg.PublicURL)
	}
	base, err := time.ParseDuration(orDefault(getenv("COMMONGROUND_WEBHOOK_RETRY_BASE"), "5s"))
	if err != nil || base <= 0 || base > notify.MaxRetryDelay {
		return cfg, fmt.Errorf("COMMONGROUND_WEBHOOK_RETRY_BASE must be a duration above zero and at most 1h, such as 5s, got %q", getenv("COMMONGROUND_WEBHOOK_RETRY_BASE"))
	}
	cfg.WebhookRetryBase = base
	allow, err := strconv.ParseBool(orDefault(getenv("COMMONGROUND_WEBHOOK_ALLOW_PRIVATE"), "false"))
	if err != nil {
		return cfg, fmt.Errorf("COMMONGROUND_WEBHOOK_ALLOW_PRIVATE must be true or false, got %q", getenv("COMMONGROUND_WEBHOOK_ALLOW_PRIVATE"))
	}
	cfg.WebhookAllowPrivate = allow
	return cfg, nil
}

// checkPublicURL checks that s is an absolute http or https URL with a
// host and nothing after the path.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("must be a URL such as https://commonground.example.org")
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return errors.New("must start with http:// or https:// and name a host")
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		return errors.New("must have no user name, query or fragment")
	}
	return nil
}
