package e2e_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/casework"
	"rathaus/server/console"
	"rathaus/server/console/consoletest"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// TestTownHall: a citizen reports a defect with a photo from the app; a
// clerk finds the case in the staff console, opens the photo and asks for
// more information; the app shows the request; the citizen completes the
// report and sends it again, which continues the case; the clerk decides;
// the notice arrives in the app.
func TestTownHall(t *testing.T) {
	ctx := t.Context()
	chrome := browser(t)

	// The town hall: the real backend with the console, as
	// cmd/rathaus-server mounts it.
	uploads := filepath.Join(t.TempDir(), "uploads")
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.UploadDir = uploads }))
	cw := b.DB.(casework.Store)
	con, err := console.New(console.Config{Casework: casework.New(cw, nil), Forms: b.Server, StaffToken: b.StaffToken,
		UploadDir: uploads, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	b.Server.Mount(console.Prefix, con)

	// The citizen's app: its store and sync engine, as main.go wires them.
	dir := t.TempDir()
	keys, err := secrets.Open(dir, "rathaus-e2e", secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := assets.SeedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, portal.New(b.URL), upload.New(b.URL), keys)
	syncApp := func() {
		t.Helper()
		if err := eng.Sync(ctx); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}

	cat, _ := assets.DemoCatalog()
	var svc api.Service
	for _, s := range cat.Services {
		if s.ID == "maengelmelder" {
			svc = s
		}
	}
	d := citizen.NewDraft(svc, time.Now())
	if err := st.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	att, err := st.AddAttachment(ctx, d.ID, "schlagloch.png", "image/png", photo(t))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := assets.DemoExample("maengelmelder")
	data["photo"] = att
	if _, err := st.Submit(ctx, d.ID, data); err != nil {
		t.Fatal(err)
	}
	syncApp()
	cases, err := st.Cases(ctx)
	if err != nil || len(cases) != 1 {
		t.Fatalf("the app's cases: %+v, %v", cases, err)
	}
	number := cases[0].Number

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(chrome, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	caseLink := `//a[text()="` + number + `"]`
	do("sign in and find the case",
		chromedp.Navigate(b.URL+"/staff/cases"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Anna Amt"),
		chromedp.SendKeys(chromedp.CSS(`#token`), b.StaffToken),
		chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), number),
		chromedp.Submit(chromedp.CSS(`#q`)),
	)
	waitFor(t, chrome, `location.search.includes("q=") && document.readyState === "complete"`)
	do("open the case", chromedp.WaitVisible(caseLink), chromedp.Click(caseLink), chromedp.WaitVisible(chromedp.CSS(`#h-att`)))
	caseURL, err := chromedp.Run(chrome, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	do("open the photo", chromedp.Click(chromedp.CSS(`section[aria-labelledby="h-att"] a`)))
	waitFor(t, chrome, `document.contentType === "image/png"`)
	do("ask for more information",
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(chromedp.CSS(`#to-info_needed`)),
		chromedp.Click(chromedp.CSS(`#to-info_needed`)),
		chromedp.SendKeys(chromedp.CSS(`#message`), "Bitte ein Foto mit Maßstab nachreichen."),
		chromedp.Click(chromedp.CSS(`form.advance button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.done`)),
	)

	syncApp()
	cases, _ = st.Cases(ctx)
	if c := cases[0]; c.Status != api.StatusInfoNeeded || c.History[len(c.History)-1].Note.In("de") != "Bitte ein Foto mit Maßstab nachreichen." {
		t.Fatalf("the app's case: %s, %+v; want the request with its message", c.Status, c.History)
	}

	// The citizen completes the report and sends it again: the same case
	// goes on.
	if err := st.ReopenToAnswer(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	data["description"] = data["description"].(string) + " Foto mit Zollstock folgt."
	if _, err := st.Submit(ctx, d.ID, data); err != nil {
		t.Fatal(err)
	}
	syncApp()
	if n := b.Cases(); n != 1 {
		t.Fatalf("the backend holds %d cases, want 1", n)
	}
	do("see the answer", chromedp.Navigate(caseURL), chromedp.WaitVisible(chromedp.CSS(`#status`)))
	if got, err := chromedp.Run(chrome, chromedp.Text(chromedp.CSS(`#status`))); err != nil || strings.TrimSpace(got) != "In Prüfung" {
		t.Errorf("the console shows the answered case as %q (%v), want in review", got, err)
	}
	if got, err := chromedp.Run(chrome, chromedp.Text(chromedp.CSS(`dl.summary`))); err != nil || !strings.Contains(got, "Zollstock") {
		t.Errorf("the console shows the data %q (%v), want the completed data", got, err)
	}

	do("decide",
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(chromedp.CSS(`#to-decided`)),
		chromedp.Click(chromedp.CSS(`#to-decided`)),
		chromedp.SendKeys(chromedp.CSS(`#message`), "Das Schlagloch wird bis Freitag geschlossen."),
		chromedp.Click(chromedp.CSS(`form.advance button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.done`)),
	)
	syncApp()
	cases, _ = st.Cases(ctx)
	if !cases[0].Notice || cases[0].Status != api.StatusDecided {
		t.Fatalf("the app's case after the decision: %s, notice %v", cases[0].Status, cases[0].Notice)
	}
	pdf, err := st.Notice(ctx, cases[0].ID)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("the notice in the app: %.20q, %v", pdf, err)
	}
}

// photo is a small real PNG.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// browser starts headless Chromium, or skips the test saying why.
func browser(t *testing.T) context.Context {
	return consoletest.Browser(t, "the town hall's end-to-end test")
}

var waitFor = consoletest.WaitFor
