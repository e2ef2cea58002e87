package reports

// Sending: the screen checked, the open reports nearby offered for a
// "+1", the report queued.

import (
	"net/mail"
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
			"Category": svc.Name.In(kit.Lang()), "Distance": d, "Date": kit.Date(r.Requested.In(time.Local))})
		if r.Description != "" {
			text += ": " + r.Description
		}
		if r.Address != "" {
			text += " (" + r.Address + ")"
		}
		vote := kit.NewWrapButton(lang.L("+1"), nil, func() { s.onVote(req, r.ID) })
		s.dupBox.Add(container.NewBorder(nil, nil, nil, vote, kit.Wrapped(text)))
	}
	s.dupBox.Add(kit.NewWrapButton(lang.L("No, send my report"), nil, func() {
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
