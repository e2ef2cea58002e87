package postgres_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/appointments"
	"rathaus/server/casework"
	"rathaus/server/postgres"
	"rathaus/server/postgres/pgtest"
	"rathaus/server/storetest"
)

// mustOpen opens the store on a new schema and closes it when the test
// ends. It returns the schema's URL too.
func mustOpen(t *testing.T) (*postgres.DB, string) {
	t.Helper()
	url := pgtest.URL(t)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, url
}

// TestConformance runs the store conformance suite, which SQLite's store
// passes too, on a new schema per test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, url := mustOpen(t)
		return storetest.Store{Store: db,
			Conflicts: func(t *testing.T) []storetest.Conflict { return conflicts(t, url) },
			Reopen:    func(t *testing.T) server.Store { return reopen(t, url) },
			Busy:      func(t *testing.T) (server.Store, func()) { return busyStore(t, url) },
			Full:      fullStore,
		}
	})
}

// reopen opens the store on the schema at url once more.
func reopen(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// conflicts reads draft_conflicts directly.
func conflicts(t *testing.T, url string) []storetest.Conflict {
	t.Helper()
	conn := pgtest.Connect(t, url)
	rows, err := conn.Query(context.Background(), "SELECT owner, draft_id, field, value, clock, device, winner FROM draft_conflicts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storetest.Conflict
	for rows.Next() {
		var c storetest.Conflict
		var field, value []byte
		if err := rows.Scan(&c.Owner, &c.Draft, &field, &value, &c.Clock, &c.Device, &c.Winner); err != nil {
			t.Fatal(err)
		}
		c.Field = string(field)
		if value != nil {
			c.Value = json.RawMessage(value)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConformanceTwoPools runs the suite as several processes would: two
// stores on one schema, each call going to the next in turn, as behind a
// round-robin load balancer. What one writes the other must see, and what
// must hold under concurrency must hold between them.
func TestConformanceTwoPools(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		a, url := mustOpen(t)
		b := reopen(t, url)
		return storetest.Store{Store: &roundRobin{stores: []server.Store{a, b}},
			Conflicts: func(t *testing.T) []storetest.Conflict { return conflicts(t, url) },
			Reopen:    func(t *testing.T) server.Store { return reopen(t, url) },
		}
	})
}

// roundRobin sends each call to the next of its stores.
type roundRobin struct {
	stores []server.Store
	n      atomic.Uint64
}

var _ server.Store = (*roundRobin)(nil)

func (r *roundRobin) next() server.Store {
	return r.stores[int(r.n.Add(1)%uint64(len(r.stores)))]
}

func (r *roundRobin) CreateCase(ctx context.Context, key string, h []byte, c server.NewCase) (api.Case, bool, error) {
	return r.next().CreateCase(ctx, key, h, c)
}

func (r *roundRobin) ReplayCase(ctx context.Context, scope, key string, h []byte) (api.Case, bool, error) {
	return r.next().ReplayCase(ctx, scope, key, h)
}

func (r *roundRobin) SetCaseStatus(ctx context.Context, id string, ev api.CaseEvent, allow func(string) error) (api.Case, error) {
	return r.next().SetCaseStatus(ctx, id, ev, allow)
}

func (r *roundRobin) CountCases(ctx context.Context) (int, error) { return r.next().CountCases(ctx) }
func (r *roundRobin) Ping(ctx context.Context) error              { return r.next().Ping(ctx) }

func (r *roundRobin) CreateDevice(ctx context.Context, d server.NewDevice) error {
	return r.next().CreateDevice(ctx, d)
}

func (r *roundRobin) DeviceByToken(ctx context.Context, h []byte) (server.Device, error) {
	return r.next().DeviceByToken(ctx, h)
}

func (r *roundRobin) SetDeviceKey(ctx context.Context, id string, key []byte) error {
	return r.next().SetDeviceKey(ctx, id, key)
}

func (r *roundRobin) LinkDevices(ctx context.Context, account string, devices ...string) error {
	return r.next().LinkDevices(ctx, account, devices...)
}

func (r *roundRobin) Changes(ctx context.Context, d server.Device, since int64, limit int) ([]api.Change, bool, error) {
	return r.next().Changes(ctx, d, since, limit)
}

func (r *roundRobin) RecordCatalog(ctx context.Context, etag string) (bool, error) {
	return r.next().RecordCatalog(ctx, etag)
}

func (r *roundRobin) CreateUpload(ctx context.Context, u server.Upload) error {
	return r.next().CreateUpload(ctx, u)
}

func (r *roundRobin) FinishUpload(ctx context.Context, id string, at time.Time) error {
	return r.next().FinishUpload(ctx, id, at)
}

func (r *roundRobin) Upload(ctx context.Context, id string) (server.Upload, error) {
	return r.next().Upload(ctx, id)
}

func (r *roundRobin) UploadBytesHeld(ctx context.Context, device string) (int64, error) {
	return r.next().UploadBytesHeld(ctx, device)
}

func (r *roundRobin) DeleteUpload(ctx context.Context, id string) error {
	return r.next().DeleteUpload(ctx, id)
}

func (r *roundRobin) ExpiredUploads(ctx context.Context, before time.Time) ([]string, error) {
	return r.next().ExpiredUploads(ctx, before)
}

func (r *roundRobin) Usage(ctx context.Context, d server.Device) (server.Usage, error) {
	return r.next().Usage(ctx, d)
}

func (r *roundRobin) PutDraft(ctx context.Context, d server.Device, id string, merge server.DraftMerge) (api.DraftCopy, error) {
	return r.next().PutDraft(ctx, d, id, merge)
}

// The casework methods, each to the next store's casework.Store.
func (r *roundRobin) cw() casework.Store { return r.next().(casework.Store) }

func (r *roundRobin) ListCases(ctx context.Context, q casework.Query) (casework.Page, error) {
	return r.cw().ListCases(ctx, q)
}

func (r *roundRobin) CaseFile(ctx context.Context, id string) (casework.File, error) {
	return r.cw().CaseFile(ctx, id)
}

func (r *roundRobin) Act(ctx context.Context, id string, a casework.Action, allow func(casework.State) error) (api.Case, error) {
	return r.cw().Act(ctx, id, a, allow)
}

func (r *roundRobin) AuditLog(ctx context.Context, caseID string) ([]casework.AuditEntry, error) {
	return r.cw().AuditLog(ctx, caseID)
}

func (r *roundRobin) Answer(ctx context.Context, key string, h []byte, a casework.Answer, ev api.CaseEvent) (api.Case, bool, error) {
	return r.cw().Answer(ctx, key, h, a, ev)
}

// BenchmarkStore: scripts/with-postgres.sh go test -run '^$' -bench Store
// ./server/postgres/ (RATHAUS_TEST_POSTGRES_FSYNC=on for a cluster that
// syncs its commits, as a real one does).
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) server.Store {
		db, err := postgres.Open(context.Background(), pgtest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = db.Close() })
		return db
	})
}

func (r *roundRobin) Book(ctx context.Context, key string, h []byte, b appointments.NewBooking) (appointments.Booking, bool, error) {
	return r.next().Book(ctx, key, h, b)
}

func (r *roundRobin) CancelBooking(ctx context.Context, device, id string, at time.Time) (appointments.Booking, error) {
	return r.next().CancelBooking(ctx, device, id, at)
}

func (r *roundRobin) Bookings(ctx context.Context, device string) ([]appointments.Booking, error) {
	return r.next().Bookings(ctx, device)
}

func (r *roundRobin) TakenSlots(ctx context.Context, office string, from, to time.Time) ([]time.Time, error) {
	return r.next().TakenSlots(ctx, office, from, to)
}

func (r *roundRobin) CheckIn(ctx context.Context, code string, at time.Time) (appointments.Booking, error) {
	return r.next().CheckIn(ctx, code, at)
}
