package ui

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/test"

	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestEscapeFromAField: with the focus in a form's field (a text, a date,
// a check box) on its second step, Escape and the phone's back key go back
// a step, and from the first step leave the form, with what was typed
// kept; the focus does not stay on a field no longer shown.
func TestEscapeFromAField(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyEscape, mobile.KeyBack} {
		t.Run(string(key), func(t *testing.T) {
			r := newRig(t)
			c := r.win.Canvas()
			depth := func() int { return len(r.ui.nav.stack.Objects) }
			onFirstStep := func() bool { return r.button(t, "Back").Disabled() }
			svc, _ := r.ui.Service("hundesteuer")
			r.ui.OpenService(svc)
			d := r.Example(t, "hundesteuer")
			r.ui.OpenDraft(d)

			fields := []struct {
				name string
				find func() fyne.Focusable
			}{
				{"text", func() fyne.Focusable { return uitest.All[*kit.Entry](r.ui.openForm)[0] }},
				{"date", func() fyne.Focusable { return uitest.All[*kit.DateEntry](r.ui.openForm)[0] }},
				{"check box", func() fyne.Focusable { return uitest.All[*kit.Check](r.ui.openForm)[0] }},
			}
			for _, f := range fields {
				test.Tap(r.button(t, "Next"))
				if onFirstStep() {
					t.Fatal("Next did not reach the second step")
				}
				c.Focus(f.find())
				typeKey(c, key)
				if !onFirstStep() {
					t.Fatalf("%s focused: not back on the first step", f.name)
				}
				if got := depth(); got != 3 {
					t.Errorf("%s focused: %d screens, want the form's 3", f.name, got)
				}
				if got := c.Focused(); got != nil {
					t.Errorf("%s focused: the focus stayed on %T", f.name, got)
				}
			}

			e := uitest.All[*kit.Entry](r.ui.openForm)[0]
			c.Focus(e)
			test.Type(e, "X")
			typed := e.Text
			typeKey(c, key)
			if got := depth(); got != 2 {
				t.Fatalf("%d screens after %s on the first step, want the service's 2", got, key)
			}
			if got := c.Focused(); got != nil {
				t.Errorf("the focus stayed on %T of the form left", got)
			}
			stored, err := r.Store.Draft(context.Background(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := stored.Values["given_name"]; got != typed {
				t.Errorf("stored given_name = %v, want %q as typed", got, typed)
			}
		})
	}
}

// TestEscapeClosesADialogFromItsField: Escape or the back key in a text
// field of a dialog closes the dialog, not the screen under it.
func TestEscapeClosesADialogFromItsField(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyEscape, mobile.KeyBack} {
		t.Run(string(key), func(t *testing.T) {
			r := newRig(t)
			c := r.win.Canvas()
			svc, _ := r.ui.Service("hundesteuer")
			r.ui.OpenService(svc)
			e := kit.NewEntry()
			dialog.ShowCustom("Note", "Close", e, r.win)
			c.Focus(e)
			test.Type(e, "abc")
			typeKey(c, key)
			if c.Overlays().Top() != nil {
				t.Error("the dialog stays open")
			}
			if r.findButton("Fill in the form") == nil {
				t.Error("the service under the dialog was left too")
			}
		})
	}
}

// TestEscapeInTheSearch: Escape in the home screen's search box first
// clears what was typed (all services show again), keeping the focus in
// the box; then it has nothing to go back to, and the phone's back key
// leaves the app.
func TestEscapeInTheSearch(t *testing.T) {
	left := countLeaving(t)
	r := newRig(t)
	c := r.win.Canvas()
	var box *kit.Entry
	uitest.Walk(r.win.Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*kit.Entry); ok && strings.HasPrefix(e.PlaceHolder, "Search services") {
			box = e
		}
	})
	lists := uitest.All[*kit.List](r.win.Content())
	if box == nil || len(lists) != 1 {
		t.Fatalf("the home screen shows %v as its search box and %d lists", box, len(lists))
	}
	shown := lists[0].Length
	all := shown()
	c.Focus(box)
	test.Type(box, "hund")
	if got := shown(); got == 0 || got >= all {
		t.Fatalf("the search shows %d of %d services", got, all)
	}
	typeKey(c, fyne.KeyEscape)
	if box.Text != "" {
		t.Errorf("the box keeps %q after Escape", box.Text)
	}
	if got := shown(); got != all {
		t.Errorf("%d services shown after Escape, want all %d", got, all)
	}
	if c.Focused() != box {
		t.Errorf("the focus moved to %T", c.Focused())
	}
	typeKey(c, fyne.KeyEscape)
	if *left != 0 || r.ui.tabs.SelectedIndex() != 0 {
		t.Error("Escape at the services did more than nothing")
	}
	test.Type(box, "hund")
	typeKey(c, mobile.KeyBack)
	if box.Text != "" || *left != 0 {
		t.Errorf("the back key with a search typed: box %q, left the app %d times", box.Text, *left)
	}
	typeKey(c, mobile.KeyBack)
	if *left != 1 {
		t.Errorf("the back key with nothing typed left the app %d times, want 1", *left)
	}
}

// bareFocusable finds fyne's focusable widgets made directly, and fyne's
// dialogs with buttons of their own: they keep Escape and the back key
// while they have the focus (and the buttons Enter). The screens make them
// in ui/kit (kit.ShowInfo, kit.ShowConfirm ...), which passes those on.
var bareFocusable = regexp.MustCompile(`widget\.New(Entry|MultiLineEntry|PasswordEntry|Select|SelectEntry|Check|CheckGroup|RadioGroup|Slider|Hyperlink|List|Table|Tree|GridWrap|Button|DateEntry|Calendar)\w*\(|` +
	`&widget\.(Entry|Select|SelectEntry|Check|CheckGroup|RadioGroup|Slider|Hyperlink|List|Table|Tree|GridWrap|Button|DateEntry|Calendar)\{|` +
	`dialog\.(New|Show)(Information|Error|Confirm|CustomConfirm|Custom|Form|Entry)\(`)

// bareAllowed are the files that may make them, and why.
var bareAllowed = map[string]string{}

// TestNoBareFocusableWidgets: no screen makes a focusable fyne widget that
// would swallow Escape; kit makes them.
func TestNoBareFocusableWidgets(t *testing.T) {
	for _, bad := range []string{`widget.NewEntry()`, `widget.NewButtonWithIcon("", nil, f)`, `&widget.Select{}`, `widget.NewHyperlinkWithStyle(`, `dialog.ShowInformation(`, `dialog.NewCustom(`} {
		if !bareFocusable.MatchString(bad) {
			t.Fatalf("the scan misses %s", bad)
		}
	}
	if bareFocusable.MatchString(`dialog.NewCustomWithoutButtons(`) {
		t.Fatal("the scan finds a dialog with the screen's own buttons")
	}
	files := 0
	for _, dir := range uiDirs(t) {
		if dir == "kit" {
			continue
		}
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range names {
			if strings.HasSuffix(f, "_test.go") || bareAllowed[filepath.ToSlash(f)] != "" {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			files++
			for _, m := range bareFocusable.FindAll(src, -1) {
				t.Errorf("%s: %s swallows Escape while focused; make it with kit (kit.NewEntry, kit.NewButton ...)", f, m)
			}
		}
	}
	if files < 20 {
		t.Fatalf("scanned only %d files: the scan is broken", files)
	}
}

// TestEscapeClosesTheCalendar: a date field's calendar closes on Escape
// (or the back key), also from a day focused by Tab, and the form stays on
// its step with the focus back on the field's calendar button.
func TestEscapeClosesTheCalendar(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  fyne.KeyName
		tab  bool // Tab into the calendar first
	}{
		{"Escape", fyne.KeyEscape, false},
		{"back key", mobile.KeyBack, false},
		{"Escape from a day", fyne.KeyEscape, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			c := r.win.Canvas()
			r.ui.OpenDraft(r.Example(t, "hundesteuer"))
			test.Tap(r.button(t, "Next"))
			// The keyboard's way: Tab to the field's calendar button, Enter.
			pick, ok := uitest.All[*kit.DateEntry](r.ui.openForm)[0].ActionItem.(*kit.Button)
			if !ok {
				t.Fatal("the date field has no kit button for its calendar")
			}
			c.Focus(pick)
			typeKey(c, fyne.KeyReturn)
			if c.Overlays().Top() == nil {
				t.Fatal("no calendar shown")
			}
			if tc.tab {
				c.FocusNext()
				if _, ok := c.Focused().(*kit.Button); !ok {
					t.Fatalf("Tab in the calendar focused %T", c.Focused())
				}
			}
			typeKey(c, tc.key)
			if c.Overlays().Top() != nil {
				t.Error("the calendar stays open")
			}
			if r.button(t, "Back").Disabled() {
				t.Error("the form went back a step too")
			}
			if c.Focused() != pick {
				t.Errorf("the focus is on %T, want back on the calendar button", c.Focused())
			}
		})
	}
}
