package server_test

import (
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server/casework"
)

// registerWithKey registers a device with a new signing key.
func (e *env) registerWithKey(t *testing.T) (api.Device, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	b, _ := json.Marshal(api.DeviceRequest{Platform: "linux", AppVersion: "0.2.0", SigningKey: api.EncodeSigningKey(pub)})
	r := e.do(t, http.MethodPost, api.PathDevices, http.Header{"Content-Type": {api.ContentTypeJSON}}, strings.NewReader(string(b)))
	if r.status != http.StatusCreated {
		t.Fatalf("register: status %d, body %s", r.status, r.body)
	}
	var d api.Device
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	return d, priv
}

// sealedExample is the Gewerbeanmeldung's example with its document
// uploaded by the device d (file number seed).
func (e *env) sealedExample(t *testing.T, d *api.Device, seed uint64) (api.Service, map[string]any) {
	t.Helper()
	svc := e.service(t, "gewerbeanmeldung")
	data := e.example(t, svc)
	old := data["permit_document"].(map[string]any)
	f := newFile(2048, seed).as(old["type"].(string))
	f.name = old["name"].(string)
	data["permit_document"] = toAny(t, attachment(e.uploadAs(t, d, f), f))
	return svc, data
}

// signedBody is a submission signed by key over data, with the
// attachment hashes signed given (nil: those the data names).
func signedBody(t *testing.T, key ed25519.PrivateKey, idem string, svc api.Service, signed, sent map[string]any, hashes []string) []byte {
	t.Helper()
	raw := mustMarshal(t, signed)
	if hashes == nil {
		var err error
		if hashes, err = api.AttachmentHashes(raw); err != nil {
			t.Fatal(err)
		}
	}
	input, err := api.SigningInput(svc.ID, svc.Form, idem, raw, hashes)
	if err != nil {
		t.Fatal(err)
	}
	return mustMarshal(t, api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: mustMarshal(t, sent), Signature: api.Sign(key, input)})
}

// TestSubmitSigned: a signed submission is verified against the device's
// key and kept with the case, which names the key's fingerprint; a
// changed value, a swapped attachment, another device's key and a missing
// signature are refused (422, signature-invalid) and make no case.
func TestSubmitSigned(t *testing.T) {
	e := newEnv(t)
	dev, key := e.registerWithKey(t)
	other, otherKey := e.registerWithKey(t)
	_ = other

	svc, data := e.sealedExample(t, &dev, 1)
	r := e.submitAs(t, auth(dev), "k-good", signedBody(t, key, "k-good", svc, data, data, nil))
	c := caseOf(t, r)
	want := api.KeyFingerprint(key.Public().(ed25519.PublicKey))
	if c.KeyFingerprint != want {
		t.Errorf("case fingerprint %q, want %q", c.KeyFingerprint, want)
	}
	f, err := e.db.(casework.Store).CaseFile(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	hashes, _ := api.AttachmentHashes(f.Data)
	input, _ := api.SigningInput(f.Service, f.Form, f.IdempotencyKey, f.Data, hashes)
	if err := api.Verify(f.Seal.SigningKey, f.Seal.Signature, input); err != nil || len(hashes) != 1 {
		t.Errorf("the kept signature does not verify over the kept case (%d attachments): %v", len(hashes), err)
	}

	// Each bad request has a fresh upload, so that only its seal is wrong.
	tests := []struct {
		name string
		body func(svc api.Service, data map[string]any, swapped map[string]any) []byte
	}{
		{"a value changed after signing", func(svc api.Service, data, _ map[string]any) []byte {
			sent := clone(t, data)
			sent["employees"] = 3
			return signedBody(t, key, "k-bad", svc, data, sent, nil)
		}},
		{"the attachment swapped after signing", func(svc api.Service, data, swapped map[string]any) []byte {
			return signedBody(t, key, "k-bad", svc, data, swapped, nil)
		}},
		{"the attachment hash signed is another", func(svc api.Service, data, _ map[string]any) []byte {
			return signedBody(t, key, "k-bad", svc, data, data, []string{strings.Repeat("0", 64)})
		}},
		{"another device's key", func(svc api.Service, data, _ map[string]any) []byte {
			return signedBody(t, otherKey, "k-bad", svc, data, data, nil)
		}},
		{"signed under another idempotency key", func(svc api.Service, data, _ map[string]any) []byte {
			return signedBody(t, key, "k-other", svc, data, data, nil)
		}},
		{"unsigned from a device with a key", func(svc api.Service, data, _ map[string]any) []byte {
			return body(t, svc.ID, svc.Form, data)
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.countCases(t)
			svc, data := e.sealedExample(t, &dev, uint64(10+2*i))
			_, swapped := e.sealedExample(t, &dev, uint64(11+2*i))
			r := e.submitAs(t, auth(dev), "k-bad", tt.body(svc, data, swapped))
			problemOf(t, r, http.StatusUnprocessableEntity, api.ProblemSignature)
			if got := e.countCases(t); got != before {
				t.Errorf("%d cases after the refusal, want %d", got, before)
			}
		})
	}
}

// TestSubmitUnsignedAndLateKey: a device registered without a key (an app
// from before) still sends unsigned submissions (no fingerprint), may not
// send signed ones until it registers its key, registers it once (the
// same again is fine, another is a 409), and from then on must sign.
func TestSubmitUnsignedAndLateKey(t *testing.T) {
	e := newEnv(t)
	dev := e.register(t)
	svc, data := e.sealedExample(t, &dev, 1)
	if c := caseOf(t, e.submitAs(t, auth(dev), "k1", body(t, svc.ID, svc.Form, data))); c.KeyFingerprint != "" {
		t.Errorf("an unsigned case has fingerprint %q", c.KeyFingerprint)
	}
	pub, key, _ := ed25519.GenerateKey(nil)
	svc, data = e.sealedExample(t, &dev, 2)
	problemOf(t, e.submitAs(t, auth(dev), "k2", signedBody(t, key, "k2", svc, data, data, nil)), http.StatusUnprocessableEntity, api.ProblemSignature)

	post := func(k ed25519.PublicKey) response {
		b := mustMarshal(t, api.DeviceKeyRequest{SigningKey: api.EncodeSigningKey(k)})
		h := auth(dev)
		h.Set("Content-Type", api.ContentTypeJSON)
		return e.do(t, http.MethodPost, api.PathDeviceKey, h, strings.NewReader(string(b)))
	}
	for range 2 {
		if r := post(pub); r.status != http.StatusNoContent {
			t.Fatalf("register the key: %d %s", r.status, r.body)
		}
	}
	another, _, _ := ed25519.GenerateKey(nil)
	problemOf(t, post(another), http.StatusConflict, api.ProblemKeyConflict)
	if r := e.do(t, http.MethodPost, api.PathDeviceKey, http.Header{"Content-Type": {api.ContentTypeJSON}}, strings.NewReader(`{"signing_key":"x"}`)); r.status != http.StatusUnauthorized {
		t.Errorf("a key without a device credential: %d, want 401", r.status)
	}

	svc, data = e.sealedExample(t, &dev, 3)
	if c := caseOf(t, e.submitAs(t, auth(dev), "k3", signedBody(t, key, "k3", svc, data, data, nil))); c.KeyFingerprint != api.KeyFingerprint(pub) {
		t.Errorf("signed case fingerprint %q, want the registered key's", c.KeyFingerprint)
	}
	svc, data = e.sealedExample(t, &dev, 4)
	problemOf(t, e.submitAs(t, auth(dev), "k4", body(t, svc.ID, svc.Form, data)), http.StatusUnprocessableEntity, api.ProblemSignature)
}

func clone(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(mustMarshal(t, m), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
