//go:build windows || darwin || ios || android || js

package startlocale

// fromEnvironment: here fyne asks the system for the locale.
const fromEnvironment = false
