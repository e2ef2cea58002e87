package secrets_test

import (
	"strconv"
	"testing"

	"rathaus/app/secrets"
)

// BenchmarkKeyFile measures what the key file costs: an Open at start
// (read, checksum, mode check) and a Set (a whole new file, fsynced and
// renamed, the folder fsynced).
func BenchmarkKeyFile(b *testing.B) {
	dir := b.TempDir()
	k, err := secrets.Open(dir, service, secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := k.NewDataKey("install1"); err != nil {
		b.Fatal(err)
	}
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			if _, err := secrets.Open(dir, service, secrets.WithKeyring(secrets.NoKeyring)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Set", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if err := k.Set("device-token-install1", strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOSKeyring measures an Open on the real Secret Service (its
// probe: a write, a read and a delete over D-Bus) and a DataKey read.
// Under scripts/with-keyring.sh; skipped without a keyring.
func BenchmarkOSKeyring(b *testing.B) {
	dir := b.TempDir()
	k, err := secrets.Open(dir, "rathaus-bench")
	if err != nil {
		b.Fatal(err)
	}
	if k.Backend() != secrets.SystemKeyring {
		b.Skipf("no OS keyring: %v", k.Reason())
	}
	if _, err := k.NewDataKey("install1"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = k.Delete("datakey-install1") })
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			if _, err := secrets.Open(dir, "rathaus-bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DataKey", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.DataKey("install1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
