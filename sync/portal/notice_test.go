package portal_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"rathaus/app/citizen"
	"rathaus/sync/portal"
)

func TestNotice(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		want      int // the ResponseError's status; 0: no error
		transient bool
	}{
		{"a PDF", http.StatusOK, "%PDF-1.7 ...", 0, false},
		{"none", http.StatusNotFound, `{"type":"about:blank","title":"Not Found","status":404}`, http.StatusNotFound, false},
		{"not a PDF", http.StatusOK, "<html>", http.StatusOK, true},
		{"server error", http.StatusInternalServerError, "", http.StatusInternalServerError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/cases/c_1/notice" {
					http.NotFound(w, r)
					return
				}
				if tt.status == http.StatusNotFound {
					w.Header().Set("Content-Type", "application/problem+json")
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := portal.New(srv.URL).Notice(context.Background(), "c_1")
			if tt.want == 0 {
				if err != nil || !bytes.Equal(got, []byte(tt.body)) {
					t.Fatalf("Notice = %q, %v", got, err)
				}
				return
			}
			var re *portal.ResponseError
			if !errors.As(err, &re) || re.Status != tt.want {
				t.Fatalf("err = %v, want a ResponseError with status %d", err, tt.want)
			}
			if citizen.IsTransient(err) != tt.transient {
				t.Errorf("transient = %v, want %v", citizen.IsTransient(err), tt.transient)
			}
		})
	}
}
