//go:build !windows && !darwin && !ios && !android && !js

package startlocale

// fromEnvironment: here fyne (through go-locale) reads the locale from the
// environment.
const fromEnvironment = true
