package transport

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"rathaus/app/citizen"
)

// What the app refuses on the wire (MASVS-NETWORK-1 and -2): plain http to
// any host but this device's own loopback, and, when pins are set, a TLS
// connection whose certificate chain holds none of the pinned keys even
// though a trusted CA signed it (a man in the middle with a CA the device
// trusts: a company proxy, a rogue or compromised CA). Both are
// permanent errors with the code citizen.EINSECURE: the engine does not
// send the item again by itself, and the citizen and the clerk read why.

// The messages are keys of the app's translations.
const (
	msgPlainHTTP = "The town hall's server address starts with http://, which is not encrypted; the app sends nothing over it. Ask the town hall for its https:// address."
	msgUntrusted = "The town hall's server could not prove who it is (its certificate is not trusted). On a public Wi-Fi, log in to it first or use mobile data; if it stays so, tell the town hall's IT. Nothing was sent; the app tries again by itself."
	msgPin       = "The connection is not the town hall's: its certificate does not carry the key this app was set up with. Someone may be listening in on this network. Nothing was sent. Use another network (mobile data) and tell the town hall's IT."
)

// Pins are SPKI SHA-256 pins: the SHA-256 of a certificate's
// SubjectPublicKeyInfo. A chain passes when any of its certificates
// carries a pinned key, so the town pins its current key and a backup key
// kept offline (RFC 7469's advice), and can pin its CA's key instead.
type Pins [][sha256.Size]byte

// ParsePins reads pins as "sha256/BASE64,sha256/BASE64" (the form of
// HPKP and OkHttp; openssl prints the BASE64 part, see README.md). An
// empty string is no pins.
func ParsePins(s string) (Pins, error) {
	var pins Pins
	for p := range strings.SplitSeq(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b64, ok := strings.CutPrefix(p, "sha256/")
		if !ok {
			return nil, fmt.Errorf("pin %q: a pin is sha256/ and the base64 of a key's SHA-256", p)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("pin %q: not the base64 of 32 bytes", p)
		}
		pins = append(pins, [sha256.Size]byte(raw))
	}
	return pins, nil
}

// match reports whether a verified chain carries a pinned key.
func (p Pins) match(chains [][]*x509.Certificate) bool {
	for _, chain := range chains {
		for _, c := range chain {
			sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
			for _, pin := range p {
				if sum == pin {
					return true
				}
			}
		}
	}
	return false
}

// Guard is the app's round tripper: it refuses plain http to a host that
// is not loopback before anything is dialled, and sends everything else
// through its transport.
type Guard struct{ T *http.Transport }

// Secure sets up t for the backend: TLS 1.2 at least, the pins checked on
// top of Go's normal verification (which still runs: a pin never makes an
// untrusted certificate good), and plain http refused.
func Secure(t *http.Transport, pins Pins) *Guard {
	cfg := t.TLSClientConfig
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	if len(pins) > 0 {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if pins.match(cs.VerifiedChains) {
				return nil
			}
			var got string
			if len(cs.PeerCertificates) > 0 {
				sum := sha256.Sum256(cs.PeerCertificates[0].RawSubjectPublicKeyInfo)
				got = "sha256/" + base64.StdEncoding.EncodeToString(sum[:])
			}
			return &citizen.Error{Code: citizen.EINSECURE, Message: msgPin,
				Err: fmt.Errorf("certificate of %s (key %s) matches no pin", cs.ServerName, got)}
		}
	}
	t.TLSClientConfig = cfg
	return &Guard{T: t}
}

// RoundTrip refuses plain http to any host but loopback.
func (g *Guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "http" && !Loopback(r.URL.Hostname()) {
		if r.Body != nil {
			_ = r.Body.Close() // a RoundTripper closes the body, even on an error
		}
		return nil, &citizen.Error{Code: citizen.EINSECURE, Message: msgPlainHTTP,
			Err: fmt.Errorf("plain http to %s refused", r.URL.Host)}
	}
	return g.T.RoundTrip(r)
}

// Untrusted returns, for a failed request whose server's certificate did
// not verify (an unknown CA, another host's name, expired), a transient
// EINSECURE error that says so; nil for any other error. Transient: a
// hotel's or a train's Wi-Fi shows its login page with a certificate of
// its own until the citizen logs in, so the request is tried again, as
// when offline, and nothing is sent meanwhile.
func Untrusted(err error) *citizen.Error {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return citizen.Transient(citizen.EINSECURE, msgUntrusted, err)
	}
	return nil
}

// CloseIdleConnections closes the transport's idle connections.
func (g *Guard) CloseIdleConnections() { g.T.CloseIdleConnections() }

// Loopback reports whether host is this device itself: "localhost" or a
// loopback address. Names are not resolved: a name that resolves to
// loopback today may not tomorrow.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Insecure returns the refusal of an insecure connection in err's tree
// (a pass's errors are joined), or nil.
func Insecure(err error) *citizen.Error {
	if ce, ok := err.(*citizen.Error); ok && ce.Code == citizen.EINSECURE {
		return ce
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if ce := Insecure(e); ce != nil {
				return ce
			}
		}
	case interface{ Unwrap() error }:
		return Insecure(u.Unwrap())
	}
	return nil
}
