package console_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rathaus/api"
	"rathaus/api/jwe"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/authority"
	"rathaus/server/casework"
	"rathaus/server/console"
)

// TestBrowserSealed opens an end-to-end encrypted, signed case in a real
// browser: the clerk reads the decrypted data and "Signatur gültig" with
// the key's fingerprint (docs/console-sealed.png).
func TestBrowserSealed(t *testing.T) {
	ctx := browser(t)
	key, err := authority.Generate(jwe.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	tw := newTown(t, false, func(c *console.Config) { c.Authority = key })
	pub, priv, _ := ed25519.GenerateKey(nil)
	ex, err := assets.DemoExample("fuehrungszeugnis")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(ex)
	form := api.FormRef{ID: "fuehrungszeugnis", Version: 1}
	in, err := api.SigningInput("fuehrungszeugnis", form, "k-browser", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := jwe.ParsePublicKey(key.Public())
	sealed, err := jwe.Encrypt(pk, data)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := tw.DB.CreateCase(t.Context(), "k-browser", []byte{1}, server.NewCase{ID: "c_browser", Service: "fuehrungszeugnis", Form: form,
		Data: []byte("{}"), Status: api.StatusReceived, Created: time.Now().UTC().Truncate(time.Second),
		Seal: casework.Seal{Signature: api.Sign(priv, in), SigningKey: pub, Encrypted: sealed}})
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
	if err != nil || !strings.Contains(summary, ex["purpose"].(string)) {
		t.Errorf("the decrypted data: %q, %v", summary, err)
	}
	shoot(t, ctx, "console-sealed.png")
}
