package api_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"rathaus/api"
)

// TestSigningInput: the same submission gives the same bytes however its
// JSON was spelled (RFC 8785), and every part of it changes them.
func TestSigningInput(t *testing.T) {
	form := api.FormRef{ID: "hundesteuer", Version: 2}
	base, err := api.SigningInput("hundesteuer", form, "key-1", json.RawMessage(`{"b":1,"a":"<ü>","sig":{"typed":"Anna"}}`), []string{"BB", "aa"})
	if err != nil {
		t.Fatal(err)
	}
	want := "rathaus-submission-v1\n" +
		`{"attachments":["aa","bb"],"data":{"a":"<ü>","b":1,"sig":{"typed":"Anna"}},"form":{"id":"hundesteuer","version":2},"idempotency_key":"key-1","service":"hundesteuer"}`
	if string(base) != want {
		t.Fatalf("SigningInput =\n%s\nwant\n%s", base, want)
	}
	tests := []struct {
		name    string
		service string
		form    api.FormRef
		key     string
		data    string
		hashes  []string
		same    bool
	}{
		{"spelled otherwise", "hundesteuer", form, "key-1", "{ \"sig\": {\"typed\":\"Anna\"}, \"a\":\"\\u003c\\u00fc>\", \"b\":1.0 }", []string{"aa", "bb"}, true},
		{"another value", "hundesteuer", form, "key-1", `{"b":2,"a":"<ü>","sig":{"typed":"Anna"}}`, []string{"aa", "bb"}, false},
		{"another typed signature", "hundesteuer", form, "key-1", `{"b":1,"a":"<ü>","sig":{"typed":"Anne"}}`, []string{"aa", "bb"}, false},
		{"another attachment", "hundesteuer", form, "key-1", `{"b":1,"a":"<ü>","sig":{"typed":"Anna"}}`, []string{"aa", "bc"}, false},
		{"another key", "hundesteuer", form, "key-2", `{"b":1,"a":"<ü>","sig":{"typed":"Anna"}}`, []string{"aa", "bb"}, false},
		{"another form version", "hundesteuer", api.FormRef{ID: "hundesteuer", Version: 3}, "key-1", `{"b":1,"a":"<ü>","sig":{"typed":"Anna"}}`, []string{"aa", "bb"}, false},
		{"another service", "wohnsitz", form, "key-1", `{"b":1,"a":"<ü>","sig":{"typed":"Anna"}}`, []string{"aa", "bb"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := api.SigningInput(tt.service, tt.form, tt.key, json.RawMessage(tt.data), tt.hashes)
			if err != nil {
				t.Fatal(err)
			}
			if (string(got) == string(base)) != tt.same {
				t.Errorf("same bytes = %v, want %v:\n%s", !tt.same, tt.same, got)
			}
		})
	}
}

// TestVerify: a signature verifies with its key only, over its input only.
func TestVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	sig := api.Sign(priv, []byte("input"))
	if err := api.Verify(pub, sig, []byte("input")); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	tests := []struct {
		name  string
		pub   []byte
		sig   *api.DeviceSignature
		input string
	}{
		{"another key", other, sig, "input"},
		{"another input", pub, sig, "inpuT"},
		{"no signature", pub, nil, "input"},
		{"another algorithm", pub, &api.DeviceSignature{Alg: "ES256", Value: sig.Value}, "input"},
		{"not base64url", pub, &api.DeviceSignature{Alg: api.SignatureAlg, Value: "*"}, "input"},
		{"no key", nil, sig, "input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := api.Verify(tt.pub, tt.sig, []byte(tt.input)); !errors.Is(err, api.ErrBadSignature) {
				t.Errorf("Verify = %v, want ErrBadSignature", err)
			}
		})
	}
	fp := api.KeyFingerprint(pub)
	if len(fp) != 79 || strings.Count(fp, " ") != 15 {
		t.Errorf("fingerprint %q: want 16 groups of 4 hex digits", fp)
	}
}
