package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"rathaus/server/postgres"
)

// lockers returns n upload lockers on one schema, each of its own store,
// as n processes have.
func lockers(t *testing.T, n int) []*postgres.UploadLocker {
	t.Helper()
	ctx := context.Background()
	first, url := mustOpen(t)
	dbs := []*postgres.DB{first}
	for len(dbs) < n {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		dbs = append(dbs, db)
	}
	var out []*postgres.UploadLocker
	for _, db := range dbs {
		l, err := db.UploadLocker(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// held takes the lock of id and returns it with a channel that gets a
// value when someone asks for it.
func held(t *testing.T, l tusd.Locker, id string) (tusd.Lock, chan struct{}) {
	t.Helper()
	lk, err := l.NewLock(id)
	if err != nil {
		t.Fatal(err)
	}
	asked := make(chan struct{}, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lk.Lock(ctx, func() { asked <- struct{}{} }); err != nil {
		t.Fatalf("Lock(%s): %v", id, err)
	}
	return lk, asked
}

// TestUploadLockerAcrossProcesses: a lock holds between two stores, the
// holder is asked to let go, and the other gets the lock once it did.
func TestUploadLockerAcrossProcesses(t *testing.T) {
	for _, tt := range []struct {
		name string
		same bool // both requests in one process
	}{{"two processes", false}, {"one process", true}} {
		t.Run(tt.name, func(t *testing.T) {
			ls := lockers(t, 2)
			a, b := ls[0], ls[1]
			if tt.same {
				b = a
			}
			first, asked := held(t, a, "u_1")
			// Another upload is free all the while.
			other, _ := held(t, b, "u_2")
			_ = other.Unlock()

			got := make(chan error, 1)
			second, _ := b.NewLock("u_1")
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				got <- second.Lock(ctx, func() {})
			}()
			select {
			case <-asked:
			case err := <-got:
				t.Fatalf("the second Lock returned %v while the first held the lock", err)
			case <-time.After(15 * time.Second):
				t.Fatal("the holder was never asked to let go")
			}
			if err := first.Unlock(); err != nil {
				t.Fatal(err)
			}
			if err := <-got; err != nil {
				t.Fatalf("the second Lock after the first let go: %v", err)
			}
			_ = second.Unlock()
		})
	}
}

// TestUploadLockerHolderDies: the locks of a process go with it (its
// connections close), without a timeout.
func TestUploadLockerHolderDies(t *testing.T) {
	ctx := context.Background()
	first, url := mustOpen(t)
	a, err := first.UploadLocker(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	held(t, a, "u_1") // never unlocked
	second, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	b, err := second.UploadLocker(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	first.Close()
	lk, _ := b.NewLock("u_1")
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := lk.Lock(lctx, func() {}); err != nil {
		t.Fatalf("Lock after the holder's store closed: %v", err)
	}
}

// TestUploadLockerTimeout: a holder that does not let go keeps the lock;
// the other gets tusd's timeout when its context ends.
func TestUploadLockerTimeout(t *testing.T) {
	ls := lockers(t, 2)
	held(t, ls[0], "u_1")
	lk, _ := ls[1].NewLock("u_1")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := lk.Lock(ctx, func() {}); !errors.Is(err, tusd.ErrLockTimeout) {
		t.Errorf("Lock of a held upload = %v, want ErrLockTimeout", err)
	}
}
