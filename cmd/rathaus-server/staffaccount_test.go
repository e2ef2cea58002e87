package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleStaffAccount: a clerk signs in to the console with a staff
// account's email and password; a citizen's account and a wrong password
// are refused.
func TestConsoleStaffAccount(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runAccountsWith(t, "clerk-password-1\n", "add", "clerk@example.org", "--name", "Anna Amt", "--staff", "--data", dir); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runAccountsWith(t, "citizen-password-1\n", "add", "citizen@example.org", "--data", dir); code != 0 {
		t.Fatal(stderr)
	}
	m := NewMain(io.Discard)
	env := func(k string) string {
		if k == envStaff {
			return "a-staff-token-of-enough-length"
		}
		return ""
	}
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir}, env, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })

	signIn := func(email, password string) (int, string) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, err := c.Get(m.URL() + "/staff/login")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(b))
		if csrf == nil || !strings.Contains(string(b), `name="email"`) {
			t.Fatalf("the sign-in page has no account form: %s", b)
		}
		res, err = c.PostForm(m.URL()+"/staff/login", url.Values{"csrf": {csrf[1]}, "back": {"/staff/cases"},
			"email": {email}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, res.Request.URL.Path + "\n" + string(b)
	}
	if code, page := signIn("clerk@example.org", "clerk-password-1"); code != http.StatusOK || !strings.HasPrefix(page, "/staff/cases") || !strings.Contains(page, "Anna Amt") {
		t.Errorf("the clerk's account: %d %.200s; want the case list naming Anna Amt", code, page)
	}
	for _, bad := range [][2]string{{"citizen@example.org", "citizen-password-1"}, {"clerk@example.org", "wrong-password"}} {
		if code, page := signIn(bad[0], bad[1]); code != http.StatusUnauthorized || !strings.HasPrefix(page, "/staff/login") {
			t.Errorf("%s: %d %.100s; want 401 on the sign-in page", bad[0], code, page)
		}
	}
}
