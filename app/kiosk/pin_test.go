package kiosk_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/kiosk"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// fakeClock is the injected time: tests move it by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time       { return c.t }
func (c *fakeClock) add(d time.Duration)  { c.t = c.t.Add(d) }
func newClock() *fakeClock                { return &fakeClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)} }
func openStore(t *testing.T) *store.Store { t.Helper(); return openStoreAt(t, t.TempDir()) }
func openStoreAt(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "rathaus.db"), secrets.OpenMemory("kiosk-test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestPINRightAndWrong(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	pin := kiosk.NewPIN(st, nil)
	if set, _ := pin.IsSet(ctx); set {
		t.Fatal("a new kiosk has a PIN")
	}
	for _, bad := range []string{"", "12345", "12345a", "1234567890123"} {
		t.Run("refused "+bad, func(t *testing.T) {
			if got := citizen.ErrorCode(pin.Set(ctx, bad)); got != citizen.EINVALID {
				t.Errorf("Set(%q) = %q, want %q", bad, got, citizen.EINVALID)
			}
		})
	}
	if err := pin.Set(ctx, "246810"); err != nil {
		t.Fatal(err)
	}
	stored, _ := st.Setting(ctx, "kiosk_pin")
	if strings.Contains(stored, "246810") || !strings.HasPrefix(stored, "$argon2id$") {
		t.Errorf("stored PIN = %q, want an argon2id hash without the PIN", stored)
	}
	if err := pin.Check(ctx, "246810"); err != nil {
		t.Errorf("right PIN: %v", err)
	}
	if got := citizen.ErrorCode(pin.Check(ctx, "246811")); got != kiosk.EWRONGPIN {
		t.Errorf("wrong PIN: code %q, want %q", got, kiosk.EWRONGPIN)
	}
}

func TestPINLockout(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	st := openStore(t)
	pin := kiosk.NewPIN(st, clock.now)
	if err := pin.Set(ctx, "135790"); err != nil {
		t.Fatal(err)
	}
	fail := func(t *testing.T, n int) {
		t.Helper()
		for i := 1; i <= n; i++ {
			err := pin.Check(ctx, "000000")
			want := kiosk.EWRONGPIN
			if i == n {
				want = kiosk.ELOCKOUT
			}
			if got := citizen.ErrorCode(err); got != want {
				t.Fatalf("try %d: code %q, want %q (%v)", i, got, want, err)
			}
		}
	}
	fail(t, kiosk.MaxFailures)
	// Locked: even the right PIN is refused, unchecked.
	if got := citizen.ErrorCode(pin.Check(ctx, "135790")); got != kiosk.ELOCKOUT {
		t.Errorf("right PIN while locked: %q, want %q", got, kiosk.ELOCKOUT)
	}
	if wait, _ := pin.LockedFor(ctx); wait != kiosk.FirstLockout {
		t.Errorf("locked for %v, want %v", wait, kiosk.FirstLockout)
	}
	clock.add(kiosk.FirstLockout)
	// The second lockout lasts twice as long, and survives a restart (a
	// new PIN on the same store).
	fail(t, kiosk.MaxFailures)
	pin = kiosk.NewPIN(st, clock.now)
	if wait, _ := pin.LockedFor(ctx); wait != 2*kiosk.FirstLockout {
		t.Errorf("second lockout %v, want %v", wait, 2*kiosk.FirstLockout)
	}
	clock.add(2*kiosk.FirstLockout - time.Second)
	if got := citizen.ErrorCode(pin.Check(ctx, "135790")); got != kiosk.ELOCKOUT {
		t.Errorf("a second before the end: %q, want %q", got, kiosk.ELOCKOUT)
	}
	clock.add(time.Second)
	if err := pin.Check(ctx, "135790"); err != nil {
		t.Errorf("right PIN after the lockout: %v", err)
	}
	// A right PIN resets the growth.
	fail(t, kiosk.MaxFailures)
	if wait, _ := pin.LockedFor(ctx); wait != kiosk.FirstLockout {
		t.Errorf("lockout after a right PIN %v, want %v", wait, kiosk.FirstLockout)
	}
}

func TestLockoutAfter(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, time.Minute}, {2, 2 * time.Minute}, {5, 16 * time.Minute}, {20, kiosk.MaxLockout}, {200, kiosk.MaxLockout}} {
		t.Run("", func(t *testing.T) {
			if got := kiosk.LockoutAfter(tc.n); got != tc.want {
				t.Errorf("LockoutAfter(%d) = %v, want %v", tc.n, got, tc.want)
			}
		})
	}
}

func TestIdleCountdown(t *testing.T) {
	clock := newClock()
	idle := kiosk.NewIdle(2*time.Minute, clock.now)
	steps := []struct {
		advance time.Duration
		touch   bool
		want    kiosk.Phase
		left    time.Duration
	}{
		{0, false, kiosk.Active, 2 * time.Minute},
		{89 * time.Second, false, kiosk.Active, 31 * time.Second},
		{time.Second, false, kiosk.Warning, 30 * time.Second},
		{20 * time.Second, true, kiosk.Active, 2 * time.Minute}, // "continue" in the warning
		{119 * time.Second, false, kiosk.Warning, time.Second},
		{time.Second, false, kiosk.Expired, 0},
		{time.Hour, false, kiosk.Expired, 0},
	}
	for i, s := range steps {
		clock.add(s.advance)
		if s.touch {
			idle.Touch()
		}
		got, left := idle.Check()
		if got != s.want || left != s.left {
			t.Errorf("step %d: (%v, %v), want (%v, %v)", i, got, left, s.want, s.left)
		}
	}
}

func TestIdleFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want time.Duration
		ok   bool
	}{{"", kiosk.DefaultIdle, true}, {"5m", 5 * time.Minute, true}, {"10s", 0, false}, {"soon", 0, false}} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("RATHAUS_KIOSK_IDLE", tc.env)
			got, err := kiosk.IdleFromEnv()
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("IdleFromEnv() = %v, %v; want %v, ok %v", got, err, tc.want, tc.ok)
			}
		})
	}
}
