package secrets

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"rathaus/app/citizen"
)

// Named is what keeps secrets by name: the Keychain, or a caller's
// stand-in for it.
type Named interface {
	Get(name string) (string, error)
	Set(name, value string) error
}

var _ Named = (*Keychain)(nil)

func signingKeyName(id string) string { return "signkey-" + id }

// SigningKey returns the Ed25519 key that signs the submissions of the
// install id, making it the first time. Only its 32-byte seed is kept, in
// the secret store beside the data key; the database never sees it. A key
// that is there is never replaced: the backend knows the device by it.
func SigningKey(s Named, id string) (ed25519.PrivateKey, error) {
	v, err := s.Get(signingKeyName(id))
	if errors.Is(err, ErrNotFound) {
		seed := make([]byte, ed25519.SeedSize)
		_, _ = rand.Read(seed)
		if err := s.Set(signingKeyName(id), base64.StdEncoding.EncodeToString(seed)); err != nil {
			return nil, err
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if err != nil {
		return nil, err
	}
	seed, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, &citizen.Error{Code: citizen.ESECRETS, Message: "The key this device signs its applications with is damaged.",
			Err: fmt.Errorf("signing key %s: %w", id, ErrDamaged)}
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
