package search_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"rathaus/app/search"
	"rathaus/app/search/searchtest"
)

// BenchmarkKeystroke is one search per keystroke as the home screen makes
// it (services only, the best 100), over 5,000 generated services plus
// the demo town's catalog and FAQ in a database file; it reports p50 and
// p99 per keystroke (see searchtest.Times).
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
	rebuild := time.Since(start)
	keys := searchtest.Keystrokes()
	took := searchtest.NewTimes(len(keys))
	b.ResetTimer()
	for range b.N {
		for i, k := range keys {
			t0 := time.Now()
			if _, err := ix.Search(ctx, k, search.Options{Kind: search.Service, Limit: 100}); err != nil {
				b.Fatal(err)
			}
			took.Add(i, time.Since(t0))
		}
	}
	b.StopTimer()
	took.Report(b, "")
	b.ReportMetric(float64(rebuild.Milliseconds()), "rebuild-ms")
	b.ReportMetric(float64(len(keys)), "keys/op")
}

// BenchmarkRebuildUnchanged is what the app's start asks of the index:
// Rebuild with the demo town's catalog the index already holds, then the
// first search (which needs the word list).
//
//	go test -tags sqlite_fts5 -run '^$' -bench RebuildUnchanged ./app/search/
func BenchmarkRebuildUnchanged(b *testing.B) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "app.db")+"?_journal_mode=WAL")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cat := searchtest.Catalog(b, 0)
	ix, err := search.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	if err := ix.Rebuild(ctx, cat); err != nil {
		b.Fatal(err)
	}
	var rebuild, first time.Duration
	b.ResetTimer()
	for range b.N {
		ix, err := search.Open(ctx, db) // a new start
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := ix.Rebuild(ctx, cat); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := ix.Search(ctx, "hundesteur", search.Options{Kind: search.Service, Limit: 100}); err != nil {
			b.Fatal(err)
		}
		rebuild, first = rebuild+t1.Sub(t0), first+time.Since(t1)
	}
	b.ReportMetric(float64(rebuild.Microseconds())/float64(b.N)/1000, "rebuild-ms")
	b.ReportMetric(float64(first.Microseconds())/float64(b.N)/1000, "first-search-ms")
}
