package ui

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rathaus/assets"
	"rathaus/ui/kit"
)

// translations reads one language file.
func translations(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// literals finds the string literals that match re in the Go files of the
// given folders (relative to this package).
func literals(t *testing.T, re *regexp.Regexp, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if matched, _ := filepath.Match("*_test.go", filepath.Base(f)); matched {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllSubmatch(src, -1) {
				s, err := strconv.Unquote(string(m[1]))
				if err != nil {
					t.Fatalf("%s: %s: %v", f, m[1], err)
				}
				out[s] = f
			}
		}
	}
	return out
}

// uiDirs are this package's folder and every area's below it, so that a
// new area is checked without being named here.
func uiDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() != "testdata" {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestEveryStringIsTranslated: every string the UI passes to lang.L, and
// every message for people the domain, the store and the sync engine
// produce, has a text in every language of the app; every language file
// has the same keys as the German one (only machine-drafted ones add
// "meta.review", which says so).
func TestEveryStringIsTranslated(t *testing.T) {
	files := map[string]map[string]string{}
	for _, code := range kit.Languages {
		files[code] = translations(t, code)
		if got := files[code]["meta.language"]; got != code {
			t.Errorf("%s.json: meta.language %q", code, got)
		}
	}
	uiStrings := literals(t, regexp.MustCompile(`lang\.L\(("(?:[^"\\]|\\.)*")`), append(uiDirs(t), "..")...)
	domain := literals(t, regexp.MustCompile(`(?:Message: +|Errorf\(citizen\.[A-Z]+, |Transient\(citizen\.[A-Z]+, |msg := |Reject\([^"\n]*, |invalid\(Err[A-Za-z]+, )("(?:[^"\\]|\\.)*")`),
		"../app/citizen", "../app/store", "../app/secrets", "../app/photo", "../sync/portal", "../sync/engine", "../sync/upload", "../sync/transport", "../sync/login")
	if len(uiStrings) < 20 || len(domain) < 10 {
		t.Fatalf("found only %d UI strings and %d domain messages: the scan is broken", len(uiStrings), len(domain))
	}
	for _, set := range []map[string]string{uiStrings, domain} {
		for s, file := range set {
			for _, code := range kit.Languages {
				if files[code][s] == "" {
					t.Errorf("%s: %q lacks a translation in %s", file, s, code)
				}
			}
		}
	}
	de := files["de"]
	for _, code := range kit.Languages[1:] {
		for k := range de {
			if _, ok := files[code][k]; !ok {
				t.Errorf("%q is in de.json but not in %s.json", k, code)
			}
		}
		for k := range files[code] {
			if _, ok := de[k]; !ok && k != "meta.review" {
				t.Errorf("%q is in %s.json but not in de.json", k, code)
			}
		}
	}
}

// TestMachineDraftedSaySo: the languages drafted by machine (Turkish,
// Ukrainian) say so in their file, for a reviewer to find.
func TestMachineDraftedSaySo(t *testing.T) {
	for _, code := range []string{"tr", "uk"} {
		if !strings.Contains(translations(t, code)["meta.review"], "Machine-drafted") {
			t.Errorf("%s.json does not say it is machine-drafted (meta.review)", code)
		}
	}
}

// TestFyneStringsTranslated: every text fyne's own widgets and dialogs
// look up (lang.L, lang.X, the calendar's weekdays) has a text of its own
// in every language of the app; fyne ships none for Turkish, and its
// German file dialog reads "Öffnen Datei" (the app titles its dialogs
// itself: "Open file").
func TestFyneStringsTranslated(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Skipf("fyne's source cannot be found: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	keys := map[string]string{}
	lx := regexp.MustCompile(`lang\.(?:L|X)\(("(?:[^"\\]|\\.)*")`)
	for _, sub := range []string{"dialog", "widget", "internal/driver/glfw"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range lx.FindAllSubmatch(src, -1) {
				k, _ := strconv.Unquote(string(m[1]))
				keys[k] = f
			}
		}
	}
	if len(keys) < 15 {
		t.Fatalf("found only %d of fyne's keys in %s: the scan is broken", len(keys), dir)
	}
	// The calendar looks its weekdays up by name (widget/calendar.go).
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		keys[d], keys[d+".short"] = "calendar", "calendar"
	}
	keys["(Select one)"] = "widget/select.go (kit.NewSelect)"
	for _, code := range kit.Languages {
		m := translations(t, code)
		for k, from := range keys {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s.json lacks fyne's %q (%s)", code, k, from)
			}
		}
	}
	if de := translations(t, "de"); de["Open file"] != "Datei öffnen" {
		t.Errorf("de: Open file = %q, want Datei öffnen", de["Open file"])
	}
}

// TestNoTextBypassesLang: no screen passes a text of its own to a widget
// as a literal; texts go through lang.L (symbols such as "€" aside).
func TestNoTextBypassesLang(t *testing.T) {
	re := regexp.MustCompile(`(?:widget\.New(?:Label|Button|ButtonWithIcon|Check|Hyperlink|Card|RichTextWithText|Select|Entry)|kit\.(?:Wrapped|Heading|Banner|Notice|NewCheck|NewSelect)|\b(?:Wrapped|Heading|Banner|Notice)|SetText|SetPlaceHolder|SetTitle|SetTitleText|SetConfirmText|SetDismissText|NewTabItem(?:WithIcon)?|NewWindow|ShowInformation|ShowConfirm|NewConfirm|NewInformation|NewMenuItem|PlaceHolder +=|Text +=)\(?("(?:[^"\\]|\\.)+")`)
	allowed := map[string]bool{"€": true}
	found := literals(t, re, append(uiDirs(t), "..")...)
	for s, file := range found {
		if !allowed[s] {
			t.Errorf("%s: %q is shown without lang.L", file, s)
		}
	}
}

// TestNoDateLayoutOfItsOwn: screens write dates through kit (Date,
// DateTime, DayMonth), the language's way, never with a layout of their
// own such as 02.01.2006 (German in every language). ISO dates
// (2006-01-02, in file names) are for machines and allowed.
func TestNoDateLayoutOfItsOwn(t *testing.T) {
	re := regexp.MustCompile(`Format\(("(?:[^"\\]|\\.)*")\)`)
	for s, file := range literals(t, re, uiDirs(t)...) {
		if strings.Contains(s, "02") && strings.Contains(s, "01") && !strings.HasPrefix(s, "2006-") {
			t.Errorf("%s: writes dates as %q; use kit.Date, kit.DateTime or kit.DayMonth", file, s)
		}
	}
}
