package forms

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"

	"rathaus/app/citizen"
)

// The notice (Bescheid) of a decided case is kept sealed on the device;
// opening it hands a copy to the system's PDF viewer, which needs a file.
// The copy goes to the app's cache folder, readable by the citizen alone,
// and is replaced on every opening.
var (
	noticeDir = func() string {
		if d, err := os.UserCacheDir(); err == nil {
			return filepath.Join(d, "rathaus", "notices")
		}
		return filepath.Join(os.TempDir(), "rathaus-notices")
	}
	openURL = func(u *url.URL) error { return fyne.CurrentApp().OpenURL(u) }
)

// onNotice opens a case's notice.
func (ap *Applications) onNotice(c citizen.Case) {
	pdf, err := ap.area.Store.Notice(context.Background(), c.ID)
	if err != nil {
		ap.area.showError(err)
		return
	}
	path, err := writeNotice(noticeDir(), c.Number, pdf)
	if err != nil {
		ap.area.showError(&citizen.Error{Code: citizen.EINTERNAL, Message: "The notice could not be opened.", Err: err})
		return
	}
	if err := openURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}); err != nil {
		ap.area.showError(&citizen.Error{Code: citizen.EINTERNAL, Message: "The notice could not be opened.", Err: err})
	}
}

func writeNotice(dir, number string, pdf []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	name := "Bescheid-" + strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, number) + ".pdf"
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, pdf, 0o600)
}
