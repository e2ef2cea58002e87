package main

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server/servertest"
)

// The server with --tls-cert and --tls-key speaks https only, with the
// certificate a test CA made, and takes up a renewed certificate on reload.
func TestServeTLS(t *testing.T) {
	ca := servertest.NewCA(t, "Test CA Musterstadt")
	leaf := ca.Leaf()
	certFile, keyFile := leaf.Files(t)
	m := NewMain(io.Discard)
	err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--tls-cert", certFile, "--tls-key", keyFile},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("ParseFlags: %v", err)
	}
	if !m.SecureCookies {
		t.Error("with TLS the console's cookies are not marked Secure")
	}
	if err := m.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	base := m.URL()
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("URL() = %q, want https://", base)
	}
	client := func(pool *servertest.CA) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: servertest.Pool(pool)}}}
	}
	res, err := client(ca).Get(base + api.PathHealth)
	if err != nil {
		t.Fatalf("GET over https: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Errorf("GET over https = %d (TLS %v), want 200 over TLS 1.2 or later", res.StatusCode, res.TLS)
	}
	if got := res.TLS.PeerCertificates[0].Raw; string(got) != string(leaf.TLS.Certificate[0]) {
		t.Error("the server did not present the certificate of --tls-cert")
	}
	// Plain http to the TLS port is no API answer.
	plain := "http://" + strings.TrimPrefix(base, "https://")
	if res, err := http.Get(plain + api.PathHealth); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("plain http got 200 from the TLS port")
		}
	}
	if _, err := client(servertest.NewCA(t, "Other CA")).Get(base + api.PathHealth); err == nil {
		t.Error("a client that does not trust the CA connected")
	}

	// A renewed certificate is taken up on SIGHUP (reloadTLS).
	renewed := ca.Leaf()
	if err := os.WriteFile(certFile, renewed.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, renewed.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	m.reloadTLS()
	c := client(ca)
	res, err = c.Get(base + api.PathHealth)
	if err != nil {
		t.Fatalf("GET after reload: %v", err)
	}
	res.Body.Close()
	if got := res.TLS.PeerCertificates[0].Raw; string(got) != string(renewed.TLS.Certificate[0]) {
		t.Error("after reload the server still presents the old certificate")
	}
}

func TestTLSFlags(t *testing.T) {
	ca := servertest.NewCA(t, "Test CA")
	certFile, keyFile := ca.Leaf().Files(t)
	missing := filepath.Join(t.TempDir(), "none.pem")
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error of ParseFlags or Open; "" for none
	}{
		{"cert without key", []string{"--tls-cert", certFile}, nil, "--tls-key"},
		{"key without cert", []string{"--tls-key", keyFile}, nil, "--tls-cert"},
		{"from the environment", nil, map[string]string{envTLSCert: certFile, envTLSKey: keyFile}, ""},
		{"a missing file", []string{"--tls-cert", missing, "--tls-key", keyFile}, nil, "none.pem"},
		{"key and cert swapped", []string{"--tls-cert", keyFile, "--tls-key", certFile}, nil, "TLS certificate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			args := append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...)
			err := m.ParseFlags(args, func(k string) string { return tt.env[k] }, io.Discard)
			if err == nil {
				err = m.Open()
				if err == nil {
					defer m.Close(context.Background())
					if !strings.HasPrefix(m.URL(), "https://") {
						t.Errorf("URL() = %q, want https", m.URL())
					}
				}
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
