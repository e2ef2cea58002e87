package reports

import (
	"context"
	"fmt"
	"io"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/photo"
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

	category *widget.Select
	codes    []string // service codes by the category's option index
	attrsBox *fyne.Container
	attrs    []*attrInput

	description *widget.Entry

	search   *widget.Entry
	results  *fyne.Container
	lat      *widget.Entry
	long     *widget.Entry
	placeMsg *widget.Label
	where    *place

	photos    []store.NewReportPhoto
	photoList *widget.Label
	addPhoto  *widget.Button
	useExif   *widget.Check

	email    *widget.Entry
	problem  *widget.Label
	send     *widget.Button
	dupBox   *fyne.Container
	thanks   *widget.Label
	waiting  *widget.Label
	feedNote *widget.Label
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
	s.category = widget.NewSelect(names, s.onCategory)
	s.category.PlaceHolder = lang.L("Choose a category")
	s.attrsBox = container.NewVBox()

	s.description = widget.NewMultiLineEntry()
	s.description.Wrapping = fyne.TextWrapWord
	s.description.SetPlaceHolder(lang.L("What is wrong? (optional)"))

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Street and house number, e.g. Hauptstraße 3"))
	s.search.OnChanged = s.onSearch
	s.results = container.NewVBox()
	s.lat, s.long = widget.NewEntry(), widget.NewEntry()
	s.lat.SetPlaceHolder(lang.L("Latitude, e.g. 50.9413"))
	s.long.SetPlaceHolder(lang.L("Longitude, e.g. 6.9583"))
	s.placeMsg = kit.Wrapped(lang.L("No place chosen yet."))

	s.photoList = kit.Wrapped("")
	s.addPhoto = widget.NewButton(lang.L("Add a photo"), s.onChoosePhoto)
	s.useExif = widget.NewCheck(lang.L("Use the photo's position as the place (the photo itself is sent without it)"), nil)

	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(lang.L("E-mail for feedback (optional)"))
	s.problem = kit.Wrapped("")
	s.problem.Importance = widget.DangerImportance
	s.problem.Hide()
	s.send = widget.NewButton(lang.L("Send report"), s.onSend)
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
		widget.NewButton(lang.L("Use these coordinates"), s.onUseCoordinates),
		s.placeMsg,
		kit.Heading(lang.L("Photos (up to 3)")), s.photoList, s.addPhoto, s.useExif,
		kit.Heading(lang.L("Feedback")),
		kit.Wrapped(lang.L("Leave the e-mail empty to report anonymously. It is only for the town hall, never shown publicly.")),
		s.email,
		s.problem, s.dupBox, s.send, s.waiting, s.feedNote,
	)
	s.root = kit.NewVScroll(container.NewPadded(s.box))
	s.showPhotos()
	return s
}

// Title is the screen's name, as on its tab.
func (s *Screen) Title() string { return lang.L("Report a problem") }

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
		if s.d.Sync.RefreshReports(ctx) == nil {
			fyne.Do(s.Refresh)
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
	if _, at, err := s.d.Store.ReportFeed(ctx); err == nil && !at.IsZero() {
		s.feedNote.SetText(lang.L("Reports of others as of {{.Date}}", map[string]any{"Date": at.In(time.Local).Format("02.01.2006 15:04")}))
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

// onSearch lists the addresses the text names, as the citizen types.
func (s *Screen) onSearch(text string) {
	s.results.RemoveAll()
	if len([]rune(strings.TrimSpace(text))) < 3 {
		return
	}
	found := s.streets.Search(text)
	if len(found) == 0 {
		s.results.Add(kit.Wrapped(lang.L("No street of that name. Check the spelling, or type the coordinates.")))
	}
	for i, a := range found {
		if i == 5 {
			break
		}
		label := a.Label()
		if a.Street.District != "" {
			label += " (" + a.Street.District + ")"
		}
		s.results.Add(widget.NewButton(label, func() { s.onPickAddress(a) }))
	}
}

func (s *Screen) onPickAddress(a citizen.Address) {
	s.results.RemoveAll()
	s.search.SetText(a.Label())
	s.results.RemoveAll() // SetText searched again
	s.setPlace(&place{lat: a.Lat, long: a.Long, address: a.Label(), addressID: a.ID()}, "")
}

func (s *Screen) onUseCoordinates() {
	la, err1 := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s.lat.Text), ",", "."), 64)
	lo, err2 := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s.long.Text), ",", "."), 64)
	if err1 != nil || err2 != nil {
		s.showProblem(lang.L("Type the coordinates as decimal degrees, e.g. 50.9413 and 6.9583."))
		return
	}
	s.setPlace(&place{lat: la, long: lo}, "")
}

// setPlace takes the place if it lies in the town; else it says why not.
func (s *Screen) setPlace(p *place, from string) {
	if !s.d.Services.Area.Contains(p.lat, p.long) {
		s.where = nil
		s.placeMsg.SetText(s.outsideText())
		s.placeMsg.Importance = widget.DangerImportance
		s.placeMsg.Refresh()
		return
	}
	s.where = p
	text := p.address
	if text == "" {
		text = fmt.Sprintf("%.5f, %.5f", p.lat, p.long)
	}
	if from != "" {
		text += " " + from
	}
	s.placeMsg.SetText(lang.L("Place: {{.Place}}", map[string]any{"Place": text}))
	s.placeMsg.Importance = widget.SuccessImportance
	s.placeMsg.Refresh()
	s.hideProblem()
	s.hideDuplicates()
}

func (s *Screen) outsideText() string {
	return lang.L("This place lies outside {{.Town}}. Reports can only be made for places in the town.", map[string]any{"Town": s.d.Streets.Town})
}

// onChoosePhoto opens the platform's file dialog for a photo.
func (s *Screen) onChoosePhoto() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, photo.DefaultMaxBytes+1))
		if err != nil {
			s.showProblem(lang.L("The file could not be read."))
			return
		}
		s.AddPhoto(data)
	}, s.d.Window)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".webp", ".gif"}))
	d.Show()
}

// AddPhoto downscales a photo and keeps it for the report; with the
// citizen's leave, its position becomes the place. The photo is kept
// without its position: it is public once the town publishes the report.
func (s *Screen) AddPhoto(data []byte) {
	if len(s.photos) >= api.MaxReportPhotos {
		s.showProblem(lang.L("A report takes at most 3 photos."))
		return
	}
	res, err := photo.Downscale(data, photo.Options{})
	if err != nil {
		s.showProblem(kit.ErrorText(err))
		return
	}
	s.photos = append(s.photos, store.NewReportPhoto{Type: "image/jpeg", Data: res.JPEG})
	s.showPhotos()
	s.hideProblem()
	if !s.useExif.Checked {
		return
	}
	withPos, err := photo.Downscale(data, photo.Options{KeepLocation: true, MaxSide: 64})
	if err != nil || withPos.Location == nil {
		s.placeMsg.SetText(lang.L("The photo has no position. Search the street or type the coordinates."))
		s.placeMsg.Importance = widget.WarningImportance
		s.placeMsg.Refresh()
		return
	}
	s.setPlace(&place{lat: withPos.Location.Latitude, long: withPos.Location.Longitude}, lang.L("(from the photo)"))
}

func (s *Screen) showPhotos() {
	if len(s.photos) == 0 {
		s.photoList.SetText(lang.L("No photo."))
	} else {
		s.photoList.SetText(lang.L("Photos added: {{.Count}}", map[string]any{"Count": len(s.photos)}))
	}
	if len(s.photos) >= api.MaxReportPhotos {
		s.addPhoto.Disable()
	} else {
		s.addPhoto.Enable()
	}
}

func (s *Screen) showProblem(text string) {
	s.problem.SetText(text)
	s.problem.Show()
	s.scrollTo(s.problem) // below the fold on a phone: bring it into view
}

func (s *Screen) hideProblem() { s.problem.Hide() }

// request checks the screen and makes the report; "" problem when fine.
func (s *Screen) request() (api.ReportRequest, string) {
	svc, ok := s.service()
	if !ok {
		return api.ReportRequest{}, lang.L("Choose a category.")
	}
	req := api.ReportRequest{ServiceCode: svc.Code, Description: strings.TrimSpace(s.description.Text),
		Email: strings.TrimSpace(s.email.Text), Attributes: map[string][]string{}}
	for _, a := range s.attrs {
		v := a.values()
		if a.attr.Required && a.attr.Variable && len(v) == 0 {
			return req, lang.L("Please answer: {{.Question}}", map[string]any{"Question": a.attr.Description.In(kit.Lang())})
		}
		if err := a.attr.Check(v); err != nil {
			return req, lang.L("Please check the answer to: {{.Question}}", map[string]any{"Question": a.attr.Description.In(kit.Lang())})
		}
		if len(v) > 0 {
			req.Attributes[a.attr.Code] = v
		}
	}
	if s.where == nil {
		return req, lang.L("Give the place: search the street, type the coordinates or use a photo's position.")
	}
	la, lo := s.where.lat, s.where.long
	req.Lat, req.Long, req.Address, req.AddressID = &la, &lo, s.where.address, s.where.addressID
	if req.Email != "" {
		if a, err := mail.ParseAddress(req.Email); err != nil || a.Address != req.Email {
			return req, lang.L("This is not an e-mail address.")
		}
	}
	return req, ""
}

// onSend checks the report, then offers the open reports of the category
// nearby, if there are any; else it queues the report.
func (s *Screen) onSend() {
	req, problem := s.request()
	if problem != "" {
		s.showProblem(problem)
		return
	}
	s.hideProblem()
	ctx, cancel := s.ctx()
	defer cancel()
	feed, _, err := s.d.Store.ReportFeed(ctx)
	if err == nil {
		if near := citizen.Nearby(s.streets.Locate(feed.Reports), req.ServiceCode, *req.Lat, *req.Long); len(near) > 0 {
			s.showDuplicates(req, near)
			return
		}
	}
	s.queue(&citizen.ReportPayload{Request: req}, s.photos,
		lang.L("Thank you. Your report waits on this device and is sent as soon as there is a connection."))
}

// showDuplicates asks "is it one of these?" with a "+1" each.
func (s *Screen) showDuplicates(req api.ReportRequest, near []api.Report) {
	s.dupBox.RemoveAll()
	s.dupBox.Add(kit.Heading(lang.L("Is it one of these?")))
	s.dupBox.Add(kit.Wrapped(lang.L("These reports of the same kind are open close by. If yours is one of them, a +1 tells the town hall it matters to you too.")))
	svc, _ := s.d.Services.Service(req.ServiceCode)
	for _, r := range near {
		d := citizen.DistanceLabelM(api.DistanceM(*req.Lat, *req.Long, *r.Lat, *r.Long))
		text := lang.L("{{.Category}}, about {{.Distance}} m away, reported on {{.Date}}", map[string]any{
			"Category": svc.Name.In(kit.Lang()), "Distance": d, "Date": r.Requested.In(time.Local).Format("02.01.2006")})
		if r.Description != "" {
			text += ": " + r.Description
		}
		if r.Address != "" {
			text += " (" + r.Address + ")"
		}
		vote := widget.NewButton(lang.L("+1"), func() { s.onVote(req, r.ID) })
		s.dupBox.Add(container.NewBorder(nil, nil, nil, vote, kit.Wrapped(text)))
	}
	s.dupBox.Add(widget.NewButton(lang.L("No, send my report"), func() {
		s.hideDuplicates()
		s.queue(&citizen.ReportPayload{Request: req}, s.photos,
			lang.L("Thank you. Your report waits on this device and is sent as soon as there is a connection."))
	}))
	s.dupBox.Show()
	s.send.Hide()
	s.scrollTo(s.dupBox)
}

// scrollTo brings o into view. Rows that just appeared may not be laid
// out in the window yet (the desktop driver does it at its next frame,
// where fyne's test driver does it at once): then it scrolls again a
// moment later.
func (s *Screen) scrollTo(o fyne.CanvasObject) {
	s.box.Refresh()
	s.root.ScrollTo(o)
	if !s.root.Shows(o) {
		time.AfterFunc(100*time.Millisecond, func() { fyne.Do(func() { s.root.ScrollTo(o) }) })
	}
}

func (s *Screen) hideDuplicates() {
	s.dupBox.Hide()
	s.dupBox.RemoveAll()
	s.send.Show()
}

func (s *Screen) onVote(req api.ReportRequest, id string) {
	s.hideDuplicates()
	s.queue(&citizen.ReportPayload{Request: req, Vote: id}, nil,
		lang.L("Thank you. Your +1 is sent as soon as there is a connection."))
}

// queue puts the report in the outbox and starts a new one.
func (s *Screen) queue(p *citizen.ReportPayload, photos []store.NewReportPhoto, thanks string) {
	ctx, cancel := s.ctx()
	defer cancel()
	if _, err := s.d.Store.QueueReport(ctx, p, photos); err != nil {
		s.showProblem(kit.ErrorText(err))
		return
	}
	s.d.Sync.Kick()
	s.reset()
	s.thanks.SetText(thanks)
	s.thanks.Show()
	s.Refresh()
	s.root.ScrollToTop() // where the thanks are, and the next report begins
}

// reset empties the screen for the next report.
func (s *Screen) reset() {
	s.category.ClearSelected()
	s.attrs = nil
	s.attrsBox.RemoveAll()
	s.description.SetText("")
	s.search.SetText("")
	s.results.RemoveAll()
	s.lat.SetText("")
	s.long.SetText("")
	s.where = nil
	s.placeMsg.SetText(lang.L("No place chosen yet."))
	s.placeMsg.Importance = widget.MediumImportance
	s.placeMsg.Refresh()
	s.photos = nil
	s.showPhotos()
	s.email.SetText("")
	s.hideProblem()
}
