package catalog

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/search"
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

// opened records the services the home screen asks to open, and the
// questions it puts to the assistant ("?" before them).
type opened []string

func (o *opened) OpenService(s api.Service) { *o = append(*o, s.ID) }
func (o *opened) AskAssistant(q string)     { *o = append(*o, "?"+q) }

func newHome(t *testing.T) (*Home, *opened, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	return buildHome(t)
}

// buildHome is newHome in the app there is.
func buildHome(t *testing.T) (*Home, *opened, fyne.Window) {
	t.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := search.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(context.Background(), cat); err != nil {
		t.Fatal(err)
	}
	nav := &opened{}
	h := NewHome(nav, ix)
	h.SetCatalog(cat, true)
	w := test.NewWindow(h.Content())
	w.Resize(fyne.NewSize(360, 740))
	// The first layout wraps the texts above the list at no width yet (a
	// word a line); a second one, as the next frame does, at the window's.
	w.Content().Refresh()
	t.Cleanup(w.Close)
	return h, nav, w
}

func TestSearch(t *testing.T) {
	h, nav, _ := newHome(t)
	if len(h.shown) < 12 {
		t.Fatalf("home shows %d services, want the demo catalog (>= 12)", len(h.shown))
	}
	for _, tc := range []struct {
		query string
		want  string // a service id among the hits
	}{
		{"hund", "hundesteuer"},
		{"Sperrmüll", "sperrmuell"},
		{"sperrmull", "sperrmuell"},
		{"UMZUG halteverbot", "halteverbot-umzug"},
		{"business", "gewerbeanmeldung"},
		{"Fuehrungszeugnis", "fuehrungszeugnis"},
		{"Maengel", "maengelmelder"},
		{"Strasse", "halteverbot-umzug"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h.box.SetText(tc.query)
			found := false
			for _, s := range h.shown {
				found = found || s.ID == tc.want
			}
			if !found || len(h.shown) == len(h.catalog.Services) {
				t.Errorf("search %q shows %d services without %s", tc.query, len(h.shown), tc.want)
			}
		})
	}
	h.box.SetText("hund")
	h.list.Select(0)
	if len(*nav) != 1 || (*nav)[0] != "hundesteuer" {
		t.Errorf("tapping the hit opened %v, want hundesteuer", *nav)
	}
	h.box.SetText("xylophon")
	if len(h.shown) != 0 || !h.emptyView.Visible() {
		t.Errorf("nonsense search: %d shown, help visible %v", len(h.shown), h.emptyView.Visible())
	}
}

// TestNothingFoundOffersContactAndTopics: a search that finds nothing
// offers the town hall's contact from the catalog and its topics; a topic
// lists its services.
func TestNothingFoundOffersContactAndTopics(t *testing.T) {
	for _, query := range []string{"Fuehrerschein", "Personalausweis"} {
		t.Run(query, func(t *testing.T) {
			h, _, w := newHome(t)
			test.Type(h.box, query)
			if len(h.shown) != 0 || !h.emptyView.Visible() || h.list.Visible() {
				t.Fatalf("search %q: %d shown, help visible %v", query, len(h.shown), h.emptyView.Visible())
			}
			var text strings.Builder
			var topics []*widget.Button
			uitest.Walk(w.Content(), func(o fyne.CanvasObject) {
				switch x := o.(type) {
				case *widget.Label:
					text.WriteString(x.Text + "\n")
				case *kit.Hyperlink:
					text.WriteString(x.Text + " <" + x.URL.String() + ">\n")
				}
				if b := uitest.AsButton(o); b != nil && b != h.ask.Widget() { // the search put to the assistant: not a topic
					topics = append(topics, b)
				}
			})
			m := h.catalog.Municipality
			for _, want := range []string{"No service matches “" + query + "”", m.Address, m.Phone, "<tel:+4922031234", m.Email, "<mailto:" + m.Email} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("the help lacks %q:\n%s", want, text.String())
				}
			}
			if len(topics) != len(h.catalog.Categories) {
				t.Fatalf("topics offered = %d, want the catalog's %d categories", len(topics), len(h.catalog.Categories))
			}
			// "Taxes and business" lists the dog tax and the business
			// registration, and only services of its category.
			for _, b := range topics {
				if b.Text == "Taxes and business" {
					test.Tap(b)
				}
			}
			if h.box.Text != "" || !h.topicBar.Visible() || len(h.shown) != 2 {
				t.Fatalf("after choosing a topic: search %q, %d shown (topic bar %v), want its 2 services", h.box.Text, len(h.shown), h.topicBar.Visible())
			}
			for _, s := range h.shown {
				if s.Category != "steuern" {
					t.Errorf("topic shows %s of category %s", s.ID, s.Category)
				}
			}
			h.onAllServices()
			if len(h.shown) != len(h.catalog.Services) {
				t.Errorf("all services again: %d shown, want %d", len(h.shown), len(h.catalog.Services))
			}
		})
	}
}

// TestHomeFitsAPhone: nothing on the home screen is wider than a phone,
// with results and with the help for an empty search.
func TestHomeFitsAPhone(t *testing.T) {
	h, _, w := newHome(t)
	for _, q := range []string{"", "Fuehrerschein"} {
		h.box.SetText(q)
		if got := w.Content().MinSize().Width; got > 360 {
			t.Errorf("search %q: the screen needs %v px, more than a 360 px phone", q, got)
		}
	}
}

// TestEmptyBoxGroupsByCategory: with nothing typed every service shows
// under its category's name, in the catalog's order of categories, and
// the headings go when the citizen types.
func TestEmptyBoxGroupsByCategory(t *testing.T) {
	h, _, _ := newHome(t)
	if len(h.shown) != len(h.catalog.Services) {
		t.Fatalf("empty box shows %d services, want all %d", len(h.shown), len(h.catalog.Services))
	}
	order := map[string]int{}
	for i, c := range h.catalog.Categories {
		order[c.ID] = i
	}
	var headings []string
	for i, s := range h.shown {
		if i > 0 && order[s.Category] < order[h.shown[i-1].Category] {
			t.Errorf("row %d (%s, %s) comes after a service of a later category", i, s.ID, s.Category)
		}
		if title, ok := h.headings[i]; ok {
			headings = append(headings, title)
		} else if i == 0 || s.Category != h.shown[i-1].Category {
			t.Errorf("row %d starts category %s without a heading", i, s.Category)
		}
	}
	var want []string
	for _, c := range h.catalog.Categories {
		want = append(want, c.Title.In("en"))
	}
	if strings.Join(headings, "|") != strings.Join(want, "|") {
		t.Errorf("headings = %v, want the categories %v", headings, want)
	}
	// The first row is drawn with its heading.
	row := h.newRow()
	h.list.UpdateItem(0, row)
	if heading := row.(*fyne.Container).Objects[0].(*widget.Label); !heading.Visible() || heading.Text != want[0] {
		t.Errorf("first row's heading = %q (visible %v), want %q", heading.Text, heading.Visible(), want[0])
	}
	test.Type(h.box, "hund")
	if len(h.headings) != 0 {
		t.Errorf("a search shows headings %v, want none", h.headings)
	}
	h.box.SetText("")
	if len(h.headings) != len(want) {
		t.Errorf("box emptied again: %d headings, want %d", len(h.headings), len(want))
	}
}

// TestSearchRanksAndFindsSpellings: results come best first, not in the
// alphabet's order; a prefix as typed and the spellings without umlauts
// find the same service first.
func TestSearchRanksAndFindsSpellings(t *testing.T) {
	h, _, _ := newHome(t)
	for _, tc := range []struct{ query, first string }{
		{"Führungszeugnis", "fuehrungszeugnis"},
		{"Fuehrungszeugnis", "fuehrungszeugnis"},
		{"fuhrungszeugnis", "fuehrungszeugnis"},
		{"Führ", "fuehrungszeugnis"},
		{"Sperrmüll", "sperrmuell"},
		{"sperrmuell", "sperrmuell"},
		{"steuer", "hundesteuer"}, // Hundesteuer by its part
		{"parkausweis", "bewohnerparkausweis"},
		{"wohnung anmelden", "anmeldung-wohnung"},
		{"Meldebeschinigung", "meldebescheinigung"}, // a typo
	} {
		t.Run(tc.query, func(t *testing.T) {
			h.box.SetText(tc.query)
			if len(h.shown) == 0 || h.shown[0].ID != tc.first {
				var got []string
				for _, s := range h.shown {
					got = append(got, s.ID)
				}
				t.Errorf("search %q shows %v, want %s first", tc.query, got, tc.first)
			}
		})
	}
}

// TestNothingFoundAsksTheAssistant: a search that finds no service is put
// to the assistant with one tap (it answers from the FAQ too).
func TestNothingFoundAsksTheAssistant(t *testing.T) {
	h, nav, w := newHome(t)
	test.Type(h.box, "Personalausweis")
	test.Tap(uitest.Button(t, w, "Ask the assistant"))
	if len(*nav) != 1 || (*nav)[0] != "?Personalausweis" {
		t.Errorf("asked %v, want the search put to the assistant", *nav)
	}
}

// TestRowsFollowTheTextSize: the list's rows, those with a topic's name
// above them too, take the height their text needs at the text size
// chosen while the screen is shown, larger and smaller again, also while a
// search shows (the rows that had a heading gave it back): none is
// shorter than its texts (they would overlap the next row) nor taller
// (a gap).
func TestRowsFollowTheTextSize(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start int
		steps []string // a text size in percent, or "q:" and a search
	}{
		{"larger and back", 100, []string{"200", "100"}},
		{"smaller and back", 200, []string{"100", "200"}},
		{"in steps", 100, []string{"125", "150", "175", "200", "100"}},
		{"while searching", 100, []string{"q:anmeld", "200", "q:", "100", "q:wohn", "200"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			a.Settings().SetTheme(kit.NewLook(tc.start, kit.ContrastNormal))
			h, _, _ := buildHome(t)
			last := rowHeights(t, h)
			for _, step := range tc.steps {
				if q, ok := strings.CutPrefix(step, "q:"); ok {
					h.box.SetText(q)
					rowHeights(t, h)
					continue
				}
				var p int
				fmt.Sscan(step, &p)
				a.Settings().SetTheme(kit.NewLook(p, kit.ContrastNormal))
				got := rowHeights(t, h)
				if p == 200 && got <= last || p == 100 && got >= last {
					t.Errorf("at %d %%: a title is %.0f high, at the size before %.0f", p, got, last)
				}
				last = got
			}
		})
	}
}

// rowHeights checks the rows on screen: each as high as its texts need
// at the theme's size, the next below it; it returns the height of the
// first row's title.
func rowHeights(t *testing.T, h *Home) float32 {
	t.Helper()
	var rows []*fyne.Container
	uitest.Walk(h.list, func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok && len(c.Objects) == 3 {
			if l, ok := c.Objects[1].(*widget.Label); ok && l.TextStyle.Bold {
				rows = append(rows, c)
			}
		}
	})
	if len(rows) < 3 {
		t.Fatalf("%d rows on screen, want several", len(rows))
	}
	d := fyne.CurrentApp().Driver()
	for i, row := range rows {
		title := row.Objects[1].(*widget.Label)
		got, want := row.Size().Height, row.MinSize().Height
		if got < want-0.5 || got > want+0.5 {
			t.Errorf("row %q (heading shown %v) is %.0f high, its texts need %.0f", title.Text, row.Objects[0].Visible(), got, want)
		}
		if title.Size().Height < title.MinSize().Height-0.5 {
			t.Errorf("row %q: its title is %.0f high, needs %.0f", title.Text, title.Size().Height, title.MinSize().Height)
		}
		if i > 0 {
			above := rows[i-1]
			if bottom := d.AbsolutePositionForObject(above).Y + above.Size().Height; d.AbsolutePositionForObject(row).Y < bottom-0.5 {
				t.Errorf("row %q starts at %.0f, above the end of the row before it (%.0f)", title.Text, d.AbsolutePositionForObject(row).Y, bottom)
			}
		}
	}
	return rows[0].Objects[1].Size().Height
}
