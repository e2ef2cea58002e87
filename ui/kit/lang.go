package kit

import (
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/assets"
)

// Languages the app is translated to, German first.
var Languages = []string{"de", "en", "tr", "uk"}

// regions gives each language the region whose conventions (the first day
// of the week in fyne's calendar) it uses in a German town hall's app.
var regions = map[string]string{"de": "DE", "en": "GB", "tr": "TR", "uk": "UA"}

// LoadTranslations registers the app's translations with fyne's lang
// package. code, when not empty, picks the language instead of the system's;
// a system language the app does not speak gives German, the town hall's.
func LoadTranslations(code string) error {
	if code == "" && !systemSpeaksSupported() {
		code = Languages[0]
	}
	if code != "" {
		setLanguageEnv(code)
	}
	return lang.AddTranslationsFS(assets.Translations, "translations")
}

// systemSpeaksSupported reports whether the locale environment names a
// language the app has. Where the environment says nothing (mobile), fyne
// asks the platform instead.
func systemSpeaksSupported() bool {
	vals := []string{os.Getenv("LANGUAGE"), os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG")}
	if strings.Join(vals, "") == "" {
		return true
	}
	for _, v := range vals {
		for _, l := range strings.Split(v, ":") {
			for _, code := range Languages {
				if l == code || strings.HasPrefix(l, code+"_") || strings.HasPrefix(l, code+"-") || strings.HasPrefix(l, code+".") {
					return true
				}
			}
		}
	}
	return false
}

// SetLanguage switches the UI language at run time; screens built afterwards
// use it.
func SetLanguage(code string) error {
	setLanguageEnv(code)
	b, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		return err
	}
	// Adding a language again makes fyne re-read the locale from the
	// environment, which now names code.
	return lang.AddTranslationsForLocale(b, fyne.Locale(code))
}

// setLanguageEnv points the locale lookup (GNU gettext's variables, which
// fyne reads on desktop) at code.
func setLanguageEnv(code string) {
	// With a region, fyne's date entry writes dates the local way
	// (31.12.2026 in German).
	if region, ok := regions[code]; ok {
		code += "_" + region
	}
	os.Setenv("LANGUAGE", code)
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := os.Getenv(v); val != "" {
			if val == "C" || val == "POSIX" {
				os.Setenv(v, code+".UTF-8")
			}
			break
		}
	}
	if os.Getenv("LC_ALL") == "" && os.Getenv("LC_MESSAGES") == "" && os.Getenv("LANG") == "" {
		os.Setenv("LC_MESSAGES", code+".UTF-8")
	}
}

// Lang is the language fyne chose ("de", "en", "tr", "uk"): each translation file
// names its own language under this key.
func Lang() string {
	return lang.X("meta.language", "en")
}
