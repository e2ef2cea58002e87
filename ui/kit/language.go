package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// languageNames names each language in itself, so that a citizen who
// reads none of the others finds their own.
var languageNames = map[string]string{"de": "Deutsch", "en": "English", "tr": "Türkçe", "uk": "Українська"}

// LanguageName is the language's name in itself ("Türkçe"); code itself
// for a language the app does not have.
func LanguageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}

// LanguagePicker lets the citizen choose the app's language: a heading and
// one option per language, each named in itself. It only reports the
// choice; whoever places it (the settings, the kiosk's start screen)
// switches the language and rebuilds what shows text.
type LanguagePicker struct {
	widget.BaseWidget
	list   *RadioList
	box    *fyne.Container
	onPick func(code string)
}

// NewLanguagePicker shows the languages with the current one (Lang)
// chosen; onPick gets the code ("tr") of another one the citizen picks.
func NewLanguagePicker(onPick func(code string)) *LanguagePicker {
	p := &LanguagePicker{onPick: onPick}
	names := make([]string, len(Languages))
	for i, code := range Languages {
		names[i] = LanguageName(code)
	}
	p.list = NewRadioList(names, nil)
	p.list.SetSelected(LanguageName(Lang()))
	p.list.OnChanged = p.onChanged
	hint := Wrapped(lang.L("The app's language changes at once; what you entered stays."))
	hint.Importance = widget.LowImportance
	p.box = container.NewVBox(Heading(lang.L("Language")), hint, p.list)
	p.ExtendBaseWidget(p)
	return p
}

// Pick chooses a language by its code, as a tap on its option does.
func (p *LanguagePicker) Pick(code string) { p.list.SetSelected(LanguageName(code)) }

// Options are the languages' names in the order shown.
func (p *LanguagePicker) Options() []string { return p.list.Options }

func (p *LanguagePicker) onChanged(name string) {
	current := Lang()
	if name == "" { // the chosen option tapped again: it stays chosen
		p.list.SetSelected(LanguageName(current))
		return
	}
	for _, code := range Languages {
		if LanguageName(code) == name && code != current && p.onPick != nil {
			p.onPick(code)
		}
	}
}

func (p *LanguagePicker) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(p.box)
}
