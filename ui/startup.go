package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/secrets"
	"rathaus/ui/kit"
)

// StartProblem is how the app goes on when the citizen's data cannot be
// opened at start (the keyring that holds its key does not answer, the key
// file is damaged, the key is gone).
type StartProblem struct {
	DataDir string // shown, so that whoever helps knows where to look
	// Open tries to open the data again; it runs off the UI goroutine.
	// fresh: with a new key, after the citizen agreed that what the old
	// key protected stays locked.
	Open func(fresh bool) error
	// Opened runs on the UI goroutine once Open succeeded: it shows the
	// app's main window.
	Opened func()
	// Discard deletes the old database (store.Discard); it runs off the UI
	// goroutine before Open(true) when the data key is gone for good (the
	// secret store answers but was wiped). Nil keeps the old data, locked.
	Discard func() error
}

// problemScreen says what is wrong and offers the ways forward: try again
// (after starting the keyring, restoring the key file), start afresh where
// the key is out of reach, or quit.
type problemScreen struct {
	win     fyne.Window
	p       StartProblem
	err     error // the problem on screen
	message *widget.Label
	retry   *kit.Button
	afresh  *kit.Button
	quit    *kit.Button
	settled func() // tests: called once an attempt's outcome is on screen
}

// ShowStartProblem shows, instead of the main window, why the data cannot
// be opened (err) and what the citizen can do.
func ShowStartProblem(a fyne.App, err error, p StartProblem) fyne.Window {
	LoadFonts() // or waits for main's: a face may not shape two texts at once
	return newProblemScreen(a, err, p).win
}

func newProblemScreen(a fyne.App, err error, p StartProblem) *problemScreen {
	ps := &problemScreen{p: p}
	ps.win = a.NewWindow(lang.L("Rathaus"))
	ps.win.Resize(fyne.NewSize(480, 420))
	// Closing it quits, as Quit does: the main window may exist already,
	// not shown (main makes it while the data opens), and fyne ends the
	// app only when no window is left.
	ps.win.SetCloseIntercept(a.Quit)
	title := widget.NewLabel(lang.L("Your data cannot be opened"))
	title.TextStyle = fyne.TextStyle{Bold: true}
	ps.message = widget.NewLabel("")
	ps.message.Wrapping = fyne.TextWrapWord
	folder := widget.NewLabel(lang.L("Data folder") + ": " + p.DataDir)
	folder.Wrapping = fyne.TextWrapBreak
	ps.retry = kit.NewButton(lang.L("Try again"), theme.ViewRefreshIcon(), ps.onRetry)
	ps.retry.Importance = widget.HighImportance
	ps.afresh = kit.NewButton(lang.L("Start afresh"), nil, ps.onStartAfresh)
	ps.quit = kit.NewButton(lang.L("Quit"), nil, a.Quit)
	ps.show(err)
	ps.win.SetContent(container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, title),
		ps.message, folder, ps.retry, ps.afresh, ps.quit))))
	// Not the master window: it closes once the main window is up, and
	// closing a master window quits the app.
	ps.win.Show()
	ps.relayout()
	return ps
}

// relayout lays the screen out again once the labels know their width: a
// wrapped label measured before that is one line high, and the long
// messages overlapped what follows them.
func (ps *problemScreen) relayout() {
	ps.win.Content().Refresh()
}

// show puts err on the screen with the ways forward it leaves.
func (ps *problemScreen) show(err error) {
	ps.err = err
	ps.message.SetText(kit.ErrorText(err))
	if canStartAfresh(err) {
		ps.afresh.Show()
	} else {
		ps.afresh.Hide()
	}
	ps.retry.Enable()
	ps.afresh.Enable()
	if ps.win.Content() != nil {
		ps.relayout()
	}
}

// canStartAfresh: a new key helps only where the old one is out of reach.
// A damaged key file is not replaced: restored, it opens everything.
func canStartAfresh(err error) bool {
	return errors.Is(err, secrets.ErrNotFound) || errors.Is(err, secrets.ErrKeyringUnavailable)
}

func (ps *problemScreen) onRetry() { ps.open(false, false) }

func (ps *problemScreen) onStartAfresh() {
	if ps.keyGone() {
		kit.ShowConfirmRisky(lang.L("Start afresh?"),
			lang.L("The drafts and submissions saved on this device can no longer be read: they are deleted, and the app starts afresh with nothing saved. Applications already sent are with the town hall. This cannot be undone."),
			lang.L("Yes"), lang.L("No"), func(ok bool) {
				if ok {
					ps.open(true, true)
				}
			}, ps.win)
		return
	}
	kit.ShowConfirmRisky(lang.L("Start afresh?"),
		lang.L("Drafts and submissions saved before stay on this device but can no longer be opened or sent. This cannot be undone."),
		lang.L("Yes"), lang.L("No"), func(ok bool) {
			if ok {
				ps.open(true, false)
			}
		}, ps.win)
}

// keyGone: the secret store answered without the data key (wiped or
// reset), so nothing the old key sealed can be read again: starting
// afresh deletes it. A keyring that does not answer may come back: then
// the old data stays, locked.
func (ps *problemScreen) keyGone() bool {
	return ps.p.Discard != nil && errors.Is(ps.err, secrets.ErrNotFound) && !errors.Is(ps.err, secrets.ErrKeyringUnavailable)
}

// open tries again off the UI goroutine: reaching a keyring may take
// seconds. discard deletes the old data first.
func (ps *problemScreen) open(fresh, discard bool) {
	ps.retry.Disable()
	ps.afresh.Disable()
	go func() {
		var err error
		if discard {
			err = ps.p.Discard()
		}
		if err == nil {
			err = ps.p.Open(fresh)
		}
		fyne.Do(func() {
			if ps.settled != nil {
				defer ps.settled()
			}
			if err != nil {
				ps.show(err)
				return
			}
			ps.p.Opened()
			ps.win.Close()
		})
	}()
}
