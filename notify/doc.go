// Package notify delivers notifications over the two outside channels the
// service offers: email over SMTP and Standard Webhooks. It knows nothing of
// the database, the job queue or HTTP routing; the caller records each Event
// in the same transaction as the change that causes it, queues one job per
// delivery, and calls this package from its workers.
//
// # Email
//
// ParseSMTPURL reads COMMONGROUND_SMTP_URL (smtp:// with STARTTLS when the
// server offers it, smtps:// with implicit TLS) and NewMailer builds a
// Mailer from it and the From address. ComposeEventMail turns an Event into
// a Message (plain text and HTML, with a link under the public URL), and
// Mailer.Send delivers it, one message per recipient in one SMTP
// conversation so no recipient sees another's address. A failed Send
// returns an error that IsPermanent classifies: true when the server refused
// with a 5xx (retrying cannot help), false for 4xx answers, refused
// connections, timeouts and everything else (retry later). Queue one job per
// recipient and a retry never mails anyone twice; when a job holds several
// recipients, a *SendError names which of them failed.
//
// # Webhooks
//
// NewSecret makes a signing secret ("whsec_" + base64) to show once;
// ParseSecret decodes a stored one. CheckURL vets a URL when a webhook is
// registered (400 material: ErrBadURL, ErrPrivateAddress). A Deliverer POSTs
// {"id", "event", "created_at", "data"} signed with Sign, refusing at
// connect time any address CheckURL would refuse, following no redirects,
// and giving up after 10 s. Deliver returns an Attempt to record whatever
// happened.
//
// The caller must keep the webhook-id stable: every retry of one event to
// one endpoint carries the same msgID (DeliveryID derives one from the event
// and hook ids), so receivers can drop duplicates. Retry a failed attempt n
// after RetryDelay(n, base) and give up after AttemptsFor(base, 24*time.Hour)
// attempts, which keeps retrying for at least a day.
package notify
