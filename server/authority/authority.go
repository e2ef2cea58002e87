// Package authority is the town hall's side of end-to-end encryption: the
// authority's RSA key pair in files of its own, apart from the database
// (the portal stores only ciphertext and never needs the private part),
// and the decryption of a case's JWE for the staff with it.
package authority

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	jose "github.com/go-jose/go-jose/v4"

	"rathaus/api/jwe"
)

// File names in the folder New writes: the private key (mode 0600) and
// the public key, a JWK for the catalog's encryption_key.
const (
	PrivateFile = "authority-key.jwk"
	PublicFile  = "authority-key.pub.jwk"
)

// Bits is the size of the keys New makes.
const Bits = 4096

// Key is the authority's private key.
type Key struct {
	priv jose.JSONWebKey
	pub  jose.JSONWebKey
}

// Generate makes a key pair of bits (Bits for a real one; tests use
// jwe.MinBits for speed). Its kid is the RFC 7638 thumbprint.
func Generate(bits int) (*Key, error) {
	rk, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	k := jose.JSONWebKey{Key: rk, Use: "enc", Algorithm: string(jwe.KeyAlgorithm)}
	pub := k.Public()
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	k.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	return fromJWK(k)
}

func fromJWK(k jose.JSONWebKey) (*Key, error) {
	if _, ok := k.Key.(*rsa.PrivateKey); !ok {
		return nil, fmt.Errorf("the key is %T, want an RSA private key", k.Key)
	}
	pub := k.Public()
	raw, err := pub.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if _, err := jwe.ParsePublicKey(raw); err != nil {
		return nil, err
	}
	return &Key{priv: k, pub: pub}, nil
}

// New writes a new key pair into dir (made if missing): PrivateFile with
// mode 0600 and PublicFile. It never overwrites a key: a lost private key
// is every encrypted case lost.
func New(dir string, bits int) (*Key, error) {
	k, err := Generate(bits)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	priv, err := k.priv.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if err := writeNew(filepath.Join(dir, PrivateFile), priv, 0o600); err != nil {
		return nil, err
	}
	if err := writeNew(filepath.Join(dir, PublicFile), k.Public(), 0o644); err != nil {
		return nil, err
	}
	return k, nil
}

func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; a key is never overwritten (move it away first)", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// Load reads the private key file. A file that others than its owner may
// read is refused: the key opens every encrypted case.
func Load(path string) (*Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s may be read by others (mode %v); make it 0600", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("%s is not a JWK: %w", path, err)
	}
	key, err := fromJWK(k)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// Ensure loads the key pair in dir, or makes it there when there is none
// (the demo town's first start).
func Ensure(dir string, bits int) (k *Key, made bool, err error) {
	path := filepath.Join(dir, PrivateFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		k, err := New(dir, bits)
		return k, err == nil, err
	}
	k, err = Load(path)
	return k, false, err
}

// Public is the public key as a JWK, for the catalog's encryption_key.
func (k *Key) Public() json.RawMessage {
	b, err := k.pub.MarshalJSON()
	if err != nil {
		panic(err) // an RSA public key always marshals
	}
	return b
}

// KeyID is the key's kid.
func (k *Key) KeyID() string { return k.priv.KeyID }

// Decrypt opens a case's JWE: its envelope must name this key.
func (k *Key) Decrypt(compact string) ([]byte, error) {
	obj, err := jwe.Parse(compact, &k.pub)
	if err != nil {
		return nil, err
	}
	plain, err := obj.Decrypt(k.priv.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: it does not open with this key", jwe.ErrEnvelope)
	}
	return plain, nil
}
