package notify

import (
	"context"
	"encoding/base64"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

const fuzzPassword = "Zq9-fuzz-PASSWORD-7x"

func FuzzParseSMTPURL(f *testing.F) {
	for _, s := range []string{
		"smtp://user:pass@mail.example.org:587",
		"smtps://mail.example.org",
		"smtp://u%40x:p%2F@[::1]:25/",
		"smtp://host:99999",
		"http://u:p@host?x#y",
		"smtp:opaque",
		"smtp://:p@h",
		"smtp://u:p@h:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseSMTPURL(raw)
		if err == nil {
			if cfg.Host == "" || cfg.Port < 1 || cfg.Port > 65535 {
				t.Fatalf("ParseSMTPURL(%q) = %+v: no host or a bad port", raw, cfg)
			}
			if (cfg.Username == "") != (cfg.Password == "") {
				t.Fatalf("ParseSMTPURL(%q) = %+v: user without password or the reverse", raw, cfg)
			}
			if cfg.Password != "" && cfg.Password != "xxxxx" && strings.Contains(cfg.String(), ":"+url.PathEscape(cfg.Password)+"@") {
				t.Fatalf("String() %q shows the password", cfg.String())
			}
		}
		// The same URL with a known password, plain and percent-encoded,
		// must never show it in an error.
		rest := raw
		if i := strings.Index(rest, "://"); i >= 0 {
			rest = rest[i+3:]
		}
		for _, pw := range []string{fuzzPassword, url.PathEscape(fuzzPassword)} {
			for _, scheme := range []string{"smtp://", "smtps://", "http://"} {
				withPW := scheme + "user:" + pw + "@" + rest
				if _, err := ParseSMTPURL(withPW); err != nil && strings.Contains(err.Error(), "PASSWORD") {
					t.Fatalf("ParseSMTPURL(%q): error %q shows the password", withPW, err)
				}
			}
		}
	})
}

func FuzzParseSecret(f *testing.F) {
	f.Add("whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 32)))
	f.Add("whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)))
	f.Add("whsec_AAAA")
	f.Add("whsec_")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseSecret(s)
		if err != nil {
			return
		}
		if len(key) < 24 {
			t.Fatalf("ParseSecret(%q) gave %d bytes, want at least 24", s, len(key))
		}
		if again := "whsec_" + base64.StdEncoding.EncodeToString(key); again != s {
			t.Fatalf("ParseSecret(%q) accepted a non-canonical secret (%q)", s, again)
		}
	})
}

// notPublic lists, independently of nonPublic, ranges no webhook may reach.
var notPublic = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://93.184.216.34/hooks", "http://127.0.0.1/", "http://[::ffff:10.0.0.1]/",
		"http://[fe80::1%25eth0]:80/", "http://localhost/", "ftp://x/", "https://u:p@1.1.1.1/",
		"http://0x7f.1/", "http://2130706433/", "http://[::ffff:7f00:1]/", "http://[64:ff9b::a00:1]/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		_ = CheckURL(context.Background(), raw, true, noDNS)
		if err := CheckURL(context.Background(), raw, false, noDNS); err != nil {
			return
		}
		// With no DNS only IP literals can pass, and only public ones.
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("CheckURL accepted %q, which does not parse: %v", raw, err)
		}
		addr, err := netip.ParseAddr(u.Hostname())
		if err != nil {
			t.Fatalf("CheckURL accepted %q, whose host %q is not an address", raw, u.Hostname())
		}
		for _, p := range notPublic {
			if p.Contains(addr.Unmap()) {
				t.Fatalf("CheckURL accepted %q, whose address %s is in %s", raw, addr, p)
			}
		}
	})
}
