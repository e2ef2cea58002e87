package reports

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/ui/kit"
)

// place is where the report is: a position, and the address it came from
// if any.
type place struct {
	lat, long float64
	address   string // "Hauptstraße 3", "" for coordinates
	addressID string
}

// Screen is the report screen.
type Screen struct {
	d       Deps
	streets *citizen.Streets
	root    *kit.Scroll
	box     *fyne.Container // the screen's rows, laid out again before scrolling

	category *kit.Select
	codes    []string // service codes by the category's option index
	attrsBox *fyne.Container
	attrs    []*attrInput

	description *kit.Entry

	search   *kit.Entry
	results  *fyne.Container
	lat      *kit.Entry
	long     *kit.Entry
	placeMsg *widget.Label
	where    *place

	photos    []store.NewReportPhoto
	photoList *widget.Label
	addPhoto  *kit.Button
	useExif   *kit.Check

	email    *kit.Entry
	problem  *widget.Label
	send     *kit.Button
	dupBox   *fyne.Container
	thanks   *widget.Label
	waiting  *widget.Label
	feedNote *widget.Label

	mineHead *widget.Label   // "My reports", hidden while there are none
	mine     *fyne.Container // the device's sent reports (mine.go)
	// timelineFetched, when set, is called once an opened timeline's fetch
	// has been shown (tests wait for it).
	timelineFetched func()
}

// New builds the report screen.
func New(d Deps) *Screen {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Screen{d: d, streets: citizen.NewStreets(d.Streets)}
	var names []string
	for _, svc := range d.Services.Services {
		names = append(names, svc.Name.In(kit.Lang()))
		s.codes = append(s.codes, svc.Code)
	}
	s.category = kit.NewSelect(names, s.onCategory)
	s.category.PlaceHolder = lang.L("Choose a category")
	s.attrsBox = container.NewVBox()

	s.description = kit.NewMultiLineEntry()
	s.description.Wrapping = fyne.TextWrapWord
	s.description.SetPlaceHolder(lang.L("What is wrong? (optional)"))

	s.search = kit.NewEntry()
	s.search.SetPlaceHolder(lang.L("Street and house number, e.g. Hauptstraße 3"))
	s.search.OnChanged = s.onSearch
	s.search.OnEscape = s.onSearchEscape
	s.results = container.NewVBox()
	s.lat, s.long = kit.NewEntry(), kit.NewEntry()
	s.lat.SetPlaceHolder(lang.L("Latitude, e.g. 50.9413"))
	s.long.SetPlaceHolder(lang.L("Longitude, e.g. 6.9583"))
	s.placeMsg = kit.Wrapped(lang.L("No place chosen yet."))

	s.photoList = kit.Wrapped("")
	s.addPhoto = kit.NewWrapButton(lang.L("Add a photo"), nil, s.onChoosePhoto)
	// kit's check: its label wraps at a phone's width (fyne's does not).
	var useExif fyne.CanvasObject
	s.useExif, useExif = kit.NewCheck(lang.L("Use the photo's position as the place (the photo itself is sent without it)"), false, nil)

	s.email = kit.NewEntry()
	s.email.SetPlaceHolder(lang.L("E-mail for feedback (optional)"))
	s.problem = kit.Wrapped("")
	s.problem.Importance = widget.DangerImportance
	s.problem.Hide()
	s.send = kit.NewWrapButton(lang.L("Send report"), nil, s.onSend)
	s.send.Importance = widget.HighImportance
	s.dupBox = container.NewVBox()
	s.dupBox.Hide()
	s.thanks = kit.Wrapped("")
	s.thanks.Importance = widget.SuccessImportance
	s.thanks.Hide()
	s.waiting = kit.Wrapped("")
	s.waiting.Hide()
	s.feedNote = kit.Wrapped("")
	s.feedNote.Importance = widget.LowImportance
	s.mineHead = kit.Heading(lang.L("My reports"))
	s.mineHead.Hide()
	s.mine = container.NewVBox()

	s.box = container.NewVBox(
		kit.Heading(lang.L("Report a problem in town")),
		kit.Wrapped(lang.L("A broken street light, a pothole, litter: tell the town hall. You can report anonymously.")),
		s.thanks,
		kit.Heading(lang.L("Category")), s.category, s.attrsBox,
		kit.Heading(lang.L("Details")), s.description,
		kit.Heading(lang.L("Where is it?")),
		s.search, s.results,
		kit.Wrapped(lang.L("Or type the coordinates:")),
		container.NewGridWithColumns(2, s.lat, s.long),
		kit.NewWrapButton(lang.L("Use these coordinates"), nil, s.onUseCoordinates),
		s.placeMsg,
		kit.Heading(lang.L("Photos (up to 3)")), s.photoList, s.addPhoto, useExif,
		kit.Heading(lang.L("Feedback")),
		kit.Wrapped(lang.L("Leave the e-mail empty to report anonymously. It is only for the town hall, never shown publicly.")),
		s.email,
		s.problem, s.dupBox, s.send, s.waiting, s.feedNote,
		s.mineHead, s.mine,
	)
	s.root = kit.NewVScroll(container.NewPadded(s.box))
	s.showPhotos()
	return s
}

// Title is the screen's name, as on its tab.
func (s *Screen) Title() string { return Title() }

// Title is the screen's title, for a way to it before the screen is built.
func Title() string { return lang.L("Report a problem") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

func (s *Screen) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// Shown refreshes what the screen shows of the device's reports, and asks
// for the public feed in the background (offline, the cached one stays).
func (s *Screen) Shown() {
	s.Refresh()
	go func() {
		ctx, cancel := s.ctx()
		defer cancel()
		// Only the public feed changed: redrawing "My reports" too could
		// bring back a "New" the citizen cleared meanwhile.
		if s.d.Sync.RefreshReports(ctx) == nil {
			fyne.Do(s.showFeedAge)
		}
	}()
}

// Refresh shows how many reports wait on the device and how old the
// cached feed is.
func (s *Screen) Refresh() {
	ctx, cancel := s.ctx()
	defer cancel()
	items, err := s.d.Store.ReportItems(ctx)
	if err == nil {
		var pending, failed int
		var why string
		for _, it := range items {
			if it.State == citizen.OutboxFailed {
				failed++
				why = lang.L(it.LastError)
			} else {
				pending++
			}
		}
		var lines []string
		if pending > 0 {
			lines = append(lines, lang.L("Reports waiting to be sent: {{.Count}}", map[string]any{"Count": pending}))
		}
		if failed > 0 {
			lines = append(lines, lang.L("Reports the town hall did not accept: {{.Count}} ({{.Why}})", map[string]any{"Count": failed, "Why": why}))
		}
		s.waiting.SetText(strings.Join(lines, "\n"))
		s.waiting.Hidden = len(lines) == 0
		s.waiting.Refresh()
	}
	if mine, err := s.d.Store.MyReports(ctx); err == nil {
		s.showMine(mine)
	}
	s.showFeedAge()
}

// showFeedAge says how old the cached public feed is.
func (s *Screen) showFeedAge() {
	ctx, cancel := s.ctx()
	defer cancel()
	if _, at, err := s.d.Store.ReportFeed(ctx); err == nil && !at.IsZero() {
		s.feedNote.SetText(lang.L("Reports of others as of {{.Date}}", map[string]any{"Date": kit.DateTime(at.In(time.Local))}))
	}
}

func (s *Screen) service() (api.ReportService, bool) {
	i := s.category.SelectedIndex()
	if i < 0 {
		return api.ReportService{}, false
	}
	return s.d.Services.Service(s.codes[i])
}

func (s *Screen) onCategory(string) {
	svc, _ := s.service()
	s.attrs = attributeInputs(svc.Attributes)
	s.attrsBox.RemoveAll()
	if d := svc.Description.In(kit.Lang()); d != "" {
		s.attrsBox.Add(kit.Wrapped(d))
	}
	for _, a := range s.attrs {
		s.attrsBox.Add(a.view)
	}
	s.hideDuplicates()
}

func (s *Screen) showProblem(text string) {
	s.problem.SetText(text)
	s.problem.Show()
	s.scrollTo(s.problem) // below the fold on a phone: bring it into view
}

func (s *Screen) hideProblem() { s.problem.Hide() }
