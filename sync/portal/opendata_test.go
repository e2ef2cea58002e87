package portal_test

import (
	"context"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
)

// TestOpenDataErrors: what the backend answers for a dataset, classified
// as the screen shows it.
func TestOpenDataErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		ctype     string
		body      string
		wantErr   bool
		transient bool
	}{
		{"the figures", 200, api.ContentTypeJSON, `{"dataset":"cases-by-month","rows":[{"month":"2026-11","category":"a","status":"received","count":2}]}`, false, false},
		{"an older backend without open data", 404, api.ContentTypeProblem, `{"title":"Not Found","status":404}`, true, false},
		{"busy", 503, api.ContentTypeProblem, `{"title":"Service Unavailable","status":503}`, true, true},
		{"not JSON", 200, api.ContentTypeJSON, `<html>`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, respond(tt.status, tt.ctype, tt.body))
			got, err := portal.New(srv.URL).OpenData(context.Background(), api.DatasetCases)
			if (err != nil) != tt.wantErr {
				t.Fatalf("OpenData() = %+v, %v; want error %v", got, err, tt.wantErr)
			}
			if err != nil && citizen.IsTransient(err) != tt.transient {
				t.Errorf("transient = %v, want %v (%v)", citizen.IsTransient(err), tt.transient, err)
			}
			if err == nil && (len(got.Rows) != 1 || got.Rows[0].Count != 2) {
				t.Errorf("OpenData() = %+v, want the one row", got)
			}
		})
	}
}
