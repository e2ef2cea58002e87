package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"rathaus/api"
	"rathaus/server/accounts"
	"rathaus/server/oidc"
)

const loginUsage = `
Login (OpenID Connect): the server is its own OpenID provider, issuer = its
public URL, for the app (client rathaus-app), the kiosk's device login and
the staff API.
  --public-url URL     (see above) is also the issuer of the tokens; it must
                       be https, or http on a loopback address, for login to
                       be on. Default: the --addr listened on, https with
                       --tls-cert, else http when it is a loopback address;
                       otherwise login is off until --public-url is set.
  The signing keys are kept in the --data folder (` + oidc.SigningKeyFile + `,
  ` + oidc.TokenKeyFile + `, mode 0600), so tokens outlive a restart;
  processes sharing one database need the same files. On the first start
  with no accounts the server makes two demo accounts (a citizen, a clerk
  with the staff role) and prints their passwords once; see
  rathaus-server accounts -h.
`

// issuer is the OpenID provider's issuer: --public-url, else the loopback
// address listened on; "" (login off) for an address others reach without
// --public-url, which would name an issuer no app can check.
func (m *Main) issuer(ln net.Listener) string {
	if pub := m.OpenData.BaseURL; pub != "" {
		u, err := url.Parse(pub)
		if err != nil || !(u.Scheme == "https" || (u.Scheme == "http" && oidc.IsLoopback(u.Hostname()))) || u.User != nil {
			return ""
		}
		return strings.TrimSuffix(pub, "/")
	}
	host, _, err := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); err != nil || host == "" || (ip != nil && ip.IsUnspecified()) {
		return "" // 0.0.0.0 names no address an app can reach
	}
	if m.TLSCert != "" {
		return "https://" + ln.Addr().String()
	}
	if !oidc.IsLoopback(host) {
		return ""
	}
	return "http://" + ln.Addr().String()
}

// demoAccounts are made on the first start with no accounts.
var demoAccounts = []struct {
	email, name string
	roles       []string
}{
	{"buerger@musterstadt.example", "Erika Mustermann", []string{api.RoleCitizen}},
	{"sachbearbeitung@musterstadt.example", "Max Sachbearbeiter", []string{api.RoleStaff}},
}

// seedDemoAccounts makes the demo accounts when the store has no account
// that logs in, and prints their passwords to out, once. Another process
// starting at the same moment may make them first: then it prints nothing.
func seedDemoAccounts(ctx context.Context, s accounts.Store, out io.Writer) error {
	list, err := s.Accounts(ctx)
	if err != nil || len(list) > 0 {
		return err
	}
	var lines []string
	for _, d := range demoAccounts {
		pw := accounts.GeneratePassword()
		_, err := addAccount(ctx, s, d.email, d.name, pw, d.roles)
		if errors.Is(err, accounts.ErrExists) || (err != nil && strings.Contains(err.Error(), "exists already")) {
			continue
		}
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("  %-8s %-38s %s", d.roles[0], d.email, pw))
	}
	if len(lines) > 0 {
		fmt.Fprintf(out, "Demo accounts, made on this first start (the passwords are shown only now;\n"+
			"disable them before real use: rathaus-server accounts disable EMAIL):\n%s\n", strings.Join(lines, "\n"))
	}
	return nil
}
