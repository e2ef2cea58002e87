// Package jwe is the end-to-end encryption of submissions to the authority,
// as FIT-Connect does it: a service publishes the authority's RSA public
// key as a JWK (api.Service.EncryptionKey); the app encrypts the
// submission's data as a compact JWE with RSA-OAEP-256 and A256GCM to it;
// the backend checks the envelope names that key and keeps the ciphertext;
// only the holder of the private key (the staff side, from a key file of
// its own) decrypts. Both sides use this package, so the rules are one.
package jwe

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// The only algorithms: key wrapping RSA-OAEP-256 (RSAES OAEP with SHA-256)
// and content encryption AES-256-GCM, as FIT-Connect requires.
const (
	KeyAlgorithm      = jose.RSA_OAEP_256
	ContentEncryption = jose.A256GCM
	// MinBits is the smallest RSA key accepted (BSI TR-02102-1 asks for
	// 3000 bits from 2024 on; 2048 is the floor FIT-Connect names, and
	// the keys rathaus-server makes have 4096).
	MinBits = 2048
)

// ParsePublicKey reads a service's encryption key: a public RSA JWK of at
// least MinBits with a kid, "use" enc and "alg" RSA-OAEP-256 where given.
// A JWK that holds a private part is refused: publishing it would open
// every submission.
func ParsePublicKey(raw json.RawMessage) (*jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("the encryption key is not a JWK: %w", err)
	}
	pub, ok := k.Key.(*rsa.PublicKey)
	_, private := k.Key.(*rsa.PrivateKey)
	switch {
	case private:
		return nil, errors.New("the encryption key holds a private part; publish only the public key")
	case !ok:
		return nil, fmt.Errorf("the encryption key is %T, want an RSA public key (kty RSA)", k.Key)
	case pub.N.BitLen() < MinBits:
		return nil, fmt.Errorf("the encryption key has %d bits, want at least %d", pub.N.BitLen(), MinBits)
	case k.KeyID == "":
		return nil, errors.New(`the encryption key has no "kid"`)
	case k.Use != "" && k.Use != "enc":
		return nil, fmt.Errorf(`the encryption key's "use" is %q, want "enc"`, k.Use)
	case k.Algorithm != "" && k.Algorithm != string(KeyAlgorithm):
		return nil, fmt.Errorf(`the encryption key's "alg" is %q, want %q`, k.Algorithm, KeyAlgorithm)
	}
	return &k, nil
}

// Encrypt returns plain as a compact JWE to key, whose kid the header names.
func Encrypt(key *jose.JSONWebKey, plain []byte) (string, error) {
	enc, err := jose.NewEncrypter(ContentEncryption,
		jose.Recipient{Algorithm: KeyAlgorithm, Key: key.Key, KeyID: key.KeyID},
		(&jose.EncrypterOptions{}).WithContentType("application/json"))
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// ErrEnvelope: the JWE is malformed or does not name the service's key
// and the two algorithms.
var ErrEnvelope = errors.New("the encrypted data is not a JWE to this service's key")

// Parse reads a compact JWE and checks its envelope: alg RSA-OAEP-256,
// enc A256GCM, and the kid of key. It decrypts nothing.
func Parse(compact string, key *jose.JSONWebKey) (*jose.JSONWebEncryption, error) {
	obj, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{KeyAlgorithm}, []jose.ContentEncryption{ContentEncryption})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEnvelope, err)
	}
	if obj.Header.KeyID != key.KeyID {
		return nil, fmt.Errorf("%w: it names key %q, the service's key is %q", ErrEnvelope, obj.Header.KeyID, key.KeyID)
	}
	return obj, nil
}
