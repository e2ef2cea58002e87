package reports

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// "My reports": the reports this device sent, each with where it stands
// at the town hall, its timeline, and "New" while the town's last step is
// unopened.

// showMine lays out the device's sent reports (not the "+1"s: those are
// others' reports).
func (s *Screen) showMine(mine []citizen.MyReport) {
	s.mine.RemoveAll()
	for _, m := range mine {
		if m.Vote || m.ReportID == "" {
			continue
		}
		s.mine.Add(s.mineRow(m))
	}
	s.mineHead.Hidden = len(s.mine.Objects) == 0
	s.mineHead.Refresh()
	s.mine.Refresh()
}

func (s *Screen) mineRow(m citizen.MyReport) fyne.CanvasObject {
	name := m.ServiceCode
	if svc, ok := s.d.Services.Service(m.ServiceCode); ok {
		name = svc.Name.In(kit.Lang())
	}
	tl := m.Timeline()
	last := tl[len(tl)-1]
	title := lang.L("Report {{.Number}}: {{.Category}}", map[string]any{"Number": m.ReportID, "Category": name})
	status := kit.Wrapped(lang.L("{{.Status}} since {{.Date}}", map[string]any{"Status": kit.StatusName(last.Status),
		"Date": kit.DateTime(last.At.Local())}))
	if note := last.Note.In(kit.Lang()); note != "" {
		status.SetText(status.Text + "\n" + lang.L("The town hall writes: {{.Message}}", map[string]any{"Message": note}))
	}
	badge := kit.NewBadge()
	badge.Hidden = !m.New
	open := kit.NewWrapButton(lang.L("Timeline"), theme.HistoryIcon(), nil)
	open.OnTapped = func() { s.onTimeline(m, title, badge) }
	return container.NewVBox(kit.Heading(title), status, container.NewHBox(badge, layout.NewSpacer(), open), widget.NewSeparator())
}

// onTimeline shows the report's steps as kept on the device at once; the
// report is no longer new. The backend's timeline is fetched meanwhile: it
// keeps every step, also those this device's feed did not bring.
func (s *Screen) onTimeline(m citizen.MyReport, title string, badge *widget.Label) {
	box := container.NewVBox(kit.Timeline(m.Timeline()))
	kit.ShowMessage(title, box, lang.L("Close"), s.d.Window)
	if m.New {
		ctx, cancel := s.ctx()
		defer cancel()
		if err := s.d.Store.MarkSeen(ctx, citizen.NewsReport, m.ReportID); err != nil {
			s.showProblem(kit.ErrorText(err))
			return
		}
		badge.Hide()
	}
	go s.refreshTimeline(m.ReportID, box)
}

// refreshTimeline fetches the report's timeline and shows it in box and in
// "My reports" if it brought steps; offline, the kept one stays.
func (s *Screen) refreshTimeline(id string, box *fyne.Container) {
	ctx, cancel := s.ctx()
	defer cancel()
	// Offline, or nothing new: the kept timeline stays as shown.
	var mine []citizen.MyReport
	if changed, err := s.d.Sync.RefreshReportHistory(ctx, id); err == nil && changed {
		if m, err := s.d.Store.MyReports(ctx); err == nil {
			mine = m
		}
	}
	fyne.Do(func() {
		for _, m := range mine {
			if m.ReportID == id && !m.Vote {
				box.Objects = []fyne.CanvasObject{kit.Timeline(m.Timeline())}
				box.Refresh()
			}
		}
		if mine != nil {
			s.showMine(mine)
		}
		if s.timelineFetched != nil {
			s.timelineFetched()
		}
	})
}
