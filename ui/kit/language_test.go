package kit

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/internal/uitest"
)

// inLanguage loads the app's translations in code for one test, and
// English again after it.
func inLanguage(t *testing.T, code string) {
	t.Helper()
	if err := LoadTranslations(code); err != nil {
		t.Fatal(err)
	}
	if err := SetLanguage(code); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetLanguage("en") })
}

// TestLanguagePicker: each language named in itself, the current one
// chosen; a tap on another reports its code, a tap on the chosen one
// keeps it chosen and reports nothing.
func TestLanguagePicker(t *testing.T) {
	test.NewTempApp(t)
	inLanguage(t, "de")
	var picked []string
	p := NewLanguagePicker(func(code string) { picked = append(picked, code) })
	w := test.NewWindow(p)
	defer w.Close()
	if got, want := strings.Join(p.Options(), "|"), "Deutsch|English|Türkçe|Українська"; got != want {
		t.Errorf("options = %q, want %q", got, want)
	}
	if !strings.Contains(uitest.Text(p), "Sprache") {
		t.Errorf("the picker's heading is not German: %q", uitest.Text(p))
	}
	rows := uitest.All[*radioRow](p)
	if len(rows) != 4 {
		t.Fatalf("%d options on screen, want 4", len(rows))
	}
	test.Tap(rows[0]) // Deutsch, already chosen
	if len(picked) != 0 || p.list.Selected != "Deutsch" {
		t.Errorf("tapping the chosen language: picked %v, selected %q; want nothing, Deutsch", picked, p.list.Selected)
	}
	test.Tap(rows[3])
	if len(picked) != 1 || picked[0] != "uk" {
		t.Errorf("tapping Українська picked %v, want [uk]", picked)
	}
}

// TestCalendarInLanguage: the calendar's month and weekdays are in the
// chosen language, weeks start on Monday, and a tapped day is reported.
func TestCalendarInLanguage(t *testing.T) {
	test.NewTempApp(t)
	tests := []struct{ lang, header, monday string }{
		{"de", "Dezember 2026", "Mo"},
		{"en", "December 2026", "Mon"},
		{"tr", "Aralık 2026", "Pzt"},
		{"uk", "Грудень 2026", "Пн"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			inLanguage(t, tt.lang)
			var got time.Time
			c := NewCalendar(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), func(d time.Time) { got = d })
			w := test.NewWindow(c)
			defer w.Close()
			if c.Header() != tt.header {
				t.Errorf("header = %q, want %q", c.Header(), tt.header)
			}
			labels := uitest.All[*widget.Label](c.days) // the weekdays first
			if len(labels) < 7 || labels[0].Text != tt.monday {
				t.Fatalf("first weekday = %q, want %q", uitest.Text(c.days), tt.monday)
			}
			if len(labels) != 8 || labels[7].Text != "" {
				t.Errorf("1 December 2026, a Tuesday, is not in the second column: %q", uitest.Text(c.days))
			}
			// 1 December 2026 is a Tuesday: one empty cell before it.
			buttons := uitest.Buttons(c)
			var fifteenth *widget.Button
			for _, b := range buttons {
				if b.Text == "15" {
					fifteenth = b
				}
			}
			if fifteenth == nil {
				t.Fatal("no day 15")
			}
			test.Tap(fifteenth)
			if got.Day() != 15 || got.Month() != time.December {
				t.Errorf("tapped 15, got %v", got)
			}
		})
	}
}

// TestDatesAndNumbersFollowTheLanguage: the screens' one way to write
// dates and numbers.
func TestDatesAndNumbersFollowTheLanguage(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	tests := []struct{ lang, date, dateTime, dayMonth, number string }{
		{"de", "07.12.2026", "07.12.2026 15:04", "07.12.", "2,5"},
		{"en", "07/12/2026", "07/12/2026 15:04", "07/12", "2.5"},
		{"tr", "07.12.2026", "07.12.2026 15:04", "07.12.", "2,5"},
		{"uk", "07.12.2026", "07.12.2026 15:04", "07.12.", "2,5"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			inLanguage(t, tt.lang)
			for _, c := range []struct{ got, want string }{
				{Date(at), tt.date}, {DateTime(at), tt.dateTime}, {DayMonth(at), tt.dayMonth}, {Number(2.5, -1), tt.number},
			} {
				if c.got != c.want {
					t.Errorf("got %q, want %q", c.got, c.want)
				}
			}
		})
	}
}

// TestFyneWidgetsInLanguage: the select's placeholder and the file
// dialog's title, which fyne writes in English or in English word order.
func TestFyneWidgetsInLanguage(t *testing.T) {
	a := test.NewTempApp(t)
	inLanguage(t, "de")
	if got := NewSelect([]string{"a"}, nil).PlaceHolder; got != "(Bitte wählen)" {
		t.Errorf("select placeholder = %q, want (Bitte wählen)", got)
	}
	w := a.NewWindow("")
	w.Resize(fyne.NewSize(800, 600))
	d := NewFileOpen(func(fyne.URIReadCloser, error) {}, w)
	d.Show()
	defer d.Hide()
	text := uitest.Text(w.Canvas().Overlays().Top())
	if !strings.Contains(text, "Datei öffnen") || strings.Contains(text, "Öffnen Datei") {
		t.Errorf("file dialog texts = %q, want the title Datei öffnen", text)
	}
}
