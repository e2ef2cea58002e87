package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
	"rathaus/server/console"
)

// TestBrowserSealed opens an end-to-end encrypted, signed case in a real
// browser: the clerk reads the decrypted data and "Signatur gültig" with
// the key's fingerprint (docs/console-sealed.png).
func TestBrowserSealed(t *testing.T) {
	ctx := browser(t)
	f := newSealCase(t, nil)
	tw := newTown(t, false, func(c *console.Config) { c.Authority = f.key })
	pub := f.pub
	c, _, err := tw.DB.CreateCase(t.Context(), "k-browser", []byte{1}, server.NewCase{ID: "c_browser", Service: "fuehrungszeugnis", Form: f.form,
		Data: []byte("{}"), Status: api.StatusReceived, Created: time.Now().UTC().Truncate(time.Second),
		Seal: casework.Seal{Signature: f.sign(t, "k-browser", f.data), SigningKey: pub, Encrypted: f.sealed}})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(tw.URL+"/staff/cases"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Anna Amt"),
		chromedp.SendKeys(chromedp.CSS(`#token`), tw.StaffToken),
		chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`table.cases`)),
		chromedp.Navigate(tw.URL+"/staff/cases/"+c.ID),
		chromedp.WaitVisible(chromedp.CSS(`#seal`)),
	); err != nil {
		t.Fatal(err)
	}
	seal, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#seal`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(seal, "Signatur gültig, Schlüssel-Fingerabdruck "+api.KeyFingerprint(pub)) || !strings.Contains(seal, "entschlüsselt") {
		t.Errorf("the seal says %q", seal)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`dl.summary`)))
	if err != nil || !strings.Contains(summary, f.example["purpose"].(string)) {
		t.Errorf("the decrypted data: %q, %v", summary, err)
	}
	shoot(t, ctx, "console-sealed.png")
}
