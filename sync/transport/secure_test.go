package transport_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"rathaus/app/citizen"
	"rathaus/server/servertest"
	"rathaus/sync/transport"
)

// dialCounter is a transport that counts its dials.
func dialCounter(pool *servertest.CA, extra ...*servertest.CA) (*http.Transport, *atomic.Int32) {
	var n atomic.Int32
	t := transport.New()
	inner := t.DialContext
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.Add(1)
		return inner(ctx, network, addr)
	}
	if pool != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: servertest.Pool(append([]*servertest.CA{pool}, extra...)...)}
	}
	return t, &n
}

func get(t *testing.T, rt http.RoundTripper, url string) error {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := rt.RoundTrip(req)
	if err == nil {
		res.Body.Close()
	}
	return err
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, tt := range []struct {
		url     string
		refused bool
	}{
		{"http://rathaus.musterstadt.example/v1/healthz", true},
		{"http://192.0.2.10:8080/v1/healthz", true},
		{"http://10.0.0.1/", true},
		{"http://127.0.0.1.example/", true}, // a name, not the address
		{srv.URL + "/", false},
		{"http://localhost:" + strconv.Itoa(port) + "/", false},
	} {
		t.Run(tt.url, func(t *testing.T) {
			tr, dials := dialCounter(nil)
			err := get(t, transport.Secure(tr, nil), tt.url)
			if !tt.refused {
				if err != nil {
					t.Fatalf("loopback over http: %v", err)
				}
				return
			}
			var ce *citizen.Error
			if !errors.As(err, &ce) || ce.Code != citizen.EINSECURE || ce.Transient {
				t.Fatalf("got %v, want a permanent %s error", err, citizen.EINSECURE)
			}
			if !strings.Contains(ce.Message, "https://") {
				t.Errorf("message %q does not say what to use instead", ce.Message)
			}
			if got := dials.Load(); got != 0 {
				t.Errorf("dialled %d times before refusing, want 0", got)
			}
		})
	}
}

// tlsServer serves 200 over TLS with leaf.
func tlsServer(t *testing.T, leaf servertest.Leaf) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// A second CA that the device trusts too (a company proxy, a rogue CA)
// signs a certificate for the same address: without pins Go accepts it;
// with pins the connection fails closed, with a message a clerk can act
// on. The backup pin alone is enough, and a pin never makes an untrusted
// certificate good.
func TestPins(t *testing.T) {
	ca1, ca2, stranger := servertest.NewCA(t, "Town CA"), servertest.NewCA(t, "MITM CA"), servertest.NewCA(t, "Untrusted CA")
	genuine, backup, mitm := ca1.Leaf(), ca1.Leaf(), ca2.Leaf()
	genuineURL, backupURL, mitmURL := tlsServer(t, genuine), tlsServer(t, backup), tlsServer(t, mitm)
	untrustedURL := tlsServer(t, stranger.Leaf())
	pins := func(s ...string) transport.Pins {
		p, err := transport.ParsePins(strings.Join(s, ","))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	caPin := servertest.SPKIPin(ca1.Cert)
	for _, tt := range []struct {
		name    string
		pins    transport.Pins
		url     string
		wantPin bool // refused for the pin (EINSECURE); else ok, or wantErr
		wantErr bool
	}{
		{"no pins: the MITM gets through (why pins exist)", nil, mitmURL, false, false},
		{"primary pin, genuine server", pins(genuine.Pin, backup.Pin), genuineURL, false, false},
		{"primary and backup pin, MITM", pins(genuine.Pin, backup.Pin), mitmURL, true, true},
		{"backup pin alone works", pins(genuine.Pin, backup.Pin), backupURL, false, false},
		{"only the backup pinned, server on backup", pins(backup.Pin), backupURL, false, false},
		{"pin mismatch", pins(backup.Pin), genuineURL, true, true},
		{"CA key pinned, genuine", pins(caPin), genuineURL, false, false},
		{"CA key pinned, MITM", pins(caPin), mitmURL, true, true},
		{"pinned but untrusted CA", pins(servertest.SPKIPin(stranger.Cert)), untrustedURL, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr, _ := dialCounter(ca1, ca2)
			err := get(t, transport.Secure(tr, tt.pins), tt.url+"/")
			if (err != nil) != tt.wantErr {
				t.Fatalf("got %v, want error %v", err, tt.wantErr)
			}
			var ce *citizen.Error
			isPin := errors.As(err, &ce) && ce.Code == citizen.EINSECURE && !ce.Transient
			if isPin != tt.wantPin {
				t.Fatalf("got %v, want a pin refusal %v", err, tt.wantPin)
			}
			if isPin && (!strings.Contains(ce.Message, "another network") || !strings.Contains(ce.Message, "IT")) {
				t.Errorf("message %q does not tell what to do", ce.Message)
			}
		})
	}
}

func TestParsePins(t *testing.T) {
	good := servertest.SPKIPin(servertest.NewCA(t, "x").Cert)
	for _, tt := range []struct {
		in   string
		n    int
		fail bool
	}{
		{"", 0, false},
		{good, 1, false},
		{" " + good + " , " + good + ",", 2, false},
		{strings.TrimPrefix(good, "sha256/"), 0, true},
		{"sha1/" + strings.TrimPrefix(good, "sha256/"), 0, true},
		{"sha256/AAAA", 0, true},
		{"sha256/not base64!", 0, true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := transport.ParsePins(tt.in)
			if (err != nil) != tt.fail || len(got) != tt.n {
				t.Errorf("ParsePins(%q) = %d pins, %v; want %d, error %v", tt.in, len(got), err, tt.n, tt.fail)
			}
		})
	}
}

// A certificate the device does not trust (a Wi-Fi's login page, a man in
// the middle with his own CA) is a transient EINSECURE error that says
// what to do: nothing is sent, and the request is tried again later.
func TestUntrusted(t *testing.T) {
	trusted, stranger := servertest.NewCA(t, "Town CA"), servertest.NewCA(t, "Wi-Fi portal")
	url := tlsServer(t, stranger.Leaf())
	tr, _ := dialCounter(trusted)
	err := get(t, transport.Secure(tr, nil), url+"/")
	ce := transport.Untrusted(err)
	if ce == nil || ce.Code != citizen.EINSECURE || !ce.Transient || !strings.Contains(ce.Message, "Wi-Fi") {
		t.Fatalf("Untrusted(%v) = %+v, want a transient %s error naming the Wi-Fi", err, ce, citizen.EINSECURE)
	}
	if transport.Insecure(fmt.Errorf("pull: %w", ce)) != ce {
		t.Error("Insecure does not find it in a wrapped error")
	}
	for _, other := range []error{nil, io.EOF, errors.New("connection refused")} {
		if got := transport.Untrusted(other); got != nil {
			t.Errorf("Untrusted(%v) = %v, want nil", other, got)
		}
	}
}
