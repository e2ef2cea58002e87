package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server/console"
)

// postIssue makes an issue report from a new device over HTTP.
func (tw *town) postIssue(t *testing.T) (api.Report, api.Device) {
	t.Helper()
	res, body := tw.call(t, http.MethodPost, api.PathDevices, http.Header{"Content-Type": {api.ContentTypeJSON}},
		[]byte(`{"platform":"linux","app_version":"0.1.0"}`))
	var dev api.Device
	if err := json.Unmarshal(body, &dev); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", res.StatusCode, body)
	}
	lat, long := 50.941, 6.958
	req, _ := json.Marshal(api.ReportRequest{ServiceCode: "strassenbeleuchtung", Description: "Laterne aus", Lat: &lat, Long: &long,
		Attributes: map[string][]string{"fehlerart": {"aus"}}})
	res, body = tw.call(t, http.MethodPost, api.PathReports, http.Header{"Content-Type": {api.ContentTypeJSON},
		"Authorization": {"Bearer " + dev.Token}, api.HeaderIdempotencyKey: {"issue-1"}}, req)
	var rep api.Report
	if err := json.Unmarshal(body, &rep); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("report: %d %s", res.StatusCode, body)
	}
	return rep, dev
}

// TestReports: a clerk finds a report under "Meldungen", moves it on with
// a message; the reporter's device hears of each step, Open311 shows the
// status and notes.
func TestReports(t *testing.T) {
	tw := newTown(t, false)
	rep, dev := tw.postIssue(t)
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna Amt")
	if p := cl.get(t, "/staff/cases"); !strings.Contains(p.body, `href="/staff/reports"`) {
		t.Error("the navigation has no link to the reports")
	}
	list := cl.get(t, "/staff/reports")
	if list.status != http.StatusOK || !strings.Contains(list.body, `href="/staff/reports/`+rep.ID+`"`) || !strings.Contains(list.body, "Offen") ||
		!strings.Contains(list.body, "Straßenlaterne defekt") || !strings.Contains(list.body, "50.94100, 6.95800") {
		t.Fatalf("reports list: %d %.500s", list.status, list.body)
	}
	path := "/staff/reports/" + rep.ID
	for _, st := range []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"no csrf", url.Values{"csrf": {""}, "status": {api.StatusInReview}}, http.StatusForbidden, "CSRF"},
		{"unknown status", url.Values{"status": {"open"}}, http.StatusUnprocessableEntity, "unknown status"},
		{"info without message", url.Values{"status": {api.StatusInfoNeeded}}, http.StatusUnprocessableEntity, "needs a message"},
		{"inspection", url.Values{"status": {api.StatusInspection}, "message": {"Wir sehen uns die Laterne am Montag an."}}, http.StatusSeeOther, ""},
		{"close", url.Values{"status": {api.StatusClosed}, "message": {"Leuchtmittel getauscht."}}, http.StatusSeeOther, ""},
	} {
		t.Run(st.name, func(t *testing.T) {
			cl.get(t, path)
			p := cl.post(t, path+"/advance", st.form)
			if p.status != st.status || !strings.Contains(p.body, st.says) {
				t.Errorf("%d %.300q, want %d with %q", p.status, p.body, st.status, st.says)
			}
			if st.status == http.StatusSeeOther && p.header.Get("Location") != path+"?done=1" {
				t.Errorf("redirect to %q", p.header.Get("Location"))
			}
		})
	}
	if p := cl.get(t, path); !strings.Contains(p.body, "Erledigt") || !strings.Contains(p.body, "Leuchtmittel getauscht.") {
		t.Errorf("the report page: %.800s", p.body)
	}

	res, body := tw.call(t, http.MethodGet, api.PathChanges, http.Header{"Authorization": {"Bearer " + dev.Token}}, nil)
	var page api.Changes
	if err := json.Unmarshal(body, &page); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("changes: %d %s", res.StatusCode, body)
	}
	var steps []string
	for _, c := range page.Changes {
		if c.Kind == api.ChangeReport {
			steps = append(steps, c.Report.Event.Status+": "+c.Report.Event.Note.In("de"))
		}
	}
	if want := "inspection: Wir sehen uns die Laterne am Montag an.|closed: Leuchtmittel getauscht."; strings.Join(steps, "|") != want {
		t.Errorf("the device's report changes = %q, want %q", steps, want)
	}
	_, body = tw.call(t, http.MethodGet, api.PathOpen311+"requests/"+rep.ID+".json", nil, nil)
	if !strings.Contains(string(body), `"status":"closed"`) || !strings.Contains(string(body), `"status_notes":"Leuchtmittel getauscht."`) {
		t.Errorf("Open311: %s", body)
	}
}

// TestReportsStaffTokenOnly: reports belong to no office, so an office's
// clerk neither sees nor works them.
func TestReportsStaffTokenOnly(t *testing.T) {
	tokens := map[string]string{"Steueramt": "steueramt-token-0123456789"}
	tw := newTown(t, false, func(c *console.Config) { c.OfficeTokens = tokens })
	rep, _ := tw.postIssue(t)
	bea := newClerk(t, tw)
	bea.signInWith(t, "Bea", tokens["Steueramt"])
	if p := bea.get(t, "/staff/cases"); strings.Contains(p.body, `href="/staff/reports"`) {
		t.Error("an office's clerk is offered the reports")
	}
	for _, path := range []string{"/staff/reports", "/staff/reports/" + rep.ID} {
		if p := bea.get(t, path); p.status != http.StatusNotFound {
			t.Errorf("GET %s by an office: %d, want 404", path, p.status)
		}
	}
	bea.get(t, "/staff/cases")
	if p := bea.post(t, "/staff/reports/"+rep.ID+"/advance", url.Values{"status": {api.StatusClosed}}); p.status != http.StatusNotFound {
		t.Errorf("advancing by an office: %d, want 404", p.status)
	}
}
