package forms

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/engine"
	"rathaus/ui/kit"
)

// Applications is "My applications": one row per application, whatever
// its state (being filled in, on its way, refused, a case at the town
// hall), also for cases sent from the account's other devices. Each row
// offers what can be done with the application in its state.
type Applications struct {
	area *Area

	root  fyne.CanvasObject
	list  *fyne.Container
	empty *widget.Label
	rows  map[string]*applicationRow // by draft id, for tests and refresh
	cases map[string]*applicationRow // by case number, with or without a draft here

	submitted *submittedDialog // open after sending
	offline   bool             // the engine's connection as last shown
}

// applicationRow is one application on the screen.
type applicationRow struct {
	title    *widget.Label
	status   *widget.Label       // where it stands on this device
	icon     *widget.Icon        // the same as an icon: a state is never told by colour alone
	phase    *widget.Label       // its case's status at the town hall, once there is one
	progress *widget.ProgressBar // the attachments' upload, while it runs
	resume   *kit.Button         // continue or correct the draft
	delete   *kit.Button         // delete the draft, or remove a sent one from this device
	timeline *kit.Button         // the case's steps at the town hall
	notice   *kit.Button         // the notice (Bescheid) of the decision, once on the device
	answer   *kit.Button         // complete the sent draft and send it again, when the town hall asks for more
	badge    *widget.Label       // "New": the town moved the case on since the citizen last opened it
}

func newApplications(a *Area) *Applications {
	ap := &Applications{area: a, rows: map[string]*applicationRow{}, cases: map[string]*applicationRow{}}
	ap.empty = kit.Wrapped(lang.L("You have no applications yet. Start one from a service."))
	ap.list = container.NewVBox()
	ap.root = kit.NewVScroll(container.NewPadded(container.NewVBox(ap.empty, ap.list)))
	ap.offline = a.Sync.Status().State == engine.Offline
	return ap
}

// Title is the screen's name, as on its tab.
func (ap *Applications) Title() string { return lang.L("My applications") }

// Content is the screen's root.
func (ap *Applications) Content() fyne.CanvasObject { return ap.root }

// Refresh rebuilds the list from the store, and the text of the dialog
// about an application just sent.
func (ap *Applications) Refresh() { ap.refresh(ap.area.Sync.Status().State) }

// refresh rebuilds the list and the dialog for the engine in state st.
func (ap *Applications) refresh(st engine.State) {
	ctx, cancel := ap.area.ctx()
	defer cancel()
	drafts, err := ap.area.Store.Drafts(ctx)
	if err != nil {
		ap.empty.SetText(kit.ErrorText(err))
		ap.empty.Show()
		return
	}
	items, _ := ap.area.Store.Outbox(ctx)
	byDraft := map[string]*citizen.OutboxItem{}
	for _, it := range items {
		byDraft[it.DraftID] = it
	}
	cases, _ := ap.area.Store.Cases(ctx)
	caseOf := map[string]*citizen.Case{}
	for i := range cases {
		if c := &cases[i]; c.DraftID != "" {
			caseOf[c.DraftID] = c
		}
	}

	ap.list.RemoveAll()
	ap.rows = map[string]*applicationRow{}
	ap.cases = map[string]*applicationRow{}
	shown := map[string]bool{} // case numbers with a row
	for _, d := range drafts {
		c := caseOf[d.ID]
		if c == nil && d.CaseNumber != "" {
			c = caseByNumber(cases, d.CaseNumber)
		}
		row := ap.newRow(d, byDraft[d.ID], c, st)
		ap.rows[d.ID] = row
		if c != nil {
			ap.cases[c.Number] = row
			shown[c.Number] = true
		}
		ap.add(row)
	}
	for i := range cases {
		if c := &cases[i]; !shown[c.Number] {
			row := ap.newRow(nil, nil, c, st)
			ap.cases[c.Number] = row
			ap.add(row)
		}
	}
	if len(ap.list.Objects) == 0 {
		ap.empty.Show()
	} else {
		ap.empty.Hide()
	}
	if ap.submitted != nil {
		ap.submitted.update(drafts, byDraft, caseOf, st)
	}
}

// StatusChanged follows the sync engine: the list, and the dialog about an
// application just sent, reload when a pass changed what they show (items
// on their way, drafts, cases) or when the connection went or came back
// ("waiting for connection"). Any other status reloads nothing: a reload
// reads and unseals every draft. A pass that starts says nothing yet; its
// end does.
func (ap *Applications) StatusChanged(st engine.Status) {
	if st.State == engine.Syncing {
		return
	}
	offline := st.State == engine.Offline
	if st.Changed.Any(engine.ChangedOutbox|engine.ChangedDrafts|engine.ChangedCases) || offline != ap.offline {
		ap.refresh(st.State)
	}
	ap.offline = offline
}

func caseByNumber(cases []citizen.Case, number string) *citizen.Case {
	for i := range cases {
		if cases[i].Number == number {
			return &cases[i]
		}
	}
	return nil
}

func (ap *Applications) add(r *applicationRow) {
	// The badge on the left, the actions from the right, on more lines
	// when a phone has no room for them on one.
	actions := container.NewBorder(nil, nil, container.NewVBox(r.badge), nil,
		kit.NewFlow(r.answer, r.notice, r.timeline, r.resume, r.delete))
	ap.list.Add(container.NewVBox(r.title, container.NewBorder(nil, nil, container.NewVBox(r.icon), nil, r.status), r.phase, r.progress, actions))
	ap.list.Add(widget.NewSeparator())
}

// newRow builds the row of a draft (d) and its case (c), either of which
// may be missing: a draft not sent has no case, and a case sent from
// another device has no draft here.
func (ap *Applications) newRow(d *citizen.Draft, it *citizen.OutboxItem, c *citizen.Case, st engine.State) *applicationRow {
	service := ""
	switch {
	case d != nil:
		service = d.Service
	case c != nil:
		service = c.Service
	}
	r := &applicationRow{
		title:    kit.Heading(ap.area.title(service)),
		status:   kit.Wrapped(""),
		icon:     widget.NewIcon(theme.DocumentIcon()),
		phase:    kit.Wrapped(""),
		progress: widget.NewProgressBar(),
		resume:   kit.NewWrapButton(lang.L("Continue"), theme.DocumentCreateIcon(), func() { ap.onResume(d) }),
		delete:   kit.NewWrapButton(lang.L("Delete"), theme.DeleteIcon(), func() { ap.onDelete(d) }),
		timeline: kit.NewWrapButton(lang.L("Timeline"), theme.HistoryIcon(), nil),
		notice:   kit.NewWrapButton(lang.L("Notice (PDF)"), theme.DocumentIcon(), nil),
		answer:   kit.NewWrapButton(lang.L("Complete and send again"), theme.MailReplyIcon(), func() { ap.onAnswer(d) }),
		badge:    kit.NewBadge(),
	}
	if c == nil || !c.New {
		r.badge.Hide()
	}
	r.notice.Hide()
	r.answer.Importance = widget.HighImportance
	if c == nil || d == nil || c.Status != api.StatusInfoNeeded || d.State != citizen.DraftSent || d.Locked {
		r.answer.Hide()
	}
	r.progress.Hide()
	r.phase.Hide()
	r.timeline.Hide()
	if c != nil {
		r.phase.SetText(caseStatus(*c))
		r.phase.Importance = widget.MediumImportance
		switch c.Status {
		case api.StatusDecided, api.StatusClosed:
			r.phase.Importance = widget.SuccessImportance
		case api.StatusInfoNeeded:
			// What the town hall asks for is on the row itself, not only
			// in the timeline: the citizen has to act.
			r.phase.Importance = widget.WarningImportance
			if n := len(c.History); n > 0 {
				if msg := c.History[n-1].Note.In(kit.Lang()); msg != "" {
					r.phase.SetText(caseStatus(*c) + "\n" + lang.L("The town hall asks: {{.Message}}", map[string]any{"Message": msg}))
				}
			}
		}
		r.phase.Show()
		title := r.title.Text
		r.timeline.OnTapped = func() { ap.onTimeline(*c, title); ap.seen(*c, r) }
		r.timeline.Show()
		if c.Notice {
			r.notice.OnTapped = func() { ap.onNotice(*c) }
			r.notice.Show()
		}
	}
	if d == nil {
		r.status.SetText(lang.L("Case number {{.Number}}", map[string]any{"Number": c.Number}))
		r.resume.Hide()
		r.delete.Hide()
		return r
	}
	r.status.SetText(draftStatus(d, it, st))
	r.icon.SetResource(theme.DocumentCreateIcon())
	switch d.State {
	case citizen.DraftRejected:
		r.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
		r.status.Importance = widget.DangerImportance
		r.resume.SetText(lang.L("Correct"))
	case citizen.DraftSent:
		r.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		r.status.Importance = widget.SuccessImportance
		// The importance first: SetText draws the button, and a later
		// importance showed only after the next refresh (a theme change).
		r.delete.Importance = widget.LowImportance
		r.delete.SetText(lang.L("Remove from this device"))
	case citizen.DraftQueued:
		r.icon.SetResource(theme.NewWarningThemedResource(theme.UploadIcon()))
		r.status.Importance = widget.WarningImportance
		if it != nil && it.Total > 0 && it.Progress < it.Total {
			r.progress.Max = float64(it.Total)
			r.progress.SetValue(float64(it.Progress))
			r.progress.Show()
		}
	}
	if !d.State.Editable() || d.Locked {
		r.resume.Disable()
		r.resume.Hide()
	}
	if !d.State.Deletable() {
		r.delete.Disable()
		r.delete.Hide()
	}
	return r
}

func caseStatus(c citizen.Case) string {
	since := c.Submitted
	if n := len(c.History); n > 0 {
		since = c.History[n-1].At
	}
	return lang.L("{{.Status}} since {{.Date}}", map[string]any{"Status": kit.StatusName(c.Status), "Date": kit.DateTime(since.Local())})
}

// draftStatus says where a draft stands, in the citizen's words.
func draftStatus(d *citizen.Draft, it *citizen.OutboxItem, st engine.State) string {
	updated := kit.DateTime(d.Updated.Local())
	switch {
	case d.Locked:
		return lang.L("Cannot be opened: it was saved with a key this device no longer has.")
	case d.State == citizen.DraftSent:
		return lang.L("Sent – case number {{.Number}}", map[string]any{"Number": d.CaseNumber})
	case d.State == citizen.DraftRejected:
		return lang.L("Not accepted – please correct and send again. {{.Reason}}", map[string]any{"Reason": lastError(it)})
	case d.State == citizen.DraftQueued && st == engine.Offline:
		return lang.L("Waiting for connection")
	case d.State == citizen.DraftQueued && it != nil && it.Attempts > 0:
		return lang.L("Waiting to be sent again. {{.Reason}}", map[string]any{"Reason": lastError(it)})
	case d.State == citizen.DraftQueued:
		return lang.L("Sending…")
	}
	return lang.L("Draft, last changed {{.Time}}", map[string]any{"Time": updated})
}

// lastError is an outbox item's last failure, translated.
func lastError(it *citizen.OutboxItem) string {
	if it == nil || it.LastError == "" {
		return ""
	}
	return lang.L(it.LastError)
}

// onTimeline shows a case's steps at the town hall with their notes.
func (ap *Applications) onTimeline(c citizen.Case, title string) {
	events := c.History
	if len(events) == 0 {
		events = []api.CaseEvent{{Status: c.Status, At: c.Submitted}}
	}
	box := kit.Timeline(events)
	// The title in the content, where it wraps: a dialog's own title is one
	// line, wider than a phone in German.
	heading := kit.Heading(lang.L("{{.Service}}, case {{.Number}}", map[string]any{"Service": title, "Number": c.Number}))
	d := kit.ShowMessage("", container.NewVBox(heading, box), lang.L("Close"), ap.area.Window)
	d.Resize(fyne.NewSize(min(480, ap.area.Window.Canvas().Size().Width-4*theme.Padding()), 0))
}

// seen records that the citizen opened what the town did on the case:
// the row is no longer new.
func (ap *Applications) seen(c citizen.Case, r *applicationRow) {
	if !c.New {
		return
	}
	if err := ap.area.Store.MarkSeen(context.Background(), citizen.NewsCase, c.ID); err != nil {
		ap.area.showError(err)
		return
	}
	r.badge.Hide()
}

// onAnswer reopens a sent draft whose case the town hall asked more of,
// and opens it: sent again, it continues the case.
func (ap *Applications) onAnswer(d *citizen.Draft) {
	if d == nil {
		return
	}
	ctx := context.Background()
	if err := ap.area.Store.ReopenToAnswer(ctx, d.ID); err != nil {
		ap.area.showError(err)
		return
	}
	reopened, err := ap.area.Store.Draft(ctx, d.ID)
	if err != nil {
		ap.area.showError(err)
		return
	}
	ap.refresh(ap.area.Sync.Status().State)
	ap.area.Nav.OpenDraft(reopened)
}

func (ap *Applications) onResume(d *citizen.Draft) {
	if d != nil {
		ap.area.Nav.OpenDraft(d)
	}
}

// onDelete deletes a draft after asking. A sent one only leaves this
// device: the application at the town hall stays, and so does its case
// on this screen.
func (ap *Applications) onDelete(d *citizen.Draft) {
	if d == nil {
		return
	}
	title, text := lang.L("Delete draft?"), lang.L("The draft and everything entered in it will be deleted from this device.")
	if d.State == citizen.DraftSent {
		title = lang.L("Remove from this device?")
		text = lang.L("What you entered is deleted from this device. Your application at the town hall is not withdrawn, and its status stays listed here.")
	}
	// What is deleted cannot come back: "No" has the focus, Enter keeps.
	kit.ShowConfirmRisky(title, text, lang.L("Yes"), lang.L("No"), func(ok bool) {
		if !ok {
			return
		}
		ctx, cancel := ap.area.ctx()
		defer cancel()
		if err := ap.area.Store.DeleteDraft(ctx, d.ID); err != nil {
			ap.area.showError(err)
		} else {
			ap.area.forget(d.ID)
		}
		ap.Refresh()
	}, ap.area.Window)
}
