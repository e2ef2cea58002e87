package store_test

import (
	"context"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/store/savetest"
	"rathaus/assets/demotest"
)

// BenchmarkAutosave: one keystroke on the largest demo form
// (anmeldung-wohnung with its example), as the form screen saves it:
// change a field, SaveDraft (durable: WAL, synchronous=FULL). Against it,
// in the same run and interleaved with it, a raw upsert of the same
// sealed bytes into a one-table database with the same durability. The
// variant "validate" adds what the screen does per keystroke besides
// saving: validate the pruned values. Run with -benchtime 2000x or more,
// so that p99 is not the slowest of a handful.
//
// Metrics: p50 and p99 in µs of the save and of the raw upsert, their
// ratios, and the bytes handed to write(2) per keystroke (WAL frames, and
// checkpoints into the main file when they fall due).
func BenchmarkAutosave(b *testing.B) {
	for _, validate := range []bool{false, true} {
		name := "save"
		if validate {
			name = "save+validate"
		}
		b.Run(name, func(b *testing.B) { benchAutosave(b, validate) })
	}
}

func benchAutosave(b *testing.B, validate bool) {
	ctx := context.Background()
	form := demotest.Form(b, "anmeldung-wohnung")
	values := demotest.Example(b, "anmeldung-wohnung")
	f := MustOpen(b)
	d := citizen.NewDraft(api.Service{ID: form.Def.ID, Form: api.FormRef{ID: form.Def.ID, Version: form.Def.Version}}, time.Now())
	d.Values = values
	if err := f.CreateDraft(ctx, d); err != nil {
		b.Fatal(err)
	}
	// The draft was opened and changed once: the first save read the row
	// and queued the copy for the other devices, which the keystrokes
	// ride on (the copy is built when it is sent).
	d.Values["email"] = "anna.kowalska@example.org"
	if err := f.SaveDraft(ctx, d.ID, d.Values, 2); err != nil {
		b.Fatal(err)
	}
	const text = "Wohnungsbau Musterstadt GmbH, Verwaltung Nord"
	typed := func(i int) string { return text[:1+i%len(text)] }

	raw := savetest.NewRaw(b, d.ID, values, "landlord_name", typed)
	savetest.EmptyWALs(b, f.DB(), raw.DB)
	saves := make([]time.Duration, b.N)
	var saveBytes int64
	save := func(i int) {
		w := savetest.WChar(b)
		start := time.Now()
		formschema.Set(d.Values, "/landlord_name", typed(i))
		if err := f.SaveDraft(ctx, d.ID, d.Values, 2); err != nil {
			b.Fatal(err)
		}
		if validate {
			_ = form.Validate(form.Prune(d.Values))
		}
		saves[i] = time.Since(start)
		saveBytes += savetest.WChar(b) - w
	}
	b.ResetTimer()
	savetest.Interleave(b.N, save, func(i int) { raw.Upsert(b, i) })
	b.StopTimer()
	sp50, sp99 := savetest.Percentile(saves, 50), savetest.Percentile(saves, 99)
	rp50, rp99 := savetest.Percentile(raw.Times, 50), savetest.Percentile(raw.Times, 99)
	b.ReportMetric(0, "ns/op") // the loop times both; the figures are below
	b.ReportMetric(sp50, "save-p50-µs")
	b.ReportMetric(sp99, "save-p99-µs")
	b.ReportMetric(rp50, "raw-p50-µs")
	b.ReportMetric(rp99, "raw-p99-µs")
	b.ReportMetric(sp50/rp50, "p50-ratio")
	b.ReportMetric(sp99/rp99, "p99-ratio")
	b.ReportMetric(float64(saveBytes)/float64(b.N), "save-B/key")
	b.ReportMetric(float64(raw.Bytes)/float64(b.N), "raw-B/key")
}
