package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Errors CheckURL (and Deliver) wrap, so the caller can answer 400 with
// the error's text and tell the two apart.
var (
	// ErrBadURL: the URL is malformed or not one a webhook may use.
	ErrBadURL = errors.New("bad webhook URL")
	// ErrPrivateAddress: the URL's host is, or resolves to, a loopback,
	// private, link-local or otherwise non-public address.
	ErrPrivateAddress = errors.New("webhook URL points to a private address")
)

// MaxURLLength is the longest webhook URL accepted.
const MaxURLLength = 2000

// urlError is a sentence for the client that wraps one of the sentinels.
type urlError struct {
	kind error
	msg  string
}

func (e *urlError) Error() string { return e.msg }
func (e *urlError) Unwrap() error { return e.kind }

func badURL(format string, args ...any) error {
	return &urlError{kind: ErrBadURL, msg: fmt.Sprintf(format, args...)}
}

func privateAddr(format string, args ...any) error {
	return &urlError{kind: ErrPrivateAddress, msg: fmt.Sprintf(format, args...)}
}

// CheckURL vets a webhook URL: http or https, a host, no user name or
// password, a valid port, at most 2,000 characters. Unless allowPrivate,
// the host must not be, nor resolve (with resolver; nil means
// net.DefaultResolver) to, a loopback, private (RFC 1918, fc00::/7),
// link-local, unspecified, multicast, shared (100.64.0.0/10), 0.0.0.0/8,
// reserved or documentation-only address, in any IPv4-mapped form too.
//
// Its error is a sentence fit for a 400 body wrapping ErrBadURL (also for
// a host name that does not resolve) or ErrPrivateAddress; ctx bounds the
// lookup.
func CheckURL(ctx context.Context, raw string, allowPrivate bool, resolver *net.Resolver) error {
	u, err := parseHookURL(raw)
	if err != nil {
		return err
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if reason := nonPublic(addr); reason != "" {
			return privateAddr("The webhook URL's address %s is %s; webhooks go to public addresses only.", host, reason)
		}
		return nil
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return privateAddr("The webhook URL's host %q is this machine; webhooks go to public addresses only.", host)
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return badURL("The webhook URL's host %q could not be resolved.", host)
	}
	for _, a := range addrs {
		if reason := nonPublic(a); reason != "" {
			return privateAddr("The webhook URL's host %q resolves to %s, which is %s; webhooks go to public addresses only.", host, a.Unmap(), reason)
		}
	}
	return nil
}

// parseHookURL checks everything about a webhook URL but its addresses.
func parseHookURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, badURL("The webhook URL is empty.")
	}
	if len(raw) > MaxURLLength {
		return nil, badURL("The webhook URL is longer than %d characters.", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, badURL("The webhook URL could not be parsed; check it is a full http:// or https:// address.")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, badURL("The webhook URL must start with http:// or https://.")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, badURL("The webhook URL has no host.")
	}
	if u.User != nil {
		return nil, badURL("The webhook URL must not contain a user name or password; requests are signed instead.")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, badURL("The webhook URL's port must be a number from 1 to 65535.")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, badURL("The webhook URL has a colon after the host but no port.")
	}
	return u, nil
}

// Ranges no webhook may reach, beyond what netip.Addr's methods name.
var nonPublicPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a reserved address (0.0.0.0/8)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared carrier-grade NAT address (100.64.0.0/10)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved protocol address (192.0.0.0/24)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address (198.18.0.0/15)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address (240.0.0.0/4)"},
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible or reserved IPv6 address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only IPv6 address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local IPv6 address"},
}

// nat64 embeds an IPv4 address in its last 32 bits.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// nonPublic says why addr may not be reached, or "" when it is public.
// IPv4-mapped and NAT64 forms are judged by the IPv4 address inside.
func nonPublic(addr netip.Addr) string {
	if !addr.IsValid() {
		return "not an address"
	}
	if addr.Zone() != "" {
		return "a link-local address with a zone"
	}
	addr = addr.Unmap()
	if nat64.Contains(addr) {
		b := addr.As16()
		return nonPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	switch {
	case addr.IsUnspecified():
		return "the unspecified address"
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsLinkLocalUnicast():
		return "a link-local address"
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, p := range nonPublicPrefixes {
		if p.prefix.Contains(addr) {
			return p.reason
		}
	}
	return ""
}
