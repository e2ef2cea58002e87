package engine_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"rathaus/api"
	"rathaus/api/jwe"
	"rathaus/app/citizen"
	"rathaus/server"
	"rathaus/server/authority"
	"rathaus/server/servertest"
)

// TestJWE_RoundTrip: for a service that publishes an encryption key the
// app sends its data only as a JWE; the backend keeps no plaintext (a
// canary is in neither its database nor its WAL), the case's data is {},
// the authority's key opens it, and the signature verifies over the
// plaintext; another key does not open it.
func TestJWE_RoundTrip(t *testing.T) {
	key, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	backend := servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		for i := range c.Catalog.Services {
			if c.Catalog.Services[i].ID == "fuehrungszeugnis" {
				c.Catalog.Services[i].EncryptionKey = key.Public()
			}
		}
	}))
	r := newRigOn(t, backend)
	ctx := context.Background()
	const canary = "Kanarienvogel-7f3a9c"
	r.submitExample(t, "fuehrungszeugnis", func(v map[string]any) { v["purpose"] = canary })
	// The first pass may send before its pull brought the catalog with
	// the key: the backend refuses data in clear, the engine tries again.
	_ = r.engine.Sync(ctx)
	r.sync(t)

	cases, err := r.store.Cases(ctx)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases on the device: %d, %v; want 1", len(cases), err)
	}
	f := caseFile(t, backend.DB, cases[0].ID)
	if string(f.Data) != "{}" || f.Seal.Encrypted == "" {
		t.Fatalf("the backend keeps data %s and ciphertext of %d bytes; want {} and the JWE", f.Data, len(f.Seal.Encrypted))
	}
	if backend.DBPath != "" {
		for _, p := range []string{backend.DBPath, backend.DBPath + "-wal"} {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(canary)) {
				t.Errorf("%s holds the plaintext canary", p)
			}
		}
	}
	plain, err := key.Decrypt(f.Seal.Encrypted)
	if err != nil || !bytes.Contains(plain, []byte(canary)) {
		t.Fatalf("the authority's key opens %q, %v; want the data with the canary", plain, err)
	}
	input, err := api.SigningInput(f.Service, f.Form, f.IdempotencyKey, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := api.Verify(f.Seal.SigningKey, f.Seal.Signature, input); err != nil {
		t.Errorf("the signature over the decrypted data: %v", err)
	}
	other, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Decrypt(f.Seal.Encrypted); err == nil {
		t.Error("another authority's key opened the case")
	}
}

// TestJWE_KeyChanged: a JWE kept for a retry that names a key the town has
// since replaced is refused; the engine drops it and encrypts anew to the
// new key, and one case is made.
func TestJWE_KeyChanged(t *testing.T) {
	oldKey, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	withKey := func(c *api.Catalog, k *authority.Key) {
		for i := range c.Services {
			if c.Services[i].ID == "fuehrungszeugnis" {
				c.Services[i].EncryptionKey = k.Public()
			}
		}
	}
	backend := servertest.New(t, servertest.WithConfig(func(c *server.Config) { withKey(&c.Catalog, oldKey) }))
	r := newRigOn(t, backend)
	ctx := context.Background()
	r.sync(t) // the catalog with the old key
	r.submitExample(t, "fuehrungszeugnis", nil)
	backend.Stop()
	_ = r.engine.Sync(ctx) // encrypted to the old key and kept; the send fails
	items, _ := r.store.Outbox(ctx)
	if len(items) != 1 {
		t.Fatalf("%d items in the outbox, want 1", len(items))
	}
	kept := items[0].Payload.(*citizen.SubmissionPayload).Request.Encrypted
	if _, err := oldKey.Decrypt(kept); err != nil {
		t.Fatalf("the kept JWE (%d bytes) is not to the old key: %v", len(kept), err)
	}
	cat := backend.Server.Catalog()
	withKey(&cat, newKey)
	if err := backend.Server.Publish(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	backend.Start()
	for range 3 {
		_ = r.engine.Sync(ctx)
	}
	cases, err := r.store.Cases(ctx)
	if err != nil || len(cases) != 1 || backend.Cases() != 1 {
		t.Fatalf("cases: %d on the device (%v), %d at the backend; want 1 and 1", len(cases), err, backend.Cases())
	}
	f := caseFile(t, backend.DB, cases[0].ID)
	if _, err := newKey.Decrypt(f.Seal.Encrypted); err != nil {
		t.Errorf("the case does not open with the new key: %v", err)
	}
}
