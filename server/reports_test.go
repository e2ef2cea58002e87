package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/open311"
)

func newReportEnv(t *testing.T) *env {
	t.Helper()
	rs, err := assets.DemoReportServices()
	if err != nil {
		t.Fatal(err)
	}
	streets, err := assets.DemoStreets()
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, func(c *server.Config) { c.ReportServices, c.ReportStreets = rs, streets })
}

func ptr(f float64) *float64 { return &f }

func (e *env) postReport(t *testing.T, d *api.Device, key string, req any) response {
	t.Helper()
	h := http.Header{"Content-Type": {api.ContentTypeJSON}}
	if key != "" {
		h.Set(api.HeaderIdempotencyKey, key)
	}
	if d != nil {
		h.Set("Authorization", "Bearer "+d.Token)
	}
	return e.do(t, http.MethodPost, api.PathReports, h, jsonBody(t, req))
}

func decodeAs[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	return v
}

func lightReport() api.ReportRequest {
	return api.ReportRequest{ServiceCode: "strassenbeleuchtung", Description: "Laterne aus", Lat: ptr(50.941), Long: ptr(6.958),
		Attributes: map[string][]string{"fehlerart": {"aus"}}, Email: "erika@example.org"}
}

func TestReportFromApp(t *testing.T) {
	e := newReportEnv(t)
	d := e.register(t)
	first := e.postReport(t, &d, "k1", lightReport())
	if first.status != http.StatusCreated {
		t.Fatalf("POST = %d: %s", first.status, first.body)
	}
	rep := decodeAs[api.Report](t, first)
	if rep.ID == "" || rep.Status != api.ReportOpen || rep.ServiceCode != "strassenbeleuchtung" || *rep.Lat != 50.941 {
		t.Errorf("report = %+v", rep)
	}
	if strings.Contains(string(first.body), "erika") {
		t.Errorf("the answer holds the e-mail: %s", first.body)
	}
	again := e.postReport(t, &d, "k1", lightReport())
	if again.status != http.StatusOK || again.header.Get(api.HeaderReplayed) != "true" || decodeAs[api.Report](t, again).ID != rep.ID {
		t.Errorf("repeat = %d %s, want 200 replaying %s", again.status, again.body, rep.ID)
	}
	other := lightReport()
	other.Description = "anders"
	if r := e.postReport(t, &d, "k1", other); r.status != http.StatusUnprocessableEntity {
		t.Errorf("key reused = %d, want 422", r.status)
	}
	anon := api.ReportRequest{ServiceCode: "baum", Address: "Domstraße 4"}
	if r := e.postReport(t, nil, "k1", anon); r.status != http.StatusCreated {
		t.Errorf("anonymous (another scope, same key) = %d: %s", r.status, r.body)
	}

	// Both ways: the app's reports are in Open311's feed, Open311's in the app's.
	secret, k := open311.NewKey("client", testNow)
	if _, err := e.db.AddOpen311Key(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(e.srv.URL+api.PathOpen311+"requests.json", url.Values{"api_key": {secret}, "service_code": {"schlagloch"},
		"address_string": {"Hohe Straße 1"}, "attribute[flaeche]": {"gehweg"}, "email": {"max@example.org"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Open311 POST = %v, %v", resp, err)
	}
	_ = resp.Body.Close()
	feed := e.get(t, api.PathReports, nil)
	if feed.status != 200 {
		t.Fatalf("feed = %d: %s", feed.status, feed.body)
	}
	got := decodeAs[api.ReportFeed](t, feed)
	var codes []string
	for _, r := range got.Reports {
		codes = append(codes, r.ServiceCode)
	}
	if strings.Join(codes, ",") != "schlagloch,baum,strassenbeleuchtung" {
		t.Errorf("feed = %v, want the Open311 report and the app's two, newest first", codes)
	}
	if bytes.Contains(feed.body, []byte("example.org")) {
		t.Errorf("the feed holds an e-mail: %s", feed.body)
	}
	o311 := e.get(t, api.PathOpen311+"requests.json", nil)
	if !bytes.Contains(o311.body, []byte(`"service_request_id":"`+rep.ID+`"`)) {
		t.Errorf("Open311 feed lacks the app's report %s: %s", rep.ID, o311.body)
	}

	t.Run("votes", func(t *testing.T) {
		vote := func(dev *api.Device, key string) response {
			h := http.Header{api.HeaderIdempotencyKey: {key}}
			if dev != nil {
				h.Set("Authorization", "Bearer "+dev.Token)
			}
			return e.do(t, http.MethodPost, api.PathReports+"/"+rep.ID+"/votes", h, nil)
		}
		vote(&d, "v1")
		vote(&d, "v2") // the same device: still one
		r := vote(nil, "v3")
		if r.status != 200 || decodeAs[api.Report](t, r).Votes != 2 {
			t.Errorf("votes = %d %s, want 2", r.status, r.body)
		}
		if r := e.do(t, http.MethodPost, api.PathReports+"/999/votes", http.Header{api.HeaderIdempotencyKey: {"v"}}, nil); r.status != 404 {
			t.Errorf("vote on nothing = %d, want 404", r.status)
		}
	})
}

func TestReportRefused(t *testing.T) {
	e := newReportEnv(t)
	d := e.register(t)
	other := e.register(t)
	notMine := e.uploadAs(t, &other, newFile(500, 1))
	for _, tc := range []struct {
		name    string
		change  func(r *api.ReportRequest)
		status  int
		pointer string
	}{
		{"unknown service", func(r *api.ReportRequest) { r.ServiceCode = "ufo" }, 404, ""},
		{"no location", func(r *api.ReportRequest) { r.Lat, r.Long = nil, nil }, 422, "/address"},
		{"lat without long", func(r *api.ReportRequest) { r.Long = nil }, 422, "/lat"},
		{"an address id not in the directory", func(r *api.ReportRequest) { r.Lat, r.Long, r.AddressID = nil, nil, "st001-999" }, 422, "/address_id"},
		{"far outside the town", func(r *api.ReportRequest) { r.Lat, r.Long = ptr(48.14), ptr(11.58) }, 422, "/lat"},
		{"bad attribute", func(r *api.ReportRequest) { r.Attributes = map[string][]string{"fehlerart": {"kaputt"}} }, 422, "/attributes"},
		{"required attribute", func(r *api.ReportRequest) { r.Attributes = nil }, 422, "/attributes"},
		{"bad e-mail", func(r *api.ReportRequest) { r.Email = "erika at home" }, 422, "/email"},
		{"description too long", func(r *api.ReportRequest) { r.Description = strings.Repeat("x", 4001) }, 422, "/description"},
		{"photo of another device", func(r *api.ReportRequest) {
			r.Photos = []api.ReportPhoto{{Upload: notMine, Size: 500, SHA256: newFile(500, 1).sha}}
		}, 422, "/photos/0"},
		{"four photos", func(r *api.ReportRequest) { r.Photos = make([]api.ReportPhoto, 4) }, 422, "/photos"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := lightReport()
			tc.change(&req)
			r := e.postReport(t, &d, "key-"+tc.name, req)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.pointer != "" {
				p := decodeAs[api.Problem](t, r)
				found := false
				for _, fe := range p.Errors {
					found = found || fe.Pointer == tc.pointer
				}
				if !found {
					t.Errorf("errors %+v, want one at %s", p.Errors, tc.pointer)
				}
			}
		})
	}
	if r := e.postReport(t, &d, "", lightReport()); r.status != http.StatusBadRequest {
		t.Errorf("no key = %d, want 400", r.status)
	}
	if reps, _ := e.db.Reports(context.Background(), open311.Filter{}); len(reps) != 0 {
		t.Errorf("%d reports stored after refusals only", len(reps))
	}
}

func TestReportPhoto(t *testing.T) {
	e := newReportEnv(t)
	d := e.register(t)
	f := newFile(2000, 7)
	up := e.uploadAs(t, &d, f)
	req := lightReport()
	req.Photos = []api.ReportPhoto{{Upload: up, Size: int64(len(f.data)), SHA256: f.sha}}
	r := e.postReport(t, &d, "p", req)
	if r.status != http.StatusCreated {
		t.Fatalf("POST = %d: %s", r.status, r.body)
	}
	rep := decodeAs[api.Report](t, r)
	if rep.Photos != 1 {
		t.Errorf("photos = %d, want 1", rep.Photos)
	}
	photo := e.get(t, api.PathReports+"/"+rep.ID+"/photos/1", nil)
	if photo.status != 200 || !bytes.Equal(photo.body, f.data) || photo.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo = %d, %d bytes, %q", photo.status, len(photo.body), photo.header.Get("Content-Type"))
	}
	for _, p := range []string{"/photos/2", "/photos/0", "/photos/x"} {
		if r := e.get(t, api.PathReports+"/"+rep.ID+p, nil); r.status != 404 {
			t.Errorf("%s = %d, want 404", p, r.status)
		}
	}
	o311 := e.get(t, api.PathOpen311+"requests/"+rep.ID+".json", nil)
	want := `"media_url":"` + e.srv.URL + api.PathReports + "/" + rep.ID + `/photos/1"`
	if !bytes.Contains(o311.body, []byte(want)) {
		t.Errorf("Open311 request %s, want %s", o311.body, want)
	}
	// The same upload cannot serve a second report.
	if r := e.postReport(t, &d, "p2", req); r.status != http.StatusUnprocessableEntity {
		t.Errorf("second report with the photo = %d: %s", r.status, r.body)
	}
}

// TestReportHistory: a report's timeline is its receipt and each step the
// town made, with its message, for anyone; an unknown report is a 404.
func TestReportHistory(t *testing.T) {
	e := newReportEnv(t)
	d := e.register(t)
	r := e.postReport(t, &d, "h", lightReport())
	if r.status != http.StatusCreated {
		t.Fatalf("POST = %d: %s", r.status, r.body)
	}
	rep := decodeAs[api.Report](t, r)
	ctx := context.Background()
	for _, st := range []struct{ step, note string }{{api.StatusInReview, ""}, {api.StatusInspection, "Ortstermin am Montag"}} {
		if _, ok, err := e.db.SetReportStatus(ctx, rep.ID, st.step, st.note, rep.Requested.Add(time.Hour)); !ok || err != nil {
			t.Fatalf("SetReportStatus(%s) = %v, %v", st.step, ok, err)
		}
	}
	got := e.get(t, api.PathReports+"/"+rep.ID+"/history", nil)
	if got.status != http.StatusOK {
		t.Fatalf("GET history = %d: %s", got.status, got.body)
	}
	h := decodeAs[api.ReportHistory](t, got)
	var steps []string
	for _, ev := range h.Events {
		steps = append(steps, ev.Status+":"+ev.Note.In("de"))
	}
	if want := []string{"received:", "in_review:", "inspection:Ortstermin am Montag"}; h.Report != rep.ID || !slices.Equal(steps, want) {
		t.Errorf("history = %s %q; want %s %q", h.Report, steps, rep.ID, want)
	}
	if bytes.Contains(got.body, []byte("erika@example.org")) {
		t.Errorf("the history holds the reporter's e-mail: %s", got.body)
	}
	for _, id := range []string{"424242", "x"} {
		if r := e.get(t, api.PathReports+"/"+id+"/history", nil); r.status != http.StatusNotFound {
			t.Errorf("history of %q = %d; want 404", id, r.status)
		}
	}
}
