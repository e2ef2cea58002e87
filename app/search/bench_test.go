package search_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"rathaus/app/search"
	"rathaus/app/search/searchtest"
)

// BenchmarkKeystroke is one search per keystroke as the home screen makes
// it (services only, the best 100), over 5,000 generated services plus
// the demo town's catalog and FAQ in a database file; it reports p50 and
// p99 per keystroke.
//
//	go test -tags sqlite_fts5 -run '^$' -bench Keystroke -benchtime 20x ./app/search/
func BenchmarkKeystroke(b *testing.B) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "app.db")+"?_journal_mode=WAL")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ix, err := search.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	cat := searchtest.Catalog(b, 5000)
	start := time.Now()
	if err := ix.Rebuild(ctx, cat); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "rebuild-ms")
	keys := searchtest.Keystrokes()
	var took []time.Duration
	b.ResetTimer()
	for range b.N {
		for _, k := range keys {
			t0 := time.Now()
			if _, err := ix.Search(ctx, k, search.Options{Kind: search.Service, Limit: 100}); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(t0))
		}
	}
	b.StopTimer()
	slices.Sort(took)
	q := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(float64(len(keys)), "keys/op")
}
