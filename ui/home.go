package ui

import (
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/unicode/norm"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
)

// homeScreen lists the town's services with a search box.
type homeScreen struct {
	ui *UI

	catalog api.Catalog
	source  string
	shown   []api.Service

	header     *widget.Label
	sourceNote *widget.Label
	search     *widget.Entry
	list       *widget.List
	empty      *widget.Label
}

func newHomeScreen(u *UI) *homeScreen {
	h := &homeScreen{ui: u}
	h.header = widget.NewLabel("")
	h.header.TextStyle = fyne.TextStyle{Bold: true}
	h.sourceNote = widget.NewLabel("")
	h.sourceNote.Wrapping = fyne.TextWrapWord
	h.sourceNote.Importance = widget.LowImportance
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder(lang.L("Search services, e.g. dog, parking, moving"))
	h.search.OnChanged = h.onSearch
	h.empty = widget.NewLabel(lang.L("No service matches your search."))
	h.empty.Hide()
	h.list = widget.NewList(
		func() int { return len(h.shown) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("")
			title.TextStyle = fyne.TextStyle{Bold: true}
			title.Truncation = fyne.TextTruncateEllipsis
			summary := widget.NewLabel("")
			summary.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(title, summary)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			s := h.shown[id]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(s.Title.In(currentLang()))
			box.Objects[1].(*widget.Label).SetText(s.Summary.In(currentLang()))
		},
	)
	h.list.OnSelected = func(id widget.ListItemID) {
		h.list.UnselectAll()
		if id < len(h.shown) {
			h.onOpenService(h.shown[id])
		}
	}
	h.reload()
	return h
}

func (h *homeScreen) title() string { return lang.L("Services") }

func (h *homeScreen) content() fyne.CanvasObject {
	top := container.NewVBox(h.header, h.sourceNote, h.search, h.empty)
	return container.NewBorder(top, nil, nil, nil, h.list)
}

// reload reads the catalog from the store (after a sync brought a new one).
func (h *homeScreen) reload() {
	ctx, cancel := h.ui.ctx()
	defer cancel()
	cat, _, source, err := h.ui.store.Catalog(ctx)
	if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
		h.sourceNote.SetText(errorText(err))
		return
	}
	h.catalog, h.source = cat, source
	name := cat.Municipality.Name
	if name == "" {
		name = lang.L("Rathaus")
	}
	h.header.SetText(lang.L("Town hall services of {{.Town}}", map[string]any{"Town": name}))
	if source == store.SourceDemo {
		h.sourceNote.SetText(lang.L("Demo data: the town hall's server has not been reached yet."))
		h.sourceNote.Show()
	} else {
		h.sourceNote.Hide()
	}
	h.filter()
}

func (h *homeScreen) onSearch(string) { h.filter() }

// filter shows the services matching every word of the search, in title,
// summary and keywords of every language, ignoring case and accents.
func (h *homeScreen) filter() {
	words := strings.Fields(fold(h.search.Text))
	lng := currentLang()
	h.shown = h.shown[:0]
	for _, s := range h.catalog.Services {
		hay := fold(strings.Join(append(texts(s.Title), append(texts(s.Summary), texts(s.Keywords)...)...), " "))
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			h.shown = append(h.shown, s)
		}
	}
	sort.SliceStable(h.shown, func(i, j int) bool {
		return strings.ToLower(h.shown[i].Title.In(lng)) < strings.ToLower(h.shown[j].Title.In(lng))
	})
	if len(h.shown) == 0 && len(words) > 0 {
		h.empty.Show()
	} else {
		h.empty.Hide()
	}
	h.list.Refresh()
}

func texts(t api.Text) []string {
	out := make([]string, 0, len(t))
	for _, v := range t {
		out = append(out, v)
	}
	return out
}

// fold lower-cases and strips accents, and spells ß as ss, so that
// "strasse" finds "Straße" and "fuhrung" finds "Führung".
func fold(s string) string {
	s = strings.ToLower(norm.NFD.String(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0x300 && r <= 0x36f: // combining accents
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// onOpenService shows a service's details.
func (h *homeScreen) onOpenService(s api.Service) {
	h.ui.nav.push(newServiceScreen(h.ui, s).content(), s.Title.In(currentLang()))
}
