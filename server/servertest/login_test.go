package servertest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"rathaus/api"
	"rathaus/server/servertest"
)

// TestBrowse logs in with golang.org/x/oauth2 (code + PKCE S256) with
// Browse as the system browser, and confirms a device login with
// ConfirmDevice.
func TestBrowse(t *testing.T) {
	ctx := context.Background()
	b := servertest.New(t)
	b.AddAccount("anna@example.org", "anna-password-1")
	conf := &oauth2.Config{ClientID: api.OIDCClientID, RedirectURL: "http://127.0.0.1:41234/cb", Scopes: strings.Fields(api.OIDCScopes),
		Endpoint: oauth2.Endpoint{AuthURL: b.URL + "/authorize", TokenURL: b.URL + "/oauth/token",
			DeviceAuthURL: b.URL + "/device_authorization", AuthStyle: oauth2.AuthStyleInParams}}
	verifier := oauth2.GenerateVerifier()
	back, err := b.Browse(conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)), "anna@example.org", "anna-password-1")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if u.Host != "127.0.0.1:41234" || u.Query().Get("state") != "st-1" || u.Query().Get("code") == "" {
		t.Fatalf("Browse = %s; want the app's redirect with code and state", back)
	}
	tok, err := conf.Exchange(ctx, u.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("Exchange = %+v, %v; want tokens with a refresh token", tok, err)
	}
	if _, err := b.Browse(conf.AuthCodeURL("st-2", oauth2.S256ChallengeOption(verifier)), "anna@example.org", "wrong-password"); err == nil {
		t.Error("Browse with a wrong password succeeded")
	}

	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ConfirmDevice(da.VerificationURI, da.UserCode, "anna@example.org", "anna-password-1", true); err != nil {
		t.Fatal(err)
	}
	res, err := http.PostForm(b.URL+"/oauth/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da.DeviceCode}, "client_id": {api.OIDCClientID}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || got.AccessToken == "" {
		t.Errorf("device token after ConfirmDevice: %d, %v", res.StatusCode, err)
	}
}
