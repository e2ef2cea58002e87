package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/assets"
)

// Languages the app is translated to, German first.
var Languages = []string{"de", "en"}

// LoadTranslations registers the app's translations with fyne's lang
// package. code, when not empty, picks the language instead of the system's.
func LoadTranslations(code string) error {
	if code != "" {
		setLanguageEnv(code)
	}
	return lang.AddTranslationsFS(assets.Translations, "translations")
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

// currentLang is the language fyne chose: each translation file names its
// own language under this key.
func currentLang() string {
	return lang.X("meta.language", "en")
}
