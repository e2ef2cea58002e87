package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
)

// StatusName is a step of the town hall's workflow (api.Statuses) in the
// citizen's words: a case's or a report's.
func StatusName(s string) string {
	switch s {
	case api.StatusReceived:
		return lang.L("Received")
	case api.StatusInReview:
		return lang.L("In review")
	case api.StatusInspection:
		return lang.L("Inspection")
	case api.StatusDecided:
		return lang.L("Decided")
	case api.StatusInfoNeeded:
		return lang.L("More information needed")
	case api.StatusClosed:
		return lang.L("Closed")
	}
	return s
}

// Timeline lays out the steps of a case or report, oldest first, each
// with the town's message in the citizen's language.
func Timeline(events []api.CaseEvent) *fyne.Container {
	box := container.NewVBox()
	for _, e := range events {
		box.Add(Heading(DateTime(e.At.Local()) + "  " + StatusName(e.Status)))
		if note := e.Note.In(Lang()); note != "" {
			box.Add(Wrapped(note))
		}
	}
	return box
}

// NewBadge marks an item the town moved on that the citizen has not
// opened yet ("Neu").
func NewBadge() *widget.Label {
	l := widget.NewLabel(lang.L("New"))
	l.Importance = widget.HighImportance
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}
