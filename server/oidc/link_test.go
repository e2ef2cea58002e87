package oidc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server/servertest"
)

// call sends a JSON request with a bearer token and decodes the answer.
func call(t *testing.T, method, u, bearer string, body, out any) int {
	t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
	}
	return res.StatusCode
}

func registerDevice(t *testing.T, b *servertest.Backend) api.Device {
	t.Helper()
	var d api.Device
	if got := call(t, "POST", b.URL+api.PathDevices, "", api.DeviceRequest{Platform: "linux", AppVersion: "test"}, &d); got != http.StatusCreated {
		t.Fatalf("register device: %d", got)
	}
	return d
}

func accountOf(t *testing.T, b *servertest.Backend, d api.Device) string {
	t.Helper()
	dev, err := b.DB.DeviceByToken(context.Background(), tokenHash(d.Token))
	if err != nil {
		t.Fatal(err)
	}
	return dev.Account
}

// TestAccountLink: the app links its device with the provider's access
// token, and unlinks it; a token that is not valid links nothing.
func TestAccountLink(t *testing.T) {
	b := servertest.New(t)
	anna := b.AddAccount("anna@example.org", "anna-password-1")
	r, tok := tokens(t, b, "anna@example.org", "anna-password-1")
	d := registerDevice(t, b)

	var link api.AccountLink
	if got := call(t, "POST", b.URL+api.PathAccountLink, d.Token, api.AccountLinkRequest{AccessToken: tok.AccessToken}, &link); got != http.StatusOK {
		t.Fatalf("link: %d; want 200", got)
	}
	if link.Account != anna.ID || link.Email != "anna@example.org" {
		t.Errorf("link = %+v; want account %s", link, anna.ID)
	}
	if got := accountOf(t, b, d); got != anna.ID {
		t.Errorf("the device's account = %q; want %q", got, anna.ID)
	}
	if got := call(t, "POST", b.URL+api.PathAccountUnlink, d.Token, nil, nil); got != http.StatusNoContent {
		t.Errorf("unlink: %d; want 204", got)
	}
	if got := accountOf(t, b, d); got != "" {
		t.Errorf("after unlink the device's account = %q; want none", got)
	}

	other := registerDevice(t, b)
	for name, token := range map[string]string{
		"garbage":           "not-a-token",
		"the refresh token": tok.RefreshToken,
		"the ID token":      tok.IDToken,
		"empty":             "",
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			got := call(t, "POST", b.URL+api.PathAccountLink, other.Token, api.AccountLinkRequest{AccessToken: token}, nil)
			if got != http.StatusUnauthorized && got != http.StatusBadRequest {
				t.Errorf("link with %s: %d; want 401 or 400", name, got)
			}
			if acc := accountOf(t, b, other); acc != "" {
				t.Errorf("the device joined %q", acc)
			}
		})
	}
	t.Run("refused: a revoked token", func(t *testing.T) {
		if err := revoke(r, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
		if got := call(t, "POST", b.URL+api.PathAccountLink, other.Token, api.AccountLinkRequest{AccessToken: tok.AccessToken}, nil); got != http.StatusUnauthorized {
			t.Errorf("link with a revoked token: %d; want 401", got)
		}
	})
	t.Run("refused: no device credential", func(t *testing.T) {
		_, tok := tokens(t, b, "anna@example.org", "anna-password-1")
		if got := call(t, "POST", b.URL+api.PathAccountLink, tok.AccessToken, api.AccountLinkRequest{AccessToken: tok.AccessToken}, nil); got != http.StatusUnauthorized {
			t.Errorf("link with the access token as device credential: %d; want 401", got)
		}
	})
}

// TestAccountsSeeTheirOwn: two citizens, each with two devices linked by
// login. A case of one reaches the other device of the same account, never
// the other citizen's; the other citizen's case ids are not found.
func TestAccountsSeeTheirOwn(t *testing.T) {
	b := servertest.New(t)
	b.AddAccount("anna@example.org", "anna-password-1")
	b.AddAccount("bert@example.org", "bert-password-1")
	link := func(email, pw string) api.Device {
		_, tok := tokens(t, b, email, pw)
		d := registerDevice(t, b)
		if got := call(t, "POST", b.URL+api.PathAccountLink, d.Token, api.AccountLinkRequest{AccessToken: tok.AccessToken}, nil); got != http.StatusOK {
			t.Fatalf("link %s: %d", email, got)
		}
		return d
	}
	anna1, anna2 := link("anna@example.org", "anna-password-1"), link("anna@example.org", "anna-password-1")
	bert := link("bert@example.org", "bert-password-1")

	c := submit(t, b, anna1)
	feed := func(d api.Device) []api.Change {
		var page api.Changes
		if got := call(t, "GET", b.URL+api.PathChanges+"?since=0", d.Token, nil, &page); got != http.StatusOK {
			t.Fatalf("changes: %d", got)
		}
		return page.Changes
	}
	has := func(chs []api.Change) bool {
		for _, ch := range chs {
			if ch.Case != nil && ch.Case.ID == c.ID {
				return true
			}
		}
		return false
	}
	if !has(feed(anna2)) {
		t.Error("Anna's second device does not see her case")
	}
	if has(feed(bert)) {
		t.Error("Bert's device sees Anna's case")
	}
	b.SetCaseStatus(c.ID, api.StatusDecided, api.Text{"de": "Bewilligt", "en": "Granted"})
	if got := call(t, "GET", b.URL+api.PathCases+c.ID+api.NoticeSuffix, bert.Token, nil, nil); got != http.StatusNotFound {
		t.Errorf("Bert asks for Anna's notice: %d; want 404", got)
	}
	// The notice stays with the device that submitted (as before accounts).
	if got := call(t, "GET", b.URL+api.PathCases+c.ID+api.NoticeSuffix, anna1.Token, nil, nil); got != http.StatusOK {
		t.Errorf("Anna's device asks for her notice: %d; want 200", got)
	}
}

func tokenHash(tok string) []byte {
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	sum := sha256.Sum256(raw)
	return sum[:]
}

func revoke(r rp.RelyingParty, token string) error {
	return rp.RevokeToken(context.Background(), r, token, "access_token")
}

// submit sends the demo's bulky waste example from the device.
func submit(t *testing.T, b *servertest.Backend, d api.Device) api.Case {
	t.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range cat.Services {
		if svc.ID != "sperrmuell" {
			continue
		}
		data, err := assets.DemoExample(svc.Form.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(data)
		body, _ := json.Marshal(api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: raw})
		req, _ := http.NewRequest("POST", b.URL+api.PathSubmissions, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+d.Token)
		req.Header.Set("Idempotency-Key", "key-"+d.ID)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var c api.Case
		if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&c) != nil {
			t.Fatalf("submit: %d", res.StatusCode)
		}
		return c
	}
	t.Fatal("the demo catalog has no sperrmuell service")
	return api.Case{}
}
