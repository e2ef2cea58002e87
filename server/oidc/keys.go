package oidc

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Keys are the provider's secrets: the RSA key that signs ID tokens
// (published as JWKS) and the key that seals the opaque access tokens.
// Tokens outlive a restart only if the keys do: LoadKeys keeps them in the
// data folder; processes that share a database must share the files too.
type Keys struct {
	Signing *rsa.PrivateKey
	Token   [32]byte
}

// Files LoadKeys keeps in the data folder, mode 0600.
const (
	SigningKeyFile = "oidc-signing-key.pem"
	TokenKeyFile   = "oidc-token-key"
)

// NewKeys makes new keys in memory (tests; a provider whose tokens die with
// the process).
func NewKeys() (*Keys, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	keys := &Keys{Signing: k}
	_, _ = rand.Read(keys.Token[:])
	return keys, nil
}

// LoadKeys reads the keys from dir, making and writing them (mode 0600)
// on the first start. A key file that is there but unreadable is an error,
// never replaced: replacing it would log every citizen out.
func LoadKeys(dir string) (*Keys, error) {
	sigPath, tokPath := filepath.Join(dir, SigningKeyFile), filepath.Join(dir, TokenKeyFile)
	b, err := os.ReadFile(sigPath)
	if errors.Is(err, fs.ErrNotExist) {
		fresh, err := NewKeys()
		if err != nil {
			return nil, err
		}
		der := x509.MarshalPKCS1PrivateKey(fresh.Signing)
		if err := writeNew(sigPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})); err != nil {
			return nil, err
		}
		if err := writeNew(tokPath, []byte(hex.EncodeToString(fresh.Token[:])+"\n")); err != nil {
			return nil, err
		}
		return fresh, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oidc: read the signing key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("oidc: %s holds no PEM key", sigPath)
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("oidc: %s: %w", sigPath, err)
	}
	keys := &Keys{Signing: k}
	t, err := os.ReadFile(tokPath)
	if err != nil {
		return nil, fmt.Errorf("oidc: read the token key: %w", err)
	}
	raw, err := hex.DecodeString(string(bytes.TrimSpace(t)))
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("oidc: %s is not 32 bytes in hex", tokPath)
	}
	copy(keys.Token[:], raw)
	return keys, nil
}

// writeNew writes a new file of mode 0600 and syncs it; an existing one is
// an error (another process made it first: start again).
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("oidc: write %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return fmt.Errorf("oidc: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("oidc: write %s: %w", path, err)
	}
	return f.Close()
}

// keyID names the signing key by its public part, so the same key keeps
// its kid across restarts.
func keyID(k *rsa.PrivateKey) string {
	der := x509.MarshalPKCS1PublicKey(&k.PublicKey)
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:8])
}
