package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs. DefaultParams are OWASP's (2024) first
// choice: 19 MiB, 2 passes, 1 lane.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams is what HashPassword uses.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// HashPassword hashes the password with argon2id and a random salt, in the
// PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so that
// the parameters travel with the hash and can be raised later.
func HashPassword(pw string) string { return hashWith(pw, DefaultParams) }

func hashWith(pw string, p Params) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (Go 1.24+)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// errHash: the stored hash cannot be read.
var errHash = errors.New("accounts: not an argon2id hash")

// VerifyPassword reports whether pw matches the encoded hash, compared in
// constant time. A hash it cannot read matches nothing.
func VerifyPassword(encoded, pw string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errHash
	}
	// Bounds, so a tampered row cannot make a login take minutes or GiBs.
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 10 || p.Threads < 1 {
		return p, nil, nil, errHash
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, errHash
	}
	return p, salt, key, nil
}

// dummyHash is checked when no account has the email, so that a login
// takes as long for an unknown email as for a wrong password.
var dummyHash = HashPassword("no account has this password")

// WasteTime spends what one VerifyPassword costs.
func WasteTime(pw string) { VerifyPassword(dummyHash, pw) }

// GeneratePassword returns a random password of 20 characters from an
// alphabet without look-alikes (about 110 bits), for the demo accounts and
// for "accounts add" without one given.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 0, 20)
	one := make([]byte, 1)
	for len(b) < 20 {
		_, _ = rand.Read(one)
		// Rejection keeps every letter equally likely (224 = 4 * 56).
		if int(one[0]) < 4*len(alphabet) {
			b = append(b, alphabet[int(one[0])%len(alphabet)])
		}
	}
	// Grouped in fours, for reading it off a screen.
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(c)
	}
	return sb.String()
}
