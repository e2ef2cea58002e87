package storetest

import (
	"cmp"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

func testDrafts(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("merge gets the stored copy", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_c")
		d := server.Device{ID: "d_c"}
		var seen []*api.DraftCopy
		put := func(in api.DraftCopy, changed bool) api.DraftCopy {
			t.Helper()
			got, err := s.PutDraft(ctx, d, "draft-1", func(stored *api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
				seen = append(seen, stored)
				return in, nil, changed
			})
			if err != nil {
				t.Fatalf("PutDraft: %v", err)
			}
			if !reflect.DeepEqual(got, in) {
				t.Errorf("PutDraft = %+v, want what merge made %+v", got, in)
			}
			return got
		}
		first := field("name", "Erika", 10, "d_c")
		first.ID, first.Device = "draft-1", "d_c"
		put(first, true)
		second := field("city", "Köln", 20, "d_c")
		second.ID, second.Device = "draft-1", "d_c"
		// merge says nothing changed: the stored copy stays the first.
		put(second, false)
		put(second, true)
		if len(seen) != 3 || seen[0] != nil || seen[1] == nil || seen[2] == nil {
			t.Fatalf("merge saw %v, want nil, then the stored copy twice", seen)
		}
		for i, want := range []api.DraftCopy{first, first} {
			if !reflect.DeepEqual(*seen[i+1], want) {
				t.Errorf("call %d: merge saw %+v, want %+v", i+2, *seen[i+1], want)
			}
		}
		// Without an account a draft goes to no one, not even back.
		if got := feed(t, s, d, 0, 100); len(got) != 0 {
			t.Errorf("feed = %q, want none", describe(got))
		}
		// Other drafts and other devices' drafts are apart.
		for _, other := range []struct {
			d  server.Device
			id string
		}{{d, "draft-2"}, {server.Device{ID: "d_other"}, "draft-1"}} {
			_, err := s.PutDraft(ctx, other.d, other.id, func(stored *api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
				if stored != nil {
					t.Errorf("merge of %s by %s saw %+v, want nil", other.id, other.d.ID, stored)
				}
				return api.DraftCopy{ID: other.id}, nil, false
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("an account's devices share a draft", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		addDevice(t, s, "d_c")
		if err := s.LinkDevices(ctx, "acc1", "d_a", "d_b"); err != nil {
			t.Fatal(err)
		}
		a, b := server.Device{ID: "d_a", Account: "acc1"}, server.Device{ID: "d_b", Account: "acc1"}
		putDraft(t, s, a, "draft-1", field("name", "Erika", 10, "d_a"))
		got := putDraft(t, s, b, "draft-1", field("city", "Köln", 20, "d_b"))
		if want := []string{"city", "name"}; !reflect.DeepEqual(fieldNames(got), want) {
			t.Errorf("merged fields = %v, want %v: d_b's merge must see d_a's copy", fieldNames(got), want)
		}
		// Nothing new: no change.
		putDraft(t, s, b, "draft-1", field("city", "Köln", 20, "d_b"))
		for _, tt := range []struct {
			d    server.Device
			want []string
		}{
			{a, []string{"draft draft-1 by d_b"}},
			{b, []string{"draft draft-1 by d_a"}},
			{server.Device{ID: "d_c"}, []string{}},
		} {
			if got := describe(feed(t, s, tt.d, 0, 100)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("feed of %s = %q, want %q", tt.d.ID, got, tt.want)
			}
		}
		changes := feed(t, s, a, 0, 100)
		if len(changes) == 1 && !reflect.DeepEqual(*changes[0].Draft, got) {
			t.Errorf("the change holds %+v, want the merged copy %+v", *changes[0].Draft, got)
		}
	})

	t.Run("a device's drafts stay its own when it joins an account", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_c")
		putDraft(t, s, server.Device{ID: "d_c"}, "draft-1", field("name", "Max", 10, "d_c"))
		if err := s.LinkDevices(ctx, "acc2", "d_c"); err != nil {
			t.Fatal(err)
		}
		_, err := s.PutDraft(ctx, server.Device{ID: "d_c", Account: "acc2"}, "draft-1",
			func(stored *api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
				if stored != nil {
					t.Errorf("the account's copy is %+v, want none yet", stored)
				}
				return api.DraftCopy{ID: "draft-1"}, nil, true
			})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("conflicts are kept, each once", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		if err := s.LinkDevices(ctx, "acc1", "d_a"); err != nil {
			t.Fatal(err)
		}
		d := server.Device{ID: "d_a", Account: "acc1"}
		// A field name is any JSON string.
		lost := []server.DraftConflict{
			{Field: "name", Value: json.RawMessage(`"Erika"`), Clock: clock(10, "d_b"), Device: "d_b", Winner: clock(20, "d_a")},
			{Field: "straße\x00", Value: nil, Clock: clock(11, "d_b"), Device: "d_b", Winner: clock(20, "d_a")},
		}
		for i, tt := range []struct {
			lost    []server.DraftConflict
			changed bool
		}{
			{lost, true},
			// The same again (a retried request), and once more while the
			// copy stays as it is: kept all the same, and once.
			{lost[:1], false},
			{lost, true},
		} {
			_, err := s.PutDraft(ctx, d, "draft-1", func(*api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
				return api.DraftCopy{ID: "draft-1"}, tt.lost, tt.changed
			})
			if err != nil {
				t.Fatalf("PutDraft %d: %v", i, err)
			}
		}
		// A conflict of another draft, and a second one of the same field.
		later := server.DraftConflict{Field: "name", Value: json.RawMessage(`{"a":[1,2]}`), Clock: clock(12, "d_c"), Device: "d_c", Winner: clock(20, "d_a")}
		for _, id := range []string{"draft-1", "draft-2"} {
			_, err := s.PutDraft(ctx, d, id, func(*api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
				return api.DraftCopy{ID: id}, []server.DraftConflict{later}, false
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		want := []Conflict{
			{"account:acc1", "draft-1", lost[0]},
			{"account:acc1", "draft-1", later},
			{"account:acc1", "draft-1", lost[1]},
			{"account:acc1", "draft-2", later},
		}
		got := s.Conflicts(t)
		sortConflicts(got)
		sortConflicts(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("conflicts kept:\n%+v\nwant\n%+v", got, want)
		}
	})
}

func sortConflicts(cs []Conflict) {
	slices.SortFunc(cs, func(a, b Conflict) int {
		return cmp.Or(cmp.Compare(a.Owner, b.Owner), cmp.Compare(a.Draft, b.Draft),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Clock, b.Clock))
	})
}
