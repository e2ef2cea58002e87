package login

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCallback_StateChecked: the loopback listener takes the code only
// with the login's state; a request with another state (or none) is
// refused with a page saying so and the wait goes on; the provider's
// error ends the login.
func TestCallback_StateChecked(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		status      int
		want        *callback
		page        string
	}{
		{"right state", "?state=s3cret&code=c0de", http.StatusOK, &callback{code: "c0de"}, "Angemeldet"},
		{"wrong state", "?state=guess&code=evil", http.StatusBadRequest, nil, "Anmeldung nicht gelungen"},
		{"no state", "?code=evil", http.StatusBadRequest, nil, "Login failed"},
		{"provider's error", "?state=s3cret&error=access_denied", http.StatusOK, &callback{err: "access_denied"}, "Login failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := make(chan callback, 1)
			h := &callbackHandler{state: "s3cret", out: out}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:1234/callback"+tc.query, nil))
			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			if !strings.Contains(rec.Body.String(), tc.page) {
				t.Errorf("page = %q, want %q in it", rec.Body.String(), tc.page)
			}
			var got *callback
			select {
			case cb := <-out:
				got = &cb
			default:
			}
			switch {
			case got == nil && tc.want != nil, got != nil && tc.want == nil, got != nil && *got != *tc.want:
				t.Errorf("delivered = %+v, want %+v", got, tc.want)
			}
		})
	}
}
