// Package startlocale gives the app a language before fyne reads the
// locale. Fyne's lang package reads it in its own init, so this must run
// first: with LANG=C.UTF-8 (the default of many containers and minimal
// systems) it would parse "C" as a language and log "Fyne error: Error
// parsing user locale C", and with no locale at all it would pick English.
//
// Import it for its side effect from package main. It imports nothing but
// os on purpose: Go initialises, among the packages whose imports are
// done, the one first by import path; "rathaus/..." sorts before
// "text/template", which fyne's lang imports and which needs os itself, so
// this package is always initialised before fyne's lang (a test in package
// main runs the start path with such locales and reads its log).
package startlocale

import "os"

// Fallback is the locale where the environment names none: German, the
// town hall's language (ui/kit.Languages[0]), with its region so that
// dates read the German way.
const Fallback = "de_DE.UTF-8"

func init() {
	if name, value := Fix(os.Getenv); name != "" {
		_ = os.Setenv(name, value)
	}
}

// Fix returns the variable to set, and its value, where the locale
// environment names no language; "" where it names one. It reads the
// variables as GNU gettext and fyne's locale lookup on Linux and the BSDs
// do: LANGUAGE unless the locale is C, else the first set of LC_ALL,
// LC_MESSAGES and LANG. It touches only what decides the messages'
// language: LC_MESSAGES where LC_ALL is not set, so that LANG's character
// set stays. (Windows, macOS and phones ask the system, not the
// environment: there it does nothing.)
func Fix(getenv func(string) string) (name, value string) {
	if !fromEnvironment {
		return "", ""
	}
	set, loc := "", ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(v); loc != "" {
			set = v
			break
		}
	}
	// gettext reads LANGUAGE where the locale is anything but plain C.
	if loc != "C" && loc != "POSIX" && getenv("LANGUAGE") != "" {
		return "", ""
	}
	if !namesNoLanguage(loc) {
		return "", ""
	}
	if set == "LC_ALL" {
		return "LC_ALL", Fallback
	}
	return "LC_MESSAGES", Fallback
}

// namesNoLanguage: "", C, POSIX and those with an encoding or a modifier
// (C.UTF-8) name no language.
func namesNoLanguage(loc string) bool {
	for i := 0; i < len(loc); i++ {
		if loc[i] == '.' || loc[i] == '@' {
			loc = loc[:i]
			break
		}
	}
	return loc == "" || loc == "C" || loc == "POSIX"
}
