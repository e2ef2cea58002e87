// Package settings holds the settings screen: text size and contrast, each
// taking effect at once and remembered in the app's settings (the store).
// Other areas add their rows (language, account) with AddSection.
package settings

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"rathaus/ui/kit"
)

// Store keeps the settings.
type Store interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// The keys of the settings in the store.
const (
	KeyTextSize = "ui.text_size" // percent, one of kit.TextSizes
	KeyContrast = "ui.contrast"  // kit.ContrastNormal or kit.ContrastHigh
)

// Load is the look the citizen chose, or the normal one where nothing was
// chosen or the store cannot say.
func Load(ctx context.Context, st Store) *kit.Look {
	size := 100
	if v, err := st.Setting(ctx, KeyTextSize); err != nil {
		slog.Warn("the text size setting cannot be read", "err", err)
	} else if n, err := strconv.Atoi(v); err == nil {
		size = n
	}
	c, err := st.Setting(ctx, KeyContrast)
	if err != nil {
		slog.Warn("the contrast setting cannot be read", "err", err)
	}
	return kit.NewLook(size, kit.Contrast(c))
}

// Screen is the settings screen.
type Screen struct {
	app   fyne.App
	store Store

	look     *kit.Look
	size     *kit.RadioList
	contrast *kit.RadioList
	problem  *widget.Label
	box      *fyne.Container
	root     fyne.CanvasObject
}

// NewScreen shows the settings of a's look (the theme is a *kit.Look once
// Apply ran; otherwise the normal look) and remembers changes in st.
func NewScreen(a fyne.App, st Store) *Screen {
	s := &Screen{app: a, store: st}
	s.look, _ = a.Settings().Theme().(*kit.Look)
	if s.look == nil {
		s.look = kit.NewLook(100, kit.ContrastNormal)
	}

	s.size = kit.NewRadioList(sizeLabels(), nil)
	s.size.SetSelected(sizeLabel(s.look.TextPercent()))
	s.size.OnChanged = s.onTextSize

	s.contrast = kit.NewRadioList([]string{lang.L("Normal"), lang.L("High contrast")}, nil)
	s.contrast.SetSelected(s.contrastLabel(s.look.Contrast()))
	s.contrast.OnChanged = s.onContrast

	s.problem = kit.Wrapped("")
	s.problem.Importance = widget.DangerImportance
	s.problem.Hide()

	s.box = container.NewVBox(
		kit.Heading(lang.L("Text size")), s.size,
		kit.Heading(lang.L("Contrast")),
		kit.Wrapped(lang.L("High contrast shows text in black on white (or white on black in the dark mode) and makes borders stronger.")),
		s.contrast,
		s.problem,
	)
	s.root = kit.NewVScroll(container.NewPadded(s.box))
	return s
}

// Title is the screen's name.
func (s *Screen) Title() string { return lang.L("Settings") }

// Content is the screen's root.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// AddSection adds a titled row below the others (the account); with no
// title, obj brings its own (the language picker).
func (s *Screen) AddSection(title string, obj fyne.CanvasObject) {
	s.box.Add(widget.NewSeparator())
	if title != "" {
		s.box.Add(kit.Heading(title))
	}
	s.box.Add(obj)
	s.box.Refresh()
}

// Apply makes look the app's theme: every screen redraws with it at once.
func Apply(a fyne.App, look *kit.Look) { a.Settings().SetTheme(look) }

func (s *Screen) onTextSize(label string) {
	for _, p := range kit.TextSizes {
		if sizeLabel(p) == label {
			s.change(kit.NewLook(p, s.look.Contrast()), KeyTextSize, strconv.Itoa(p))
			return
		}
	}
	// The chosen option tapped again clears the choice: keep the size.
	s.size.SetSelected(sizeLabel(s.look.TextPercent()))
}

func (s *Screen) onContrast(label string) {
	for _, c := range []kit.Contrast{kit.ContrastNormal, kit.ContrastHigh} {
		if s.contrastLabel(c) == label {
			s.change(kit.NewLook(s.look.TextPercent(), c), KeyContrast, string(c))
			return
		}
	}
	s.contrast.SetSelected(s.contrastLabel(s.look.Contrast()))
}

// change applies look at once and remembers it; a failure to remember is
// said on the screen (the look stays for this run).
func (s *Screen) change(look *kit.Look, key, value string) {
	if look.TextPercent() == s.look.TextPercent() && look.Contrast() == s.look.Contrast() {
		return
	}
	s.look = look
	Apply(s.app, look)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.SetSetting(ctx, key, value); err != nil {
		slog.Error("a setting cannot be saved", "key", key, "err", err)
		s.problem.SetText(lang.L("The setting applies now but cannot be saved for the next start."))
		s.problem.Show()
		return
	}
	s.problem.Hide()
}

func (s *Screen) contrastLabel(c kit.Contrast) string {
	if c == kit.ContrastHigh {
		return lang.L("High contrast")
	}
	return lang.L("Normal")
}

func sizeLabels() []string {
	var ls []string
	for _, p := range kit.TextSizes {
		ls = append(ls, sizeLabel(p))
	}
	return ls
}

// sizeLabel is a text size as people read it ("150 %").
func sizeLabel(percent int) string { return fmt.Sprintf("%d %%", percent) }
