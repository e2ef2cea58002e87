package api_test

import (
	"crypto/ed25519"
	"encoding/json"
	"testing"

	"rathaus/api"
	"rathaus/assets"
)

// BenchmarkSignVerify is the cost a submission's seal adds: the app's
// canonical form and signature, the backend's canonical form and check,
// on the demo town's Gewerbeanmeldung (the largest example, with an
// attachment).
func BenchmarkSignVerify(b *testing.B) {
	ex, err := assets.DemoExample("gewerbeanmeldung")
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(ex)
	pub, priv, _ := ed25519.GenerateKey(nil)
	form := api.FormRef{ID: "gewerbeanmeldung", Version: 1}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		hashes, _ := api.AttachmentHashes(data)
		in, err := api.SigningInput("gewerbeanmeldung", form, "key", data, hashes)
		if err != nil {
			b.Fatal(err)
		}
		sig := api.Sign(priv, in)
		hashes, _ = api.AttachmentHashes(data)
		in, _ = api.SigningInput("gewerbeanmeldung", form, "key", data, hashes)
		if err := api.Verify(pub, sig, in); err != nil {
			b.Fatal(err)
		}
	}
}
