package console

import (
	"strings"

	"rathaus/server/casework"
)

// Decrypter opens a case's JWE with the authority's private key
// (server/authority.Key).
type Decrypter = casework.Decrypter

// sealView is what the case page says of a case's seal: whether its data
// was encrypted end to end (and opened), and its signature's state.
type sealView struct {
	Encrypted string // a sentence, "" for a case in clear
	Signature string // a sentence
	Valid     bool
	Invalid   bool
}

// openSeal decrypts the case's data when it came encrypted (in memory
// only) and checks its signature (casework.OpenSeal), in the clerk's words.
func (c *Console) openSeal(f *casework.File, lang string) sealView {
	var dec casework.Decrypter
	if c.cfg.Authority != nil {
		dec = c.cfg.Authority
	}
	st := casework.OpenSeal(f, dec)
	with := func(key string) string { return strings.ReplaceAll(word(key, lang), "{fp}", st.Fingerprint) }
	var v sealView
	switch {
	case st.NoKey:
		v.Encrypted = word("encryptedNoKey", lang)
	case st.Unopened:
		v.Encrypted = word("encryptedBad", lang)
	case st.Encrypted:
		v.Encrypted = word("encrypted", lang)
	}
	switch {
	case !st.Signed:
		v.Signature = word("sealNone", lang)
	case st.NoKey || st.Unopened:
		v.Signature = with("sealUnchecked")
	case st.Valid:
		v.Signature, v.Valid = with("sealValid"), true
	default:
		v.Signature, v.Invalid = with("sealInvalid"), true
	}
	return v
}
