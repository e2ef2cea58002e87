package secrets

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of a data key in bytes.
const KeySize = chacha20poly1305.KeySize

// sealVersion prefixes every sealed value so that the format can change.
const sealVersion = 1

// ErrUnsealable is returned for data that this key did not seal, or that was
// altered.
var ErrUnsealable = errors.New("sealed data cannot be opened with this key")

// Sealer encrypts and authenticates values with XChaCha20-Poly1305. Its
// random 192-bit nonces make reusing a nonce practically impossible, however
// many values one key seals.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a KeySize-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain. The additional data binds the result to its place
// (for example a draft's id), so a sealed value cannot be moved to another.
func (s *Sealer) Seal(plain, additional []byte) ([]byte, error) {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	_, _ = rand.Read(out[1:])
	return s.aead.Seal(out, out[1:], plain, additional), nil
}

// Open decrypts what Seal returned for the same additional data.
func (s *Sealer) Open(sealed, additional []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrUnsealable
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], additional)
	if err != nil {
		return nil, ErrUnsealable
	}
	return plain, nil
}
