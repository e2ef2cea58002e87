package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// Notifier raises a local notification: fyne's App, or a test's recorder.
type Notifier interface {
	SendNotification(*fyne.Notification)
}

var _ Notifier = fyne.App(nil)

// notifyNews tells the citizen of each step the town took on their cases
// and reports. The engine hands each step over once, after storing it
// with the feed's cursor, so a restart does not tell it again; the item
// stays marked new in the store until opened.
func (u *UI) notifyNews(news []citizen.News) {
	for _, n := range news {
		u.notifier.SendNotification(newsNotification(n))
	}
}

// newsNotification is what a notification says of a step.
func newsNotification(n citizen.News) *fyne.Notification {
	what := lang.L("Your case {{.Number}}: {{.Status}}", map[string]any{"Number": n.Label, "Status": kit.StatusName(n.Event.Status)})
	if n.Kind == citizen.NewsReport {
		what = lang.L("Your report {{.Number}}: {{.Status}}", map[string]any{"Number": n.Label, "Status": kit.StatusName(n.Event.Status)})
	}
	if note := n.Event.Note.In(kit.Lang()); note != "" {
		what += "\n" + note
	}
	return fyne.NewNotification(lang.L("News from the town hall"), what)
}
