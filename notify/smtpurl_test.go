package notify

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw  string
		want SMTPConfig
	}{
		{"smtp://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 587}},
		{"smtps://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 465, ImplicitTLS: true}},
		{"smtp://user:pass@mail.example.org:25", SMTPConfig{Host: "mail.example.org", Port: 25, Username: "user", Password: "pass"}},
		{"SMTPS://u%40x.org:p%2Fa%40ss@mail.example.org:2465/", SMTPConfig{Host: "mail.example.org", Port: 2465, ImplicitTLS: true, Username: "u@x.org", Password: "p/a@ss"}},
		{"smtp://[::1]:1025", SMTPConfig{Host: "::1", Port: 1025}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseSMTPURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseSMTPURL: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseSMTPURLErrors(t *testing.T) {
	tests := []struct {
		raw     string
		wantMsg string
	}{
		{"", "empty"},
		{"mail.example.org:25", "scheme"},
		{"http://user:hunter2x@mail.example.org", `scheme "http" is not supported`},
		{"smtp://user:hunter2x@", "no host"},
		{"smtp://user:hunter2x@:25", "no host"},
		{"smtp://user:hunter2x@mail.example.org:0", "port"},
		{"smtp://user:hunter2x@mail.example.org:70000", "port"},
		{"smtp://user:hunter2x@mail.example.org:abc", "malformed"},
		{"smtp://user:hunter2x@mail.example.org:", "no port"},
		{"smtp://user:hunter2x@mail.example.org/path", "path"},
		{"smtp://user:hunter2x@mail.example.org?tls=off", "query"},
		{"smtp://user:hunter2x@mail.example.org?", "query"},
		{"smtp://user:hunter2x@mail.example.org#x", "fragment"},
		{"smtp://user@mail.example.org", "no password"},
		{"smtp://:hunter2x@mail.example.org", "no user"},
		{"smtp:user:hunter2x@mail.example.org", "must look like"},
		{"smtp://us er:hunter2x@mail.example.org", "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := ParseSMTPURL(tt.raw)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "hunter2x") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestSMTPConfigStringHidesPassword(t *testing.T) {
	cfg, err := ParseSMTPURL("smtps://user:hunter2x@mail.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.String(), "smtps://user:xxxxx@mail.example.org:465"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
