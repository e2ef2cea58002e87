//go:build !screenshot

package kiosk_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"rathaus/api"
	"rathaus/app/secrets"
	"rathaus/server/servertest"
	"rathaus/sync/login"
	"rathaus/ui/kiosk"
)

// codeTap is the real staff sign-in with the code it showed kept for the
// test, which plays the staff member confirming it on their phone.
type codeTap struct {
	kiosk.StaffAccount
	mu   sync.Mutex
	code kiosk.StaffCode
}

func (c *codeTap) StartDeviceLogin(ctx context.Context) (kiosk.StaffCode, func(context.Context) error, error) {
	code, wait, err := c.StaffAccount.StartDeviceLogin(ctx)
	c.mu.Lock()
	c.code = code
	c.mu.Unlock()
	return code, wait, err
}

// TestLeaveWithTheStaffSignIn: the kiosk's "Sign in with a staff account"
// with sync/login's staff sign-in against the backend's provider. A staff
// account's confirmation, from a phone that scanned the QR code, leaves
// kiosk mode; a citizen's is refused with the message, and the kiosk stays.
func TestLeaveWithTheStaffSignIn(t *testing.T) {
	for _, tc := range []struct {
		name      string
		roles     []string
		wantLeave bool
	}{
		{name: "staff", roles: []string{api.RoleStaff}, wantLeave: true},
		{name: "citizen", roles: []string{api.RoleCitizen}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			staff := &codeTap{}
			r := newRig(t, true, func(d *kiosk.Deps) { d.Staff = staff })
			acc := r.b.AddAccount("someone@example.org", "their-password-1", tc.roles...)
			keys := secrets.OpenMemory("kiosk-staff-test")
			// The test provider polls every 200 ms, which whole seconds
			// cannot say; the app would wait RFC 8628's 5 s.
			staff.Login = login.New(login.Config{Issuer: r.b.URL, Sleep: func(ctx context.Context, _ time.Duration) error {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(servertest.DevicePollInterval + 100*time.Millisecond):
					return nil
				}
			}}, keys, nil, nil)
			r.tap(t, "Staff")
			r.tap(t, "Sign in with a staff account")
			staff.mu.Lock()
			code := staff.code
			staff.mu.Unlock()
			r.waitFor(t, code.UserCode)
			// As the phone that scanned the QR code: the code is in its
			// address, nothing to type.
			var scanned string
			fyne.DoAndWait(func() { scanned = decodeQR(t, r.win) })
			if !strings.Contains(scanned, "user_code=") {
				t.Errorf("QR code %q; want the address with the code", scanned)
			}
			if err := r.b.ConfirmDevice(scanned, "", acc.Email, "their-password-1", true); err != nil {
				t.Fatal(err)
			}
			if !tc.wantLeave {
				r.waitFor(t, lang.L("This account is not a staff account. Please sign in with a staff account or use the staff PIN."))
				if r.hasLeft() {
					t.Error("a citizen's account left kiosk mode")
				}
				return
			}
			deadline := time.Now().Add(10 * time.Second)
			for !r.hasLeft() && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if !r.hasLeft() {
				t.Error("the staff account's sign-in did not leave kiosk mode")
			}
			if _, err := keys.Get(login.KeyTokens); !errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("secret store: %v; want no tokens", err)
			}
		})
	}
}
