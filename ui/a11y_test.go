package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

// TestPhoneWidthAtEveryTextSize: on a phone (360x740) at 100 % and 200 %
// text, the dog tax's payment step with the SEPA mandate chosen and every
// step of the registration fit: nothing is wider than the window, the
// mandate the citizen agrees to is whole in a label that wraps, and "Back"
// and "Next" stay on the screen below the step's scroll.
func TestPhoneWidthAtEveryTextSize(t *testing.T) {
	const consent = "I authorise the town of Musterstadt to collect the dog tax from my account by direct debit."
	for _, percent := range []int{100, 200} {
		t.Run(fmt.Sprintf("text%d", percent), func(t *testing.T) {
			r := newRig(t)
			settings.Apply(r.app, kit.NewLook(percent, kit.ContrastNormal))
			r.win.Resize(fyne.NewSize(360, 740))

			values := demotest.Example(t, "hundesteuer")
			values["payment"] = "sepa"
			d := r.Draft(t, "hundesteuer", values)
			if err := r.Store.SaveDraft(context.Background(), d.ID, values, 2); err != nil {
				t.Fatal(err)
			}
			d.Step = 2
			r.ui.OpenDraft(d)
			if !strings.Contains(r.text(), "Payment") {
				t.Fatalf("not on the payment step: %s", r.text())
			}
			if wide := uitest.TooWide(r.ui.nav.content(), 360); len(wide) > 0 {
				t.Errorf("the payment step is wider than the window:\n%s", strings.Join(wide, "\n"))
			}
			var mandate *widget.Label
			uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
				if l, ok := o.(interface{ Wrapped() *widget.Label }); ok && strings.HasPrefix(l.Wrapped().Text, "I authorise") {
					mandate = l.Wrapped()
				}
			})
			if mandate == nil {
				t.Fatal("the SEPA mandate is not on screen")
			}
			if mandate.Text != consent || mandate.Wrapping != fyne.TextWrapWord || mandate.Truncation != fyne.TextTruncateOff {
				t.Errorf("mandate label: %q, wrapping %v, truncation %v; want the whole text, wrapped", mandate.Text, mandate.Wrapping, mandate.Truncation)
			}

			r.ui.nav.popToRoot()
			r.ui.OpenDraft(r.Example(t, "anmeldung-wohnung"))
			for step := 1; step < 10; step++ {
				if wide := uitest.TooWide(r.ui.nav.content(), 360); len(wide) > 0 {
					t.Errorf("the registration's step %d is wider than the window:\n%s", step, strings.Join(wide, "\n"))
				}
				r.checkFooter(t, fmt.Sprintf("the registration's step %d", step))
				if r.findButton("Submit") != nil {
					break
				}
				test.Tap(r.button(t, "Next"))
			}
			r.checkFooter(t, "the registration's summary")

		})
	}
}

// TestEveryScreenFitsAPhone: every screen of the tour (tour_test.go),
// with the shell's navigation, fits a phone (360x740) at 100 % and 200 %
// text: nothing on it (or on its dialog) is wider than the window, nor
// needs more.
func TestEveryScreenFitsAPhone(t *testing.T) {
	// 200 % in every language, 100 % in German and English only, for
	// the run time: once the timeline dialog wrapped its title, Turkish
	// and Ukrainian at 100 % found nothing their 200 % runs do not.
	for _, code := range kit.Languages {
		for _, percent := range []int{100, 200} {
			if percent == 100 && code != "de" && code != "en" {
				continue
			}
			t.Run(fmt.Sprintf("%s/text%d", code, percent), func(t *testing.T) {
				if err := kit.SetLanguage(code); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { kit.SetLanguage("en") })
				r := newRig(t)
				settings.Apply(r.app, kit.NewLook(percent, kit.ContrastNormal))
				r.win.Resize(fyne.NewSize(360, 740))
				d2 := prepareTour(t, r.Device)
				for _, sc := range tour {
					openTour(r.ui, sc, d2)
					wide := uitest.TooWide(r.win.Content(), 360)
					if top := r.win.Canvas().Overlays().Top(); top != nil {
						wide = append(wide, uitest.TooWide(top, 360)...)
					}
					if w := r.win.Content().MinSize().Width; w > 360 {
						wide = append(wide, fmt.Sprintf("the window's content needs %.0f px", w))
					}
					why, known := knownTooWide[fmt.Sprint(sc.name, percent)]
					switch {
					case known && len(wide) > 0:
						t.Logf("%s is still wider than a phone (known: %s)", sc.name, why)
					case len(wide) > 0:
						t.Errorf("%s is wider than the window:\n%s", sc.name, strings.Join(wide, "\n"))
					}
				}
			})
		}
	}
}

// knownTooWide are the screens (name and text size) still wider than a
// phone in some language, and why (the test logs them instead of
// failing). None is left: buttons wrap (kit.NewWrapButton), cards do
// (kit.NewCard), folds do (kit.Fold). Add one only with its reason.
var knownTooWide = map[string]string{}

// checkFooter: the form's "Back" and "Next" (or "Submit") are whole on
// the screen and outside the step's scroll, so that a long step never
// pushes them away.
func (r *rig) checkFooter(t *testing.T, where string) {
	t.Helper()
	v := r.formView(t)
	for _, text := range []string{"Back", "Next", "Submit"} {
		b := r.findButton(text)
		if b == nil {
			continue
		}
		if !r.onScreen(uitest.OnWindow(r.win, b)) {
			t.Errorf("%s: %q is off the screen", where, text)
		}
		uitest.Walk(v.scroll, func(o fyne.CanvasObject) {
			if uitest.AsButton(o) == b {
				t.Errorf("%s: %q scrolls with the step", where, text)
			}
		})
	}
}

// TestShellKeys: Alt+1 to Alt+6 reach every area (TestNavigationMoreByKeyboard
// has Tab); Escape closes a dialog, then goes back a screen, also from a
// focused button; the settings are reached and left the same way.
func TestShellKeys(t *testing.T) {
	r := newRig(t)
	c := r.win.Canvas()
	sc, ok := c.(fyne.Shortcutable)
	if !ok {
		t.Fatal("the canvas takes no shortcuts")
	}
	for i := len(r.ui.tabs.Items) - 1; i >= 0; i-- {
		sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(i + 1)), Modifier: fyne.KeyModifierAlt})
		if got := r.ui.tabs.SelectedIndex(); got != i {
			t.Errorf("Alt+%d chose tab %d, want %d", i+1, got, i)
		}
	}
	escape := func() {
		t.Helper()
		if f := c.Focused(); f != nil {
			f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			return
		}
		c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	}

	s, _ := r.ui.Service("hundesteuer")
	r.ui.OpenService(s)
	dialog.ShowInformation("Note", "Something to read.", r.win)
	escape()
	if c.Overlays().Top() != nil {
		t.Fatal("Escape left the dialog open")
	}
	if r.findButton("Fill in the form") == nil {
		t.Fatal("Escape on the dialog left the service too")
	}
	c.Focus(uitest.OnWindow(r.win, r.button(t, "Fill in the form")).(fyne.Focusable))
	escape()
	if r.findButton("Fill in the form") != nil {
		t.Error("Escape on a focused button did not go back from the service")
	}

	r.ui.OpenSettings()
	if !strings.Contains(r.text(), "Text size") {
		t.Fatalf("no settings on screen: %s", r.text())
	}
	c.Unfocus()
	escape()
	if strings.Contains(r.text(), "Text size") {
		t.Error("Escape did not leave the settings")
	}
}
