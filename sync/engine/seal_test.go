package engine_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/server/casework"
	"rathaus/sync/portal"
)

// TestSeal_SignedSubmission: the engine registers the device with its
// signing key and signs a submission with an attachment; the backend keeps
// a signature that verifies over the kept case with the device's key, the
// fingerprint the app shows is the backend's, the key survives a restart,
// and neither the key's seed nor its base64 is in the app's database.
func TestSeal_SignedSubmission(t *testing.T) {
	backend, _ := attachmentBackend(t)
	r := newRigOn(t, backend)
	ctx := context.Background()
	d := citizen.NewDraft(api.Service{ID: "anhang", Form: api.FormRef{ID: "anhang", Version: 1}}, r.clock.Now())
	if err := r.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	att, err := r.store.AddAttachment(ctx, d.ID, "Nachweis.pdf", "application/pdf", []byte("%PDF-1.4 Nachweis"))
	if err != nil {
		t.Fatal(err)
	}
	var value map[string]any
	b, _ := json.Marshal(att)
	_ = json.Unmarshal(b, &value)
	if err := r.store.SaveDraft(ctx, d.ID, map[string]any{"name": "Erika Mustermann", "doc": value}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	r.sync(t)

	cases, err := r.store.Cases(ctx)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases on the device: %d, %v; want 1", len(cases), err)
	}
	f := caseFile(t, backend.DB, cases[0].ID)
	hashes, _ := api.AttachmentHashes(f.Data)
	input, err := api.SigningInput(f.Service, f.Form, f.IdempotencyKey, f.Data, hashes)
	if err != nil {
		t.Fatal(err)
	}
	if err := api.Verify(f.Seal.SigningKey, f.Seal.Signature, input); err != nil || len(hashes) != 1 || hashes[0] != att.SHA256 {
		t.Errorf("kept signature over %v: %v; want it to verify, over the attachment's hash %s", hashes, err, att.SHA256)
	}
	shown := r.engine.KeyFingerprint()
	if shown == "" || shown != f.KeyFingerprint {
		t.Errorf("the app shows fingerprint %q, the backend has %q", shown, f.KeyFingerprint)
	}

	r.open(t) // a restart: same secret store, same key
	r.sync(t)
	if got := r.engine.KeyFingerprint(); got != shown {
		t.Errorf("after a restart the fingerprint is %q, want %q", got, shown)
	}
	key, err := secrets.SigningKey(r.keys, r.store.InstallID())
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(r.path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(r.path + "-wal")
	seed := key.Seed()
	for _, needle := range [][]byte{seed, []byte(base64.StdEncoding.EncodeToString(seed)), []byte(base64.RawURLEncoding.EncodeToString(seed))} {
		if bytes.Contains(db, needle) || bytes.Contains(wal, needle) {
			t.Errorf("the app's database holds the signing key's seed (%d bytes)", len(needle))
		}
	}
}

// TestSeal_DeviceFromBefore: a device that an app from before signing
// keys registered (without a key) registers its key on the next pass,
// and its submissions are signed from then on.
func TestSeal_DeviceFromBefore(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	p := portal.New(r.backend.URL)
	dev, err := p.RegisterDevice(ctx, api.DeviceRequest{Platform: "linux", AppVersion: "0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.SetSyncValue(ctx, "device_id", dev.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.keys.Set("device-token-"+r.store.InstallID(), dev.Token); err != nil {
		t.Fatal(err)
	}
	r.submitExample(t, "hundesteuer", nil)
	r.sync(t)

	raw, _ := base64.RawURLEncoding.DecodeString(dev.Token)
	sum := sha256.Sum256(raw)
	got, err := r.backend.DB.DeviceByToken(ctx, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.SigningKey(r.keys, r.store.InstallID())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.SigningKey, key.Public().(ed25519.PublicKey)) {
		t.Fatalf("the backend has key %x for the device, want the device's", got.SigningKey)
	}
	cases, _ := r.store.Cases(ctx)
	if len(cases) != 1 {
		t.Fatalf("%d cases, want 1", len(cases))
	}
	if f := caseFile(t, r.backend.DB, cases[0].ID); f.Seal.Signature == nil || f.KeyFingerprint != r.engine.KeyFingerprint() {
		t.Errorf("case signed %v with fingerprint %q, want signed with %q", f.Seal.Signature != nil, f.KeyFingerprint, r.engine.KeyFingerprint())
	}
}

func caseFile(t *testing.T, db any, id string) casework.File {
	t.Helper()
	cw, ok := db.(casework.Store)
	if !ok {
		t.Fatalf("%T keeps no casework", db)
	}
	f, err := cw.CaseFile(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
