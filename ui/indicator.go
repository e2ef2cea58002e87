package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/sync/engine"
	"rathaus/sync/transport"
	"rathaus/ui/kit"
)

// syncIndicator is always visible: one line that says what is known of the
// sync (when it last reached the town hall, what the last pass sent, or
// that the server cannot be reached), and "Sync now". The line keeps one
// height whatever its text, so that the screen below never moves: a long
// text is cut short, and a tap on it shows all of it.
type syncIndicator struct {
	ui    *UI
	root  fyne.CanvasObject
	icon  *widget.Icon
	label *lineLabel
	now   *kit.Button
	full  string // the whole text, with when it last synced and tried
}

func newSyncIndicator(u *UI) *syncIndicator {
	si := &syncIndicator{ui: u, icon: widget.NewIcon(theme.ViewRefreshIcon())}
	si.label = newLineLabel(si.onDetails)
	si.now = kit.NewButton(lang.L("Sync now"), theme.ViewRefreshIcon(), si.onSyncNow)
	si.root = container.New(&indicatorLayout{si: si, text: si.now.Text}, si.icon, si.label, si.now)
	si.show(u.syncer.Status())
	return si
}

func (si *syncIndicator) content() fyne.CanvasObject { return si.root }

// indicatorLayout is the line's: the icon, the text, and "Sync now" at
// the end, which shows only its icon when the window is too narrow for
// its words (a phone at a large text size), so that the line never makes
// the window wider than the screen.
type indicatorLayout struct {
	si   *syncIndicator
	text string // the button's words

	// sizes are the button's with its words and without, measured on
	// copies never shown and kept while the theme's sizes stay (key):
	// measuring the button itself changed and refreshed it at every
	// measure, which made the window draw again and again (half a core
	// while the app sat idle).
	key   [3]float32
	sizes [2]fyne.Size
}

// measure is the button's size with its words or without them.
func (l *indicatorLayout) measure(withText bool) fyne.Size {
	if key := [3]float32{theme.TextSize(), theme.Padding(), theme.IconInlineSize()}; key != l.key {
		l.key, l.sizes = key, [2]fyne.Size{}
	}
	i, text := 0, ""
	if withText {
		i, text = 1, l.text
	}
	if l.sizes[i].IsZero() {
		l.sizes[i] = kit.NewButton(text, l.si.now.Icon, nil).MinSize()
	}
	return l.sizes[i]
}

// showText gives the button its words or takes them away, refreshing it
// only when that changes.
func (l *indicatorLayout) showText(withText bool) {
	want := ""
	if withText {
		want = l.text
	}
	if b := l.si.now; b.Text != want {
		b.Text = want
		b.Refresh()
	}
}

// MinSize is the line's with the button without its words: the line
// never asks for more than the window has.
func (l *indicatorLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	icon, label := l.si.icon.MinSize(), l.si.label.MinSize()
	b := l.measure(false)
	pad := theme.Padding()
	return fyne.NewSize(icon.Width+pad+label.Width+pad+b.Width, max(icon.Height, label.Height, b.Height))
}

func (l *indicatorLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	icon, label := l.si.icon.MinSize(), l.si.label.MinSize()
	b, withText := l.measure(true), true
	if icon.Width+pad+label.Width+pad+b.Width > size.Width {
		b, withText = l.measure(false), false
	}
	l.showText(withText)
	l.si.icon.Move(fyne.NewPos(0, (size.Height-icon.Height)/2))
	l.si.icon.Resize(icon)
	l.si.now.Move(fyne.NewPos(size.Width-b.Width, 0))
	l.si.now.Resize(fyne.NewSize(b.Width, size.Height))
	x := icon.Width + pad
	l.si.label.Move(fyne.NewPos(x, 0))
	l.si.label.Resize(fyne.NewSize(max(0, size.Width-b.Width-pad-x), size.Height))
}

// show puts a status on the line.
func (si *syncIndicator) show(st engine.Status) {
	si.label.SetText(stateText(st))
	si.full = detailText(st)
	working := st.State == engine.Syncing || st.Requested
	switch {
	case working:
		si.icon.SetResource(theme.ViewRefreshIcon())
		si.label.Importance = widget.MediumImportance
	case st.State == engine.Offline:
		si.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		si.label.Importance = widget.WarningImportance
	case st.State == engine.Error:
		si.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
		si.label.Importance = widget.DangerImportance
	default:
		si.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		si.label.Importance = widget.MediumImportance
	}
	si.label.Refresh()
	if working {
		si.now.Disable()
	} else {
		si.now.Enable()
	}
}

// stateText is the line's text for a status: only what is known.
func stateText(st engine.Status) string {
	switch {
	case st.State == engine.Syncing || st.Requested:
		return lang.L("Syncing…")
	case (st.State == engine.Error || st.State == engine.Offline) && transport.Insecure(st.Err) != nil:
		return lang.L("Connection not secure – nothing was sent")
	case st.State == engine.Offline:
		return lang.L("Server not reachable – everything is saved and sent later")
	case st.State == engine.Error:
		return lang.L("Server problem – the app tries again")
	case st.LastSuccess.IsZero():
		return lang.L("Not synced yet")
	}
	at := clockText(st.LastSuccess)
	if n := st.Last.Sent[citizen.OutboxSubmission]; n > 0 {
		return lang.L("Synced at {{.Time}} – {{.Count}} sent", map[string]any{"Time": at, "Count": n})
	}
	return lang.L("Synced at {{.Time}}", map[string]any{"Time": at})
}

// detailText is the whole story of a status, for the details.
func detailText(st engine.Status) string {
	lines := []string{stateText(st)}
	if ce := transport.Insecure(st.Err); ce != nil && (st.State == engine.Error || st.State == engine.Offline) {
		lines = append(lines, lang.L(ce.Message)) // what to do about it
	}
	if !st.LastSuccess.IsZero() && st.State != engine.Idle {
		lines = append(lines, lang.L("Last synced at {{.Time}}", map[string]any{"Time": clockText(st.LastSuccess)}))
	}
	if !st.LastAttempt.IsZero() {
		lines = append(lines, lang.L("Last tried at {{.Time}}", map[string]any{"Time": clockText(st.LastAttempt)}))
	}
	return strings.Join(lines, "\n")
}

// clockText is a time of today as 00:06, of another day with its date.
func clockText(t time.Time) string {
	t, now := t.Local(), timeNow().Local()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04")
	}
	return kit.DateTime(t)
}

// onSyncNow asks the engine for a pass; the line shows that it works, and
// then what came of it, as the engine reports through OnChange.
func (si *syncIndicator) onSyncNow() {
	si.now.Disable()
	si.ui.syncer.SyncNow()
}

// onDetails shows the whole text, which the line may have cut short.
func (si *syncIndicator) onDetails() {
	kit.ShowInfo(lang.L("Sync"), si.full, si.ui.win)
}

// lineLabel is a label of one line: its text is cut short with an ellipsis
// when it does not fit, and a tap calls onTap.
type lineLabel struct {
	widget.Label
	onTap func()
}

func newLineLabel(onTap func()) *lineLabel {
	l := &lineLabel{onTap: onTap}
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// Tapped implements fyne.Tappable.
func (l *lineLabel) Tapped(*fyne.PointEvent) {
	if l.onTap != nil {
		l.onTap()
	}
}
