package servertest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
)

// fieldRe finds the hidden and prefilled fields of the provider's forms.
var fieldRe = regexp.MustCompile(`name="([a-zA-Z_]+)" value="([^"]*)"`)

// browser is a user agent with cookies that follows redirects within the
// backend and stops at the first that leaves it (the app's loopback
// listener).
func (b *Backend) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != b.addr {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// page fetches or posts and returns the final response's body.
func readPage(res *http.Response, err error) (*http.Response, string, error) {
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, string(body), err
}

func formOf(page string) url.Values {
	v := url.Values{}
	for _, m := range fieldRe.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// Browse plays the citizen's browser in a login through the system
// browser: it opens authURL (the app's authorization request to the
// backend's provider), signs in on the login page with email and password,
// and follows the provider's redirects to the first one that leaves the
// backend. It returns that URL (the app's loopback redirect, with code and
// state) without requesting it, for the app's listener to be handed; an
// error tells what the browser would have shown instead.
func (b *Backend) Browse(authURL, email, password string) (string, error) {
	c := b.browser()
	res, page, err := readPage(c.Get(authURL))
	if err != nil {
		return "", err
	}
	if loc, _ := res.Location(); loc != nil {
		return loc.String(), nil // an error sent back to the app
	}
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/login" {
		return "", fmt.Errorf("servertest: the authorization request led to %s: %d %s", res.Request.URL.Path, res.StatusCode, page)
	}
	form := formOf(page)
	form.Set("email", email)
	form.Set("password", password)
	res, page, err = readPage(c.PostForm(b.URL+"/login", form))
	if err != nil {
		return "", err
	}
	loc, err := res.Location()
	if err != nil {
		return "", fmt.Errorf("servertest: the login page answered %d: %s", res.StatusCode, page)
	}
	return loc.String(), nil
}

// ConfirmDevice plays a citizen or clerk confirming a kiosk's device login
// (RFC 8628) on another device: it opens verificationURI (with the user
// code, as the QR code carries it, or without, then userCode is typed),
// signs in and allows or denies.
func (b *Backend) ConfirmDevice(verificationURI, userCode, email, password string, allow bool) error {
	c := b.browser()
	_, page, err := readPage(c.Get(verificationURI))
	if err != nil {
		return err
	}
	form := formOf(page)
	if userCode != "" {
		form.Set("user_code", userCode)
	}
	form.Set("email", email)
	form.Set("password", password)
	res, page, err := readPage(c.PostForm(b.URL+"/device", form))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("servertest: the device page answered %d: %s", res.StatusCode, page)
	}
	confirm := formOf(page)
	confirm.Set("action", "deny")
	if allow {
		confirm.Set("action", "allow")
	}
	res, page, err = readPage(c.PostForm(b.URL+"/device/confirm", confirm))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("servertest: the confirmation answered %d: %s", res.StatusCode, page)
	}
	return nil
}
