package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// testUsage: a device's open cases (any status but decided) and its
// owner's draft copies (the account's, or the device's while it has none):
// those that hold a field, and the bytes of all of them as encoding/json
// writes them.
func testUsage(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("cases and drafts of a device", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_1")
		addDevice(t, s, "d_2")
		for i, dev := range []string{"d_1", "d_1", "d_1", "d_2", ""} {
			nc := newCase(caseID(i))
			nc.Device = dev
			mustCreate(t, s, fmt.Sprint("k", i), nc)
		}
		setStatus(t, s, caseID(0), api.StatusDecided)
		setStatus(t, s, caseID(1), api.StatusInReview)
		d1 := server.Device{ID: "d_1"}
		one := map[string]api.DraftField{"a": {Value: []byte(`"x"`), Clock: clock(1, "d_1")}}
		// A field name is any JSON string; a draft thrown away keeps its
		// copy (and bytes) without fields.
		odd := map[string]api.DraftField{"straße\x00": {Value: []byte(`{"fields":{}}`), Clock: clock(2, "d_1")}}
		copies := []api.DraftCopy{
			putCopy(t, s, d1, "x", one),
			putCopy(t, s, d1, "y", odd),
			putCopy(t, s, d1, "gone", map[string]api.DraftField{}),
			putCopy(t, s, d1, "never", nil),
		}
		putCopy(t, s, server.Device{ID: "d_2"}, "z", one)

		want := server.Usage{OpenCases: 2, Drafts: 2, DraftBytes: jsonSize(t, copies...)}
		if got, err := s.Usage(ctx, d1); err != nil || got != want {
			t.Errorf("Usage(d_1) = %+v, %v; want %+v", got, err, want)
		}
		// A copy that loses its fields no longer counts; its bytes do.
		copies[0] = putCopy(t, s, d1, "x", map[string]api.DraftField{})
		want = server.Usage{OpenCases: 2, Drafts: 1, DraftBytes: jsonSize(t, copies...)}
		if got, err := s.Usage(ctx, d1); err != nil || got != want {
			t.Errorf("Usage(d_1) after emptying a draft = %+v, %v; want %+v", got, err, want)
		}
		setStatus(t, s, caseID(1), api.StatusDecided)
		if got, err := s.Usage(ctx, d1); err != nil || got.OpenCases != 1 {
			t.Errorf("Usage(d_1) after deciding a case = %+v, %v; want 1 open case", got, err)
		}
		if got, err := s.Usage(ctx, server.Device{ID: "d_3"}); err != nil || got != (server.Usage{}) {
			t.Errorf("Usage(unknown) = %+v, %v; want zero", got, err)
		}
	})

	t.Run("an account's drafts count for each of its devices", func(t *testing.T) {
		s := open(t)
		for _, d := range []string{"d_a", "d_b", "d_c"} {
			addDevice(t, s, d)
		}
		// d_a's own drafts from before it joined stay its device's.
		before := putCopy(t, s, server.Device{ID: "d_a"}, "old", map[string]api.DraftField{"a": {Clock: clock(1, "d_a")}})
		if err := s.LinkDevices(ctx, "acc1", "d_a", "d_b"); err != nil {
			t.Fatal(err)
		}
		a, b := server.Device{ID: "d_a", Account: "acc1"}, server.Device{ID: "d_b", Account: "acc1"}
		shared := []api.DraftCopy{
			putCopy(t, s, a, "x", map[string]api.DraftField{"a": {Value: []byte(`1`), Clock: clock(2, "d_a")}}),
			putCopy(t, s, b, "y", map[string]api.DraftField{"b": {Value: []byte(`2`), Clock: clock(3, "d_b")}}),
		}
		mustCreate(t, s, "k", deviceCase(caseID(1), "d_b"))
		for _, tt := range []struct {
			d    server.Device
			want server.Usage
		}{
			{a, server.Usage{Drafts: 2, DraftBytes: jsonSize(t, shared...)}},
			{b, server.Usage{OpenCases: 1, Drafts: 2, DraftBytes: jsonSize(t, shared...)}},
			// As the device alone (no account): what it kept before.
			{server.Device{ID: "d_a"}, server.Usage{Drafts: 1, DraftBytes: jsonSize(t, before)}},
			{server.Device{ID: "d_c"}, server.Usage{}},
		} {
			if got, err := s.Usage(ctx, tt.d); err != nil || got != tt.want {
				t.Errorf("Usage(%+v) = %+v, %v; want %+v", tt.d, got, err, tt.want)
			}
		}
	})
}

// putCopy stores a copy with these fields as the draft's, whatever was
// stored, and returns it.
func putCopy(t *testing.T, s server.Store, d server.Device, id string, fields map[string]api.DraftField) api.DraftCopy {
	t.Helper()
	c, err := s.PutDraft(context.Background(), d, id, func(*api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
		return api.DraftCopy{ID: id, Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
			Fields: fields, Device: d.ID}, nil, true
	})
	if err != nil {
		t.Fatalf("PutDraft(%s, %s): %v", d.ID, id, err)
	}
	return c
}

// jsonSize is the bytes of the copies as encoding/json writes them.
func jsonSize(t *testing.T, copies ...api.DraftCopy) int64 {
	t.Helper()
	var n int64
	for _, c := range copies {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		n += int64(len(b))
	}
	return n
}

// setStatus moves the case to status, whatever it was.
func setStatus(t *testing.T, s server.Store, id, status string) {
	t.Helper()
	_, err := s.SetCaseStatus(context.Background(), id, api.CaseEvent{Status: status, At: created.Add(time.Hour)},
		func(string) error { return nil })
	if err != nil {
		t.Fatalf("SetCaseStatus(%s, %s): %v", id, status, err)
	}
}
