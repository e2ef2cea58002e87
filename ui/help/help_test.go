package help

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestMain runs the screen tests in fyne's test driver, in English.
func TestMain(m *testing.M) {
	if err := kit.LoadTranslations("en"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// newScreen shows the help screen for the demo town on a phone-sized
// window; opened records what its buttons open.
func newScreen(t *testing.T) (*Screen, *[]string, fyne.Window, api.Catalog) {
	t.Helper()
	test.NewTempApp(t)
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var opened []string
	s := NewScreen(func(u *url.URL) error { opened = append(opened, u.String()); return nil })
	s.SetCatalog(cat)
	w := test.NewWindow(s.Content())
	w.Resize(fyne.NewSize(360, 740))
	t.Cleanup(w.Close)
	return s, &opened, w, cat
}

// TestHelpShowsTheTownHall: address, opening hours, phone and e-mail from
// the catalog, and the way to personal help.
func TestHelpShowsTheTownHall(t *testing.T) {
	_, _, w, cat := newScreen(t)
	var text strings.Builder
	uitest.Walk(w.Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Label); ok {
			text.WriteString(x.Text + "\n")
		}
		if b := uitest.AsButton(o); b != nil {
			text.WriteString("[" + b.Text + "]\n")
		}
	})
	m := cat.Municipality
	for _, want := range []string{"Town hall of Musterstadt", m.Address, "Opening hours", m.OpeningHours.In("en"),
		m.Phone, "[Call]", m.Email, "[Write]", "Personal help at the town hall", "citizens' office"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the help screen lacks %q:\n%s", want, text.String())
		}
	}
	if got := w.Content().MinSize().Width; got > 360 {
		t.Errorf("the help screen needs %v px, more than a 360 px phone", got)
	}
}

// TestTapToCallOrWrite: the buttons open the phone's dialler (tel:) and
// mail app (mailto:) with the catalog's number and address.
func TestTapToCallOrWrite(t *testing.T) {
	_, opened, w, _ := newScreen(t)
	for _, b := range []string{"Call", "Write"} {
		tapped := false
		uitest.Walk(w.Content(), func(o fyne.CanvasObject) {
			if x := uitest.AsButton(o); x != nil && x.Text == b {
				test.Tap(x)
				tapped = true
			}
		})
		if !tapped {
			t.Fatalf("no button %q", b)
		}
	}
	want := []string{"tel:+49220312340", "mailto:buergerbuero@musterstadt.example"}
	if strings.Join(*opened, " ") != strings.Join(want, " ") {
		t.Errorf("opened %v, want %v", *opened, want)
	}
}

func TestTelURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+49 2203 1234-0", "tel:+49220312340"},
		{"02203 / 1234 0", "tel:0220312340"},
		{"(0221) 12 34", "tel:02211234"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := TelURL(tc.in); got != tc.want {
				t.Errorf("TelURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
