// Package catalog holds the screen of the town's services: the home screen
// with its search over the app's search index (ranked, spellings and
// prefixes as typed), the services grouped by topic while nothing is
// typed, and, when nothing matches, the town hall's contact and the
// topics to browse instead.
package catalog

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/search"
	"rathaus/ui/kit"
)

// Searcher finds services for what the citizen types; the app's search
// index is one. The shell keeps it in step with the catalog shown.
type Searcher interface {
	Search(ctx context.Context, q string, o search.Options) ([]search.Hit, error)
}

var _ Searcher = (*search.Index)(nil)

// searchLimit is how many services a search shows at most, best first.
const searchLimit = 100

// Navigator is how the home screen leads elsewhere; the shell implements
// it.
type Navigator interface {
	OpenService(s api.Service)
	// AskAssistant puts what the citizen searched for to the assistant,
	// which answers from the FAQ too ("Personalausweis" is no service of
	// the town's, but a question it answers).
	AskAssistant(question string)
}

// Home lists the town's services with a search box; a topic narrows the
// list to one category.
type Home struct {
	nav    Navigator
	search Searcher

	catalog  api.Catalog
	demo     bool
	topic    string // the category browsed, "" for all
	byID     map[string]api.Service
	shown    []api.Service
	headings map[int]string // above which rows of shown a topic's name stands
	sized    map[int]bool   // rows given a height of their own (fyne keeps it)
	measured kit.Metrics    // the theme's sizes rowH and headH were measured at
	rowH     float32        // a row's height without a heading
	headH    float32        // the room a heading takes

	header     *widget.Label
	sourceNote *widget.Label
	box        *kit.Entry // the search box
	topicBar   *fyne.Container
	topicLabel *widget.Label
	list       *kit.List
	empty      *fyne.Container // what to do when nothing matches
	emptyText  *widget.Label
	ask        *kit.Button // the search, put to the assistant
	contact    *fyne.Container
	topics     *fyne.Container
	emptyView  fyne.CanvasObject
}

// NewHome builds the home screen searching s; SetCatalog fills it.
func NewHome(nav Navigator, s Searcher) *Home {
	h := &Home{nav: nav, search: s}
	h.header = kit.Heading(lang.L("Rathaus"))
	h.sourceNote = kit.Wrapped("")
	h.sourceNote.Importance = widget.LowImportance
	h.sourceNote.Hide()
	h.box = kit.NewEntry()
	h.box.SetPlaceHolder(lang.L("Search services, e.g. dog, parking, moving"))
	h.box.OnChanged = h.onSearch
	h.box.OnEscape = h.onEscape
	h.topicLabel = kit.Heading("")
	h.topicBar = container.NewBorder(nil, nil, nil,
		kit.NewButton(lang.L("All services"), theme.ContentClearIcon(), h.onAllServices), h.topicLabel)
	h.topicBar.Hide()
	h.list = kit.NewList(
		func() int { return len(h.shown) },
		h.newRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			s := h.shown[id]
			box := o.(*fyne.Container)
			heading := box.Objects[0].(*widget.Label)
			if t, ok := h.headings[id]; ok {
				heading.SetText(t)
				heading.Show()
			} else {
				heading.Hide()
			}
			setText(box.Objects[1].(*widget.Label), s.Title.In(kit.Lang()))
			setText(box.Objects[2].(*widget.Label), s.Summary.In(kit.Lang()))
		},
	)
	// Rows with a heading have a height of their own (SetItemHeight),
	// measured at a text size; fyne refreshes every widget when the theme
	// changes (the text size or contrast in the settings) and when a hidden
	// screen comes back, and the list measures its rows again then, so that
	// a larger text does not overlap the next row nor a smaller one leave
	// gaps.
	h.list.BeforeRefresh = func() {
		if h.measure() {
			h.setHeights()
		}
	}
	h.measure()
	h.list.OnSelected = func(id widget.ListItemID) {
		h.list.UnselectAll()
		if id < len(h.shown) {
			h.nav.OpenService(h.shown[id])
		}
	}
	h.emptyText = kit.Wrapped("")
	h.contact = container.NewVBox()
	h.topics = container.NewVBox()
	h.ask = kit.NewButton(lang.L("Ask the assistant"), theme.QuestionIcon(), h.onAsk)
	h.ask.Alignment = widget.ButtonAlignLeading
	h.empty = container.NewVBox(h.emptyText, h.ask, h.contact, h.topics)
	h.emptyView = kit.NewVScroll(h.empty)
	h.emptyView.Hide()
	return h
}

// Title is the screen's name, as on its tab.
func (h *Home) Title() string { return lang.L("Services") }

// Content lays the screen out.
func (h *Home) Content() fyne.CanvasObject {
	top := container.NewVBox(h.header, h.sourceNote, h.box, h.topicBar)
	return container.NewBorder(top, nil, nil, nil, container.NewStack(h.list, h.emptyView))
}

// SetCatalog shows a catalog; demo says it is the built-in demo town's,
// since no backend was reached yet.
func (h *Home) SetCatalog(c api.Catalog, demo bool) {
	h.catalog, h.demo = c, demo
	h.byID = make(map[string]api.Service, len(c.Services))
	for _, s := range c.Services {
		h.byID[s.ID] = s
	}
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
	s, ok := h.byID[id]
	return s, ok
}

// Catalog is the catalog shown.
func (h *Home) Catalog() api.Catalog { return h.catalog }

// setText sets a label's text unless it has it: setting it lays the text
// out again, which costs more than the search on each keystroke.
func setText(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// newRow is a row of the list: a topic's name above the first of its
// services (hidden elsewhere), the service's title and summary.
func (h *Home) newRow() fyne.CanvasObject {
	heading := widget.NewLabel("")
	heading.TextStyle = fyne.TextStyle{Bold: true}
	heading.Importance = widget.HighImportance
	heading.Truncation = fyne.TextTruncateEllipsis
	heading.Hide()
	title := widget.NewLabel("")
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Truncation = fyne.TextTruncateEllipsis
	summary := widget.NewLabel("")
	summary.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(heading, title, summary)
}

func (h *Home) onSearch(string) { h.filter() }

// onEscape: Escape (or the back key) in the search box first clears what
// was typed, showing all services again, as search boxes do; with nothing
// typed it goes to the window.
func (h *Home) onEscape() bool {
	if h.box.Text == "" {
		return false
	}
	h.box.SetText("")
	return true
}

// onAsk puts the search that found no service to the assistant.
func (h *Home) onAsk() { h.nav.AskAssistant(strings.TrimSpace(h.box.Text)) }

// SetQuery types a search as the citizen would.
func (h *Home) SetQuery(q string) { h.box.SetText(q) }

// onTopic narrows the list to a category's services.
func (h *Home) onTopic(c api.Category) {
	h.topic = c.ID
	h.topicLabel.SetText(c.Title.In(kit.Lang()))
	h.topicBar.Show()
	h.box.SetText("") // filters
}

func (h *Home) onAllServices() {
	h.topic = ""
	h.topicBar.Hide()
	h.filter()
}

// filter shows the services of the topic: while the box is empty all of
// them, grouped by the catalog's categories; else those the search index
// finds for every word typed, best first. When none is found, what to do
// instead.
func (h *Home) filter() {
	query := strings.TrimSpace(h.box.Text)
	if err := h.match(query); err != nil {
		h.ShowProblem(kit.ErrorText(err))
	}
	h.setHeights()
	if len(h.shown) == 0 && query != "" {
		h.emptyText.SetText(lang.L("No service matches “{{.Query}}”.", map[string]any{"Query": query}))
		h.list.Hide()
		h.emptyView.Show()
	} else {
		h.emptyView.Hide()
		h.list.Show()
	}
	h.list.Refresh()
}

// match puts the services a query finds into shown, with the headings
// above the rows that start a category when the query is empty.
func (h *Home) match(query string) error {
	h.shown = h.shown[:0]
	h.headings = nil
	if query == "" {
		h.showAll()
		return nil
	}
	hits, err := h.search.Search(context.Background(), query, search.Options{Mode: search.All, Kind: search.Service, Limit: searchLimit})
	for _, hit := range hits {
		if s, ok := h.byID[hit.ID]; ok && (h.topic == "" || s.Category == h.topic) {
			h.shown = append(h.shown, s)
		}
	}
	return err
}

// showAll lists the topic's services by title or, with no topic chosen,
// every service under its category's name, in the catalog's order of
// categories.
func (h *Home) showAll() {
	lng := kit.Lang()
	order := map[string]int{}
	for i, c := range h.catalog.Categories {
		order[c.ID] = i
	}
	rank := func(s api.Service) int {
		if i, ok := order[s.Category]; ok {
			return i
		}
		return len(order) // a category the catalog does not list: last
	}
	for _, s := range h.catalog.Services {
		if h.topic == "" || s.Category == h.topic {
			h.shown = append(h.shown, s)
		}
	}
	sort.SliceStable(h.shown, func(i, j int) bool {
		a, b := h.shown[i], h.shown[j]
		if h.topic == "" && rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return strings.ToLower(a.Title.In(lng)) < strings.ToLower(b.Title.In(lng))
	})
	if h.topic != "" {
		return
	}
	h.headings = map[int]string{}
	for i, s := range h.shown {
		if i == 0 || s.Category != h.shown[i-1].Category {
			h.headings[i] = h.categoryTitle(s.Category)
		}
	}
}

func (h *Home) categoryTitle(id string) string {
	for _, c := range h.catalog.Categories {
		if c.ID == id {
			return c.Title.In(kit.Lang())
		}
	}
	return lang.L("Other services")
}

// setHeights gives the rows with a heading the room for it, and every
// other row that ever had a height of its own a plain row's height: fyne
// has no way to forget a row's height, so each is kept right, also after
// the rows were measured again.
func (h *Home) setHeights() {
	if h.sized == nil {
		h.sized = map[int]bool{}
	}
	for id := range h.headings {
		h.sized[id] = true
	}
	for id := range h.sized {
		height := h.rowH
		if _, ok := h.headings[id]; ok {
			height += h.headH
		}
		h.list.SetItemHeight(id, height) // draws only a height that changed
	}
}

// measure takes a row's height with and without a heading at the theme's
// sizes, when they differ from those measured before; it reports whether
// it measured.
func (h *Home) measure() bool {
	m := kit.MetricsOf(h.list.Theme())
	if h.rowH > 0 && m == h.measured {
		return false
	}
	h.measured = m
	row := h.newRow().(*fyne.Container)
	h.rowH = row.MinSize().Height
	row.Objects[0].Show()
	h.headH = row.MinSize().Height - h.rowH
	return true
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
			h.contact.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, kit.NewHyperlink(text, u)))
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
		h.topics.Add(kit.NewButton(c.Title.In(lng), nil, func() { h.onTopic(c) }))
	}
}
