package reportwork_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/reportwork"
	"rathaus/server/servertest"
)

func call(t *testing.T, method, url, token string, body any) []byte {
	t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, in)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", api.ContentTypeJSON)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost && body != nil {
		req.Header.Set(api.HeaderIdempotencyKey, "k-1")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s %v", method, url, res.StatusCode, out, err)
	}
	return out
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// TestAdvanceReachesDeviceAndOpen311: a clerk's step is in the feed of the
// device that made the report, and Open311 shows the status and notes.
func TestAdvanceReachesDeviceAndOpen311(t *testing.T) {
	b := servertest.New(t)
	ctx := context.Background()
	dev := decode[api.Device](t, call(t, http.MethodPost, b.URL+api.PathDevices, "", api.DeviceRequest{Platform: "linux", AppVersion: "0.1.0"}))
	lat, long := 50.941, 6.958
	rep := decode[api.Report](t, call(t, http.MethodPost, b.URL+api.PathReports, dev.Token, api.ReportRequest{
		ServiceCode: "strassenbeleuchtung", Description: "Laterne aus", Lat: &lat, Long: &long,
		Attributes: map[string][]string{"fehlerart": {"aus"}}}))
	svc := reportwork.New(b.DB, func() time.Time { return time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) })

	if _, err := svc.Advance(ctx, rep.ID, api.StatusInReview, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Advance(ctx, rep.ID, api.StatusClosed, "Leuchtmittel getauscht"); err != nil {
		t.Fatal(err)
	}

	page := decode[api.Changes](t, call(t, http.MethodGet, b.URL+api.PathChanges, dev.Token, nil))
	var got []string
	for _, c := range page.Changes {
		if c.Kind == api.ChangeReport {
			got = append(got, c.Report.Report.ID+" "+c.Report.Event.Status+" "+c.Report.Report.Status+" "+c.Report.Event.Note.In("de"))
		}
	}
	want := []string{rep.ID + " in_review open ", rep.ID + " closed closed Leuchtmittel getauscht"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("report changes = %q, want %q", got, want)
	}

	var o311 []struct {
		ID          string `json:"service_request_id"`
		Status      string `json:"status"`
		StatusNotes string `json:"status_notes"`
	}
	if err := json.Unmarshal(call(t, http.MethodGet, b.URL+api.PathOpen311+"requests/"+rep.ID+".json", "", nil), &o311); err != nil {
		t.Fatal(err)
	}
	if len(o311) != 1 || o311[0].Status != "closed" || o311[0].StatusNotes != "Leuchtmittel getauscht" {
		t.Errorf("Open311 request = %+v, want closed with the notes", o311)
	}
}

func TestAdvanceRefused(t *testing.T) {
	b := servertest.New(t)
	svc := reportwork.New(b.DB, nil)
	for _, tc := range []struct {
		name, id, step, message string
		want                    error
	}{
		{"unknown step", "1", "open", "", reportwork.ErrStep},
		{"info needed without a message", "1", api.StatusInfoNeeded, " ", reportwork.ErrMessage},
		{"decided without a message", "1", api.StatusDecided, "", reportwork.ErrMessage},
		{"no such report", "424242", api.StatusInReview, "", reportwork.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Advance(context.Background(), tc.id, tc.step, tc.message)
			if !errors.Is(err, tc.want) {
				t.Errorf("Advance = %v, want %v", err, tc.want)
			}
		})
	}
}
