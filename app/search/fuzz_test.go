package search_test

import (
	"context"
	"testing"

	"rathaus/app/search"
)

// FuzzSearch: whatever the citizen types, the search box and the
// assistant answer without an error (no query the index cannot parse).
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"Führerschein", "hund AND steuer", `"perso"*`, "NEAR(a b)", "a OR", "-x", "{title}: x",
		"ŉ", "ǅ", "ﬀ", "𝔄𝔟", "١٢٣", "ß", "İstanbul", "x\u0301", "日本語", "a^b", "()", "*", "\x00"} {
		f.Add(s)
	}
	ix := demoIndex(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		for _, m := range []search.Mode{search.All, search.Any} {
			if _, err := ix.Search(ctx, q, search.Options{Mode: m}); err != nil {
				t.Fatalf("search %q (mode %d): %v", q, m, err)
			}
		}
		if _, err := ix.Ask(ctx, q); err != nil {
			t.Fatalf("ask %q: %v", q, err)
		}
	})
}
