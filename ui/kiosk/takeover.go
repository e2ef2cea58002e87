package kiosk

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/app/handoff"
	"rathaus/ui/kit"
)

// TakeOver is the phone's side of the handoff: the link from the kiosk's
// QR code (pasted, or opened) or its code typed, and "Take over".
type TakeOver struct {
	claimer handoff.Claimer
	store   handoff.DraftCreator
	opened  func(*citizen.Draft)
	now     func() time.Time

	entry *kit.Entry
	take  *kit.Button
	msg   *widget.Label
	root  fyne.CanvasObject
}

// NewTakeOver builds the section; opened gets the new draft.
func NewTakeOver(c handoff.Claimer, st handoff.DraftCreator, opened func(*citizen.Draft)) *TakeOver {
	t := &TakeOver{claimer: c, store: st, opened: opened, now: time.Now}
	t.entry = kit.NewMultiLineEntry()
	t.entry.Wrapping = fyne.TextWrapBreak
	t.entry.SetPlaceHolder(lang.L("Link or code from the kiosk"))
	t.take = kit.NewButton(lang.L("Take over"), theme.DownloadIcon(), t.onTake)
	t.msg = kit.Wrapped("")
	hint := kit.Wrapped(lang.L("Started a form at a town-hall kiosk? Scan its QR code with your camera, or paste the link or type the code shown there. It works once, within 30 minutes."))
	hint.Importance = widget.LowImportance
	t.root = container.NewVBox(hint, t.entry, t.take, t.msg)
	return t
}

// Content is the section.
func (t *TakeOver) Content() fyne.CanvasObject { return t.root }

// Fill puts a link in the field (the app opened by a rathaus:// link).
func (t *TakeOver) Fill(link string) { t.entry.SetText(link) }

func (t *TakeOver) onTake() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := handoff.Receive(ctx, t.entry.Text, t.claimer, t.store, t.now())
	if err != nil {
		t.msg.Importance = widget.DangerImportance
		t.msg.SetText(kit.ErrorText(err))
		return
	}
	t.entry.SetText("")
	t.msg.Importance = widget.SuccessImportance
	t.msg.SetText(lang.L("The draft is on this phone now. You find it under My applications."))
	if t.opened != nil {
		t.opened(d)
	}
}
