package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
)

// TLSCert is a server certificate and key read from PEM files, read again
// by Reload: a renewed certificate (certbot, the town's PKI) is taken up
// without a restart, on SIGHUP.
type TLSCert struct {
	certFile, keyFile string

	mu   sync.RWMutex
	cert *tls.Certificate
}

// LoadTLSCert reads the certificate (with its chain) and the key.
func LoadTLSCert(certFile, keyFile string) (*TLSCert, error) {
	c := &TLSCert{certFile: certFile, keyFile: keyFile}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload reads the files again; on an error the certificate in use stays.
func (c *TLSCert) Reload() error {
	if c.certFile == "" || c.keyFile == "" {
		return errors.New("TLS needs both a certificate file (--tls-cert) and its key file (--tls-key)")
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s with key %s: %w", c.certFile, c.keyFile, err)
	}
	c.mu.Lock()
	c.cert = &cert
	c.mu.Unlock()
	return nil
}

// Config is the server's TLS configuration: TLS 1.2 at least (BSI
// TR-02102-2 allows 1.2 and 1.3), Go's default cipher suites, which are
// only AEAD ones with forward secrecy, and HTTP/2 offered.
func (c *TLSCert) Config() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			c.mu.RLock()
			defer c.mu.RUnlock()
			return c.cert, nil
		},
	}
}
