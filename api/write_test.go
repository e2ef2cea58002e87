package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		write      func(w http.ResponseWriter)
		wantStatus int
		wantType   string
		wantBody   string
	}{
		{"json", func(w http.ResponseWriter) {
			WriteJSON(w, http.StatusCreated, HandoffClaim{ID: "h1", Ciphertext: []byte{1}})
		},
			http.StatusCreated, ContentTypeJSON, `{"id":"h1","ciphertext":"AQ=="}`},
		{"problem", func(w http.ResponseWriter) {
			WriteProblem(w, &Problem{Type: ProblemHandoffClaimed, Title: "Gone", Status: http.StatusGone})
		}, http.StatusGone, ContentTypeProblem, `{"type":"` + ProblemHandoffClaimed + `","title":"Gone","status":410}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.write(rec)
			if got := rec.Code; got != tt.wantStatus {
				t.Errorf("status = %d; want %d", got, tt.wantStatus)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q; want %q", got, tt.wantType)
			}
			var got, want any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %s: %v", rec.Body, err)
			}
			_ = json.Unmarshal([]byte(tt.wantBody), &want)
			if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
				t.Errorf("body = %s; want %s", g, w)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
