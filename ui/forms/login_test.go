package forms

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"rathaus/ui/internal/uitest"
)

// shellAccount plays the shell's login for the forms (the real one,
// sync/login, is tested with the provider in sync/login and ui/account).
type shellAccount struct {
	signedIn bool
	opened   int
}

func (a *shellAccount) SignedIn() bool { return a.signedIn }
func (a *shellAccount) OpenAccount()   { a.opened++ }

// TestForm_RequiresLoginSaysSoBeforeTheFirstField: a service that needs a
// login says so above its form, with "Log in", while nobody is logged
// in; logged in, or for a service open to everyone, the form starts as
// ever.
func TestForm_RequiresLoginSaysSoBeforeTheFirstField(t *testing.T) {
	const notice = "This service needs you to log in."
	for _, tc := range []struct {
		name     string
		requires bool
		signedIn bool
		want     bool
	}{
		{"requires login, signed out", true, false, true},
		{"requires login, signed in", true, true, false},
		{"open to everyone, signed out", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := &shellAccount{signedIn: tc.signedIn}
			r := newRig(t, func(d *Deps) { d.Account = acc })
			for i := range r.catalog.Services {
				if r.catalog.Services[i].ID == "hundesteuer" {
					r.catalog.Services[i].RequiresLogin = tc.requires
				}
			}
			r.OpenDraft(r.Draft(t, "hundesteuer", nil))
			got := strings.Contains(uitest.Text(r.win.Content()), notice)
			if got != tc.want {
				t.Fatalf("notice shown = %v, want %v:\n%s", got, tc.want, uitest.Text(r.win.Content()))
			}
			if !tc.want {
				return
			}
			test.Tap(uitest.Button(t, r.win, "Log in"))
			if acc.opened != 1 {
				t.Errorf("Log in opened the account %d times, want 1", acc.opened)
			}
			// The form is there below it: anonymous use of the rest stays.
			if r.current == nil || len(r.current.body.Objects) == 0 {
				t.Error("no form below the notice")
			}
		})
	}
}
