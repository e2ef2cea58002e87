package ui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/sync/engine"
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

// TestEveryStringIsTranslated: every string the UI passes to lang.L, and
// every message for people the domain, the store and the sync engine
// produce, has a German and an English translation.
func TestEveryStringIsTranslated(t *testing.T) {
	de, en := translations(t, "de"), translations(t, "en")
	if de["meta.language"] != "de" || en["meta.language"] != "en" {
		t.Fatalf("meta.language: de %q, en %q", de["meta.language"], en["meta.language"])
	}
	uiStrings := literals(t, regexp.MustCompile(`lang\.L\(("(?:[^"\\]|\\.)*")`), ".", "..")
	domain := literals(t, regexp.MustCompile(`(?:Message: +|Errorf\(citizen\.[A-Z]+, |Transient\(citizen\.[A-Z]+, |msg := |Reject\([^"\n]*, |invalid\(Err[A-Za-z]+, )("(?:[^"\\]|\\.)*")`),
		"../app/citizen", "../app/store", "../app/secrets", "../app/photo", "../sync/portal", "../sync/engine", "../sync/upload")
	if len(uiStrings) < 20 || len(domain) < 10 {
		t.Fatalf("found only %d UI strings and %d domain messages: the scan is broken", len(uiStrings), len(domain))
	}
	for _, set := range []map[string]string{uiStrings, domain} {
		for s, file := range set {
			if de[s] == "" || en[s] == "" {
				t.Errorf("%s: %q lacks a translation (de %q, en %q)", file, s, de[s], en[s])
			}
		}
	}
	for k := range de {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in de.json but not in en.json", k)
		}
	}
	for k := range en {
		if _, ok := de[k]; !ok {
			t.Errorf("%q is in en.json but not in de.json", k)
		}
	}
}

func TestDraftStatus(t *testing.T) {
	retried := &citizen.OutboxItem{Attempts: 2, LastError: "The town hall's server is busy; the app tries again by itself."}
	for _, tc := range []struct {
		name  string
		draft citizen.Draft
		item  *citizen.OutboxItem
		state engine.State
		want  string
	}{
		{"editing", citizen.Draft{State: citizen.DraftEditing}, nil, engine.Idle, "Draft, last changed"},
		{"queued offline", citizen.Draft{State: citizen.DraftQueued}, &citizen.OutboxItem{}, engine.Offline, "Waiting for connection"},
		{"queued, fresh", citizen.Draft{State: citizen.DraftQueued}, &citizen.OutboxItem{}, engine.Idle, "Sending…"},
		{"queued, retried", citizen.Draft{State: citizen.DraftQueued}, retried, engine.Error, "Waiting to be sent again. The town hall's server is busy"},
		{"sent", citizen.Draft{State: citizen.DraftSent, CaseNumber: "2026-000007"}, nil, engine.Idle, "Sent – case number 2026-000007"},
		{"rejected", citizen.Draft{State: citizen.DraftRejected}, &citizen.OutboxItem{LastError: "The town hall did not accept this."}, engine.Idle, "Not accepted – please correct and send again. The town hall did not accept this."},
		{"locked", citizen.Draft{State: citizen.DraftEditing, Locked: true}, nil, engine.Idle, "Cannot be opened"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := draftStatus(&tc.draft, tc.item, tc.state); !strings.HasPrefix(got, tc.want) {
				t.Errorf("draftStatus = %q, want it to start with %q", got, tc.want)
			}
		})
	}
}

// TestFieldErrorsInGerman: in German, a value the app refuses and one the
// town hall's backend refuses (over loopback: 422 with a pointer) both
// show their German message on their own field.
func TestFieldErrorsInGerman(t *testing.T) {
	if err := SetLanguage("de"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := SetLanguage("en"); err != nil {
			t.Fatal(err)
		}
	})
	const postcodeDE = "Eine Postleitzahl hat fünf Ziffern."
	r := newRig(t)
	ctx := context.Background()

	// The app's own check, as the citizen types, and on "Weiter".
	r.openService(t, "Hundesteuer")
	test.Tap(r.button(t, "Formular ausfüllen"))
	fs := r.ui.current
	pc := r.input(t, "postcode")
	test.Type(pc.input.(*widget.Entry), "123")
	if got := pc.errLabel.Text; !pc.errLabel.Visible() || got != postcodeDE {
		t.Errorf("postcode error = %q (visible %v), want %q", got, pc.errLabel.Visible(), postcodeDE)
	}
	test.Tap(r.button(t, "Weiter"))
	if fs.step != 0 {
		t.Fatalf("step after Weiter with an error = %d, want 0", fs.step)
	}

	// The backend's check: a submission whose postcode the app would have
	// refused goes out unchecked, and the backend's answer comes back.
	values := example(t, "hundesteuer")
	values["postcode"] = "5114"
	d := fs.draft
	if err := r.store.SaveDraft(ctx, d.ID, values, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, values); err != nil {
		t.Fatal(err)
	}
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := r.store.Draft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != citizen.DraftRejected || d.Problem == nil || len(d.Problem.Errors) == 0 {
		t.Fatalf("draft after sync = %s, problem %+v; want rejected with field errors", d.State, d.Problem)
	}
	if fe := d.Problem.Errors[0]; fe.Pointer != "/postcode" || fe.Message.In("de") != postcodeDE {
		t.Errorf("backend's field error = %s %q, want /postcode %q", fe.Pointer, fe.Message.In("de"), postcodeDE)
	}
	r.ui.openDraft(d)
	fs = r.ui.current
	fs.goToStep(fs.form.StepOf("/postcode"))
	pc = r.input(t, "postcode")
	if got := pc.errLabel.Text; !pc.errLabel.Visible() || got != postcodeDE {
		t.Errorf("postcode error from the backend = %q (visible %v), want %q", got, pc.errLabel.Visible(), postcodeDE)
	}
}
