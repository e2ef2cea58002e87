package forms

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// BenchmarkRenderLargestForm builds every step and the summary of the
// largest demo form (residence registration) with its full example, in
// fyne's test driver: the screen as the citizen pages through it.
func BenchmarkRenderLargestForm(b *testing.B) {
	r := newRig(b)
	d := r.Example(b, "anmeldung-wohnung")
	f, err := r.area.form(d.Form)
	if err != nil {
		b.Fatal(err)
	}
	// Rendering only: the steps' saves would measure the disk.
	area := New(Deps{Store: unsaved{r.Store}, Sync: r.Engine, Catalog: r, Nav: r, Window: r.win})
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(480, 900))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Step = 0 // the state moves it along
		fs, err := area.FormScreen(d)
		if err != nil {
			b.Fatal(err)
		}
		w.SetContent(fs.Content())
		for !fs.state.OnSummary() {
			next := fs.state.Step() + 1
			for next < len(f.Def.Steps) && !f.StepShown(next, d.Values) {
				next++
			}
			fs.onChangeStep(next)
		}
	}
}

// unsaved is a store that keeps drafts in memory only.
type unsaved struct{ Store }

func (unsaved) SaveDraft(context.Context, string, map[string]any, int) error { return nil }
