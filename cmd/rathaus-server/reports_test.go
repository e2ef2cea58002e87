package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
)

// TestReportsCommands moves a report made over HTTP on from the command
// line, against the running server's data folder, and reads it back
// through Open311.
func TestReportsCommands(t *testing.T) {
	data := t.TempDir()
	m := openServer(t, data)
	h := http.Header{}
	h.Set(api.HeaderIdempotencyKey, "cli-report")
	h.Set("Content-Type", api.ContentTypeJSON)
	lat, long := 50.941, 6.958
	body, err := json.Marshal(api.ReportRequest{ServiceCode: "strassenbeleuchtung", Description: "Laterne aus",
		Lat: &lat, Long: &long, Attributes: map[string][]string{"fehlerart": {"aus"}}})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{http: http.DefaultClient}
	var rep api.Report
	if err := json.Unmarshal(c.must(t, http.MethodPost, m.URL()+api.PathReports, h, body, http.StatusCreated).body, &rep); err != nil {
		t.Fatal(err)
	}

	for _, st := range []struct {
		args []string
		code int
		out  string // in stdout (0) or stderr (1)
	}{
		{[]string{"list"}, 0, rep.ID + " "},
		{[]string{"list", "--status", "closed"}, 0, "0 report(s)"},
		{[]string{"list", "--status", "bogus"}, 1, "open or closed"},
		{[]string{"advance", rep.ID, "open"}, 1, "unknown status"},
		{[]string{"advance", rep.ID, "info_needed"}, 1, "needs a message"},
		{[]string{"advance", "424242", "in_review"}, 1, "no such report"},
		{[]string{"advance", rep.ID}, 1, "takes 2 argument(s)"},
		{[]string{"advance", rep.ID, "in_review"}, 0, "is in_review (Open311: open)"},
		{[]string{"advance", rep.ID, "closed", "--message", "Leuchtmittel getauscht"}, 0, "is closed (Open311: closed)"},
		{[]string{"list", "--status", "closed"}, 0, "Leuchtmittel getauscht"},
	} {
		args := append([]string{"reports"}, st.args...)
		args = append(args, "--data", data)
		code, out, errs := runCLI(t, args...)
		where := out
		if st.code != 0 {
			where = errs
		}
		if code != st.code || !strings.Contains(where, st.out) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d with %q", st.args, code, out, errs, st.code, st.out)
		}
	}

	a := c.must(t, http.MethodGet, m.URL()+api.PathOpen311+"requests/"+rep.ID+".json", nil, nil, http.StatusOK)
	if !strings.Contains(string(a.body), `"status":"closed"`) || !strings.Contains(string(a.body), `"status_notes":"Leuchtmittel getauscht"`) {
		t.Errorf("Open311 request = %s, want closed with the notes", a.body)
	}
}
