package console_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/jwe"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/authority"
	"rathaus/server/casework"
	"rathaus/server/console"
)

// sealCase is a demo case's data (the Führungszeugnis example), the key of
// the device that signs it and the authority's key it is sealed to, for
// the tests of the case page's seal.
type sealCase struct {
	key     *authority.Key
	pub     ed25519.PublicKey
	priv    ed25519.PrivateKey
	form    api.FormRef
	example map[string]any
	data    []byte // example as JSON
	sealed  string // data encrypted to key
}

// newSealCase makes the keys and the data, the example changed by change.
func newSealCase(t *testing.T, change func(map[string]any)) *sealCase {
	t.Helper()
	key, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	f := &sealCase{key: key, form: api.FormRef{ID: "fuehrungszeugnis", Version: 1}}
	f.pub, f.priv, _ = ed25519.GenerateKey(nil)
	example, err := assets.DemoExample("fuehrungszeugnis")
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(example)
	}
	f.example = example
	f.data, _ = json.Marshal(example)
	pk, _ := jwe.ParsePublicKey(key.Public())
	if f.sealed, err = jwe.Encrypt(pk, f.data); err != nil {
		t.Fatal(err)
	}
	return f
}

// sign is the device's signature of d sent with the Idempotency-Key idem.
func (f *sealCase) sign(t *testing.T, idem string, d []byte) *api.DeviceSignature {
	t.Helper()
	in, err := api.SigningInput("fuehrungszeugnis", f.form, idem, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return api.Sign(f.priv, in)
}

// TestSealOnCasePage: the case page says whether the signature is valid
// and names the key's fingerprint; an encrypted case is decrypted with the
// authority's key for the page (the store keeps only ciphertext) and its
// signature checked over the plaintext; without the key the page says how
// to give it, and shows no data.
func TestSealOnCasePage(t *testing.T) {
	const canary = "Kanarienvogel-Erzieherin"
	f := newSealCase(t, func(ex map[string]any) { ex["purpose"] = canary })
	key, pub, data, form, sealed, sign := f.key, f.pub, f.data, f.form, f.sealed, f.sign
	fp := api.KeyFingerprint(pub)
	tampered := append([]byte(nil), data...)
	tampered = []byte(strings.Replace(string(tampered), canary, "Kanarienvogel-Hausmeister", 1))
	cases := []struct {
		name  string
		idem  string
		data  []byte
		seal  casework.Seal
		key   bool
		wants []string
		not   []string
	}{
		{"signed, valid", "k1", data, casework.Seal{Signature: sign(t, "k1", data), SigningKey: pub}, false,
			[]string{"Signatur gültig, Schlüssel-Fingerabdruck " + fp, canary}, nil},
		{"signed, data altered", "k2", tampered, casework.Seal{Signature: sign(t, "k2", data), SigningKey: pub}, false,
			[]string{"Signatur UNGÜLTIG", fp}, []string{"Signatur gültig"}},
		{"unsigned", "k3", data, casework.Seal{}, false, []string{"Nicht signiert"}, nil},
		{"encrypted, with the key", "k4", []byte("{}"), casework.Seal{Signature: sign(t, "k4", data), SigningKey: pub, Encrypted: sealed}, true,
			[]string{"Ende-zu-Ende verschlüsselt; mit dem Schlüssel der Behörde entschlüsselt", "Signatur gültig, Schlüssel-Fingerabdruck " + fp, canary}, nil},
		{"encrypted, without the key", "k5", []byte("{}"), casework.Seal{Signature: sign(t, "k5", data), SigningKey: pub, Encrypted: sealed}, false,
			[]string{"--authority-key", "prüfbar erst nach dem Entschlüsseln"}, []string{canary, "Signatur gültig"}},
	}
	for i, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*console.Config)
			if tt.key {
				opts = append(opts, func(c *console.Config) { c.Authority = key })
			}
			tw := newTown(t, false, opts...)
			c, _, err := tw.DB.CreateCase(t.Context(), tt.idem, []byte{byte(i)}, server.NewCase{ID: "c_seal", Service: "fuehrungszeugnis", Form: form,
				Data: tt.data, Status: api.StatusReceived, Created: time.Now(), Seal: tt.seal})
			if err != nil {
				t.Fatal(err)
			}
			cl := newClerk(t, tw)
			cl.signIn(t, "Anna")
			p := cl.get(t, "/staff/cases/"+c.ID)
			for _, s := range tt.wants {
				if !strings.Contains(p.body, s) {
					t.Errorf("the case page has no %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(p.body, s) {
					t.Errorf("the case page has %q", s)
				}
			}
		})
	}
}
