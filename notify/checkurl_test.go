package notify

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// noDNS is a resolver that fails every lookup without touching the network.
var noDNS = &net.Resolver{
	PreferGo: true,
	Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in tests")
	},
}

// fakeDNS is a resolver answering every name with addrs, from a DNS
// server in memory (over net.Pipe, so with TCP framing).
func fakeDNS(addrs ...string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			client, server := net.Pipe()
			go serveDNS(server, addrs)
			return client, nil
		},
	}
}

// serveDNS answers the queries on conn with A and AAAA records of addrs.
func serveDNS(conn net.Conn, addrs []string) {
	defer conn.Close()
	for {
		var n uint16
		if err := binary.Read(conn, binary.BigEndian, &n); err != nil {
			return
		}
		q := make([]byte, n)
		if _, err := io.ReadFull(conn, q); err != nil || len(q) < 12 {
			return
		}
		end := 12 // the question: labels up to a zero byte, then type and class
		for end < len(q) && q[end] != 0 {
			end += int(q[end]) + 1
		}
		end += 5
		if end > len(q) {
			return
		}
		qtype := binary.BigEndian.Uint16(q[end-4:])
		var answers [][]byte
		for _, a := range addrs {
			ip := netip.MustParseAddr(a)
			var rtype uint16 = 1
			rdata := ip.AsSlice()
			if ip.Is6() {
				rtype = 28
			}
			if rtype != qtype {
				continue
			}
			rr := []byte{0xc0, 12} // the name: a pointer to the question's
			rr = binary.BigEndian.AppendUint16(rr, rtype)
			rr = binary.BigEndian.AppendUint16(rr, 1)
			rr = binary.BigEndian.AppendUint32(rr, 60)
			rr = binary.BigEndian.AppendUint16(rr, uint16(len(rdata)))
			answers = append(answers, append(rr, rdata...))
		}
		resp := append([]byte{}, q[0:2]...)   // id
		resp = append(resp, 0x81, 0x80, 0, 1) // response, recursion; one question
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(answers)))
		resp = append(resp, 0, 0, 0, 0) // no authority, no additional
		resp = append(resp, q[12:end]...)
		for _, a := range answers {
			resp = append(resp, a...)
		}
		if err := binary.Write(conn, binary.BigEndian, uint16(len(resp))); err != nil {
			return
		}
		if _, err := conn.Write(resp); err != nil {
			return
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url  string
		want error // nil, ErrBadURL or ErrPrivateAddress
	}{
		{"https://93.184.216.34/hooks", nil},
		{"http://93.184.216.34:8080/hooks?x=1", nil},
		{"https://[2606:2800:220:1:248:1893:25c8:1946]/", nil},
		{"http://127.0.0.1/", ErrPrivateAddress},
		{"http://127.9.9.9:8080/", ErrPrivateAddress},
		{"http://[::1]/", ErrPrivateAddress},
		{"http://localhost/", ErrPrivateAddress},
		{"http://LOCALHOST./", ErrPrivateAddress},
		{"http://api.localhost/", ErrPrivateAddress},
		{"http://10.1.2.3/", ErrPrivateAddress},
		{"http://172.16.0.1/", ErrPrivateAddress},
		{"http://192.168.1.1/", ErrPrivateAddress},
		{"http://169.254.169.254/latest/meta-data", ErrPrivateAddress},
		{"http://[::ffff:127.0.0.1]/", ErrPrivateAddress},
		{"http://[::ffff:10.0.0.1]/", ErrPrivateAddress},
		{"http://[64:ff9b::a9fe:a9fe]/", ErrPrivateAddress},
		{"http://[::127.0.0.1]/", ErrPrivateAddress},
		{"http://[fd00::1]/", ErrPrivateAddress},
		{"http://[fe80::1]/", ErrPrivateAddress},
		{"http://[fe80::1%25eth0]/", ErrPrivateAddress},
		{"http://100.64.0.1/", ErrPrivateAddress},
		{"http://0.0.0.0/", ErrPrivateAddress},
		{"http://0.1.2.3/", ErrPrivateAddress},
		{"http://[::]/", ErrPrivateAddress},
		{"http://224.0.0.1/", ErrPrivateAddress},
		{"http://[ff02::1]/", ErrPrivateAddress},
		{"http://255.255.255.255/", ErrPrivateAddress},
		{"ftp://93.184.216.34/", ErrBadURL},
		{"https://", ErrBadURL},
		{"https:///path", ErrBadURL},
		{"https:93.184.216.34", ErrBadURL},
		{"93.184.216.34/hooks", ErrBadURL},
		{"", ErrBadURL},
		{"https://user:pw@93.184.216.34/", ErrBadURL},
		{"https://user@93.184.216.34/", ErrBadURL},
		{"https://93.184.216.34:0/", ErrBadURL},
		{"https://93.184.216.34:99999/", ErrBadURL},
		{"https://93.184.216.34:/", ErrBadURL},
		{"https://93.184.216.34/" + strings.Repeat("a", 2000), ErrBadURL},
		{"https://hooks.example/", ErrBadURL}, // does not resolve: noDNS
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := CheckURL(context.Background(), tt.url, false, noDNS)
			if tt.want == nil {
				if err != nil {
					t.Errorf("CheckURL = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckURL = %v, want %v", err, tt.want)
			}
			if other := map[error]error{ErrBadURL: ErrPrivateAddress, ErrPrivateAddress: ErrBadURL}[tt.want]; errors.Is(err, other) {
				t.Errorf("CheckURL = %v, is also %v", err, other)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "The webhook") || !strings.HasSuffix(msg, ".") {
				t.Errorf("message %q is not a sentence about the webhook URL", msg)
			}
		})
	}
}

func TestCheckURLAllowPrivate(t *testing.T) {
	for _, url := range []string{"http://127.0.0.1:8080/", "http://localhost/", "http://10.0.0.1/", "http://[::1]/", "http://hooks.internal/"} {
		if err := CheckURL(context.Background(), url, true, noDNS); err != nil {
			t.Errorf("CheckURL(%q, allowPrivate) = %v, want nil", url, err)
		}
	}
	for _, url := range []string{"ftp://127.0.0.1/", "http://u:p@127.0.0.1/"} {
		if err := CheckURL(context.Background(), url, true, noDNS); !errors.Is(err, ErrBadURL) {
			t.Errorf("CheckURL(%q, allowPrivate) = %v, want ErrBadURL", url, err)
		}
	}
}

func TestCheckURLResolvesNames(t *testing.T) {
	tests := []struct {
		name  string
		addrs []string
		want  error
	}{
		{"public", []string{"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"}, nil},
		{"private A", []string{"10.0.0.7"}, ErrPrivateAddress},
		{"one private among public", []string{"93.184.216.34", "127.0.0.1"}, ErrPrivateAddress},
		{"private AAAA", []string{"93.184.216.34", "fd12::1"}, ErrPrivateAddress},
		{"no addresses", nil, ErrBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckURL(context.Background(), "https://hooks.example/in", false, fakeDNS(tt.addrs...))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("CheckURL = %v, want %v", err, tt.want)
			}
		})
	}
}
