package ui

import "rathaus/ui/kit"

// LoadTranslations registers the app's translations with fyne's lang
// package. code, when not empty, picks the language instead of the system's;
// a system language the app does not speak gives German, the town hall's.
func LoadTranslations(code string) error { return kit.LoadTranslations(code) }

// SetLanguage switches the UI language at run time; screens built afterwards
// use it.
func SetLanguage(code string) error { return kit.SetLanguage(code) }
