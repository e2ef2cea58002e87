package console_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"rathaus/api"
	"rathaus/server/console/consoletest"
)

// screenshots, when set, is the folder the browser test writes the
// console's pictures to (docs/ for the README): go test ./server/console
// -run Browser -screenshots ../../docs
var screenshots = flag.String("screenshots", "", "folder for console-list.png, console-case.png and console-sealed.png")

// TestBrowser works a case made in the test as a clerk does, in a real
// browser: sign in, find the case by its number, open its attachment, ask
// for more information (which reaches the citizen's device through the
// changes feed), decide, open the notice.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	tw := newTown(t, false)
	for i := range 3 { // a few others, so that finding it means something
		tw.submitReport(t, "other-"+string(rune('a'+i)))
	}
	c, dev := tw.submitReport(t, "mine")

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	do("sign in",
		chromedp.Navigate(tw.URL+"/staff/cases"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Anna Amt"),
		chromedp.SendKeys(chromedp.CSS(`#token`), tw.StaffToken),
		chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`table.cases`)),
	)
	shoot(t, ctx, "console-list.png")
	caseLink := `//a[text()="` + c.Number + `"]`
	do("search the case by its number",
		chromedp.SendKeys(chromedp.CSS(`#q`), c.Number),
		chromedp.Submit(chromedp.CSS(`#q`)),
	)
	// The list's page is left: wait for the one with the search.
	waitFor(t, ctx, `location.search.includes("q=") && document.readyState === "complete"`)
	do("the result", chromedp.WaitVisible(caseLink))
	if got := text(`#count`); !strings.HasPrefix(got, "1 Vorgänge") {
		t.Errorf("the search found %q, want 1", got)
	}
	do("open the case",
		chromedp.Click(caseLink),
		chromedp.WaitVisible(chromedp.CSS(`#h-data`)),
	)
	if got := text(`dl.summary`); !strings.Contains(got, "Tiefes Schlagloch") {
		t.Errorf("the case's data: %q", got)
	}
	caseURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	do("open the attachment",
		chromedp.Click(chromedp.CSS(`section[aria-labelledby="h-att"] a`)),
		chromedp.WaitReady(chromedp.CSS(`img`)),
	)
	if ct, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.contentType`)); err != nil || ct != "image/png" {
		t.Errorf("the attachment opened as %q (%v), want image/png", ct, err)
	}
	do("take the case",
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(`//button[text()="Vorgang übernehmen"]`),
		chromedp.Click(`//button[text()="Vorgang übernehmen"]`),
		chromedp.WaitVisible(chromedp.CSS(`div.done`)),
	)
	if got := text(`#assignee`); got != "Anna Amt" {
		t.Errorf("taken by %q after taking it", got)
	}
	do("ask for more information",
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(chromedp.CSS(`#to-info_needed`)),
		chromedp.Click(chromedp.CSS(`#to-info_needed`)),
		chromedp.SendKeys(chromedp.CSS(`#message`), "Bitte ein Foto mit Maßstab nachreichen."),
		chromedp.Click(chromedp.CSS(`form.advance button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.done`)),
	)
	if got := text(`#status`); got != "Unterlagen nachgefordert" {
		t.Errorf("status after asking: %q", got)
	}
	// The citizen's device hears of it with the message.
	res, body := tw.call(t, http.MethodGet, api.PathChanges, http.Header{"Authorization": {"Bearer " + dev.Token}}, nil)
	var feed api.Changes
	if err := json.Unmarshal(body, &feed); err != nil || res.StatusCode != http.StatusOK || len(feed.Changes) == 0 {
		t.Fatalf("changes: %d %s", res.StatusCode, body)
	}
	last := feed.Changes[len(feed.Changes)-1]
	if last.Case == nil || last.Case.Status != api.StatusInfoNeeded ||
		last.Case.History[len(last.Case.History)-1].Note.In("de") != "Bitte ein Foto mit Maßstab nachreichen." {
		t.Errorf("the device's feed ends with %+v, want the case with the message", last)
	}
	do("decide",
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(chromedp.CSS(`#to-decided`)),
		chromedp.Click(chromedp.CSS(`#to-decided`)),
		chromedp.SendKeys(chromedp.CSS(`#message`), "Das Schlagloch wird bis Freitag geschlossen."),
		chromedp.Click(chromedp.CSS(`form.advance button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.done`)),
	)
	if got := text(`#status`); got != "Entschieden" {
		t.Errorf("status after deciding: %q", got)
	}
	log, err := tw.cw.AuditLog(t.Context(), c.ID)
	if err != nil || len(log) != 3 || log[0].Actor != "Anna Amt" || log[2].After.Status != api.StatusDecided {
		t.Errorf("audit log = %+v, %v; want Anna Amt's take and two moves", log, err)
	}
	shoot(t, ctx, "console-case.png")
	do("open the notice", chromedp.Click(chromedp.CSS(`#notice`)))
	waitFor(t, ctx, `document.contentType === "application/pdf"`)
}

// shoot writes a full-page screenshot when -screenshots names a folder.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if *screenshots == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserReports works an issue report in a real browser: the
// "Meldungen" link, the report, a step with a message.
func TestBrowserReports(t *testing.T) {
	ctx := browser(t)
	tw := newTown(t, false)
	rep, _ := tw.postIssue(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("sign in and open the reports",
		chromedp.Navigate(tw.URL+"/staff/cases"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Anna Amt"),
		chromedp.SendKeys(chromedp.CSS(`#token`), tw.StaffToken),
		chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(`//a[text()="Meldungen"]`),
		chromedp.Click(`//a[text()="Meldungen"]`),
		chromedp.WaitVisible(`//a[text()="`+rep.ID+`"]`),
	)
	shoot(t, ctx, "console-reports.png")
	do("move the report on",
		chromedp.Click(`//a[text()="`+rep.ID+`"]`),
		chromedp.WaitVisible(chromedp.CSS(`#to-inspection`)),
		chromedp.Click(chromedp.CSS(`#to-inspection`)),
		chromedp.SendKeys(chromedp.CSS(`#message`), "Wir sehen uns die Laterne am Montag an."),
		chromedp.Click(chromedp.CSS(`form.advance button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.done`)),
	)
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#notes`)))
	if err != nil || strings.TrimSpace(got) != "Wir sehen uns die Laterne am Montag an." {
		t.Errorf("the report's last message: %q, %v", got, err)
	}
	shoot(t, ctx, "console-report.png")
}

// browser starts headless Chromium, or skips the test saying why.
func browser(t *testing.T) context.Context {
	return consoletest.Browser(t, "the browser test of the console", chromedp.Flag("lang", "de-DE"))
}

var waitFor = consoletest.WaitFor
