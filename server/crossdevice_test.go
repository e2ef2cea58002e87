package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server"
)

// S4: every endpoint that takes an id, tried with the id of something of
// another device (a device without account) and of another account, and
// without any credential, answers exactly as it does for an id that does
// not exist (404 where a credential is given), so that it neither acts nor
// tells that the thing exists. The owner's own request, last, shows that
// the id was real and the thing untouched. Every route of the server with
// a path parameter must be in one of the two tables below: a new route
// fails this test until someone decides.

// publicByID are the routes with an id whose resource is public or not of
// any device, with why.
var publicByID = map[string]string{
	"GET /v1/forms/{id}/{version}":    "form definitions are published to everyone",
	"POST /v1/reports/{id}/votes":     "any citizen may +1 a public report (one vote per device)",
	"GET /v1/reports/{id}/photos/{n}": "the photos of public reports, Open311's media_url",
	"PUT /v1/polls/{id}/answer":       "polls are public; each device answers for itself (its own answer, by its credential)",
	"GET /v1/polls/{id}/results":      "poll results are published after the poll closes",
	"GET /v1/opendata/{file}":         "open data",
	"GET /v1/reports/{id}/history": "a public report's steps and the town's notes on it, as Open311's status_notes " +
		"(the reporter's e-mail, name and phone are never in it)",
	"POST /v1/staff/cases/{id}/status": "staff only: a device credential is no staff token (checked below too)",
	"POST /v1/handoffs/{id}/claim": "a kiosk's handoff is a capability: its id travels by QR code to the phone, which claims it " +
		"once with or without a credential; its content is end-to-end encrypted with a key only the QR carries",
	// Open311 (/open311/v2/, its own router) serves the public feed only:
	// requests/{id}, services/{code} and tokens/{token} are public by the
	// GeoReport v2 specification, with personal data left out.
}

func withOffices(c *server.Config) {
	offices, err := assets.DemoOffices()
	if err != nil {
		panic(err)
	}
	c.Offices = offices
}

func TestCrossDeviceAccess(t *testing.T) {
	e := newEnv(t, withStaff, withOffices)
	owner, sibling := e.register(t), e.register(t)
	e.link(t, "acc-owner", owner, sibling)
	stranger := e.register(t)                       // another device, no account
	other, otherSib := e.register(t), e.register(t) // another account
	e.link(t, "acc-other", other, otherSib)

	// What the owner has: cases (one decided, one waiting for an answer),
	// an unfinished upload, a booking and a draft copy.
	svc := e.catalog.Services[0]
	submit := func(key string) api.Case {
		return caseOf(t, e.submitAs(t, auth(owner), key, body(t, svc.ID, svc.Form, e.example(t, svc))))
	}
	decided, asked := submit("k-decided"), submit("k-asked")
	if r := e.setStatus(t, staffToken, decided.ID, api.StatusRequest{Status: api.StatusDecided, Note: api.Text{"de": "Bewilligt."}}); r.status != http.StatusOK {
		t.Fatalf("decide: %d %s", r.status, r.body)
	}
	if r := e.setStatus(t, staffToken, asked.ID, api.StatusRequest{Status: api.StatusInfoNeeded, Note: api.Text{"de": "Bitte ergänzen."}}); r.status != http.StatusOK {
		t.Fatalf("ask: %d %s", r.status, r.body)
	}
	f := newFile(20_000, 9)
	upload := e.createAs(t, &owner, f, 5000)
	uploadID := uploadURL.FindStringSubmatch(upload)[1]
	booking := e.book(t, owner)
	secret := `"Geheimhund"`
	draft := api.DraftCopy{ID: "draft-owner", Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
		Fields: map[string]api.DraftField{"dog_name": field(secret, at(1000, owner.ID))}}
	e.putDraft(t, owner, draft)
	h := auth(owner)
	h.Set("Content-Type", api.ContentTypeJSON)
	hr := e.do(t, http.MethodPost, api.PathHandoffs, h, jsonBody(t, api.NewHandoff{Ciphertext: bytes.Repeat([]byte{7}, 64)}))
	var handoff api.Handoff
	if hr.status != http.StatusCreated || json.Unmarshal(hr.body, &handoff) != nil || handoff.ID == "" {
		t.Fatalf("handoff: %d %s", hr.status, hr.body)
	}

	const missing = "missing"
	ids := map[string]map[string]string{ // a probe's real id, and one that does not exist
		"upload":  {"real": uploadID, missing: "u_" + strings.Repeat("0", 32)},
		"notice":  {"real": decided.ID, missing: "c_0000000000000000"},
		"answer":  {"real": asked.ID, missing: "c_0000000000000000"},
		"cancel":  {"real": booking, missing: "b_0000000000000000"},
		"draft":   {"real": draft.ID, missing: "draft-nobody-has"},
		"handoff": {"real": handoff.ID, missing: strings.Repeat("a", len(handoff.ID))},
	}
	n := 0
	answerBody := body(t, svc.ID, svc.Form, e.example(t, svc))
	type probe struct {
		what  string
		send  func(d *api.Device, id string) response
		owner int // the owner's answer with the real id
	}
	tusProbe := func(method string, kv ...string) func(d *api.Device, id string) response {
		return func(d *api.Device, id string) response {
			var b []byte
			if method == http.MethodPatch {
				b = f.data[5000:]
			}
			return e.tusAs(t, d, method, api.PathUploads+id, b, kv...)
		}
	}
	withDevice := func(d *api.Device, h http.Header) http.Header {
		if d != nil {
			h.Set("Authorization", "Bearer "+d.Token)
		}
		return h
	}
	probes := map[string]probe{
		"HEAD /v1/uploads/{id}": {"upload", tusProbe(http.MethodHead), http.StatusOK},
		"PATCH /v1/uploads/{id}": {"upload", tusProbe(http.MethodPatch, "Upload-Offset", "5000",
			"Content-Type", "application/offset+octet-stream"), http.StatusNoContent},
		"DELETE /v1/uploads/{id}": {"upload", tusProbe(http.MethodDelete), http.StatusNoContent},
		"GET /v1/cases/{id}/notice": {"notice", func(d *api.Device, id string) response {
			return e.get(t, api.PathCases+id+api.NoticeSuffix, withDevice(d, http.Header{}))
		}, http.StatusOK},
		"POST /v1/cases/{id}/answer": {"answer", func(d *api.Device, id string) response {
			n++
			h := withDevice(d, http.Header{"Content-Type": {api.ContentTypeJSON}, api.HeaderIdempotencyKey: {"answer-" + strconv.Itoa(n)}})
			return e.do(t, http.MethodPost, api.PathCases+id+api.AnswerSuffix, h, bytes.NewReader(answerBody))
		}, http.StatusOK},
		"POST /v1/appointments/bookings/{id}/cancel": {"cancel", func(d *api.Device, id string) response {
			n++
			h := withDevice(d, http.Header{"Content-Type": {api.ContentTypeJSON}, api.HeaderIdempotencyKey: {"cancel-" + strconv.Itoa(n)}})
			return e.do(t, http.MethodPost, api.PathBookings+"/"+id+"/cancel", h, nil)
		}, http.StatusOK},
		"GET /v1/handoffs/{id}": {"handoff", func(d *api.Device, id string) response {
			return e.get(t, api.PathHandoffs+id, withDevice(d, http.Header{}))
		}, http.StatusOK},
		// A draft id names a copy of the requester's own (its account's,
		// or its device's): another's PUT makes a copy of its own and
		// must not see or touch the owner's.
		"PUT /v1/drafts/{id}": {"draft", func(d *api.Device, id string) response {
			c := api.DraftCopy{ID: id, Service: "hundesteuer", Form: draft.Form, Fields: map[string]api.DraftField{}}
			if d != nil {
				c.Fields["postcode"] = field(`"10115"`, at(2000, d.ID))
			}
			return e.do(t, http.MethodPut, api.PathDrafts+url.PathEscape(id), withDevice(d, http.Header{}), jsonBody(t, c))
		}, http.StatusOK},
	}

	// Every route with a path parameter is probed or declared public.
	var routes []string
	for _, r := range e.server.Routes() {
		if strings.Contains(r, "{") && !strings.HasSuffix(r, "{$}") {
			routes = append(routes, r)
		}
	}
	slices.Sort(routes)
	for _, r := range routes {
		_, probed := probes[r]
		_, public := publicByID[r]
		if probed == public {
			t.Errorf("route %s: add it to the probes or, with a reason, to publicByID", r)
		}
	}
	for r := range probes {
		if !slices.Contains(routes, r) {
			t.Errorf("probe of %s, which is no route", r)
		}
	}
	for r := range publicByID {
		if !slices.Contains(routes, r) {
			t.Errorf("publicByID names %s, which is no route", r)
		}
	}

	actors := []struct {
		name string
		d    *api.Device
	}{{"another device", &stranger}, {"another account", &other}, {"no credential", nil}}
	for _, r := range routes {
		p, ok := probes[r]
		if !ok {
			continue
		}
		t.Run(r, func(t *testing.T) {
			for _, a := range actors {
				want := p.send(a.d, ids[p.what][missing])
				got := p.send(a.d, ids[p.what]["real"])
				if got.status != want.status || problemType(got) != problemType(want) {
					t.Errorf("%s: %d %s, but for an id that does not exist %d %s", a.name, got.status, problemType(got), want.status, problemType(want))
				}
				if (a.d != nil || p.what == "upload") && p.what != "draft" && got.status != http.StatusNotFound {
					t.Errorf("%s: %d, want 404", a.name, got.status)
				}
				if bytes.Contains(got.body, []byte("Geheimhund")) {
					t.Errorf("%s sees the owner's draft: %s", a.name, got.body)
				}
			}
		})
	}
	// The owner's own requests, last: the ids were real and nothing of
	// them was touched by the others (the upload still at 5000, the
	// booking still to cancel, the draft with its one field).
	for _, r := range []string{"HEAD /v1/uploads/{id}", "PATCH /v1/uploads/{id}", "GET /v1/cases/{id}/notice", "GET /v1/handoffs/{id}",
		"POST /v1/cases/{id}/answer", "POST /v1/appointments/bookings/{id}/cancel", "DELETE /v1/uploads/{id}"} {
		p := probes[r]
		if got := p.send(&owner, ids[p.what]["real"]); got.status != p.owner {
			t.Errorf("owner: %s = %d, want %d; %s", r, got.status, p.owner, got.body)
		}
	}
	mine := e.putDraft(t, owner, api.DraftCopy{ID: draft.ID, Fields: map[string]api.DraftField{}})
	if len(mine.Fields) != 1 || string(mine.Fields["dog_name"].Value) != secret {
		t.Errorf("the owner's draft after the others' PUTs = %+v, want only its dog_name", mine.Fields)
	}
	// The lists a device reads name none of the owner's things (the
	// owner's own lists do, so the check can fail).
	if r := e.get(t, api.PathChanges, auth(owner)); !bytes.Contains(r.body, []byte(decided.ID)) {
		t.Errorf("the owner's changes feed does not name its case: %d %.200s", r.status, r.body)
	}
	if r := e.get(t, api.PathBookings, auth(owner)); !bytes.Contains(r.body, []byte(booking)) {
		t.Errorf("the owner's bookings do not name its booking: %d %.200s", r.status, r.body)
	}
	for _, a := range actors[:2] {
		for _, path := range []string{api.PathBookings, api.PathChanges} {
			r := e.get(t, path, auth(*a.d))
			if r.status != http.StatusOK {
				t.Errorf("%s: GET %s = %d", a.name, path, r.status)
			}
			for _, id := range []string{booking, decided.ID, asked.ID, uploadID, draft.ID, "Geheimhund"} {
				if bytes.Contains(r.body, []byte(id)) {
					t.Errorf("%s: GET %s names the owner's %s", a.name, path, id)
				}
			}
		}
	}
	// The staff API takes no device credential, the owner's neither.
	for _, d := range []api.Device{owner, stranger} {
		if r := e.setStatus(t, d.Token, asked.ID, api.StatusRequest{Status: api.StatusDecided}); r.status/100 == 2 {
			t.Errorf("staff API with a device credential: %d", r.status)
		}
	}
}

func problemType(r response) string {
	var p api.Problem
	_ = json.Unmarshal(r.body, &p)
	return p.Type
}

// book books the first free slot of the demo town for d and returns the
// booking's id.
func (e *env) book(t *testing.T, d api.Device) string {
	t.Helper()
	q := url.Values{"service": {"anmeldung-wohnung"}, "office": {"buergerbuero"}, "days": {"7"}}
	r := e.get(t, api.PathSlots+"?"+q.Encode(), nil)
	var slots api.Slots
	if r.status != http.StatusOK || json.Unmarshal(r.body, &slots) != nil || len(slots.Slots) == 0 {
		t.Fatalf("slots: %d %s", r.status, r.body)
	}
	req := api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: slots.Slots[0].Start}
	h := auth(d)
	h.Set("Content-Type", api.ContentTypeJSON)
	h.Set(api.HeaderIdempotencyKey, "book-"+d.ID)
	r = e.do(t, http.MethodPost, api.PathBookings, h, jsonBody(t, req))
	var b api.Booking
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &b) != nil || b.ID == "" {
		t.Fatalf("book: %d %s", r.status, r.body)
	}
	return b.ID
}
