package kiosk

import (
	"net/url"

	"fyne.io/fyne/v2"

	"rathaus/app/citizen"
)

// Confine is the app as a session's screens get it: links (the town
// hall's phone, mail and web addresses) open nothing, as a browser or a
// mail program would be a way out of kiosk mode to the desktop.
func Confine(a fyne.App) fyne.App { return confined{a} }

type confined struct{ fyne.App }

func (confined) OpenURL(*url.URL) error {
	return citizen.Errorf(citizen.EUNAVAILABLE, "Links do not open at the kiosk.")
}
