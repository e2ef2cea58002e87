package catalog

import (
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

// opened records the services the home screen asks to open.
type opened []string

func (o *opened) OpenService(s api.Service) { *o = append(*o, s.ID) }

func newHome(t *testing.T) (*Home, *opened, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	nav := &opened{}
	h := NewHome(nav)
	h.SetCatalog(cat, true)
	w := test.NewWindow(h.Content())
	w.Resize(fyne.NewSize(360, 740))
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
			h.search.SetText(tc.query)
			found := false
			for _, s := range h.shown {
				found = found || s.ID == tc.want
			}
			if !found || len(h.shown) == len(h.catalog.Services) {
				t.Errorf("search %q shows %d services without %s", tc.query, len(h.shown), tc.want)
			}
		})
	}
	h.search.SetText("hund")
	h.list.Select(0)
	if len(*nav) != 1 || (*nav)[0] != "hundesteuer" {
		t.Errorf("tapping the hit opened %v, want hundesteuer", *nav)
	}
	h.search.SetText("xylophon")
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
			test.Type(h.search, query)
			if len(h.shown) != 0 || !h.emptyView.Visible() || h.list.Visible() {
				t.Fatalf("search %q: %d shown, help visible %v", query, len(h.shown), h.emptyView.Visible())
			}
			var text strings.Builder
			var topics []*widget.Button
			uitest.Walk(w.Content(), func(o fyne.CanvasObject) {
				switch x := o.(type) {
				case *widget.Label:
					text.WriteString(x.Text + "\n")
				case *widget.Hyperlink:
					text.WriteString(x.Text + " <" + x.URL.String() + ">\n")
				case *widget.Button:
					topics = append(topics, x)
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
			if h.search.Text != "" || !h.topicBar.Visible() || len(h.shown) != 2 {
				t.Fatalf("after choosing a topic: search %q, %d shown (topic bar %v), want its 2 services", h.search.Text, len(h.shown), h.topicBar.Visible())
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
		h.search.SetText(q)
		if got := w.Content().MinSize().Width; got > 360 {
			t.Errorf("search %q: the screen needs %v px, more than a 360 px phone", q, got)
		}
	}
}
