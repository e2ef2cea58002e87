package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

const staffToken = "staff-secret-for-tests"

func withStaff(c *server.Config) { c.StaffToken = staffToken }

// changes reads one page of d's changes feed.
func (e *env) changes(t *testing.T, d api.Device, since string, limit int) api.Changes {
	t.Helper()
	q := url.Values{}
	if since != "" {
		q.Set("since", since)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	r := e.get(t, api.PathChanges+"?"+q.Encode(), auth(d))
	if r.status != http.StatusOK {
		t.Fatalf("changes: status %d, body %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("changes: Cache-Control = %q, want no-store", cc)
	}
	var page api.Changes
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatalf("changes: %v; body %s", err, r.body)
	}
	if page.Changes == nil {
		t.Errorf("changes: %s has changes null, want []", r.body)
	}
	return page
}

// allChanges reads d's whole feed from the start.
func (e *env) allChanges(t *testing.T, d api.Device) []api.Change {
	t.Helper()
	return e.changes(t, d, "", api.ChangesLimitMax).Changes
}

// setStatus calls the staff API.
func (e *env) setStatus(t *testing.T, token, caseID string, req any) response {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return e.do(t, http.MethodPost, api.PathStaffCases+caseID+"/status", h, jsonBody(t, req))
}

func (e *env) link(t *testing.T, account string, devices ...api.Device) {
	t.Helper()
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = d.ID
	}
	if err := e.db.LinkDevices(context.Background(), account, ids...); err != nil {
		t.Fatalf("LinkDevices: %v", err)
	}
}

// caseStates summarises case changes as "id:status/events".
func caseStates(changes []api.Change) []string {
	var out []string
	for _, c := range changes {
		if c.Kind != api.ChangeCase || c.Case == nil {
			out = append(out, "not a case: "+c.Kind)
			continue
		}
		out = append(out, fmt.Sprintf("%s:%s/%d", c.Case.ID, c.Case.Status, len(c.Case.History)))
	}
	return out
}

func TestChangesCaseStatus(t *testing.T) {
	e := newEnv(t, withStaff)
	a, b, stranger := e.register(t), e.register(t), e.register(t)
	e.link(t, "acc-1", a, b)
	svc := e.catalog.Services[0]
	req := body(t, svc.ID, svc.Form, e.example(t, svc))
	mine := caseOf(t, e.submitAs(t, auth(a), "k", req))
	theirs := caseOf(t, e.submitAs(t, auth(stranger), "k", req))
	caseOf(t, e.submit(t, "k", req)) // anonymous: nobody to tell

	note := api.Text{"de": "Wir prüfen Ihren Antrag.", "en": "We are reviewing your application."}
	r := e.setStatus(t, staffToken, mine.ID, api.StatusRequest{Status: api.StatusInReview, Note: note})
	if r.status != http.StatusOK {
		t.Fatalf("staff: %d %s", r.status, r.body)
	}

	want := map[string][]string{
		"device a": {mine.ID + ":received/1", mine.ID + ":in_review/2"},
		"device b": {mine.ID + ":received/1", mine.ID + ":in_review/2"},
		"stranger": {theirs.ID + ":received/1"},
	}
	for name, d := range map[string]api.Device{"device a": a, "device b": b, "stranger": stranger} {
		t.Run(name, func(t *testing.T) {
			got := e.allChanges(t, d)
			if states := caseStates(got); !reflect.DeepEqual(states, want[name]) {
				t.Fatalf("feed = %v, want %v", states, want[name])
			}
			for i := 1; i < len(got); i++ {
				if got[i].Seq <= got[i-1].Seq {
					t.Errorf("seq %d after %d: not in order", got[i].Seq, got[i-1].Seq)
				}
			}
			last := got[len(got)-1].Case
			if name != "stranger" && !reflect.DeepEqual(last.History[1].Note, note) {
				t.Errorf("last event note = %v, want %v", last.History[1].Note, note)
			}
		})
	}
}

func TestChangesPaging(t *testing.T) {
	e := newEnv(t)
	a := e.register(t)
	svc := e.catalog.Services[0]
	req := body(t, svc.ID, svc.Form, e.example(t, svc))
	var ids []string
	for i := range 5 {
		ids = append(ids, caseOf(t, e.submitAs(t, auth(a), fmt.Sprint("key-", i), req)).ID)
	}

	var got []string
	cursor := ""
	for _, want := range []struct {
		n    int
		more bool
	}{{2, true}, {2, true}, {1, false}} {
		page := e.changes(t, a, cursor, 2)
		if len(page.Changes) != want.n || page.More != want.more {
			t.Fatalf("page after %q: %d changes, more %v; want %d, %v", cursor, len(page.Changes), page.More, want.n, want.more)
		}
		if page.Cursor != strconv.FormatInt(page.Changes[len(page.Changes)-1].Seq, 10) {
			t.Errorf("cursor %q is not the last change's seq %d", page.Cursor, page.Changes[len(page.Changes)-1].Seq)
		}
		for _, c := range page.Changes {
			got = append(got, c.Case.ID)
		}
		cursor = page.Cursor
	}
	if !reflect.DeepEqual(got, ids) {
		t.Errorf("cases over the pages = %v, want %v in order", got, ids)
	}
	end := e.changes(t, a, cursor, 2)
	if len(end.Changes) != 0 || end.More || end.Cursor != cursor {
		t.Errorf("after the end: %+v, want no changes, more false, cursor %q kept", end, cursor)
	}
}

// TestChangesPageSizes fills the feed with 1001 changes for everyone and
// checks the default and the largest page.
func TestChangesPageSizes(t *testing.T) {
	e := newEnv(t)
	d := e.register(t)
	raw := e.rawDB(t)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1001 {
		if _, err := tx.Exec(`INSERT INTO changes (scope, kind, payload) VALUES ('everyone', 'catalog', $1)`,
			fmt.Sprintf(`{"kind":"catalog","catalog":"\"%d\""}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		limit int
		want  int
	}{{0, api.ChangesLimitDefault}, {5000, api.ChangesLimitMax}, {1000, 1000}, {7, 7}} {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			page := e.changes(t, d, "", tt.limit)
			if len(page.Changes) != tt.want || !page.More {
				t.Errorf("%d changes, more %v; want %d, more", len(page.Changes), page.More, tt.want)
			}
		})
	}
}

func TestChangesRefused(t *testing.T) {
	e := newEnv(t)
	d := e.register(t)
	problemOf(t, e.get(t, api.PathChanges, nil), http.StatusUnauthorized, api.ProblemUnauthorized)
	for _, q := range []string{"since=abc", "since=-1", "since=1.5", "since=+1", "since=99999999999999999999",
		"limit=0", "limit=-5", "limit=x", "since=1&limit=1e3"} {
		t.Run(q, func(t *testing.T) {
			problemOf(t, e.get(t, api.PathChanges+"?"+q, auth(d)), http.StatusBadRequest, api.ProblemBadRequest)
		})
	}
}

// TestChangesCatalogAtRestart: a server that starts with another catalog
// than the one the store last recorded announces it once, to everyone.
func TestChangesCatalogAtRestart(t *testing.T) {
	e := newEnv(t)
	d := e.register(t)
	if got := e.allChanges(t, d); len(got) != 0 {
		t.Fatalf("feed of a fresh server = %+v, want empty", got)
	}
	changed := e.catalog
	changed.Municipality.Phone = "+49 30 000000"

	restart := func(cat api.Catalog) string {
		t.Helper()
		s := mustNew(t, server.Config{Store: e.db, Catalog: cat, Forms: e.forms,
			Logger: slog.New(slog.NewJSONHandler(e.logs, nil))})
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, api.PathCatalog, nil))
		return rec.Header().Get("ETag")
	}
	etag := restart(changed)
	restart(changed) // the same again: nothing new
	got := e.allChanges(t, d)
	if len(got) != 1 || got[0].Kind != api.ChangeCatalog || got[0].Catalog != etag {
		t.Fatalf("feed = %+v, want one catalog change with ETag %s", got, etag)
	}
	back := restart(e.catalog)
	got = e.allChanges(t, d)
	if len(got) != 2 || got[1].Catalog != back || back == etag {
		t.Errorf("after going back: feed = %+v, want a second change with %s", got, back)
	}
}
