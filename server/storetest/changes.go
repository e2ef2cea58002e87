package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

func testChanges(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("who sees what", func(t *testing.T) {
		s := open(t)
		for _, d := range []string{"d_a", "d_b", "d_c", "d_d"} {
			addDevice(t, s, d)
		}
		// d_a and d_b share an account; d_c and d_d are on their own.
		if err := s.LinkDevices(ctx, "acc1", "d_a", "d_b"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordCatalog(ctx, "etag-1"); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, s, "k1", deviceCase("c_a", "d_a"))
		mustCreate(t, s, "k2", deviceCase("c_c", "d_c"))
		mustCreate(t, s, "k3", newCase("c_anon"))
		putDraft(t, s, server.Device{ID: "d_a", Account: "acc1"}, "draft-a", field("name", "Erika", 10, "d_a"))
		putDraft(t, s, server.Device{ID: "d_c"}, "draft-c", field("name", "Max", 10, "d_c"))
		if _, err := s.RecordCatalog(ctx, "etag-2"); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			device server.Device
			want   []string
		}{
			// The account's devices see its cases; a draft goes to the
			// others only; everyone sees the catalog.
			{server.Device{ID: "d_a", Account: "acc1"}, []string{"case c_a received", "catalog etag-2"}},
			{server.Device{ID: "d_b", Account: "acc1"}, []string{"case c_a received", "draft draft-a by d_a", "catalog etag-2"}},
			// A device sees its own cases, not its own drafts.
			{server.Device{ID: "d_c"}, []string{"case c_c received", "catalog etag-2"}},
			{server.Device{ID: "d_d"}, []string{"catalog etag-2"}},
			// A device is only what it is said to be: without the account,
			// d_b sees none of the account's changes.
			{server.Device{ID: "d_b"}, []string{"catalog etag-2"}},
		}
		for _, tt := range tests {
			t.Run(tt.device.ID+"/"+tt.device.Account, func(t *testing.T) {
				got := feed(t, s, tt.device, 0, 100)
				if !reflect.DeepEqual(describe(got), tt.want) {
					t.Errorf("feed = %q, want %q", describe(got), tt.want)
				}
			})
		}
	})

	t.Run("order, cursor and pages", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		var want []string
		for i := range 7 {
			// Another device's changes interleave; d_a must not see them.
			c := mustCreate(t, s, fmt.Sprintf("k%d", i), deviceCase(caseID(i), "d_a"))
			mustCreate(t, s, fmt.Sprintf("k%d", i), deviceCase(caseID(100+i), "d_b"))
			want = append(want, "case "+c.ID+" received")
		}
		d := server.Device{ID: "d_a"}
		all := feed(t, s, d, 0, 100)
		if !reflect.DeepEqual(describe(all), want) {
			t.Fatalf("feed = %q, want %q", describe(all), want)
		}
		for i, c := range all {
			if c.Seq <= 0 || (i > 0 && c.Seq <= all[i-1].Seq) {
				t.Fatalf("seq %d at %d after %d: seqs must be positive and rise", c.Seq, i, all[max(i-1, 0)].Seq)
			}
			if c.Case.Number == "" || len(c.Case.History) != 1 {
				t.Errorf("change %d holds %+v, want the whole case", i, c.Case)
			}
		}
		for _, limit := range []int{1, 2, 3, 7, 8} {
			t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
				if got := feed(t, s, d, 0, limit); !reflect.DeepEqual(got, all) {
					t.Errorf("paged feed = %q, want %q", describe(got), describe(all))
				}
			})
		}
		// A page that ends exactly at the last change says so.
		page, more, err := s.Changes(ctx, d, 0, len(all))
		if err != nil || len(page) != len(all) || more {
			t.Errorf("a page of exactly all = %d changes, more %v, %v; want %d, false", len(page), more, err, len(all))
		}
		// From a cursor in the middle: what came after it.
		if got := feed(t, s, d, all[3].Seq, 100); !reflect.DeepEqual(got, all[4:]) {
			t.Errorf("from the 4th seq: %q, want %q", describe(got), describe(all[4:]))
		}
		// From the end, or past it: nothing, and no more.
		for _, since := range []int64{all[len(all)-1].Seq, all[len(all)-1].Seq + 1000} {
			page, more, err := s.Changes(ctx, d, since, 100)
			if err != nil || len(page) != 0 || more {
				t.Errorf("Changes since %d = %d changes, more %v, %v; want none", since, len(page), more, err)
			}
		}
	})

	t.Run("an account's cases reach all its devices", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		before := mustCreate(t, s, "k1", deviceCase("c_before", "d_a"))
		if err := s.LinkDevices(ctx, "acc1", "d_a", "d_b"); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, s, "k2", deviceCase("c_after", "d_a"))
		// The status change of a case made before the link goes to the
		// account now.
		if _, err := s.SetCaseStatus(ctx, before.ID, api.CaseEvent{Status: api.StatusInReview, At: created},
			func(string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		got := describe(feed(t, s, server.Device{ID: "d_b", Account: "acc1"}, 0, 100))
		want := []string{"case c_after received", "case c_before in_review"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("feed of the account's other device = %q, want %q", got, want)
		}
	})
}

func testCatalog(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	s := open(t)
	d := server.Device{ID: "d_a"}
	steps := []struct {
		etag        string
		wantChanged bool
	}{
		{"etag-1", false}, // the first ever: no device can hold an older one
		{"etag-1", false},
		{"etag-2", true},
		{"etag-2", false},
		{"etag-1", true}, // back to an older catalog is a change too
	}
	var want []string
	for i, step := range steps {
		changed, err := s.RecordCatalog(ctx, step.etag)
		if err != nil || changed != step.wantChanged {
			t.Fatalf("step %d: RecordCatalog(%s) = %v, %v; want %v", i, step.etag, changed, err, step.wantChanged)
		}
		if changed {
			want = append(want, "catalog "+step.etag)
		}
	}
	if got := describe(feed(t, s, d, 0, 100)); !reflect.DeepEqual(got, want) {
		t.Errorf("feed = %q, want %q", got, want)
	}
}

// field makes a draft copy with one field whose value was set at wall
// time ms by device.
func field(name, value string, ms int64, device string) api.DraftCopy {
	v, _ := json.Marshal(value)
	return api.DraftCopy{Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
		Fields: map[string]api.DraftField{name: {Value: v, Clock: clock(ms, device)}}}
}

func clock(ms int64, device string) string {
	return api.HLC{Wall: 1_790_000_000_000 + ms, Device: device}.String()
}

// putDraft stores in as the new copy of the draft when it differs from
// the stored one, with no conflicts, and returns what PutDraft returned.
func putDraft(t *testing.T, s server.Store, d server.Device, id string, in api.DraftCopy) api.DraftCopy {
	t.Helper()
	got, err := s.PutDraft(context.Background(), d, id, mergeFields(d, id, in))
	if err != nil {
		t.Fatalf("PutDraft(%s, %s): %v", d.ID, id, err)
	}
	return got
}

// mergeFields is a simple merge: in's fields over the stored ones;
// changed when that changes a field.
func mergeFields(d server.Device, id string, in api.DraftCopy) server.DraftMerge {
	in.ID = id
	return func(stored *api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
		merged := in
		if stored != nil {
			merged = *stored
			merged.Fields = map[string]api.DraftField{}
			for k, f := range stored.Fields {
				merged.Fields[k] = f
			}
			for k, f := range in.Fields {
				merged.Fields[k] = f
			}
		}
		merged.Device = d.ID
		return merged, nil, stored == nil || !reflect.DeepEqual(merged.Fields, stored.Fields)
	}
}

// fieldNames lists a copy's fields, sorted.
func fieldNames(c api.DraftCopy) []string {
	var out []string
	for k := range c.Fields {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
