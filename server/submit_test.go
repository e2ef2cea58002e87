package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/assets"
	"rathaus/server"
)

var caseID = regexp.MustCompile(`^c_[0-9a-f]{16}$`)

// body encodes a submission request.
func body(t *testing.T, service string, form api.FormRef, data any) []byte {
	t.Helper()
	d, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(api.SubmissionRequest{Service: service, Form: form, Data: d})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) submit(t *testing.T, key string, b []byte) response {
	t.Helper()
	return e.submitAs(t, nil, key, b)
}

// submitAs submits with extra headers (a device's credential).
func (e *env) submitAs(t *testing.T, header http.Header, key string, b []byte) response {
	t.Helper()
	h := http.Header{"Content-Type": {api.ContentTypeJSON}}
	for k, v := range header {
		h[k] = v
	}
	if key != "" {
		h.Set(api.HeaderIdempotencyKey, key)
	}
	return e.do(t, http.MethodPost, api.PathSubmissions, h, bytes.NewReader(b))
}

func caseOf(t *testing.T, r response) api.Case {
	t.Helper()
	if r.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", r.status, r.body)
	}
	return decodeCase(t, r)
}

func decodeCase(t *testing.T, r response) api.Case {
	t.Helper()
	var c api.Case
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatalf("case body %s: %v", r.body, err)
	}
	return c
}

func (e *env) countCases(t *testing.T) int {
	t.Helper()
	n, err := e.db.CountCases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// example returns the demo example data for the service's form.
func (e *env) example(t *testing.T, svc api.Service) map[string]any {
	t.Helper()
	data, err := assets.DemoExample(svc.Form.ID)
	if err != nil {
		t.Fatalf("example for %s: %v", svc.Form.ID, err)
	}
	return data
}

func TestSubmitEveryDemoService(t *testing.T) {
	e := newEnv(t)
	for i, svc := range e.catalog.Services {
		t.Run(svc.ID, func(t *testing.T) {
			r := e.submit(t, "key-"+svc.ID, body(t, svc.ID, svc.Form, e.example(t, svc)))
			c := caseOf(t, r)
			if r.header.Get(api.HeaderReplayed) != "" {
				t.Errorf("a new case has %s: %q", api.HeaderReplayed, r.header.Get(api.HeaderReplayed))
			}
			if !caseID.MatchString(c.ID) || c.Service != svc.ID || c.Form != svc.Form ||
				c.Status != api.StatusReceived || !c.Created.Equal(testNow.Truncate(1e9)) {
				t.Errorf("case = %+v, want id c_<16 hex>, service %s, form %v, received at %v",
					c, svc.ID, svc.Form, testNow.Truncate(1e9))
			}
			if want := fmt.Sprintf("2026-%06d", i+1); c.Number != want {
				t.Errorf("number = %s, want %s", c.Number, want)
			}
			want := []api.CaseEvent{{Status: api.StatusReceived, At: testNow.Truncate(time.Second)}}
			if !reflect.DeepEqual(c.History, want) {
				t.Errorf("history = %+v, want %+v", c.History, want)
			}
		})
	}
	if got := e.countCases(t); got != len(e.catalog.Services) {
		t.Errorf("CountCases = %d, want %d", got, len(e.catalog.Services))
	}
}

func TestSubmitIdempotency(t *testing.T) {
	e := newEnv(t)
	svc := e.catalog.Services[0]
	data := e.example(t, svc)
	first := e.submit(t, "same-key", body(t, svc.ID, svc.Form, data))
	c := caseOf(t, first)

	// The same request, with its keys in another order, is the same request.
	var reordered bytes.Buffer
	fmt.Fprintf(&reordered, `{"data": %s, "form": {"version": %d, "id": %q}, "service": %q}`,
		mustMarshal(t, data), svc.Form.Version, svc.Form.ID, svc.ID)
	for _, b := range [][]byte{body(t, svc.ID, svc.Form, data), reordered.Bytes()} {
		again := e.submit(t, "same-key", b)
		if got := caseOf(t, again); !reflect.DeepEqual(got, c) {
			t.Errorf("replay = %+v, want the first case %+v", got, c)
		}
		if !bytes.Equal(again.body, first.body) {
			t.Errorf("replay body = %s, want %s", again.body, first.body)
		}
		if got := again.header.Get(api.HeaderReplayed); got != "true" {
			t.Errorf("%s = %q, want true", api.HeaderReplayed, got)
		}
	}
	if got := e.countCases(t); got != 1 {
		t.Fatalf("CountCases after replays = %d, want 1", got)
	}

	other := e.variant(t, svc.Form, data)
	problemOf(t, e.submit(t, "same-key", body(t, svc.ID, svc.Form, other)),
		http.StatusUnprocessableEntity, api.ProblemIdempotencyReuse)
	if got := e.countCases(t); got != 1 {
		t.Errorf("CountCases after reuse = %d, want 1", got)
	}
}

// variant returns data with one string changed so that it is a different
// request that the form still accepts.
func (e *env) variant(t *testing.T, ref api.FormRef, data map[string]any) map[string]any {
	t.Helper()
	var f *formschema.Form
	for _, raw := range e.forms {
		if g, err := formschema.Parse(raw); err == nil && g.Def.Ref() == ref {
			f = g
		}
	}
	if f == nil {
		t.Fatalf("form %v is not among the demo forms", ref)
	}
	keys := slices.Sorted(maps.Keys(data))
	for _, k := range keys {
		s, ok := data[k].(string)
		if !ok {
			continue
		}
		other := maps.Clone(data)
		other[k] = s + "x"
		if len(f.Validate(other)) == 0 {
			return other
		}
	}
	t.Fatalf("found no valid variant of %v", data)
	return nil
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSubmitConcurrentSameKey(t *testing.T) {
	e := newEnv(t)
	svc := e.catalog.Services[0]
	b := body(t, svc.ID, svc.Form, e.example(t, svc))
	const n = 20
	var wg sync.WaitGroup
	res := make([]response, n)
	for i := range n {
		wg.Go(func() { res[i] = e.submit(t, "racing-key", b) })
	}
	wg.Wait()
	fresh := 0
	for i, r := range res {
		if r.status != http.StatusCreated {
			t.Fatalf("request %d: status %d, body %s", i, r.status, r.body)
		}
		if r.header.Get(api.HeaderReplayed) == "" {
			fresh++
		}
		if !bytes.Equal(r.body, res[0].body) {
			t.Errorf("request %d got %s, request 0 got %s", i, r.body, res[0].body)
		}
	}
	if fresh != 1 {
		t.Errorf("%d responses were not replays, want exactly 1", fresh)
	}
	if got := e.countCases(t); got != 1 {
		t.Errorf("CountCases = %d, want 1", got)
	}
}

// TestSubmitFormVersions checks that a submission may use an older version
// of its service's form (a draft begun before an update), but not a version
// newer than the catalog's.
func TestSubmitFormVersions(t *testing.T) {
	cat, forms := demoAssets(t)
	svc := cat.Services[0]
	var v1 map[string]any
	for _, raw := range forms {
		var f map[string]any
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		if f["id"] == svc.Form.ID {
			v1 = f
		}
	}
	v1["version"] = svc.Form.Version + 1
	forms = maps.Clone(forms)
	forms["next.json"] = mustMarshal(t, v1)
	older, newer := svc.Form, api.FormRef{ID: svc.Form.ID, Version: svc.Form.Version + 1}

	data := func(e *env) map[string]any { return e.example(t, svc) }
	t.Run("catalog on the newer version", func(t *testing.T) {
		cat := cat
		cat.Services = slices.Clone(cat.Services)
		cat.Services[0].Form = newer
		e := newEnvWith(t, cat, forms)
		for _, ref := range []api.FormRef{older, newer} {
			c := caseOf(t, e.submit(t, fmt.Sprint(ref), body(t, svc.ID, ref, data(e))))
			if c.Form != ref {
				t.Errorf("case form = %v, want %v", c.Form, ref)
			}
		}
	})
	t.Run("catalog on the older version", func(t *testing.T) {
		e := newEnvWith(t, cat, forms)
		problemOf(t, e.submit(t, "k", body(t, svc.ID, newer, data(e))), http.StatusNotFound, api.ProblemUnknownForm)
	})
}

// TestSubmitReplayAfterFormWithdrawn: the first attempt made a case but its
// answer was lost; meanwhile the town withdrew the service. The retry must
// still get the first case, not a 404, so that the app records it.
func TestSubmitReplayAfterFormWithdrawn(t *testing.T) {
	e := newEnv(t)
	svc := e.catalog.Services[0]
	b := body(t, svc.ID, svc.Form, e.example(t, svc))
	first := caseOf(t, e.submit(t, "lost-answer", b))

	// The same database behind a server whose catalog lacks the service.
	rest := e.catalog
	rest.Services = slices.DeleteFunc(slices.Clone(rest.Services), func(s api.Service) bool { return s.ID == svc.ID })
	later := &env{db: e.db, catalog: rest, forms: e.forms, logs: &syncBuffer{}}
	later.srv = httptest.NewServer(mustNew(t, server.Config{Store: e.db, Catalog: rest, Forms: e.forms,
		Logger: slog.New(slog.NewJSONHandler(later.logs, nil))}))
	t.Cleanup(later.srv.Close)

	r := later.submit(t, "lost-answer", b)
	if got := caseOf(t, r); got.Number != first.Number {
		t.Errorf("retry case number = %s, want the first case's %s", got.Number, first.Number)
	}
	if r.header.Get(api.HeaderReplayed) != "true" {
		t.Errorf("%s header = %q, want true", api.HeaderReplayed, r.header.Get(api.HeaderReplayed))
	}
	// A new key for the withdrawn service is refused.
	problemOf(t, later.submit(t, "new-key", b), http.StatusNotFound, api.ProblemUnknownForm)
	if n := e.countCases(t); n != 1 {
		t.Errorf("cases = %d, want 1", n)
	}
}
