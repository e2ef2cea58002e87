package server_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// at is a clock at testNow plus ms milliseconds, with a counter of 0.
func at(ms int64, device string) string {
	return api.HLC{Wall: testNow.UnixMilli() + ms, Device: device}.String()
}

func field(value string, clock string) api.DraftField {
	f := api.DraftField{Clock: clock}
	if value != "" {
		f.Value = json.RawMessage(value)
	}
	return f
}

func TestMergeDraft(t *testing.T) {
	base := &api.DraftCopy{ID: "dr1", Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}, Device: "d_a",
		Fields: map[string]api.DraftField{"name": field(`"Erika"`, at(10, "d_a")), "city": field(`"Berlin"`, at(10, "d_a"))}}
	tests := []struct {
		name        string
		stored      *api.DraftCopy
		in          api.DraftCopy
		device      string
		wantFields  map[string]api.DraftField
		wantDeleted string
		wantLost    []server.DraftConflict
		wantChanged bool
	}{
		{name: "new draft", in: api.DraftCopy{ID: "dr1", Fields: map[string]api.DraftField{"name": field(`"E"`, at(1, "d_a"))}}, device: "d_a",
			wantFields: map[string]api.DraftField{"name": field(`"E"`, at(1, "d_a"))}, wantChanged: true},
		{name: "the same copy again", stored: base, in: *base, device: "d_a",
			wantFields: base.Fields},
		{name: "a new field", stored: base, in: api.DraftCopy{Fields: map[string]api.DraftField{"zip": field(`"10115"`, at(5, "d_b"))}}, device: "d_b",
			wantFields: map[string]api.DraftField{"name": base.Fields["name"], "city": base.Fields["city"], "zip": field(`"10115"`, at(5, "d_b"))}, wantChanged: true},
		{name: "later clock from another device wins, the old value is a conflict", stored: base,
			in: api.DraftCopy{Fields: map[string]api.DraftField{"name": field(`"Erika M."`, at(20, "d_b"))}}, device: "d_b",
			wantFields: map[string]api.DraftField{"name": field(`"Erika M."`, at(20, "d_b")), "city": base.Fields["city"]},
			wantLost:   []server.DraftConflict{{Field: "name", Value: json.RawMessage(`"Erika"`), Clock: at(10, "d_a"), Device: "d_a", Winner: at(20, "d_b")}}, wantChanged: true},
		{name: "earlier clock from another device loses and is a conflict", stored: base,
			in: api.DraftCopy{Fields: map[string]api.DraftField{"name": field(`"Eri"`, at(5, "d_b"))}}, device: "d_b",
			wantFields: base.Fields,
			wantLost:   []server.DraftConflict{{Field: "name", Value: json.RawMessage(`"Eri"`), Clock: at(5, "d_b"), Device: "d_b", Winner: at(10, "d_a")}}},
		{name: "same counter and wall: the device id decides", stored: base,
			in: api.DraftCopy{Fields: map[string]api.DraftField{"name": field(`"X"`, at(10, "d_b"))}}, device: "d_b",
			wantFields: map[string]api.DraftField{"name": field(`"X"`, at(10, "d_b")), "city": base.Fields["city"]},
			wantLost:   []server.DraftConflict{{Field: "name", Value: json.RawMessage(`"Erika"`), Clock: at(10, "d_a"), Device: "d_a", Winner: at(10, "d_b")}}, wantChanged: true},
		{name: "a device overwriting its own value is no conflict", stored: base,
			in: api.DraftCopy{Fields: map[string]api.DraftField{"name": field(`"Erika Mustermann"`, at(30, "d_a"))}}, device: "d_a",
			wantFields: map[string]api.DraftField{"name": field(`"Erika Mustermann"`, at(30, "d_a")), "city": base.Fields["city"]}, wantChanged: true},
		{name: "an equal value is no conflict", stored: base,
			in: api.DraftCopy{Fields: map[string]api.DraftField{"city": field(`"Berlin"`, at(30, "d_b"))}}, device: "d_b",
			wantFields: map[string]api.DraftField{"name": base.Fields["name"], "city": field(`"Berlin"`, at(30, "d_b"))}, wantChanged: true},
		{name: "clearing a field wins by its clock", stored: base,
			in: api.DraftCopy{Fields: map[string]api.DraftField{"city": field("", at(30, "d_b"))}}, device: "d_b",
			wantFields: map[string]api.DraftField{"name": base.Fields["name"], "city": field("", at(30, "d_b"))},
			wantLost:   []server.DraftConflict{{Field: "city", Value: json.RawMessage(`"Berlin"`), Clock: at(10, "d_a"), Device: "d_a", Winner: at(30, "d_b")}}, wantChanged: true},
		{name: "a tombstone removes the earlier fields", stored: base,
			in: api.DraftCopy{Deleted: &api.DraftField{Clock: at(40, "d_b")}}, device: "d_b",
			wantFields: map[string]api.DraftField{}, wantDeleted: at(40, "d_b"), wantChanged: true},
		{name: "an earlier tombstone keeps the later fields", stored: base,
			in: api.DraftCopy{Deleted: &api.DraftField{Clock: at(11, "d_a")}, Fields: map[string]api.DraftField{"name": field(`"N"`, at(12, "d_a"))}}, device: "d_a",
			wantFields: map[string]api.DraftField{"name": field(`"N"`, at(12, "d_a"))}, wantDeleted: at(11, "d_a"), wantChanged: true},
		{name: "a field written after the tombstone revives the draft",
			stored: &api.DraftCopy{ID: "dr1", Fields: map[string]api.DraftField{}, Deleted: &api.DraftField{Clock: at(40, "d_b")}},
			in:     api.DraftCopy{Fields: map[string]api.DraftField{"name": field(`"Neu"`, at(50, "d_a")), "city": field(`"Alt"`, at(30, "d_a"))}}, device: "d_a",
			wantFields: map[string]api.DraftField{"name": field(`"Neu"`, at(50, "d_a"))}, wantDeleted: at(40, "d_b"), wantChanged: true},
		{name: "a field older than the tombstone changes nothing",
			stored: &api.DraftCopy{ID: "dr1", Fields: map[string]api.DraftField{}, Deleted: &api.DraftField{Clock: at(40, "d_b")}},
			in:     api.DraftCopy{Fields: map[string]api.DraftField{"city": field(`"Alt"`, at(30, "d_a"))}}, device: "d_a",
			wantFields: map[string]api.DraftField{}, wantDeleted: at(40, "d_b")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []byte
			if tt.stored != nil {
				before, _ = json.Marshal(tt.stored)
			}
			got, lost, changed := server.MergeDraft(tt.stored, tt.in, tt.device)
			if changed != tt.wantChanged {
				t.Errorf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if !reflect.DeepEqual(got.Fields, tt.wantFields) {
				t.Errorf("fields = %s, want %s", mustMarshal(t, got.Fields), mustMarshal(t, tt.wantFields))
			}
			gotDeleted := ""
			if got.Deleted != nil {
				gotDeleted = got.Deleted.Clock
			}
			if gotDeleted != tt.wantDeleted {
				t.Errorf("deleted = %q, want %q", gotDeleted, tt.wantDeleted)
			}
			if !reflect.DeepEqual(lost, tt.wantLost) {
				t.Errorf("lost = %+v, want %+v", lost, tt.wantLost)
			}
			wantDevice := tt.device
			if !tt.wantChanged {
				wantDevice = tt.stored.Device
			}
			if got.Device != wantDevice {
				t.Errorf("device = %q, want %q", got.Device, wantDevice)
			}
			if tt.stored != nil {
				if after, _ := json.Marshal(tt.stored); string(after) != string(before) {
					t.Errorf("the stored copy was modified: %s, was %s", after, before)
				}
			}
		})
	}
}

// putDraft sends d's copy of a draft.
func (e *env) putDraft(t *testing.T, d api.Device, c api.DraftCopy) api.DraftCopy {
	t.Helper()
	r := e.do(t, http.MethodPut, api.PathDrafts+c.ID, auth(d), jsonBody(t, c))
	if r.status != http.StatusOK {
		t.Fatalf("PUT draft: %d %s", r.status, r.body)
	}
	var out api.DraftCopy
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// draftChanges returns the draft copies in d's feed.
func (e *env) draftChanges(t *testing.T, d api.Device) []api.DraftCopy {
	t.Helper()
	var out []api.DraftCopy
	for _, c := range e.allChanges(t, d) {
		if c.Kind == api.ChangeDraft {
			out = append(out, *c.Draft)
		}
	}
	return out
}

// conflicts lists the recorded conflicts as "field value clock winner".
func (e *env) conflicts(t *testing.T) []string {
	t.Helper()
	rows, err := e.rawDB(t).Query("SELECT field, coalesce(value, 'null'), clock, device, winner FROM draft_conflicts ORDER BY recorded, field")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f, v, c, d, w string
		if err := rows.Scan(&f, &v, &c, &d, &w); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join([]string{f, v, c, d, w}, " "))
	}
	return out
}

func TestDraftCopiesBetweenDevices(t *testing.T) {
	e := newEnv(t)
	a, b, stranger := e.register(t), e.register(t), e.register(t)
	e.link(t, "acc-1", a, b)
	form := api.FormRef{ID: "hundesteuer", Version: 1}

	// A starts the draft; B gets it through the feed, A and strangers not.
	first := api.DraftCopy{ID: "draft-1", Service: "hundesteuer", Form: form, Fields: map[string]api.DraftField{
		"dog_name": field(`"Bello"`, at(1000, a.ID)), "postcode": field(`"10115"`, at(1000, a.ID))}}
	got := e.putDraft(t, a, first)
	if got.Device != a.ID || len(got.Fields) != 2 || got.Service != "hundesteuer" {
		t.Fatalf("merged = %+v, want A's two fields, service and device", got)
	}
	if seen := e.draftChanges(t, b); len(seen) != 1 || !reflect.DeepEqual(seen[0], got) {
		t.Fatalf("B's feed has drafts %+v, want the merged copy", seen)
	}
	if n := len(e.draftChanges(t, a)) + len(e.draftChanges(t, stranger)); n != 0 {
		t.Errorf("A and the stranger see %d draft changes, want 0", n)
	}

	// The same copy again changes nothing and tells no one.
	if again := e.putDraft(t, a, first); !reflect.DeepEqual(again, got) {
		t.Errorf("repeat = %+v, want %+v", again, got)
	}
	if n := len(e.draftChanges(t, b)); n != 1 {
		t.Errorf("after the repeat B has %d draft changes, want still 1", n)
	}

	// A and B edit the dog's name at the same time, offline. B's edit
	// arrives first but A's clock is later: A's name wins on the server,
	// B's is kept as a conflict.
	bEdit := api.DraftCopy{ID: "draft-1", Fields: map[string]api.DraftField{"dog_name": field(`"Balu"`, at(2000, b.ID))}}
	aEdit := api.DraftCopy{ID: "draft-1", Fields: map[string]api.DraftField{"dog_name": field(`"Bella"`, at(2500, a.ID))}}
	e.putDraft(t, b, bEdit)
	merged := e.putDraft(t, a, aEdit)
	if v := string(merged.Fields["dog_name"].Value); v != `"Bella"` {
		t.Errorf("dog_name = %s, want A's later \"Bella\"", v)
	}
	// B, not having seen A's edit yet, sends its copy once more.
	if stale := e.putDraft(t, b, bEdit); string(stale.Fields["dog_name"].Value) != `"Bella"` {
		t.Errorf("after B's stale repeat dog_name = %s, want \"Bella\"", stale.Fields["dog_name"].Value)
	}
	wantConflicts := []string{
		`dog_name "Bello" ` + at(1000, a.ID) + " " + a.ID + " " + at(2000, b.ID),
		`dog_name "Balu" ` + at(2000, b.ID) + " " + b.ID + " " + at(2500, a.ID),
	}
	if got := e.conflicts(t); !reflect.DeepEqual(got, wantConflicts) {
		t.Errorf("conflicts = %q, want %q", got, wantConflicts)
	}
	// B saw its own change and A's; A saw B's.
	if n := len(e.draftChanges(t, b)); n != 2 {
		t.Errorf("B has %d draft changes, want 2 (A's start and A's edit)", n)
	}
	if seen := e.draftChanges(t, a); len(seen) != 1 || string(seen[0].Fields["dog_name"].Value) != `"Balu"` {
		t.Errorf("A's draft changes = %+v, want B's edit", seen)
	}

	// B throws the draft away; A's later write brings it back.
	gone := e.putDraft(t, b, api.DraftCopy{ID: "draft-1", Deleted: &api.DraftField{Clock: at(3000, b.ID)}})
	if gone.Deleted == nil || len(gone.Fields) != 0 {
		t.Errorf("after the tombstone: %+v, want deleted without fields", gone)
	}
	back := e.putDraft(t, a, api.DraftCopy{ID: "draft-1", Fields: map[string]api.DraftField{
		"dog_name": field(`"Rex"`, at(3500, a.ID)), "postcode": field(`"10117"`, at(2900, a.ID))}})
	if len(back.Fields) != 1 || string(back.Fields["dog_name"].Value) != `"Rex"` || back.Deleted == nil {
		t.Errorf("revived = %+v, want only the field written after the tombstone", back)
	}
	last := e.draftChanges(t, b)
	if lastCopy := last[len(last)-1]; !reflect.DeepEqual(lastCopy, back) {
		t.Errorf("B's last draft change = %+v, want the revived copy %+v", lastCopy, back)
	}
}

func TestDraftWithoutAccount(t *testing.T) {
	e := newEnv(t)
	lone, other := e.register(t), e.register(t)
	c := api.DraftCopy{ID: "x", Fields: map[string]api.DraftField{"a": field(`1`, at(0, lone.ID))}}
	if got := e.putDraft(t, lone, c); len(got.Fields) != 1 || got.Device != lone.ID {
		t.Errorf("merged = %+v, want the field, from %s", got, lone.ID)
	}
	// Another device's draft with the same id is its own.
	if got := e.putDraft(t, other, api.DraftCopy{ID: "x", Fields: map[string]api.DraftField{"b": field(`2`, at(0, other.ID))}}); len(got.Fields) != 1 {
		t.Errorf("the other device's copy = %+v, want only its own field", got)
	}
	if n := len(e.allChanges(t, lone)) + len(e.allChanges(t, other)); n != 0 {
		t.Errorf("%d changes, want none for devices without an account", n)
	}
	if n := e.count(t, "drafts"); n != 2 {
		t.Errorf("%d drafts stored, want 2", n)
	}
}

func TestDraftRefused(t *testing.T) {
	e := newEnv(t)
	d := e.register(t)
	ahead := api.HLC{Wall: testNow.Add(25 * time.Hour).UnixMilli(), Device: d.ID}.String()
	tests := []struct {
		name   string
		header http.Header
		path   string
		body   string
		status int
		typ    string
	}{
		{"no credential", nil, "x", `{"fields":{}}`, 401, api.ProblemUnauthorized},
		{"not JSON", auth(d), "x", `fields`, 400, api.ProblemBadRequest},
		{"another id", auth(d), "x", `{"id":"y","fields":{}}`, 400, api.ProblemBadRequest},
		{"malformed clock", auth(d), "x", `{"fields":{"a":{"value":1,"clock":"yesterday"}}}`, 400, api.ProblemBadRequest},
		{"clock a day ahead", auth(d), "x", `{"fields":{"a":{"value":1,"clock":"` + ahead + `"}}}`, 400, api.ProblemBadRequest},
		{"malformed tombstone", auth(d), "x", `{"fields":{},"deleted":{"clock":"1-2-3"}}`, 400, api.ProblemBadRequest},
		{"empty field name", auth(d), "x", `{"fields":{"":{"clock":"` + at(0, d.ID) + `"}}}`, 400, api.ProblemBadRequest},
		{"id too long", auth(d), strings.Repeat("x", 129), `{"fields":{}}`, 400, api.ProblemBadRequest},
		{"too large", auth(d), "x", `{"fields":{"a":{"value":"` + strings.Repeat("a", 1<<20) + `","clock":"` + at(0, d.ID) + `"}}}`, 413, api.ProblemTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problemOf(t, e.do(t, http.MethodPut, api.PathDrafts+tt.path, tt.header, strings.NewReader(tt.body)), tt.status, tt.typ)
		})
	}
	if n := e.count(t, "drafts"); n != 0 {
		t.Errorf("%d drafts stored, want 0", n)
	}
}
