package ui

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/app/search"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/ui/internal/uitest"
)

// TestFAQUpdatesThroughTheChangesFeed: the town publishes a new answer
// (the backend restarts with a catalog whose FAQ grew); the changes feed
// announces the catalog, the app fetches it, and the assistant and the
// search index answer from it, end to end. The index lives in the store's
// database, as main.go opens it.
func TestFAQUpdatesThroughTheChangesFeed(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, func(d *Deps) {
		ix, err := search.Open(ctx, d.Store.(*store.Store).DB())
		if err != nil {
			t.Fatal(err)
		}
		d.Index = ix
	})
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tab := range r.ui.tabs.Items {
		if tab.Content == r.ui.assistant.Content() {
			r.ui.tabs.Select(tab)
		}
	}
	// The conversation's text from the last question on.
	last := func() string {
		all := uitest.Text(r.ui.assistant.Content())
		return all[strings.LastIndex(all, "Schornsteinfeger"):]
	}
	r.ui.assistant.Ask("Schornsteinfeger")
	if got := last(); !strings.Contains(got, "I have no good answer") || strings.Contains(got, "Once a year") {
		t.Fatalf("before the town published it:\n%s", got)
	}

	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cat.FAQ = append(slices.Clone(cat.FAQ), api.FAQEntry{ID: "schornsteinfeger", Service: "maengelmelder",
		Question: api.Text{"de": "Wann kommt der Schornsteinfeger?", "en": "When does the chimney sweep come?"},
		Answer:   api.Text{"de": "Einmal im Jahr, angekündigt per Aushang.", "en": "Once a year, announced by a notice."}})
	forms, err := assets.DemoFormFiles()
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(server.Config{Store: r.Backend.DB, Catalog: cat, Forms: forms,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), UploadDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	r.Backend.SetHandler(h)
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.ui.assistant.Ask("Schornsteinfeger")
	if got := last(); !strings.Contains(got, "Once a year, announced by a notice.") || !strings.Contains(got, "Source: questions and answers of Musterstadt") {
		t.Errorf("after the catalog change:\n%s", got)
	}
	if hits, err := r.ui.index.Search(ctx, "chimney", search.Options{}); err != nil || len(hits) != 1 || hits[0].ID != "schornsteinfeger" {
		t.Errorf("the index finds chimney: %v, %v", hits, err)
	}
}

// TestSearchIndexInTheStoresDatabase: the index main.go opens in the
// store's database serves the home screen, and a second start finds it
// built (nothing to write when the catalog did not change).
func TestSearchIndexInTheStoresDatabase(t *testing.T) {
	ctx := context.Background()
	var ix *search.Index
	r := newRig(t, func(d *Deps) {
		var err error
		if ix, err = search.Open(ctx, d.Store.(*store.Store).DB()); err != nil {
			t.Fatal(err)
		}
		d.Index = ix
	})
	r.ui.home.SetQuery("Fuehrungszeugnis")
	if got := uitest.Text(r.win.Content()); !strings.Contains(got, "Certificate of good conduct") {
		t.Errorf("the home screen's search over the store's index shows:\n%s", got)
	}
	var rows int
	if err := r.Store.DB().QueryRowContext(ctx, `SELECT count(*) FROM search_index`).Scan(&rows); err != nil || rows == 0 {
		t.Fatalf("rows in the store's search_index: %d, %v", rows, err)
	}
	again, err := search.Open(ctx, r.Store.DB())
	if err != nil {
		t.Fatal(err)
	}
	if hits, err := again.Search(ctx, "sperrmull", search.Options{Kind: search.Service}); err != nil || len(hits) == 0 || hits[0].ID != "sperrmuell" {
		t.Errorf("the index opened again, before any rebuild, finds %v, %v", hits, err)
	}
}
