package storetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"reflect"
	"testing"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
)

// testSeal: a device's signing key is registered once and comes back with
// the device; a case keeps its signature, the key it was made with and its
// ciphertext, gives the key's fingerprint with the case (also replayed),
// and its file gives them back with the idempotency key the signature
// covers.
func testSeal(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	pub, priv, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)

	t.Run("device key", func(t *testing.T) {
		s := open(t)
		if err := s.CreateDevice(ctx, server.NewDevice{ID: "d_k", TokenHash: hash("d_k"), Created: created, SigningKey: pub}); err != nil {
			t.Fatal(err)
		}
		addDevice(t, s, "d_old")
		got, err := s.DeviceByToken(ctx, hash("d_k"))
		if err != nil || !bytes.Equal(got.SigningKey, pub) {
			t.Errorf("DeviceByToken = %x, %v; want the key registered with it", got.SigningKey, err)
		}
		tests := []struct {
			name   string
			device string
			key    []byte
			want   error
		}{
			{"a device without one gets one", "d_old", pub, nil},
			{"the same key again", "d_old", pub, nil},
			{"another key is refused", "d_old", other, server.ErrKeyConflict},
			{"nor replaces the registered one", "d_k", other, server.ErrKeyConflict},
			{"an unknown device", "d_none", pub, server.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.SetDeviceKey(ctx, tt.device, tt.key); !errors.Is(err, tt.want) {
					t.Errorf("SetDeviceKey = %v, want %v", err, tt.want)
				}
			})
		}
		if got, _ := s.DeviceByToken(ctx, hash("d_old")); !bytes.Equal(got.SigningKey, pub) {
			t.Errorf("after the refusal the key is %x, want the first one", got.SigningKey)
		}
	})

	t.Run("case", func(t *testing.T) {
		s := open(t)
		cw := caseworkOf(t, s)
		addDevice(t, s, "d_1")
		sig := api.Sign(priv, []byte("input"))
		nc := deviceCase(caseID(1), "d_1")
		nc.Data = []byte(`{}`)
		nc.Seal = casework.Seal{Signature: sig, SigningKey: pub, Encrypted: "aGVhZGVy.a2V5.aXY.Y2lwaGVy.dGFn"}
		c := mustCreate(t, s, "key-1", nc)
		want := api.KeyFingerprint(pub)
		if c.KeyFingerprint != want {
			t.Errorf("created case's fingerprint %q, want %q", c.KeyFingerprint, want)
		}
		again, found, err := s.ReplayCase(ctx, "d_1", "key-1", hash("a"))
		if err != nil || !found || again.KeyFingerprint != want {
			t.Errorf("replayed case's fingerprint %q (%v, %v), want %q", again.KeyFingerprint, found, err, want)
		}
		f, err := cw.CaseFile(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(f.Seal, nc.Seal) || f.IdempotencyKey != "key-1" || f.KeyFingerprint != want {
			t.Errorf("file's seal = %+v under key %q, want %+v under key-1", f.Seal, f.IdempotencyKey, nc.Seal)
		}

		plain := mustCreate(t, s, "key-2", deviceCase(caseID(2), "d_1"))
		f, err = cw.CaseFile(ctx, plain.ID)
		if err != nil {
			t.Fatal(err)
		}
		if plain.KeyFingerprint != "" || f.Seal.Signature != nil || f.Seal.SigningKey != nil || f.Seal.Encrypted != "" {
			t.Errorf("an unsigned case came back with fingerprint %q and seal %+v", plain.KeyFingerprint, f.Seal)
		}
	})
}
