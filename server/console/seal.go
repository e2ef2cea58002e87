package console

import (
	"strings"

	"rathaus/api"
	"rathaus/server/casework"
)

// Decrypter opens a case's JWE with the authority's private key
// (server/authority.Key).
type Decrypter interface {
	Decrypt(compact string) ([]byte, error)
}

// sealView is what the case page says of a case's seal: whether its data
// was encrypted end to end (and opened), and its signature's state.
type sealView struct {
	Encrypted string // a sentence, "" for a case in clear
	Signature string // a sentence
	Valid     bool
	Invalid   bool
}

// openSeal decrypts the case's data when it came encrypted (in memory
// only: the store keeps the ciphertext) and checks its signature over
// the data as the device signed it (api.SigningInput).
func (c *Console) openSeal(f *casework.File, lang string) sealView {
	var v sealView
	fp := ""
	if f.Seal.Signature != nil {
		fp = api.KeyFingerprint(f.Seal.SigningKey)
	}
	with := func(key string) string { return strings.ReplaceAll(word(key, lang), "{fp}", fp) }
	readable := true
	if f.Seal.Encrypted != "" {
		switch {
		case c.cfg.Authority == nil:
			v.Encrypted, readable = word("encryptedNoKey", lang), false
		default:
			plain, err := c.cfg.Authority.Decrypt(f.Seal.Encrypted)
			if err != nil {
				v.Encrypted, readable = word("encryptedBad", lang), false
			} else {
				v.Encrypted, f.Data = word("encrypted", lang), plain
			}
		}
	}
	switch {
	case f.Seal.Signature == nil:
		v.Signature = word("sealNone", lang)
	case !readable:
		v.Signature = with("sealUnchecked")
	default:
		hashes, err := api.AttachmentHashes(f.Data)
		var input []byte
		if err == nil {
			input, err = api.SigningInput(f.Service, f.Form, f.IdempotencyKey, f.Data, hashes)
		}
		if err == nil && api.Verify(f.Seal.SigningKey, f.Seal.Signature, input) == nil {
			v.Signature, v.Valid = with("sealValid"), true
		} else {
			v.Signature, v.Invalid = with("sealInvalid"), true
		}
	}
	return v
}
