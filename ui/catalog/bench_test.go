package catalog

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"database/sql"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/app/search"
	"rathaus/app/search/searchtest"
)

// BenchmarkHomeKeystroke is the home screen's work per keystroke as the
// citizen types into the search box over 5,000 generated services plus
// the demo town's catalog and FAQ, the index in a database file. It
// reports p50 and p99 per keystroke of finding the services (the index
// searched, the hits mapped to services: find-) and of all of it with the
// list drawn again in fyne's test driver (key-); see searchtest.Times.
//
//	go test -tags sqlite_fts5 -run '^$' -bench HomeKeystroke -benchtime 10x ./ui/catalog/
func BenchmarkHomeKeystroke(b *testing.B) {
	test.NewTempApp(b)
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
	if err := ix.Rebuild(ctx, cat); err != nil {
		b.Fatal(err)
	}
	h := NewHome(&opened{}, ix)
	h.SetCatalog(cat, false)
	w := test.NewWindow(h.Content())
	w.Resize(fyne.NewSize(360, 740))
	defer w.Close()
	keys := searchtest.Keystrokes()
	find, key := searchtest.NewTimes(len(keys)), searchtest.NewTimes(len(keys))
	b.ResetTimer()
	for range b.N {
		for i, k := range keys {
			t0 := time.Now()
			if err := h.match(k); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			h.box.SetText(k)
			find.Add(i, t1.Sub(t0))
			key.Add(i, time.Since(t1))
		}
	}
	b.StopTimer()
	find.Report(b, "find-")
	key.Report(b, "key-")
}
