package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"database/sql"

	"rathaus/api"
	"rathaus/app/search"
	"rathaus/assets"
)

// bigCatalog is the demo town's catalog and FAQ with n generated services
// added: German compounds of common parts, summaries of common words.
func bigCatalog(tb testing.TB, n int) api.Catalog {
	tb.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	heads := strings.Fields(`Hunde Gewerbe Bau Park Wohn Melde Geburts Sperr Grund Kita Fischerei Führer Reise
		Gaststätten Sonder Markt Friedhofs Wasser Abfall Straßen Schul Jugend Senioren Kultur Sport Feuer
		Brand Garten Spiel Verkehrs Umwelt Lärm Denkmal Vereins Fahrrad Taxi Hafen Forst Jagd Bestattungs`)
	tails := strings.Fields(`steuer anmeldung genehmigung ausweis bescheinigung urkunde antrag auskunft schein
		gebühr erlaubnis zuschuss platz förderung beratung abmeldung nutzung zulassung meldung prüfung`)
	enHeads := strings.Fields(`dog business building parking housing registration birth bulky land nursery fishing
		driving travel restaurant special market cemetery water waste street school youth senior culture`)
	enTails := strings.Fields(`tax permit licence card certificate record application information allowance
		place grant advice notice use approval check`)
	words := strings.Fields(`Sie können beantragen Unterlagen Termin Bürgerbüro Gebühr Frist Wochen online
		schriftlich Nachweis Ausweis Antrag bearbeiten Bescheid Stadt Musterstadt Amt zuständig Monate Kosten
		Euro Formular Unterschrift Vollmacht persönlich erhalten Post E-Mail Rückfragen Bearbeitungszeit`)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		title := heads[r.IntN(len(heads))] + tails[r.IntN(len(tails))]
		var sum []string
		for range 12 + r.IntN(12) {
			sum = append(sum, words[r.IntN(len(words))])
		}
		cat.Services = append(cat.Services, api.Service{
			ID:       fmt.Sprintf("gen-%d", i),
			Category: cat.Categories[r.IntN(len(cat.Categories))].ID,
			Title:    api.Text{"de": title + " " + fmt.Sprint(i), "en": enHeads[r.IntN(len(enHeads))] + " " + enTails[r.IntN(len(enTails))] + " " + fmt.Sprint(i)},
			Summary:  api.Text{"de": strings.Join(sum, " "), "en": "Apply online or at the citizens' office; bring your ID and the documents listed."},
			Keywords: api.Text{"de": heads[r.IntN(len(heads))] + " " + tails[r.IntN(len(tails))]},
		})
	}
	return cat
}

// keystrokes are what a citizen types into the search box, each prefix
// one search.
func keystrokes() []string {
	var out []string
	for _, q := range []string{"Führerschein", "hundesteuer anmelden", "Sperrmüll", "parkausweis",
		"Wohngeld", "Fuehrungszeugnis", "geburtsurkunde", "gewerbe abmelden", "kita", "baum fällen",
		"Meldebescheinigung", "halteverbot umzug", "strasse", "jagdschein", "bestattung"} {
		rs := []rune(q)
		for i := 1; i <= len(rs); i++ {
			out = append(out, string(rs[:i]))
		}
	}
	return out
}

// BenchmarkKeystroke is one search per keystroke as the home screen makes
// it (services only, the best 200), over 5,000 generated services plus
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
	cat := bigCatalog(b, 5000)
	start := time.Now()
	if err := ix.Rebuild(ctx, cat); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "rebuild-ms")
	keys := keystrokes()
	var took []time.Duration
	b.ResetTimer()
	for range b.N {
		for _, k := range keys {
			t0 := time.Now()
			if _, err := ix.Search(ctx, k, search.Options{Kind: search.Service, Limit: 200}); err != nil {
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
