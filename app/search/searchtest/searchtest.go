// Package searchtest generates what the search benchmarks run on: a
// large catalog and what a citizen types. Only tests import it.
package searchtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
)

// Catalog is the demo town's catalog and FAQ with n generated services
// added: German compounds of common parts, summaries of common words.
func Catalog(tb testing.TB, n int) api.Catalog {
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

// Keystrokes are what a citizen types into the search box, each prefix
// one search.
func Keystrokes() []string {
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

// Times are the durations of each keystroke over a benchmark's rounds.
// Report gives p50 and p99 of all of them as measured (wall-) and p99 over
// the keystrokes of each one's fastest round (best-): on a machine shared
// with other work a keystroke's wall time holds the waits for a core, its
// fastest round is what the search itself costs.
type Times struct {
	all  []time.Duration
	best []time.Duration
}

// NewTimes is for n keystrokes.
func NewTimes(n int) *Times {
	t := &Times{best: make([]time.Duration, n)}
	for i := range t.best {
		t.best[i] = time.Hour
	}
	return t
}

// Add records keystroke i's duration d.
func (t *Times) Add(i int, d time.Duration) {
	t.all = append(t.all, d)
	t.best[i] = min(t.best[i], d)
}

// Report reports the figures as the benchmark's metrics, their names
// prefixed.
func (t *Times) Report(b *testing.B, prefix string) {
	q := func(ds []time.Duration, p float64) float64 {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(t.all, 0.5), prefix+"wall-p50-ms")
	b.ReportMetric(q(t.all, 0.99), prefix+"wall-p99-ms")
	b.ReportMetric(q(t.best, 0.5), prefix+"best-p50-ms")
	b.ReportMetric(q(t.best, 0.99), prefix+"best-p99-ms")
}
