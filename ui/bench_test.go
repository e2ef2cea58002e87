package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"rathaus/app/citizen"
)

// BenchmarkRenderLargestForm builds every step and the summary of the
// largest demo form (residence registration) with its full example, in
// fyne's test driver: the screen as the citizen pages through it.
func BenchmarkRenderLargestForm(b *testing.B) {
	r := newRig(b)
	svc, _ := r.ui.service("anmeldung-wohnung")
	d := citizen.NewDraft(svc, timeNow())
	values := example(b, "anmeldung-wohnung")
	d.Values = values
	if err := r.store.CreateDraft(context.Background(), d); err != nil {
		b.Fatal(err)
	}
	f, err := r.ui.form(d.Form)
	if err != nil {
		b.Fatal(err)
	}
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(480, 900))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs := newFormScreen(r.ui, f, d)
		w.SetContent(fs.content())
		for !fs.summary() {
			fs.step = fs.shownFrom(fs.step+1, +1)
			fs.showStep()
		}
	}
}
