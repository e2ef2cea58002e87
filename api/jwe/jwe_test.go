package jwe_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"rathaus/api/jwe"
	"rathaus/assets"
)

func publicJWK(t testing.TB, bits int, kid string) (*rsa.PrivateKey, json.RawMessage) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Use: "enc", Algorithm: string(jwe.KeyAlgorithm)}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return k, raw
}

// TestParsePublicKey: the key rule the catalog check, the backend and the
// app share.
func TestParsePublicKey(t *testing.T) {
	priv, good := publicJWK(t, jwe.MinBits, "k1")
	_, small := publicJWK(t, 1024, "k2")
	_, noKid := publicJWK(t, jwe.MinBits, "")
	private, _ := jose.JSONWebKey{Key: priv, KeyID: "k1"}.MarshalJSON()
	tests := []struct {
		name string
		raw  string
		says string // "" for a key that passes
	}{
		{"a public RSA key", string(good), ""},
		{"too small", string(small), "bits"},
		{"without kid", string(noKid), "kid"},
		{"with its private part", string(private), "private part"},
		{"a symmetric key", `{"kty":"oct","k":"c2VjcmV0","kid":"x"}`, "RSA public key"},
		{"for signing", strings.Replace(string(good), `"use":"enc"`, `"use":"sig"`, 1), "use"},
		{"another algorithm", strings.Replace(string(good), `"RSA-OAEP-256"`, `"RSA1_5"`, 1), "alg"},
		{"not a JWK", `{"kty":`, "not a JWK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jwe.ParsePublicKey(json.RawMessage(tt.raw))
			switch {
			case tt.says == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
				t.Errorf("err = %v, want one that says %q", err, tt.says)
			}
		})
	}
}

// BenchmarkEncrypt is what the app spends per encrypted submission (the
// demo's Führungszeugnis, to a 3072-bit key as the demo makes); decrypt is
// the staff side's cost per case opened.
func BenchmarkEncrypt(b *testing.B) {
	ex, err := assets.DemoExample("fuehrungszeugnis")
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(ex)
	for _, bits := range []int{3072, 4096} {
		priv, raw := publicJWK(b, bits, "k")
		key, err := jwe.ParsePublicKey(raw)
		if err != nil {
			b.Fatal(err)
		}
		var c string
		b.Run("encrypt/"+strconv.Itoa(bits), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if c, err = jwe.Encrypt(key, data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("decrypt/"+strconv.Itoa(bits), func(b *testing.B) {
			for b.Loop() {
				obj, err := jwe.Parse(c, key)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := obj.Decrypt(priv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzParse: whatever a client sends as "encrypted", the envelope check
// answers with an error or a JWE to the key, never a panic.
func FuzzParse(f *testing.F) {
	_, raw := publicJWK(f, jwe.MinBits, "k")
	key, err := jwe.ParsePublicKey(raw)
	if err != nil {
		f.Fatal(err)
	}
	good, err := jwe.Encrypt(key, []byte(`{"a":1}`))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, "a.b.c.d.e", "", "....", good + "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		obj, err := jwe.Parse(s, key)
		if err == nil && obj.Header.KeyID != key.KeyID {
			t.Errorf("a JWE to kid %q passed for %q", obj.Header.KeyID, key.KeyID)
		}
	})
}

// FuzzParsePublicKey: a catalog's encryption_key of any shape is taken or
// refused, never a panic.
func FuzzParsePublicKey(f *testing.F) {
	_, raw := publicJWK(f, jwe.MinBits, "k")
	for _, s := range []string{string(raw), `{"kty":"oct","k":"AA"}`, `{"kty":"RSA"}`, `null`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := jwe.ParsePublicKey([]byte(s)); err == nil && k.KeyID == "" {
			t.Error("a key without kid passed")
		}
	})
}
