package portal_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"rathaus/api"
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

func TestAnswer(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantErr   bool
		transient bool
	}{
		{"the case", http.StatusOK, `{"id":"c_1","number":"2026-000001","status":"in_review"}`, false, false},
		{"another case", http.StatusOK, `{"id":"c_2","number":"2026-000002","status":"in_review"}`, true, true},
		{"not asked", http.StatusConflict, `{"type":"about:blank","title":"Conflict","status":409}`, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var key string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v1/cases/c_1/answer" {
					http.NotFound(w, r)
					return
				}
				key = r.Header.Get("Idempotency-Key")
				w.Header().Set("Content-Type", "application/json")
				if tt.status != http.StatusOK {
					w.Header().Set("Content-Type", "application/problem+json")
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := portal.New(srv.URL).Answer(context.Background(), "k-1", "c_1", api.SubmissionRequest{Service: "s", Data: []byte(`{}`)})
			if key != "k-1" {
				t.Errorf("Idempotency-Key = %q", key)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("Answer = %+v, %v", c, err)
			}
			if err != nil && citizen.IsTransient(err) != tt.transient {
				t.Errorf("transient = %v, want %v (%v)", citizen.IsTransient(err), tt.transient, err)
			}
		})
	}
}
