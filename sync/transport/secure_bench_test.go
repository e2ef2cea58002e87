package transport_test

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"rathaus/server/servertest"
	"rathaus/sync/transport"
)

// BenchmarkRequest: what TLS and the pin check cost a request over
// loopback, on a kept connection and on a new one each time (a full
// handshake, as after a phone changed networks).
func BenchmarkRequest(b *testing.B) {
	ca := servertest.NewCA(b, "Bench CA")
	leaf := ca.Leaf()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	plain := httptest.NewServer(h)
	defer plain.Close()
	secure := httptest.NewUnstartedServer(h)
	secure.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}
	secure.Config.ErrorLog = log.New(io.Discard, "", 0)
	secure.StartTLS()
	defer secure.Close()
	pins, err := transport.ParsePins(leaf.Pin)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		url  string
		pins transport.Pins
		new  bool
	}{
		{"http/kept", plain.URL, nil, false},
		{"https/kept", secure.URL, nil, false},
		{"https/new", secure.URL, nil, true},
		{"https-pinned/new", secure.URL, pins, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tr := transport.New()
			tr.TLSClientConfig = &tls.Config{RootCAs: servertest.Pool(ca)}
			tr.DisableKeepAlives = bc.new
			c := &http.Client{Transport: transport.Secure(tr, bc.pins)}
			defer tr.CloseIdleConnections()
			for b.Loop() {
				res, err := c.Get(bc.url)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
}
