package portal_test

import (
	"context"
	"net/http"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
)

// TestReportErrors: what the backend answers a report, classified as the
// engine needs it: refusals are permanent, overload and garble transient.
func TestReportErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		ctype     string
		body      string
		transient bool
		code      string
	}{
		{"outside the town", 422, api.ContentTypeProblem, `{"title":"Validation Failed","status":422}`, false, ""},
		{"unknown service", 404, api.ContentTypeProblem, `{"title":"Unknown Service","status":404}`, false, ""},
		{"busy", 503, api.ContentTypeProblem, `{"title":"Service Unavailable","status":503}`, true, citizen.EUNAVAILABLE},
		{"report without id", 201, api.ContentTypeJSON, `{"service_code":"baum"}`, true, ""},
		{"not JSON", 201, api.ContentTypeJSON, `<html>`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, respond(tt.status, tt.ctype, tt.body))
			_, err := portal.New(srv.URL).PostReport(context.Background(), "k", api.ReportRequest{ServiceCode: "baum"})
			if err == nil {
				t.Fatal("PostReport() = nil error")
			}
			if got := citizen.IsTransient(err); got != tt.transient {
				t.Errorf("transient = %v, want %v (%v)", got, tt.transient, err)
			}
			if tt.code != "" && citizen.ErrorCode(err) != tt.code {
				t.Errorf("code = %s, want %s", citizen.ErrorCode(err), tt.code)
			}
		})
	}
	t.Run("vote answered with another report", func(t *testing.T) {
		srv := serve(t, respond(http.StatusOK, api.ContentTypeJSON, `{"id":"7","service_code":"baum","status":"open"}`))
		if _, err := portal.New(srv.URL).VoteReport(context.Background(), "k", "8"); err == nil || !citizen.IsTransient(err) {
			t.Errorf("VoteReport() = %v, want a transient error", err)
		}
	})
	t.Run("feed", func(t *testing.T) {
		srv := serve(t, respond(http.StatusOK, api.ContentTypeJSON, `{"reports":[{"id":"7","service_code":"baum","status":"open"}]}`))
		feed, err := portal.New(srv.URL).ReportFeed(context.Background())
		if err != nil || len(feed.Reports) != 1 || feed.Reports[0].ID != "7" {
			t.Errorf("ReportFeed() = %+v, %v", feed, err)
		}
	})
}
