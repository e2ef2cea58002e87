// Package handoff seals a draft for its way from a kiosk to a citizen's
// phone through the backend: AES-256-GCM under a fresh random key that
// travels only in the kiosk's QR code (the link's fragment, which no HTTP
// request carries), so that the backend holds ciphertext it cannot open.
package handoff

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Draft is what travels: the service, its form and the values so far. The
// draft's files stay at the kiosk (and are wiped with its session).
type Draft struct {
	Service string         `json:"service"`
	Form    api.FormRef    `json:"form"`
	Values  map[string]any `json:"values"`
	Step    int            `json:"step"`
}

// Scheme and host of a handoff link: rathaus://handoff/ID#KEY.
const linkPrefix = "rathaus://handoff/"

// additional binds the ciphertext to its purpose and version.
var additional = []byte("rathaus-handoff-v1")

// Seal encrypts d under a new key; the ciphertext starts with the nonce.
func Seal(d Draft) (ciphertext, key []byte, err error) {
	plain, err := json.Marshal(d)
	if err != nil {
		return nil, nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, nil, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, err
	}
	return aead.Seal(nonce, nonce, plain, additional), key, nil
}

// Open decrypts what Seal made; a wrong key or a changed byte is EINVALID.
func Open(ciphertext, key []byte) (Draft, error) {
	var d Draft
	aead, err := newAEAD(key)
	if err != nil {
		return d, badKey()
	}
	n := aead.NonceSize()
	if len(ciphertext) < n+aead.Overhead() {
		return d, badKey()
	}
	plain, err := aead.Open(nil, ciphertext[:n], ciphertext[n:], additional)
	if err != nil {
		return d, badKey()
	}
	if err := json.Unmarshal(plain, &d); err != nil || d.Service == "" || d.Form.ID == "" {
		return d, citizen.Errorf(citizen.EINVALID, "The draft handed over cannot be read.")
	}
	return d, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, citizen.Errorf(citizen.EINVALID, "bad key length")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func badKey() error {
	return citizen.Errorf(citizen.EINVALID, "The code does not open this draft. Check the key, or scan the QR code again.")
}

// Link is the QR code's content: the handoff's id and, in the fragment,
// its key.
func Link(id string, key []byte) string {
	return linkPrefix + id + "#" + base64.RawURLEncoding.EncodeToString(key)
}

// Code is the same as text to type: the id, a space, the key.
func Code(id string, key []byte) string {
	return id + " " + base64.RawURLEncoding.EncodeToString(key)
}

// Parse reads a link (as Link makes it) or a code (as Code makes it), as
// pasted or typed: spaces around it and a code's extra spaces are fine.
func Parse(s string) (id string, key []byte, err error) {
	s = strings.TrimSpace(s)
	var k string
	if rest, ok := strings.CutPrefix(s, linkPrefix); ok {
		u, perr := url.Parse(s)
		if perr != nil {
			return "", nil, badLink()
		}
		id, k = strings.Trim(u.Path, "/"), u.Fragment
		if id == "" {
			id, _, _ = strings.Cut(rest, "#")
		}
	} else {
		f := strings.Fields(s)
		if len(f) != 2 {
			return "", nil, badLink()
		}
		id, k = f[0], f[1]
	}
	key, kerr := base64.RawURLEncoding.DecodeString(k)
	if id == "" || strings.ContainsAny(id, "/?#") || kerr != nil || len(key) != 32 {
		return "", nil, badLink()
	}
	return strings.ToLower(id), key, nil
}

func badLink() error {
	return citizen.Errorf(citizen.EINVALID, "This is not a handoff code. Paste the link from the kiosk's QR code, or type the code and the key with a space between them.")
}
