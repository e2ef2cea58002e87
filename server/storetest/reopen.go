package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// testReopen: what one process stored, the next one finds, and it carries
// on where the first left off: keys replay, numbers and the feed go on,
// uploads and drafts are there. Opening applies no migration twice (a
// second CREATE TABLE would fail the Open).
func testReopen(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	first := open(t)
	addDevice(t, first, "d_a")
	made := mustCreate(t, first, "k1", deviceCase(caseID(1), "d_a"))
	if _, err := first.RecordCatalog(ctx, "etag-1"); err != nil {
		t.Fatal(err)
	}
	up := addUpload(t, first, "u_1", created, true)
	putDraft(t, first, server.Device{ID: "d_a"}, "draft-1", field("name", "Erika", 10, "d_a"))
	before := feed(t, first, server.Device{ID: "d_a"}, 0, 100)

	s := first.Reopen(t)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after reopening: %v", err)
	}
	if got, found, err := s.ReplayCase(ctx, "d_a", "k1", hash("a")); err != nil || !found || !reflect.DeepEqual(got, made) {
		t.Errorf("ReplayCase after reopening = %+v, %v, %v; want %+v", got, found, err, made)
	}
	if d, err := s.DeviceByToken(ctx, hash("d_a")); err != nil || d.ID != "d_a" {
		t.Errorf("DeviceByToken after reopening = %+v, %v", d, err)
	}
	if got, err := s.Upload(ctx, "u_1"); err != nil || got != up {
		t.Errorf("Upload after reopening = %+v, %v; want %+v", got, err, up)
	}
	if changed, err := s.RecordCatalog(ctx, "etag-1"); err != nil || changed {
		t.Errorf("RecordCatalog of the same ETag after reopening = %v, %v; want no change", changed, err)
	}
	_, err := s.PutDraft(ctx, server.Device{ID: "d_a"}, "draft-1", func(stored *api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
		if stored == nil || len(stored.Fields) != 1 {
			t.Errorf("the draft after reopening = %+v, want the stored copy", stored)
		}
		return api.DraftCopy{ID: "draft-1"}, nil, false
	})
	if err != nil {
		t.Fatal(err)
	}

	next := mustCreate(t, s, "k2", deviceCase(caseID(2), "d_a"))
	if next.Number != "2026-000002" {
		t.Errorf("the next case after reopening is %s, want 2026-000002", next.Number)
	}
	after := feed(t, s, server.Device{ID: "d_a"}, before[len(before)-1].Seq, 100)
	if len(after) != 1 || after[0].Case == nil || after[0].Case.ID != next.ID {
		t.Errorf("the feed after the old cursor = %q, want the new case", describe(after))
	}
	if _, _, err := s.CreateCase(ctx, "k1", hash("b"), deviceCase(caseID(3), "d_a")); !errors.Is(err, server.ErrKeyReused) {
		t.Errorf("an old key with another request after reopening: %v, want ErrKeyReused", err)
	}
}
