package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/kit"
)

// Start is the kiosk's start screen: a welcome, the languages each named
// in itself, a big "Start", and a small way for staff.
type Start struct {
	onLanguage func(code string)
	onStart    func()
	onStaff    func()

	picker *kit.LanguagePicker
	start  *kit.Button
	staff  *kit.Button
	root   fyne.CanvasObject
}

// NewStart builds the start screen in the current language.
func NewStart(onLanguage func(code string), onStart, onStaff func()) *Start {
	s := &Start{onLanguage: onLanguage, onStart: onStart, onStaff: onStaff}
	title := canvas.NewText(lang.L("Welcome to the town hall"), theme.Color(theme.ColorNameForeground))
	title.TextSize = theme.TextHeadingSize() * 1.6
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Alignment = fyne.TextAlignCenter
	intro := kit.Wrapped(lang.L("Fill in your application here, on your own or with our staff. When you are done, everything you entered is deleted from this device."))
	intro.Alignment = fyne.TextAlignCenter
	s.picker = kit.NewLanguagePicker(s.onPick)
	s.start = kit.NewButton(lang.L("Start"), theme.NavigateNextIcon(), s.onStartTapped)
	s.start.Importance = widget.HighImportance
	big := container.NewGridWrap(fyne.NewSize(360, 96), s.start)
	s.staff = kit.NewButton(lang.L("Staff"), theme.AccountIcon(), s.onStaffTapped)
	s.staff.Importance = widget.LowImportance
	// Full width, so that the texts wrap at the screen's width (a centred
	// column would give them none); the button centred in its own size.
	s.root = container.NewBorder(nil, container.NewHBox(s.staff), nil, nil,
		kit.NewVScroll(container.NewPadded(container.NewVBox(title, intro, widget.NewSeparator(), s.picker,
			widget.NewSeparator(), container.NewCenter(big)))))
	return s
}

// Content is the screen.
func (s *Start) Content() fyne.CanvasObject { return s.root }

func (s *Start) onPick(code string) { s.onLanguage(code) }

func (s *Start) onStartTapped() { s.onStart() }

func (s *Start) onStaffTapped() { s.onStaff() }
