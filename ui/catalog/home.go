// Package catalog holds the screen of the town's services: the home screen
// with its search and, when nothing matches, the town hall's contact and
// the topics to browse instead.
package catalog

import (
	"net/url"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/unicode/norm"

	"rathaus/api"
	"rathaus/ui/kit"
)

// Navigator is how the home screen leads elsewhere; the shell implements
// it.
type Navigator interface {
	OpenService(s api.Service)
}

// Home lists the town's services with a search box; a topic narrows the
// list to one category.
type Home struct {
	nav Navigator

	catalog api.Catalog
	demo    bool
	topic   string // the category browsed, "" for all
	shown   []api.Service

	header     *widget.Label
	sourceNote *widget.Label
	search     *widget.Entry
	topicBar   *fyne.Container
	topicLabel *widget.Label
	list       *widget.List
	empty      *fyne.Container // what to do when nothing matches
	emptyText  *widget.Label
	contact    *fyne.Container
	topics     *fyne.Container
	emptyView  fyne.CanvasObject
}

// NewHome builds the home screen; SetCatalog fills it.
func NewHome(nav Navigator) *Home {
	h := &Home{nav: nav}
	h.header = kit.Heading(lang.L("Rathaus"))
	h.sourceNote = kit.Wrapped("")
	h.sourceNote.Importance = widget.LowImportance
	h.sourceNote.Hide()
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder(lang.L("Search services, e.g. dog, parking, moving"))
	h.search.OnChanged = h.onSearch
	h.topicLabel = kit.Heading("")
	h.topicBar = container.NewBorder(nil, nil, nil,
		widget.NewButtonWithIcon(lang.L("All services"), theme.ContentClearIcon(), h.onAllServices), h.topicLabel)
	h.topicBar.Hide()
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
			box.Objects[0].(*widget.Label).SetText(s.Title.In(kit.Lang()))
			box.Objects[1].(*widget.Label).SetText(s.Summary.In(kit.Lang()))
		},
	)
	h.list.OnSelected = func(id widget.ListItemID) {
		h.list.UnselectAll()
		if id < len(h.shown) {
			h.nav.OpenService(h.shown[id])
		}
	}
	h.emptyText = kit.Wrapped("")
	h.contact = container.NewVBox()
	h.topics = container.NewVBox()
	h.empty = container.NewVBox(h.emptyText, h.contact, h.topics)
	h.emptyView = kit.NewVScroll(h.empty)
	h.emptyView.Hide()
	return h
}

// Title is the screen's name, as on its tab.
func (h *Home) Title() string { return lang.L("Services") }

// Content lays the screen out.
func (h *Home) Content() fyne.CanvasObject {
	top := container.NewVBox(h.header, h.sourceNote, h.search, h.topicBar)
	return container.NewBorder(top, nil, nil, nil, container.NewStack(h.list, h.emptyView))
}

// SetCatalog shows a catalog; demo says it is the built-in demo town's,
// since no backend was reached yet.
func (h *Home) SetCatalog(c api.Catalog, demo bool) {
	h.catalog, h.demo = c, demo
	name := c.Municipality.Name
	if name == "" {
		name = lang.L("Rathaus")
	}
	h.header.SetText(lang.L("Town hall services of {{.Town}}", map[string]any{"Town": name}))
	if demo {
		h.sourceNote.SetText(lang.L("Demo data: the town hall's server has not been reached yet."))
		h.sourceNote.Show()
	} else {
		h.sourceNote.Hide()
	}
	h.buildHelp()
	h.filter()
}

// ShowProblem says why the catalog could not be read.
func (h *Home) ShowProblem(text string) {
	h.sourceNote.SetText(text)
	h.sourceNote.Show()
}

// Service finds a service of the catalog shown by id.
func (h *Home) Service(id string) (api.Service, bool) {
	for _, s := range h.catalog.Services {
		if s.ID == id {
			return s, true
		}
	}
	return api.Service{}, false
}

func (h *Home) onSearch(string) { h.filter() }

// onTopic narrows the list to a category's services.
func (h *Home) onTopic(c api.Category) {
	h.topic = c.ID
	h.topicLabel.SetText(c.Title.In(kit.Lang()))
	h.topicBar.Show()
	h.search.SetText("") // filters
}

func (h *Home) onAllServices() {
	h.topic = ""
	h.topicBar.Hide()
	h.filter()
}

// filter shows the services of the topic matching every word of the
// search, in title, summary and keywords of every language, ignoring case
// and accents; when none matches, what to do instead.
func (h *Home) filter() {
	words := strings.Fields(fold(h.search.Text))
	lng := kit.Lang()
	h.shown = h.shown[:0]
	for _, s := range h.catalog.Services {
		if h.topic != "" && s.Category != h.topic {
			continue
		}
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
		h.emptyText.SetText(lang.L("No service matches “{{.Query}}”.", map[string]any{"Query": strings.TrimSpace(h.search.Text)}))
		h.list.Hide()
		h.emptyView.Show()
	} else {
		h.emptyView.Hide()
		h.list.Show()
	}
	h.list.Refresh()
}

// buildHelp lays out the town hall's contact and the topics, for a search
// that finds nothing.
func (h *Home) buildHelp() {
	lng := kit.Lang()
	m := h.catalog.Municipality
	h.contact.RemoveAll()
	if m.Phone != "" || m.Email != "" || m.Address != "" || m.Website != "" {
		h.contact.Add(kit.Heading(lang.L("The town hall helps you in person, by phone or by e-mail:")))
		if m.Address != "" {
			h.contact.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.HomeIcon()), nil, kit.Wrapped(m.Address)))
		}
		link := func(icon fyne.Resource, text, raw string) {
			u, err := url.Parse(raw)
			if text == "" || err != nil {
				return
			}
			h.contact.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, widget.NewHyperlink(text, u)))
		}
		link(theme.InfoIcon(), m.Phone, "tel:"+strings.NewReplacer(" ", "", "-", "").Replace(m.Phone))
		link(theme.MailComposeIcon(), m.Email, "mailto:"+m.Email)
		link(theme.ComputerIcon(), strings.TrimPrefix(strings.TrimPrefix(m.Website, "https://"), "http://"), m.Website)
	}
	h.topics.RemoveAll()
	used := map[string]bool{}
	for _, s := range h.catalog.Services {
		used[s.Category] = true
	}
	first := true
	for _, c := range h.catalog.Categories {
		if !used[c.ID] {
			continue
		}
		if first {
			h.topics.Add(kit.Heading(lang.L("Or look through the services by topic:")))
			first = false
		}
		h.topics.Add(widget.NewButton(c.Title.In(lng), func() { h.onTopic(c) }))
	}
}

func texts(t api.Text) []string {
	out := make([]string, 0, len(t))
	for _, v := range t {
		out = append(out, v)
	}
	return out
}

// umlauts are how German is typed without them: "Fuehrungszeugnis".
var umlauts = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// fold lower-cases, strips accents, spells ß as ss and ae, oe, ue as a, o,
// u, so that "strasse" finds "Straße" and "fuehrung" and "fuhrung" find
// "Führung". The search folds both what is typed and what is searched.
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
	return umlauts.Replace(b.String())
}
