package kit

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Contrast is the colour scheme the citizen chose.
type Contrast string

const (
	ContrastNormal Contrast = "normal"
	// ContrastHigh gives every text at least 7:1 against what it is shown
	// on (WCAG AAA), in the light and the dark variant.
	ContrastHigh Contrast = "high"
)

// TextSizes are the text sizes offered, in percent of fyne's.
var TextSizes = []int{100, 125, 150, 175, 200}

// Look is the app's theme: fyne's fonts, icons and spacing, its own
// colours (fyne's default ones put help texts at 1.55:1 and coloured texts
// on white below 4.5:1) and text scaled by the chosen size. Only text and
// inline icons grow: padding stays, so that 200 % leaves room for words
// on a phone instead of for margins.
type Look struct {
	textScale float32
	contrast  Contrast
}

var _ fyne.Theme = (*Look)(nil)

// NewLook is the theme for a text size (percent; outside 100 to 200 it is
// brought inside) and a contrast.
func NewLook(textPercent int, c Contrast) *Look {
	textPercent = max(100, min(textPercent, 200))
	if c != ContrastHigh {
		c = ContrastNormal
	}
	return &Look{textScale: float32(textPercent) / 100, contrast: c}
}

// TextPercent is the look's text size.
func (l *Look) TextPercent() int { return int(l.textScale*100 + 0.5) }

// Contrast is the look's colour scheme.
func (l *Look) Contrast() Contrast { return l.contrast }

func (l *Look) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := l.palette(v)[n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

// palette is the colours the look sets for a variant.
func (l *Look) palette(v fyne.ThemeVariant) map[fyne.ThemeColorName]color.Color {
	switch {
	case l.contrast == ContrastHigh && v == theme.VariantDark:
		return highDark
	case l.contrast == ContrastHigh:
		return highLight
	case v == theme.VariantDark:
		return normalDark
	}
	return normalLight
}

func (l *Look) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText,
		theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return s * l.textScale
	}
	return s
}

func (l *Look) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (l *Look) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

func rgba(hex uint32, a uint8) color.NRGBA {
	c := rgb(hex)
	c.A = a
	return c
}

// The palettes. Focus, hover and a tap are translucent and blend over what
// they mark. Focus is a grey, not the primary blue: fyne's blue focus on a
// blue button changed nothing; a grey moves both a grey and a blue button
// visibly (at least 1.4:1) while their text keeps its contrast (the grey
// and its opacity were searched for that). A tap shows as focus does.
// look_test.go computes every pair; run it after changing a colour.
var (
	normalLight = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          rgb(0xffffff),
		theme.ColorNameButton:              rgb(0xf0f0f0),
		theme.ColorNameDisabledButton:      rgb(0xf5f5f5),
		theme.ColorNameDisabled:            rgb(0x6b6b6b),
		theme.ColorNameError:               rgb(0xc62828),
		theme.ColorNameFocus:               rgba(0x000000, 0x4c),
		theme.ColorNameForeground:          rgb(0x333333),
		theme.ColorNameForegroundOnError:   rgb(0xffffff),
		theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
		theme.ColorNameForegroundOnSuccess: rgb(0xffffff),
		theme.ColorNameForegroundOnWarning: rgb(0xffffff),
		theme.ColorNameHeaderBackground:    rgb(0xf9f9f9),
		theme.ColorNameHover:               rgba(0x000000, 0x0f),
		theme.ColorNameHyperlink:           rgb(0x1565c0),
		theme.ColorNameInputBackground:     rgb(0xf3f3f3),
		theme.ColorNameInputBorder:         rgb(0x8a8a8a),
		theme.ColorNameMenuBackground:      rgb(0xf5f5f5),
		theme.ColorNameOverlayBackground:   rgb(0xffffff),
		theme.ColorNamePlaceHolder:         rgb(0x6b6b6b),
		theme.ColorNamePressed:             rgba(0x000000, 0x4c),
		theme.ColorNamePrimary:             rgb(0x1565c0),
		theme.ColorNameScrollBar:           rgba(0x000000, 0x99),
		theme.ColorNameScrollBarBackground: rgb(0xdbdbdb),
		theme.ColorNameSelection:           rgba(0x1565c0, 0x40),
		theme.ColorNameSeparator:           rgb(0xe3e3e3),
		theme.ColorNameShadow:              rgba(0x000000, 0x33),
		theme.ColorNameSuccess:             rgb(0x2e7d32),
		theme.ColorNameWarning:             rgb(0xa85400),
	}
	normalDark = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          rgb(0x171718),
		theme.ColorNameButton:              rgb(0x28292e),
		theme.ColorNameDisabledButton:      rgb(0x28292e),
		theme.ColorNameDisabled:            rgb(0xa0a0a2),
		theme.ColorNameError:               rgb(0xff6659),
		theme.ColorNameFocus:               rgba(0x787878, 0x98),
		theme.ColorNameForeground:          rgb(0xf3f3f3),
		theme.ColorNameForegroundOnError:   rgb(0x171718),
		theme.ColorNameForegroundOnPrimary: rgb(0x171718),
		theme.ColorNameForegroundOnSuccess: rgb(0x171718),
		theme.ColorNameForegroundOnWarning: rgb(0x171718),
		theme.ColorNameHeaderBackground:    rgb(0x1b1b1b),
		theme.ColorNameHover:               rgba(0xffffff, 0x0f),
		theme.ColorNameHyperlink:           rgb(0x6ea8ff),
		theme.ColorNameInputBackground:     rgb(0x202023),
		theme.ColorNameInputBorder:         rgb(0x8a8a8e),
		theme.ColorNameMenuBackground:      rgb(0x28292e),
		theme.ColorNameOverlayBackground:   rgb(0x181d25),
		theme.ColorNamePlaceHolder:         rgb(0xa0a0a2),
		theme.ColorNamePressed:             rgba(0x787878, 0x98),
		theme.ColorNamePrimary:             rgb(0x6ea8ff),
		theme.ColorNameScrollBar:           rgba(0xffffff, 0x99),
		theme.ColorNameScrollBarBackground: rgb(0x202023),
		theme.ColorNameSelection:           rgba(0x6ea8ff, 0x40),
		theme.ColorNameSeparator:           rgb(0x000000),
		theme.ColorNameShadow:              rgba(0x000000, 0x66),
		theme.ColorNameSuccess:             rgb(0x43c936),
		theme.ColorNameWarning:             rgb(0xff9800),
	}
	highLight = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          rgb(0xffffff),
		theme.ColorNameButton:              rgb(0xf0f0f0),
		theme.ColorNameDisabledButton:      rgb(0xf0f0f0),
		theme.ColorNameDisabled:            rgb(0x4d4d4d),
		theme.ColorNameError:               rgb(0x9b0000),
		theme.ColorNameFocus:               rgba(0x000000, 0x5a),
		theme.ColorNameForeground:          rgb(0x000000),
		theme.ColorNameForegroundOnError:   rgb(0xffffff),
		theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
		theme.ColorNameForegroundOnSuccess: rgb(0xffffff),
		theme.ColorNameForegroundOnWarning: rgb(0xffffff),
		theme.ColorNameHeaderBackground:    rgb(0xffffff),
		theme.ColorNameHover:               rgba(0x000000, 0x0f),
		theme.ColorNameHyperlink:           rgb(0x0b3d91),
		theme.ColorNameInputBackground:     rgb(0xffffff),
		theme.ColorNameInputBorder:         rgb(0x000000),
		theme.ColorNameMenuBackground:      rgb(0xffffff),
		theme.ColorNameOverlayBackground:   rgb(0xffffff),
		theme.ColorNamePlaceHolder:         rgb(0x4d4d4d),
		theme.ColorNamePressed:             rgba(0x000000, 0x5a),
		theme.ColorNamePrimary:             rgb(0x0b3d91),
		theme.ColorNameScrollBar:           rgba(0x000000, 0xcc),
		theme.ColorNameScrollBarBackground: rgb(0xdbdbdb),
		theme.ColorNameSelection:           rgba(0x0b3d91, 0x26),
		theme.ColorNameSeparator:           rgb(0x000000),
		theme.ColorNameShadow:              rgba(0x000000, 0x66),
		theme.ColorNameSuccess:             rgb(0x1b5e20),
		theme.ColorNameWarning:             rgb(0x7a3b00),
	}
	highDark = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          rgb(0x000000),
		theme.ColorNameButton:              rgb(0x1f1f1f),
		theme.ColorNameDisabledButton:      rgb(0x1f1f1f),
		theme.ColorNameDisabled:            rgb(0xb3b3b3),
		theme.ColorNameError:               rgb(0xff8a80),
		theme.ColorNameFocus:               rgba(0x888888, 0x80),
		theme.ColorNameForeground:          rgb(0xffffff),
		theme.ColorNameForegroundOnError:   rgb(0x000000),
		theme.ColorNameForegroundOnPrimary: rgb(0x000000),
		theme.ColorNameForegroundOnSuccess: rgb(0x000000),
		theme.ColorNameForegroundOnWarning: rgb(0x000000),
		theme.ColorNameHeaderBackground:    rgb(0x000000),
		theme.ColorNameHover:               rgba(0xffffff, 0x14),
		theme.ColorNameHyperlink:           rgb(0x9ecbff),
		theme.ColorNameInputBackground:     rgb(0x000000),
		theme.ColorNameInputBorder:         rgb(0xffffff),
		theme.ColorNameMenuBackground:      rgb(0x000000),
		theme.ColorNameOverlayBackground:   rgb(0x000000),
		theme.ColorNamePlaceHolder:         rgb(0xb3b3b3),
		theme.ColorNamePressed:             rgba(0x888888, 0x80),
		theme.ColorNamePrimary:             rgb(0x9ecbff),
		theme.ColorNameScrollBar:           rgba(0xffffff, 0xcc),
		theme.ColorNameScrollBarBackground: rgb(0x1f1f1f),
		theme.ColorNameSelection:           rgba(0x9ecbff, 0x33),
		theme.ColorNameSeparator:           rgb(0xffffff),
		theme.ColorNameShadow:              rgba(0x000000, 0x66),
		theme.ColorNameSuccess:             rgb(0x7ee787),
		theme.ColorNameWarning:             rgb(0xffb74d),
	}
)
