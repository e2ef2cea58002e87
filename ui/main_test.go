//go:build !screenshot

package ui

import (
	"os"
	"testing"
)

// TestMain runs the screen tests in fyne's test driver, in English.
func TestMain(m *testing.M) {
	if err := LoadTranslations("en"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}
