package storetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"rathaus/server"
	"rathaus/server/handoff"
)

func testHandoffs(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ct := bytes.Repeat([]byte{0xA5}, 64)
	create := func(t *testing.T, s Store, id string) {
		t.Helper()
		addDevice(t, s, "d_kiosk")
		if err := s.CreateHandoff(ctx, handoff.Handoff{ID: id, Device: "d_kiosk", Ciphertext: ct, Created: at, Expires: at.Add(30 * time.Minute)}); err != nil {
			t.Fatalf("CreateHandoff: %v", err)
		}
	}

	t.Run("claimed once, then refused, and the ciphertext is gone", func(t *testing.T) {
		s := open(t)
		create(t, s, "h1")
		if h, err := s.Handoff(ctx, "h1"); err != nil || !h.Claimed.IsZero() || h.Device != "d_kiosk" || !h.Expires.Equal(at.Add(30*time.Minute)) {
			t.Fatalf("Handoff before the claim = %+v, %v", h, err)
		}
		got, err := s.ClaimHandoff(ctx, "h1", at.Add(time.Minute))
		if err != nil || !bytes.Equal(got, ct) {
			t.Fatalf("first claim = %x, %v; want the ciphertext", got, err)
		}
		if _, err := s.ClaimHandoff(ctx, "h1", at.Add(2*time.Minute)); !errors.Is(err, handoff.ErrClaimed) {
			t.Errorf("second claim: %v, want ErrClaimed", err)
		}
		h, err := s.Handoff(ctx, "h1")
		if err != nil || !h.Claimed.Equal(at.Add(time.Minute)) {
			t.Errorf("Handoff after the claim = %+v, %v; want claimed at %v", h, err, at.Add(time.Minute))
		}
		if len(h.Ciphertext) != 0 {
			t.Errorf("Handoff returned ciphertext %x; want none", h.Ciphertext)
		}
	})

	t.Run("expired: refused, and not claimed", func(t *testing.T) {
		s := open(t)
		create(t, s, "h2")
		if _, err := s.ClaimHandoff(ctx, "h2", at.Add(30*time.Minute)); !errors.Is(err, handoff.ErrExpired) {
			t.Errorf("claim at expiry: %v, want ErrExpired", err)
		}
		if h, _ := s.Handoff(ctx, "h2"); !h.Claimed.IsZero() {
			t.Errorf("an expired claim marked it claimed at %v", h.Claimed)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		s := open(t)
		if _, err := s.ClaimHandoff(ctx, "nope", at); !errors.Is(err, handoff.ErrNotFound) {
			t.Errorf("ClaimHandoff(unknown): %v, want ErrNotFound", err)
		}
		if _, err := s.Handoff(ctx, "nope"); !errors.Is(err, handoff.ErrNotFound) {
			t.Errorf("Handoff(unknown): %v, want ErrNotFound", err)
		}
	})

	t.Run("two claims at once: one gets it", func(t *testing.T) {
		s := open(t)
		create(t, s, "h3")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.ClaimHandoff(ctx, "h3", at.Add(time.Minute)) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, handoff.ErrClaimed) && !errors.Is(err, server.ErrBusy):
				t.Errorf("claim: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d claims got the ciphertext; want 1", won)
		}
	})

	t.Run("the janitor deletes expired ones only", func(t *testing.T) {
		s := open(t)
		create(t, s, "h4")
		if n, err := s.DeleteHandoffs(ctx, at.Add(30*time.Minute)); err != nil || n != 0 {
			t.Errorf("DeleteHandoffs(at expiry) = %d, %v; want 0", n, err)
		}
		if n, err := s.DeleteHandoffs(ctx, at.Add(31*time.Minute)); err != nil || n != 1 {
			t.Errorf("DeleteHandoffs(after) = %d, %v; want 1", n, err)
		}
		if _, err := s.Handoff(ctx, "h4"); !errors.Is(err, handoff.ErrNotFound) {
			t.Errorf("Handoff after the janitor: %v, want ErrNotFound", err)
		}
	})
}
