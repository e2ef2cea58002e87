package forms

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/sync/engine"
	"rathaus/ui/kit"
)

// submittedDialog says what became of an application just sent, and keeps
// saying it as the sync engine moves it on: sent with its case number,
// waiting in the outbox, or refused. It never claims more than is known.
type submittedDialog struct {
	draftID string
	text    *widget.Label
	dlg     dialog.Dialog
}

// ShowSubmitted opens the dialog about the application of draft id, over
// the list.
func (ap *Applications) ShowSubmitted(draftID string) {
	if ap.submitted != nil {
		ap.submitted.dlg.Hide()
	}
	sd := &submittedDialog{draftID: draftID, text: kit.Wrapped("")}
	// Its button has the focus: Enter (or Escape) closes it.
	sd.dlg = kit.ShowMessage(lang.L("Your application"), sd.text, lang.L("OK"), ap.area.Window)
	sd.dlg.SetOnClosed(func() {
		if ap.submitted == sd {
			ap.submitted = nil
		}
	})
	// Room for the text to wrap in, within a phone's screen.
	sd.dlg.Resize(fyne.NewSize(min(360, ap.area.Window.Canvas().Size().Width-4*theme.Padding()), 0))
	ap.submitted = sd
	ap.Refresh()
}

func (sd *submittedDialog) update(drafts []*citizen.Draft, items map[string]*citizen.OutboxItem, cases map[string]*citizen.Case, st engine.State) {
	for _, d := range drafts {
		if d.ID == sd.draftID {
			text, imp := submittedText(d, items[d.ID], st)
			if c := cases[d.ID]; c != nil && c.KeyFingerprint != "" && d.State == citizen.DraftSent {
				// The receipt: the key the backend verified the signature
				// with, to compare with what the town hall sees.
				text += "\n\n" + lang.L("Signed on this device; the town hall verified the signature. Key fingerprint: {{.Fingerprint}}", map[string]any{"Fingerprint": c.KeyFingerprint})
			}
			sd.text.Importance = imp
			sd.text.SetText(text)
			return
		}
	}
}

// submittedText says what became of a draft just sent.
func submittedText(d *citizen.Draft, it *citizen.OutboxItem, st engine.State) (string, widget.Importance) {
	switch {
	case d.State == citizen.DraftSent:
		return lang.L("Sent. The town hall has your application under case number {{.Number}}; you can follow it here.", map[string]any{"Number": d.CaseNumber}), widget.SuccessImportance
	case d.State == citizen.DraftRejected:
		return lang.L("The town hall did not accept your application. Please correct the marked fields and send it again."), widget.DangerImportance
	case st == engine.Offline:
		return lang.L("There is no connection right now. Your application waits in the outbox on this device and is sent by itself as soon as there is one."), widget.WarningImportance
	case it != nil && it.Attempts > 0:
		return lang.L("Not sent yet: {{.Reason}} Your application waits in the outbox and is sent again by itself.", map[string]any{"Reason": lastError(it)}), widget.WarningImportance
	}
	return lang.L("Sending your application to the town hall…"), widget.MediumImportance
}
