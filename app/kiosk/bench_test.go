package kiosk_test

import (
	"context"
	"testing"

	"rathaus/app/kiosk"
)

// BenchmarkPINCheck is one check of the staff PIN (argon2id, 19 MiB, 2
// passes): what a right PIN costs the kiosk, and a guesser per try.
func BenchmarkPINCheck(b *testing.B) {
	ctx := context.Background()
	st := openStoreAt(b, b.TempDir())
	pin := kiosk.NewPIN(st, nil)
	if err := pin.Set(ctx, "24681357"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := pin.Check(ctx, "24681357"); err != nil {
			b.Fatal(err)
		}
	}
}
