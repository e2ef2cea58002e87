// Package kit holds the widgets and small helpers every area of the app's
// screens shares: a scroll container the mouse wheel works over, a date
// entry, check boxes and options whose labels wrap on a phone, labels and
// banners, and the languages (fyne's translations). It knows no area and
// no store.
package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
)

// ErrorText is an error's message for people, translated.
func ErrorText(err error) string {
	return lang.L(citizen.ErrorMessage(err))
}

// Wrapped is a label whose text wraps at the screen's width.
func Wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Heading is a bold label that wraps.
func Heading(s string) *widget.Label {
	l := Wrapped(s)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// NewCard is fyne's card with its title and subtitle in labels that wrap:
// fyne draws them on one line, wider than a phone at a large text size.
func NewCard(title, subtitle string, content fyne.CanvasObject) *widget.Card {
	box := container.NewVBox()
	if title != "" {
		box.Add(Heading(title))
	}
	if subtitle != "" {
		box.Add(Wrapped(subtitle))
	}
	if content != nil {
		box.Add(content)
	}
	return widget.NewCard("", "", box)
}

// Banner is a warning across the screen, with its icon.
func Banner(text string) fyne.CanvasObject {
	l := Wrapped(text)
	l.Importance = widget.WarningImportance
	return container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, l)
}

// Notice is a piece of news with the one thing to do about it.
func Notice(text, action string, tapped func()) fyne.CanvasObject {
	l := Wrapped(text)
	l.Importance = widget.WarningImportance
	b := NewButton(action, nil, tapped)
	return container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), b, l)
}
