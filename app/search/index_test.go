package search_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"rathaus/api"
	"rathaus/app/search"
	"rathaus/assets"
)

func ids(hits []search.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = string(h.Kind) + ":" + h.ID
	}
	return out
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Führerschein", "fuhrerschein"},
		{"Fuehrerschein", "fuhrerschein"},
		{"FUHRERSCHEIN", "fuhrerschein"},
		{"Straße", "strasse"},
		{"Café", "cafe"},
		{"Mängelmelder", "mangelmelder"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := search.Fold(tc.in); got != tc.want {
				t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestSearchFindsWhatPeopleType: spellings, prefixes as typed, compounds by
// their parts, colloquial words and typos find the service, searching the
// services only as the home screen does.
func TestSearchFindsWhatPeopleType(t *testing.T) {
	ix := demoIndex(t)
	for _, tc := range []struct {
		query string
		want  string // among the hits
		first bool   // and the first
	}{
		{"Sperrmüll", "service:sperrmuell", true},
		{"Sperrmuell", "service:sperrmuell", true},
		{"sperrmull", "service:sperrmuell", true},
		{"sper", "service:sperrmuell", true},
		{"Führungszeugnis", "service:fuehrungszeugnis", true},
		{"Fuehrungszeugnis", "service:fuehrungszeugnis", true},
		{"fuhrungszeugnis", "service:fuehrungszeugnis", true},
		{"fuhr", "service:fuehrungszeugnis", true},
		{"Hund", "service:hundesteuer", true},
		{"steuer", "service:hundesteuer", false},             // Hundesteuer by its last part
		{"parkausweis", "service:bewohnerparkausweis", true}, // Bewohnerparkausweis
		{"park", "service:bewohnerparkausweis", false},
		{"urkunde", "service:personenstandsurkunde", true},
		{"strasse", "service:halteverbot-umzug", false},
		{"UMZUG halteverbot", "service:halteverbot-umzug", true},
		{"kindergartenplatz", "service:kita-platz", true}, // a compound the texts do not have
		{"Meldebeschinigung", "service:meldebescheinigung", true},
		{"business", "service:gewerbeanmeldung", true},
	} {
		t.Run(tc.query, func(t *testing.T) {
			hits, err := ix.Search(context.Background(), tc.query, search.Options{Kind: search.Service})
			if err != nil {
				t.Fatal(err)
			}
			got := ids(hits)
			if !slices.Contains(got, tc.want) || (tc.first && got[0] != tc.want) {
				t.Errorf("search %q = %v, want %s %s", tc.query, got, tc.want, map[bool]string{true: "first", false: "among them"}[tc.first])
			}
			for _, h := range hits {
				if h.Kind != search.Service {
					t.Errorf("search %q for services gave %s:%s", tc.query, h.Kind, h.ID)
				}
			}
		})
	}
}

// TestSearchAllNarrows: in the search box every word narrows; a word that
// matches nothing leaves nothing.
func TestSearchAllNarrows(t *testing.T) {
	ix := demoIndex(t)
	ctx := context.Background()
	wide, err := ix.Search(ctx, "anmelden", search.Options{Kind: search.Service})
	if err != nil {
		t.Fatal(err)
	}
	narrow, err := ix.Search(ctx, "anmelden hund", search.Options{Kind: search.Service})
	if err != nil {
		t.Fatal(err)
	}
	if len(narrow) == 0 || len(narrow) >= len(wide) || narrow[0].ID != "hundesteuer" {
		t.Errorf(`"anmelden" = %v, "anmelden hund" = %v; want fewer, the dog tax first`, ids(wide), ids(narrow))
	}
	for _, q := range []string{"xylophon", "hund xylophon", "", "  ...  "} {
		if hits, err := ix.Search(ctx, q, search.Options{}); err != nil || len(hits) != 0 {
			t.Errorf("search %q = %v, %v; want nothing", q, ids(hits), err)
		}
	}
}

// TestRebuild: the index follows a changed catalog, and keeps what it
// holds in the database it lives in across an Open.
func TestRebuild(t *testing.T) {
	ctx := context.Background()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "app.db")+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ix, err := search.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(ctx, cat); err != nil {
		t.Fatal(err)
	}
	find := func(ix *search.Index, q string) []string {
		t.Helper()
		hits, err := ix.Search(ctx, q, search.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return ids(hits)
	}
	if got := find(ix, "Schornsteinfeger"); len(got) != 0 {
		t.Fatalf("before the change: %v", got)
	}
	// A new FAQ entry and a service gone, as a new catalog brings them.
	changed := cat
	changed.FAQ = append(slices.Clone(cat.FAQ), api.FAQEntry{ID: "kaminkehrer",
		Question: api.Text{"de": "Wann kommt der Schornsteinfeger?", "en": "When does the chimney sweep come?"},
		Answer:   api.Text{"de": "Einmal im Jahr.", "en": "Once a year."}})
	changed.Services = slices.DeleteFunc(slices.Clone(cat.Services), func(s api.Service) bool { return s.ID == "sperrmuell" })
	if err := ix.Rebuild(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if got := find(ix, "schornstein"); !slices.Equal(got, []string{"faq:kaminkehrer"}) {
		t.Errorf("after the change, schornstein = %v, want the new FAQ entry", got)
	}
	if got := find(ix, "sperrmull"); slices.Contains(got, "service:sperrmuell") {
		t.Errorf("after the change, a removed service is still found: %v", got)
	}
	// Opened again (the app's next start): the index answers before and
	// after a Rebuild with the same catalog.
	again, err := search.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Rebuild(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if got := find(again, "Schornsteinfeger"); !slices.Equal(got, []string{"faq:kaminkehrer"}) {
		t.Errorf("after opening again: %v", got)
	}
	// A typo is guessed from the word list, which an unchanged Rebuild
	// leaves for the first search to make.
	if got := find(again, "Schornsteinfger"); !slices.Equal(got, []string{"faq:kaminkehrer"}) {
		t.Errorf("after opening again, a typo: %v", got)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM search_index`).Scan(&rows); err != nil || rows != len(changed.Services)+len(changed.FAQ) {
		t.Errorf("index rows = %d (%v), want %d", rows, err, len(changed.Services)+len(changed.FAQ))
	}
}
