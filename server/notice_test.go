package server_test

import (
	"bytes"
	"net/http"
	"testing"

	"rathaus/api"
)

// TestNotice: the device that submitted a case gets its notice once it is
// decided; no other device gets it, nor anyone before the decision.
func TestNotice(t *testing.T) {
	e := newEnv(t, withStaff)
	svc := e.catalog.Services[0]
	mine, other := e.register(t), e.register(t)
	c := caseOf(t, e.submitAs(t, auth(mine), "k", body(t, svc.ID, svc.Form, e.example(t, svc))))
	path := api.PathCases + c.ID + api.NoticeSuffix

	if r := e.get(t, path, auth(mine)); r.status != http.StatusNotFound {
		t.Errorf("before the decision: %d, want 404", r.status)
	}
	if r := e.setStatus(t, staffToken, c.ID, api.StatusRequest{Status: api.StatusDecided,
		Note: api.Text{"de": "Die Hundesteuer beträgt 120 € im Jahr.", "en": "The dog tax is €120 a year."}}); r.status != http.StatusOK {
		t.Fatalf("decide: %d %s", r.status, r.body)
	}
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"the case's device", auth(mine), http.StatusOK},
		{"another device", auth(other), http.StatusNotFound},
		{"no credential", nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(t, path, tt.header)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d; body %.200s", r.status, tt.want, r.body)
			}
			if tt.want == http.StatusOK && (r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF-"))) {
				t.Errorf("got %s, %.20q; want a PDF", r.header.Get("Content-Type"), r.body)
			}
		})
	}
	if r := e.get(t, api.PathCases+"c_0000000000000000"+api.NoticeSuffix, auth(mine)); r.status != http.StatusNotFound {
		t.Errorf("unknown case: %d, want 404", r.status)
	}
}
