package ui

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// useLanguage switches the translations for one test and back to the
// tests' English after it.
func useLanguage(t *testing.T, code string) {
	t.Helper()
	if err := kit.SetLanguage(code); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := kit.SetLanguage("en"); err != nil {
			t.Error(err)
		}
	})
}

// tapOption taps the tappable whose text is text (an option of the
// language picker), as the citizen does.
func tapOption(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	var found fyne.Tappable
	uitest.Walk(o, func(x fyne.CanvasObject) {
		if tp, ok := x.(fyne.Tappable); ok && found == nil && strings.TrimSpace(uitest.Text(x)) == text {
			found = tp
		}
	})
	if found == nil {
		t.Fatalf("no option %q on screen:\n%s", text, uitest.Text(o))
	}
	test.Tap(found)
}

// visibleTexts are the texts of the visible labels and buttons below o.
func visibleTexts(o fyne.CanvasObject) []string {
	var out []string
	uitest.Walk(o, func(x fyne.CanvasObject) {
		switch w := x.(type) {
		case *widget.Label:
			if w.Text != "" {
				out = append(out, w.Text)
			}
		case *widget.Button:
			if w.Text != "" {
				out = append(out, w.Text)
			}
		case interface{ Widget() *widget.Button }: // kit's buttons
			if w.Widget().Text != "" {
				out = append(out, w.Widget().Text)
			}
		}
	})
	return out
}

// TestLanguageSwitch: a tap on "Türkçe" in the about tab shows every text
// in Turkish at once, keeps the draft (saved, and its form open again on
// the services tab), stays on the tab and is remembered for the next start,
// unless RATHAUS_LANG fixes the language.
func TestLanguageSwitch(t *testing.T) {
	useLanguage(t, "en")
	r := newRig(t)
	d := r.Draft(t, "hundesteuer", nil)
	r.ui.OpenDraft(d)
	entries := uitest.All[*kit.Entry](r.ui.openForm)
	if len(entries) == 0 {
		t.Fatal("the form shows no entry")
	}
	test.Type(entries[0], "Bello")

	about := len(r.ui.tabs.Items) - 1
	r.ui.tabs.SelectIndex(about)
	before := visibleTexts(r.ui.tabs.Items[about].Content)
	en, tr := translations(t, "en"), translations(t, "tr")
	tapOption(t, r.ui.tabs.Items[about].Content, "Türkçe")

	if got := kit.Lang(); got != "tr" {
		t.Fatalf("language after the tap = %q, want tr", got)
	}
	if got := r.ui.tabs.SelectedIndex(); got != about {
		t.Errorf("tab after the switch = %d, want %d (about)", got, about)
	}
	after := visibleTexts(r.ui.tabs.Items[about].Content)
	changed := 0
	for _, s := range before {
		key := keyOf(en, s)
		if key == "" || tr[key] == s {
			continue // data (the language names), or the same in both
		}
		if slices.Contains(after, s) {
			t.Errorf("%q is still shown in English after the switch", s)
		}
		if !slices.Contains(after, tr[key]) {
			t.Errorf("%q is not shown in Turkish (%q) after the switch: %q", s, tr[key], after)
		}
		changed++
	}
	if changed < 3 {
		t.Errorf("only %d texts of the about tab were checked: %q", changed, before)
	}
	for i, want := range []string{"Hizmetler", "Başvurularım"} {
		if got := r.ui.tabs.Items[i].Text; got != want {
			t.Errorf("tab %d = %q, want %q", i, got, want)
		}
	}

	// The draft: saved, and open again on the services tab with what was typed.
	if r.ui.shownDraft() != d.ID {
		t.Fatalf("the form of the draft is not open again after the switch (shown %q)", r.ui.shownDraft())
	}
	stored, err := r.Store.Draft(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	saved := false
	for _, v := range stored.Values {
		saved = saved || v == "Bello"
	}
	if !saved {
		t.Errorf("what was typed is not saved: %v", stored.Values)
	}
	shown := false
	for _, e := range uitest.All[*kit.Entry](r.ui.openForm) {
		shown = shown || e.Text == "Bello"
	}
	if !shown {
		t.Error("the form opened again does not show what was typed")
	}
	for _, b := range []string{"Geri", "İleri"} {
		if uitest.ButtonIn(t, r.ui.openForm, b) == nil {
			t.Errorf("no button %q on the form after the switch", b)
		}
	}

	// Remembered: the next start is in Turkish, unless RATHAUS_LANG says.
	if v, _ := r.Store.Setting(context.Background(), SettingLanguage); v != "tr" {
		t.Errorf("remembered language = %q, want tr", v)
	}
	for _, tt := range []struct {
		name  string
		fixed bool
		want  string
	}{{"remembered", false, "tr"}, {"RATHAUS_LANG", true, "en"}} {
		t.Run(tt.name, func(t *testing.T) {
			useLanguage(t, "en")
			u := New(r.app, Deps{Store: r.Store, Sync: r.Engine, Clock: r.clock, FixedLanguage: tt.fixed})
			if got := kit.Lang(); got != tt.want {
				t.Errorf("language at start = %q, want %q", got, tt.want)
			}
			if got := u.tabs.Items[0].Text; got != translations(t, tt.want)["Services"] {
				t.Errorf("first tab = %q in %s", got, tt.want)
			}
		})
	}
}

// keyOf finds the key of a translation value ("" if none).
func keyOf(m map[string]string, value string) string {
	for k, v := range m {
		if v == value && !strings.HasPrefix(k, "meta.") {
			return k
		}
	}
	return ""
}

// TestNoEnglishOrGermanInTurkish walks the screens in Turkish (every
// string of the app has a Turkish text) and fails on a label, button or
// placeholder that shows the English or German text of a string whose
// Turkish differs: a string that bypassed lang, or was built before the
// switch. The catalog's own texts are data, not checked here.
func TestNoEnglishOrGermanInTurkish(t *testing.T) {
	useLanguage(t, "tr")
	r := newRig(t)
	tr := translations(t, "tr")
	var foreign []*regexp.Regexp
	for _, code := range []string{"en", "de"} {
		for k, v := range translations(t, code) {
			if strings.HasPrefix(k, "meta.") || tr[k] == v || len(v) < 3 {
				continue
			}
			// A template's data may be anything; one whose own words are
			// too short to tell ("{{.Status}} seit {{.Date}}") is left out.
			parts := regexp.MustCompile(`\{\{[^}]*\}\}`).Split(v, -1)
			if len(parts) > 1 && len(strings.Join(parts, "")) < 10 {
				continue
			}
			for i := range parts {
				parts[i] = regexp.QuoteMeta(parts[i])
			}
			foreign = append(foreign, regexp.MustCompile(`^`+strings.Join(parts, `.*`)+`$`))
		}
	}
	check := func(where string) {
		t.Helper()
		var texts []string
		uitest.Walk(r.win.Content(), func(x fyne.CanvasObject) {
			switch w := x.(type) {
			case *widget.Label:
				texts = append(texts, w.Text)
			case *widget.Button:
				texts = append(texts, w.Text)
			case interface{ Widget() *widget.Button }: // kit's buttons
				texts = append(texts, w.Widget().Text)
			case *kit.Entry:
				texts = append(texts, w.PlaceHolder)
			case *kit.Select:
				texts = append(texts, w.PlaceHolder)
			}
		})
		for _, tab := range r.ui.tabs.Items {
			texts = append(texts, tab.Text)
		}
		for _, s := range texts {
			for _, re := range foreign {
				if s != "" && re.MatchString(s) {
					t.Errorf("%s: %q is not Turkish (%s)", where, s, re)
					break
				}
			}
		}
	}
	for i := range r.ui.tabs.Items {
		r.ui.tabs.SelectIndex(i)
		check("tab " + r.ui.tabs.Items[i].Text)
	}
	r.ui.tabs.SelectIndex(0)
	r.ui.OpenReport()
	check("report")
	r.ui.nav.popToRoot()
	r.ui.OpenOpenData()
	check("open data")
	r.ui.nav.popToRoot()
	r.ui.OpenPolls()
	check("polls")
	r.ui.nav.popToRoot()
	svc, _ := r.ui.Service("hundesteuer")
	r.ui.OpenService(svc)
	check("service")
	r.ui.nav.popToRoot()
	r.ui.OpenDraft(r.Example(t, "hundesteuer"))
	for step := 0; step < 10; step++ {
		check("form step")
		next := r.findButton(tr["Next"])
		if next == nil {
			break
		}
		test.Tap(next)
	}
}

// failingSaves is the store with a full disk while fail is set.
type failingSaves struct {
	Store
	fail atomic.Bool
}

func (f *failingSaves) SaveDraft(ctx context.Context, id string, values map[string]any, step int) error {
	if f.fail.Load() {
		return citizen.Errorf(citizen.ESTORAGE, "The device's storage is full. Free some space; nothing was saved.")
	}
	return f.Store.SaveDraft(ctx, id, values, step)
}

// TestLanguageSwitchWaitsForTheSave: while what was typed cannot be saved
// (a full disk), the language stays, the form stays open with it and the
// citizen is told; once it saves, the switch goes ahead and keeps it.
func TestLanguageSwitchWaitsForTheSave(t *testing.T) {
	useLanguage(t, "en")
	var store *failingSaves
	r := newRig(t, func(d *Deps) { store = &failingSaves{Store: d.Store}; d.Store = store })
	d := r.Draft(t, "hundesteuer", nil)
	r.ui.OpenDraft(d)
	test.Type(uitest.All[*kit.Entry](r.ui.openForm)[0], "Bello")
	store.fail.Store(true)
	about := len(r.ui.tabs.Items) - 1
	r.ui.tabs.SelectIndex(about)
	tapOption(t, r.ui.tabs.Items[about].Content, "Türkçe")
	if got := kit.Lang(); got != "en" {
		t.Fatalf("language with the save failing = %q, want en", got)
	}
	if !strings.Contains(r.text(), "storage is full") {
		t.Errorf("the citizen is not told why: %q", r.text())
	}
	if r.ui.shownDraft() != d.ID {
		t.Error("the form was taken off with its values unsaved")
	}
	if !slices.Contains(visibleTexts(r.ui.tabs.Items[about].Content), "Language") {
		t.Error("the about tab is no longer in English")
	}

	store.fail.Store(false)
	tapOption(t, r.ui.tabs.Items[about].Content, "Türkçe")
	if got := kit.Lang(); got != "tr" {
		t.Fatalf("language once the save works = %q, want tr", got)
	}
	stored, err := r.Store.Draft(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(slices.Collect(maps.Values(stored.Values)), any("Bello")) {
		t.Errorf("what was typed is not saved: %v", stored.Values)
	}
}

// BenchmarkLanguageSwitch: the whole UI rebuilt in another language, with
// a form open (what a tap on the picker costs).
func BenchmarkLanguageSwitch(b *testing.B) {
	if err := kit.SetLanguage("en"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = kit.SetLanguage("en") })
	r := newRig(b)
	r.ui.OpenDraft(r.Example(b, "hundesteuer"))
	codes := []string{"tr", "en"}
	b.ResetTimer()
	for i := range b.N {
		r.ui.SwitchLanguage(codes[i%2])
	}
}
