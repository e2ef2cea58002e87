package open311_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"rathaus/assets"
	"rathaus/server/open311"
	"rathaus/server/sqlite"
)

// BenchmarkRequests: GET requests of the default range holding 1,000
// reports (the most one answer carries), as JSON and as XML, on SQLite.
// go test -run '^$' -bench Requests ./server/open311/
func BenchmarkRequests(b *testing.B) {
	db, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	now := time.Now()
	for i := range 1000 {
		lat, long := 50.93+float64(i%100)/10000, 6.95+float64(i/100)/1000
		_, _, err := db.CreateReport(ctx, "", nil, open311.NewReport{Token: open311.NewToken(), ServiceCode: "strassenbeleuchtung",
			Description: "Laterne aus, seit Tagen dunkel", Lat: &lat, Long: &long, Address: "Hauptstraße 3",
			Attributes: map[string][]string{"fehlerart": {"aus"}}, Source: "bench", Requested: now.Add(-time.Duration(i) * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
	}
	services, err := assets.DemoReportServices()
	if err != nil {
		b.Fatal(err)
	}
	h := open311.New(open311.Config{Store: db, Services: services})
	for _, format := range []string{"json", "xml"} {
		b.Run(format, func(b *testing.B) {
			var size int
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/open311/v2/requests."+format, nil))
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
