package open311_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rathaus/assets"
	"rathaus/server/open311"
	"rathaus/server/sqlite"
)

// FuzzOpen311 sends arbitrary form bodies to POST requests and arbitrary
// queries to GET requests: every answer is one of the spec's statuses with
// a JSON array for a body, never a panic or a 500.
func FuzzOpen311(f *testing.F) {
	db, err := sqlite.Open(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = db.Close() })
	secret, k := open311.NewKey("fuzz", time.Now())
	if _, err := db.AddOpen311Key(context.Background(), k); err != nil {
		f.Fatal(err)
	}
	services, err := assets.DemoReportServices()
	if err != nil {
		f.Fatal(err)
	}
	h := open311.New(open311.Config{Store: db, Services: services})
	for _, seed := range []string{
		"service_code=strassenbeleuchtung&lat=50.94&long=6.96&attribute[fehlerart]=aus",
		"service_code=wilder-muell&address_string=Dom&attribute[art][]=elektro&attribute[art][]=sperrmuell",
		"service_code=schlagloch&address_id=x&attribute[flaeche]=radweg&attribute[tiefe_cm]=1e400",
		"service_code=graffiti&lat=NaN&long=Inf",
		"attribute[[]]=&attribute[x][][]=1&%zz",
	} {
		f.Add(seed, true, "status=open,closed&start_date=2026-01-01T00:00:00Z")
		f.Add(seed, false, "service_request_id=1,2,-3,0x10&service_code=,,")
	}
	f.Fuzz(func(t *testing.T, body string, withKey bool, query string) {
		if withKey {
			body = "api_key=" + secret + "&" + body
		}
		for _, req := range []*http.Request{
			httptest.NewRequest(http.MethodPost, "/open311/v2/requests.json", strings.NewReader(body)),
			httptest.NewRequest(http.MethodGet, "/open311/v2/requests.json", nil),
		} {
			if req.Method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req.URL.RawQuery = query
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			switch w.Code {
			case 200, 400, 403, 404:
			default:
				t.Fatalf("%s: status %d: %s", req.Method, w.Code, w.Body)
			}
			var out []map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("%s: body is not a JSON array: %v: %s", req.Method, err, w.Body)
			}
			if w.Code == 200 && req.Method == http.MethodPost && len(out) != 1 {
				t.Fatalf("POST answered %d requests", len(out))
			}
		}
	})
}
