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
	"rathaus/assets"
	"rathaus/server"
	"rathaus/ui/internal/uitest"
)

// TestFAQUpdatesThroughTheChangesFeed: the town publishes a new answer
// (the backend restarts with a catalog whose FAQ grew); the changes feed
// announces the catalog, the app fetches it, and the assistant and the
// search index answer from it, end to end.
func TestFAQUpdatesThroughTheChangesFeed(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
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
