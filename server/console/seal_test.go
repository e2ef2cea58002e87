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

// TestSealOnCasePage: the case page says whether the signature is valid
// and names the key's fingerprint; an encrypted case is decrypted with the
// authority's key for the page (the store keeps only ciphertext) and its
// signature checked over the plaintext; without the key the page says how
// to give it, and shows no data.
func TestSealOnCasePage(t *testing.T) {
	key, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	fp := api.KeyFingerprint(pub)
	const canary = "Kanarienvogel-Erzieherin"
	example, err := assets.DemoExample("fuehrungszeugnis")
	if err != nil {
		t.Fatal(err)
	}
	example["purpose"] = canary
	data, _ := json.Marshal(example)
	form := api.FormRef{ID: "fuehrungszeugnis", Version: 1}
	sign := func(idem string, d []byte) *api.DeviceSignature {
		in, err := api.SigningInput("fuehrungszeugnis", form, idem, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		return api.Sign(priv, in)
	}
	pk, _ := jwe.ParsePublicKey(key.Public())
	sealed, err := jwe.Encrypt(pk, data)
	if err != nil {
		t.Fatal(err)
	}
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
		{"signed, valid", "k1", data, casework.Seal{Signature: sign("k1", data), SigningKey: pub}, false,
			[]string{"Signatur gültig, Schlüssel-Fingerabdruck " + fp, canary}, nil},
		{"signed, data altered", "k2", tampered, casework.Seal{Signature: sign("k2", data), SigningKey: pub}, false,
			[]string{"Signatur UNGÜLTIG", fp}, []string{"Signatur gültig"}},
		{"unsigned", "k3", data, casework.Seal{}, false, []string{"Nicht signiert"}, nil},
		{"encrypted, with the key", "k4", []byte("{}"), casework.Seal{Signature: sign("k4", data), SigningKey: pub, Encrypted: sealed}, true,
			[]string{"Ende-zu-Ende verschlüsselt; mit dem Schlüssel der Behörde entschlüsselt", "Signatur gültig, Schlüssel-Fingerabdruck " + fp, canary}, nil},
		{"encrypted, without the key", "k5", []byte("{}"), casework.Seal{Signature: sign("k5", data), SigningKey: pub, Encrypted: sealed}, false,
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
