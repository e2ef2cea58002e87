package server_test

import (
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"rathaus/api"
	"rathaus/api/jwe"
	"rathaus/server/authority"
)

// TestSubmitEncryptedEnvelope: a service with an encryption key takes only
// a JWE to that key (RSA-OAEP-256, A256GCM, its kid); clear data, another
// key, another algorithm, or a JWE to a service without a key are refused
// (422, encryption-invalid) and make no case.
func TestSubmitEncryptedEnvelope(t *testing.T) {
	key, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	other, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withService("fuehrungszeugnis", func(s *api.Service) { s.EncryptionKey = key.Public() }))
	svc, plainSvc := e.service(t, "fuehrungszeugnis"), e.service(t, "hundesteuer")
	data := mustMarshal(t, e.example(t, svc))
	to := func(k *authority.Key) string {
		pub, err := jwe.ParsePublicKey(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		c, err := jwe.Encrypt(pub, data)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	good := to(key)
	pub, _ := jwe.ParsePublicKey(key.Public())
	oldAlg, err := jose.NewEncrypter(jose.A128GCM, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: pub.Key, KeyID: pub.KeyID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := oldAlg.Encrypt(data)
	weak, _ := obj.CompactSerialize()

	dev := e.register(t)
	tests := []struct {
		name string
		req  api.SubmissionRequest
	}{
		{"clear data to a service with a key", api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: data}},
		{"a JWE to another key", api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Encrypted: to(other)}},
		{"RSA-OAEP and A128GCM", api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Encrypted: weak}},
		{"not a JWE", api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Encrypted: "a.b.c.d.e"}},
		{"a JWE to a service without a key", api.SubmissionRequest{Service: plainSvc.ID, Form: plainSvc.Form, Encrypted: good}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.submitAs(t, auth(dev), "k-"+tt.name, mustMarshal(t, tt.req))
			problemOf(t, r, http.StatusUnprocessableEntity, api.ProblemEncryption)
		})
	}
	if n := e.countCases(t); n != 0 {
		t.Fatalf("%d cases after the refusals, want 0", n)
	}
	both := api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: data, Encrypted: good}
	problemOf(t, e.submitAs(t, auth(dev), "k-both", mustMarshal(t, both)), http.StatusBadRequest, api.ProblemBadRequest)

	c := caseOf(t, e.submitAs(t, auth(dev), "k-good", mustMarshal(t, api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Encrypted: good})))
	again := caseOf(t, e.submitAs(t, auth(dev), "k-good", mustMarshal(t, api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Encrypted: good})))
	if again.ID != c.ID {
		t.Errorf("the same JWE again under its key made case %s, want %s", again.ID, c.ID)
	}
	problemOf(t, e.submitAs(t, auth(dev), "k-good", mustMarshal(t, api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Encrypted: to(key)})),
		http.StatusUnprocessableEntity, api.ProblemIdempotencyReuse)
}
