package secrets_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"rathaus/app/secrets"
)

func mustSealer(t *testing.T, key []byte) *secrets.Sealer {
	t.Helper()
	s, err := secrets.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealer(t *testing.T) {
	key := bytes.Repeat([]byte{7}, secrets.KeySize)
	s := mustSealer(t, key)
	plain := []byte(`{"street":"Heidestraße 17"}`)
	sealed, err := s.Seal(plain, []byte("draft:1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("Heide")) {
		t.Fatal("sealed value contains the plain text")
	}
	again, _ := s.Seal(plain, []byte("draft:1"))
	if bytes.Equal(sealed, again) {
		t.Error("sealing twice gave the same bytes: the nonce is not random")
	}
	got, err := s.Open(sealed, []byte("draft:1"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v; want %q", got, err, plain)
	}

	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	other := mustSealer(t, bytes.Repeat([]byte{8}, secrets.KeySize))
	for _, tc := range []struct {
		name   string
		s      *secrets.Sealer
		sealed []byte
		aad    string
	}{
		{"tampered", s, tampered, "draft:1"},
		{"moved to another draft", s, sealed, "draft:2"},
		{"other key", other, sealed, "draft:1"},
		{"truncated", s, sealed[:10], "draft:1"},
		{"empty", s, nil, "draft:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.s.Open(tc.sealed, []byte(tc.aad)); !errors.Is(err, secrets.ErrUnsealable) {
				t.Errorf("Open error = %v, want ErrUnsealable", err)
			}
		})
	}
	if _, err := secrets.NewSealer([]byte("short")); err == nil {
		t.Error("NewSealer accepted a 5-byte key")
	}
}

func TestMemoryKeychain(t *testing.T) {
	k := secrets.OpenMemory("rathaus-test")
	if k.Persistent() || k.Reason() == nil {
		t.Errorf("memory keychain: persistent %v reason %v, want false and a reason", k.Persistent(), k.Reason())
	}
	if _, err := k.DataKey("db1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("DataKey before NewDataKey = %v, want ErrNotFound (never made by reading)", err)
	}
	a, err := k.NewDataKey("db1")
	if err != nil || len(a) != secrets.KeySize {
		t.Fatalf("NewDataKey = %d bytes, %v", len(a), err)
	}
	b, _ := k.DataKey("db1")
	again, _ := k.NewDataKey("db1")
	c, _ := k.NewDataKey("db2")
	if !bytes.Equal(a, b) || !bytes.Equal(a, again) || bytes.Equal(a, c) {
		t.Error("data keys: want the same key per id, never replaced, and different keys across ids")
	}
	if _, err := k.Get("nothing"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("Get of a missing secret = %v, want ErrNotFound", err)
	}
}

// TestOSKeyring runs against the real Secret Service that `make test` starts
// (gnome-keyring in a private D-Bus session). Run bare, without one, it is
// skipped unless RATHAUS_REQUIRE_KEYRING=1 demands it.
func TestOSKeyring(t *testing.T) {
	const service = "rathaus-test-keyring"
	dir := t.TempDir()
	k := openOSKeyring(t, dir, service)
	id := "test-" + t.Name()
	t.Cleanup(func() { _ = k.Delete("datakey-" + id) })
	first, err := k.NewDataKey(id)
	if err != nil {
		t.Fatal(err)
	}
	// A second Keychain (as after a restart) reads the same key from the
	// keyring rather than making a new one.
	second, err := openOSKeyring(t, dir, service).DataKey(id)
	if err != nil || !bytes.Equal(first, second) {
		t.Fatalf("data key after reopen differs (%v)", err)
	}
	if err := k.Set("token", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Get("token"); err != nil || got != "s3cret" {
		t.Errorf("Get = %q, %v; want s3cret", got, err)
	}
	if err := k.Delete("token"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get("token"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
}

// openOSKeyring opens the secret store of dir on the real OS keyring; it
// skips the test where there is none, unless RATHAUS_REQUIRE_KEYRING=1.
func openOSKeyring(t *testing.T, dir, service string, opts ...secrets.Option) *secrets.Keychain {
	t.Helper()
	k, err := secrets.Open(dir, service, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if k.Backend() != secrets.SystemKeyring {
		if os.Getenv("RATHAUS_REQUIRE_KEYRING") == "1" {
			t.Fatalf("no OS keyring although RATHAUS_REQUIRE_KEYRING=1: %v", k.Reason())
		}
		t.Skipf("no OS keyring here: %v", k.Reason())
	}
	return k
}
