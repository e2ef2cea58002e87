package draftmerge_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/draftmerge"
)

// at is a clock at wall time ms with a counter of 0.
func at(ms int64, device string) string {
	return api.HLC{Wall: 1796032800000 + ms, Device: device}.String()
}

func field(value, clock string) api.DraftField {
	f := api.DraftField{Clock: clock}
	if value != "" {
		f.Value = json.RawMessage(value)
	}
	return f
}

func TestWins(t *testing.T) {
	tests := []struct {
		name string
		a, b api.DraftField
		want bool
	}{
		{"later clock", field(`1`, at(2, "a")), field(`2`, at(1, "b")), true},
		{"earlier clock", field(`1`, at(1, "b")), field(`2`, at(2, "a")), false},
		{"same wall, the device id orders", field(`1`, at(1, "b")), field(`2`, at(1, "a")), true},
		{"a cleared field wins by its clock too", field(``, at(2, "a")), field(`"x"`, at(1, "a")), true},
		{"the same change is no win", field(`"x"`, at(1, "a")), field(`"x"`, at(1, "a")), false},
		{"the same change in other bytes is no win", field(`{"b":1,"a":2}`, at(1, "a")), field(`{"a":2,"b":1.0}`, at(1, "a")), false},
		{"equal clocks: the greater value", field(`"y"`, at(1, "a")), field(`"x"`, at(1, "a")), true},
		{"equal clocks: the lesser value", field(`"x"`, at(1, "a")), field(`"y"`, at(1, "a")), false},
		{"equal clocks: a value over none", field(`"x"`, at(1, "a")), field(``, at(1, "a")), true},
		{"equal clocks: none under a value", field(`null`, at(1, "a")), field(`"x"`, at(1, "a")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := draftmerge.Wins(tt.a, tt.b); got != tt.want {
				t.Errorf("Wins(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestKeep(t *testing.T) {
	tests := []struct {
		name          string
		loser, winner api.DraftField
		want          bool
	}{
		{"another device's different value", field(`"Erika"`, at(1, "a")), field(`"Erik"`, at(2, "b")), true},
		{"replaced by a clearing on another device", field(`"Erika"`, at(1, "a")), field(``, at(2, "b")), true},
		{"a device replacing its own value is editing", field(`"Erika"`, at(1, "a")), field(`"Erik"`, at(2, "a")), false},
		{"an equal value loses nothing", field(`"Erika"`, at(1, "a")), field(`"Erika"`, at(2, "b")), false},
		{"equal as JSON in other bytes", field(`{"a":1,"b":[1,2]}`, at(1, "a")), field(`{ "b":[1, 2.0], "a":1}`, at(2, "b")), false},
		{"a cleared field loses nothing", field(``, at(1, "a")), field(`"Erika"`, at(2, "b")), false},
		{"a JSON null is no value", field(`null`, at(1, "a")), field(`"Erika"`, at(2, "b")), false},
		{"equal clocks, different values: kept", field(`"x"`, at(1, "a")), field(`"y"`, at(1, "a")), true},
		{"an unreadable clock counts as another device", field(`1`, "old"), field(`2`, at(2, "a")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := draftmerge.Keep(tt.loser, tt.winner); got != tt.want {
				t.Errorf("Keep(%v, %v) = %v, want %v", tt.loser, tt.winner, got, tt.want)
			}
		})
	}
}

func TestDeleted(t *testing.T) {
	tests := []struct {
		name string
		c    api.DraftCopy
		want bool
	}{
		{"no deletion", api.DraftCopy{Fields: map[string]api.DraftField{}}, false},
		{"a deletion alone", api.DraftCopy{Deleted: &api.DraftField{Clock: at(5, "a")}}, true},
		{"fields written before it", api.DraftCopy{Deleted: &api.DraftField{Clock: at(5, "a")},
			Fields: map[string]api.DraftField{"x": field(`1`, at(4, "b"))}}, true},
		{"a field written after it (cleared, still a change)", api.DraftCopy{Deleted: &api.DraftField{Clock: at(5, "a")},
			Fields: map[string]api.DraftField{"x": field(``, at(6, "b"))}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := draftmerge.Deleted(tt.c); got != tt.want {
				t.Errorf("Deleted = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	form := api.FormRef{ID: "hundesteuer", Version: 1}
	base := api.DraftCopy{ID: "dr1", Service: "hundesteuer", Form: form, Device: "srv-a",
		Fields: map[string]api.DraftField{"name": field(`"Erika"`, at(10, "a")), "city": field(`"Berlin"`, at(10, "a"))}}
	tomb := func(ms int64, dev string) *api.DraftField { return &api.DraftField{Clock: at(ms, dev)} }
	fields := func(kv ...any) map[string]api.DraftField {
		m := map[string]api.DraftField{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(api.DraftField)
		}
		return m
	}
	tests := []struct {
		name        string
		cur, in     api.DraftCopy
		wantFields  map[string]api.DraftField
		wantDeleted string
		wantTaken   []string
		wantRemoved []string
		wantLost    []draftmerge.Loss
		wantChanged bool
	}{
		{name: "into nothing", cur: api.DraftCopy{ID: "dr1"}, in: base,
			wantFields: base.Fields, wantTaken: []string{"city", "name"}, wantChanged: true},
		{name: "a repeat changes nothing", cur: base, in: base, wantFields: base.Fields},
		{name: "a repeat with equal JSON in other bytes changes nothing", cur: base,
			in:         api.DraftCopy{Fields: fields("city", field(` "Berlin" `, at(10, "a")))},
			wantFields: base.Fields},
		{name: "a new field", cur: base, in: api.DraftCopy{Fields: fields("zip", field(`"10115"`, at(5, "b")))},
			wantFields: fields("name", base.Fields["name"], "city", base.Fields["city"], "zip", field(`"10115"`, at(5, "b"))),
			wantTaken:  []string{"zip"}, wantChanged: true},
		{name: "a later value of another device replaces the receiver's, which is kept", cur: base,
			in:         api.DraftCopy{Fields: fields("name", field(`"Erika M."`, at(20, "b")))},
			wantFields: fields("name", field(`"Erika M."`, at(20, "b")), "city", base.Fields["city"]),
			wantTaken:  []string{"name"}, wantChanged: true,
			wantLost: []draftmerge.Loss{{Field: "name", Lost: field(`"Erika"`, at(10, "a")), Winner: at(20, "b")}}},
		{name: "an earlier value of another device loses and is kept", cur: base,
			in:         api.DraftCopy{Fields: fields("name", field(`"Eri"`, at(5, "b")))},
			wantFields: base.Fields,
			wantLost:   []draftmerge.Loss{{Field: "name", Lost: field(`"Eri"`, at(5, "b")), Winner: at(10, "a"), Incoming: true}}},
		{name: "a device replacing its own value is no conflict", cur: base,
			in:         api.DraftCopy{Fields: fields("name", field(`"Erika Mustermann"`, at(30, "a")))},
			wantFields: fields("name", field(`"Erika Mustermann"`, at(30, "a")), "city", base.Fields["city"]),
			wantTaken:  []string{"name"}, wantChanged: true},
		{name: "an equal value takes the later clock, no conflict", cur: base,
			in:         api.DraftCopy{Fields: fields("city", field(`"Berlin"`, at(30, "b")))},
			wantFields: fields("name", base.Fields["name"], "city", field(`"Berlin"`, at(30, "b"))),
			wantTaken:  []string{"city"}, wantChanged: true},
		{name: "clearing wins by its clock; the value it clears is kept", cur: base,
			in:         api.DraftCopy{Fields: fields("city", field(``, at(30, "b")))},
			wantFields: fields("name", base.Fields["name"], "city", field(``, at(30, "b"))),
			wantTaken:  []string{"city"}, wantChanged: true,
			wantLost: []draftmerge.Loss{{Field: "city", Lost: field(`"Berlin"`, at(10, "a")), Winner: at(30, "b")}}},
		{name: "equal clocks, different values: the greater wins everywhere, the other is kept", cur: base,
			in:         api.DraftCopy{Fields: fields("city", field(`"Aachen"`, at(10, "a")))},
			wantFields: base.Fields,
			wantLost:   []draftmerge.Loss{{Field: "city", Lost: field(`"Aachen"`, at(10, "a")), Winner: at(10, "a"), Incoming: true}}},
		{name: "a deletion removes every field written before it, keeping none", cur: base,
			in:         api.DraftCopy{Deleted: tomb(40, "b")},
			wantFields: fields(), wantDeleted: at(40, "b"), wantRemoved: []string{"city", "name"}, wantChanged: true},
		{name: "an earlier deletion keeps the later fields", cur: base,
			in:         api.DraftCopy{Deleted: tomb(11, "a"), Fields: fields("name", field(`"N"`, at(12, "a")))},
			wantFields: fields("name", field(`"N"`, at(12, "a"))), wantDeleted: at(11, "a"),
			wantTaken: []string{"name"}, wantRemoved: []string{"city"}, wantChanged: true},
		{name: "a value written after the deletion revives the draft with that field alone",
			cur:        api.DraftCopy{ID: "dr1", Deleted: tomb(40, "b")},
			in:         api.DraftCopy{Fields: fields("name", field(`"Neu"`, at(50, "a")), "city", field(`"Alt"`, at(30, "a")))},
			wantFields: fields("name", field(`"Neu"`, at(50, "a"))), wantDeleted: at(40, "b"),
			wantTaken: []string{"name"}, wantChanged: true},
		{name: "a value written before the deletion changes nothing",
			cur:        api.DraftCopy{ID: "dr1", Deleted: tomb(40, "b")},
			in:         api.DraftCopy{Fields: fields("city", field(`"Alt"`, at(30, "a")))},
			wantFields: fields(), wantDeleted: at(40, "b")},
		{name: "the later of two deletions is kept",
			cur: api.DraftCopy{ID: "dr1", Deleted: tomb(40, "b")}, in: api.DraftCopy{Deleted: tomb(30, "a")},
			wantFields: fields(), wantDeleted: at(40, "b")},
		{name: "values that lose to a deletion are no conflicts, even when another value beat them first",
			cur:        base,
			in:         api.DraftCopy{Deleted: tomb(40, "c"), Fields: fields("name", field(`"Erik"`, at(20, "b")), "zip", field(`"1"`, at(50, "c")))},
			wantFields: fields("zip", field(`"1"`, at(50, "c"))), wantDeleted: at(40, "c"),
			wantTaken: []string{"zip"}, wantRemoved: []string{"city", "name"}, wantChanged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := json.Marshal(tt.cur)
			inBefore, _ := json.Marshal(tt.in)
			got := draftmerge.Merge(tt.cur, tt.in)
			if !reflect.DeepEqual(got.Copy.Fields, tt.wantFields) {
				t.Errorf("fields = %s, want %s", marshal(t, got.Copy.Fields), marshal(t, tt.wantFields))
			}
			gotDeleted := ""
			if got.Copy.Deleted != nil {
				gotDeleted = got.Copy.Deleted.Clock
			}
			if gotDeleted != tt.wantDeleted {
				t.Errorf("deleted = %q, want %q", gotDeleted, tt.wantDeleted)
			}
			if !slices.Equal(got.Taken, tt.wantTaken) || !slices.Equal(got.Removed, tt.wantRemoved) {
				t.Errorf("taken %q, removed %q; want %q, %q", got.Taken, got.Removed, tt.wantTaken, tt.wantRemoved)
			}
			if !reflect.DeepEqual(got.Lost, tt.wantLost) {
				t.Errorf("lost = %+v, want %+v", got.Lost, tt.wantLost)
			}
			if got.Changed != tt.wantChanged {
				t.Errorf("changed = %v, want %v", got.Changed, tt.wantChanged)
			}
			if got.Copy.ID != tt.cur.ID || got.Copy.Device != tt.cur.Device {
				t.Errorf("id, device = %q, %q; want the receiver's %q, %q", got.Copy.ID, got.Copy.Device, tt.cur.ID, tt.cur.Device)
			}
			after, _ := json.Marshal(tt.cur)
			inAfter, _ := json.Marshal(tt.in)
			if string(after) != string(before) || string(inAfter) != string(inBefore) {
				t.Errorf("Merge modified its arguments")
			}
		})
	}
}

func TestMerge_ServiceAndFormFollowTheLatestChange(t *testing.T) {
	v1, v2 := api.FormRef{ID: "hundesteuer", Version: 1}, api.FormRef{ID: "hundesteuer", Version: 2}
	cur := api.DraftCopy{ID: "dr1", Service: "hundesteuer", Form: v1, Fields: map[string]api.DraftField{"a": field(`1`, at(10, "a"))}}
	tests := []struct {
		name        string
		cur, in     api.DraftCopy
		wantForm    api.FormRef
		wantChanged bool
	}{
		{"a later copy moves the form", cur, api.DraftCopy{Service: "hundesteuer", Form: v2, Fields: map[string]api.DraftField{"b": field(`1`, at(20, "b"))}}, v2, true},
		{"an earlier copy does not", cur, api.DraftCopy{Service: "hundesteuer", Form: v2, Fields: map[string]api.DraftField{"b": field(`1`, at(5, "b"))}}, v1, true},
		{"a copy without a form keeps it", cur, api.DraftCopy{Fields: map[string]api.DraftField{"b": field(`1`, at(20, "b"))}}, v1, true},
		{"a receiver without a form takes it", api.DraftCopy{ID: "dr1"}, api.DraftCopy{Service: "hundesteuer", Form: v2}, v2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := draftmerge.Merge(tt.cur, tt.in)
			if got.Copy.Form != tt.wantForm || got.Changed != tt.wantChanged {
				t.Errorf("form %v, changed %v; want %v, %v", got.Copy.Form, got.Changed, tt.wantForm, tt.wantChanged)
			}
		})
	}
}

var (
	mergeN    = flag.Int("draftmerge.n", 2000, "random histories in TestMerge_OrderDoesNotMatter")
	mergeSeed = flag.Uint64("draftmerge.seed", 20261207, "seed of TestMerge_OrderDoesNotMatter (0: a fresh one from the clock)")
)

// TestMerge_OrderDoesNotMatter: copies merged in any order, some twice,
// give the same draft (fields and whether it is deleted), and a device's
// last value of a field that lost to another device's different value,
// and was not deleted, is reported lost at some merge.
func TestMerge_OrderDoesNotMatter(t *testing.T) {
	seed := *mergeSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := 0; i < *mergeN; i++ {
		copies := randomCopies(rng)
		var want api.DraftCopy
		for run := 0; run < 3; run++ {
			order := rng.Perm(len(copies))
			order = append(order, order[:rng.IntN(len(order)+1)]...) // some arrive twice
			got := api.DraftCopy{ID: "dr"}
			lost := map[string]bool{}
			for _, j := range order {
				r := draftmerge.Merge(got, copies[j])
				for _, l := range r.Lost {
					lost[l.Field+" "+l.Lost.Clock] = true
				}
				got = r.Copy
			}
			if run == 0 {
				want = got
				if msg := unreported(copies, got, lost); msg != "" {
					t.Fatalf("seed %d (-draftmerge.seed to repeat) history %d: %s\ncopies %s", seed, i, msg, marshal(t, copies))
				}
				continue
			}
			if !reflect.DeepEqual(got.Fields, want.Fields) || !reflect.DeepEqual(got.Deleted, want.Deleted) {
				t.Fatalf("seed %d (-draftmerge.seed to repeat) history %d: order %v gave %s, another order %s\ncopies %s",
					seed, i, order, marshal(t, got), marshal(t, want), marshal(t, copies))
			}
		}
	}
}

// randomCopies is what three devices sent of one draft: each copy a few
// of four fields at clocks that cross, sometimes a deletion. A device's
// clocks are unique but for one in twenty (a wall clock set back); values
// are unique but for one in five (an equal value) and one in five cleared.
func randomCopies(rng *rand.Rand) []api.DraftCopy {
	devices := []string{"a", "b", "c"}
	var copies []api.DraftCopy
	n := 0
	clock := func(dev string) string {
		n++
		c := api.HLC{Wall: 1796032800000 + int64(rng.IntN(30)), Counter: uint32(n), Device: dev}
		if rng.IntN(20) == 0 {
			c.Counter = 0
		}
		return c.String()
	}
	for range 2 + rng.IntN(5) {
		dev := devices[rng.IntN(len(devices))]
		c := api.DraftCopy{ID: "dr", Fields: map[string]api.DraftField{}}
		for range rng.IntN(4) {
			v := fmt.Sprintf(`"%s%d"`, dev, n)
			switch rng.IntN(5) {
			case 0:
				v = ""
			case 1:
				v = `"shared"`
			}
			c.Fields[fmt.Sprintf("f%d", rng.IntN(4))] = field(v, clock(dev))
		}
		if rng.IntN(4) == 0 {
			c.Deleted = &api.DraftField{Clock: clock(dev)}
		}
		copies = append(copies, c)
	}
	return copies
}

// unreported returns what is wrong if a device's last value of a field,
// unique among the values of that field, written after the deletion, lost
// to another device's final value and was never reported lost. (A value
// equal to another may be lost through that one; a value a device
// replaced itself is just edited.)
func unreported(copies []api.DraftCopy, got api.DraftCopy, lost map[string]bool) string {
	type write struct {
		f    api.DraftField
		same int // writes of the field with an equal value or the same clock
	}
	last := map[string]*write{} // by device and field
	for _, c := range copies {
		for k, f := range c.Fields {
			key := draftmerge.Device(f.Clock) + " " + k
			if w := last[key]; w == nil || f.Clock > w.f.Clock {
				last[key] = &write{f: f}
			}
		}
	}
	for key, w := range last {
		for _, c := range copies {
			for k, f := range c.Fields {
				if key[strings.IndexByte(key, ' ')+1:] == k && (draftmerge.Equal(f.Value, w.f.Value) || f.Clock == w.f.Clock) &&
					!(f.Clock == w.f.Clock && bytes.Equal(f.Value, w.f.Value)) {
					w.same++
				}
			}
		}
	}
	for key, w := range last {
		k := key[strings.IndexByte(key, ' ')+1:]
		final, ok := got.Fields[k]
		deleted := got.Deleted != nil && w.f.Clock <= got.Deleted.Clock
		if !ok || deleted || w.same > 0 || final.Clock == w.f.Clock || !draftmerge.Keep(w.f, final) {
			continue
		}
		if !lost[k+" "+w.f.Clock] {
			return fmt.Sprintf("%s %s@%s lost to %s@%s without a report", k, w.f.Value, w.f.Clock, final.Value, final.Clock)
		}
	}
	return ""
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkMerge merges the backend's answer into a device's copy of a
// large draft (200 fields): the echo of the fields it sent, which is what
// a device merges most, and another device's edits of ten fields.
func BenchmarkMerge(b *testing.B) {
	cur := api.DraftCopy{ID: "dr", Fields: map[string]api.DraftField{}}
	for i := range 200 {
		cur.Fields[fmt.Sprintf("field_%03d", i)] = field(fmt.Sprintf(`{"street":"Hauptstraße %d","city":"Musterstadt"}`, i), at(int64(i), "a"))
	}
	edits := api.DraftCopy{ID: "dr", Fields: maps.Clone(cur.Fields)}
	for i := range 10 {
		edits.Fields[fmt.Sprintf("field_%03d", i*20)] = field(fmt.Sprintf(`"edit %d"`, i), at(int64(1000+i), "b"))
	}
	for _, bm := range []struct {
		name string
		in   api.DraftCopy
	}{{"echo", cur}, {"ten edits", edits}} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				draftmerge.Merge(cur, bm.in)
			}
		})
	}
}
