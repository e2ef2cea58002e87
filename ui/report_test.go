package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestReportFromHome: the report screen is one tap from the home screen,
// two from another tab (the services' tab, then the entry), and "back"
// returns to the services.
func TestReportFromHome(t *testing.T) {
	r := newRig(t)
	test.Tap(r.button(t, "Report a problem"))
	if !strings.Contains(r.text(), "Report a problem in town") || r.ui.nav.title.Text != "Report a problem" {
		t.Fatalf("after one tap: %s", r.text())
	}
	test.Tap(r.ui.nav.back)
	if strings.Contains(r.text(), "Report a problem in town") {
		t.Errorf("back left the report screen on top")
	}
	r.ui.tabs.SelectIndex(1)
	r.ui.tabs.SelectIndex(0) // the first tap: the services' tab
	test.Tap(r.button(t, "Report a problem"))
	if !strings.Contains(r.text(), "Where is it?") {
		t.Errorf("after two taps from another tab: %s", r.text())
	}
}
