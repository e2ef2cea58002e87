package login_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/sync/login"
	"rathaus/sync/login/logintest"
)

// TestDeviceGrant_HonoursIntervalAndSlowDown: a kiosk's login by code.
// The first poll gets slow_down (the wait grows by 5 s, RFC 8628 3.5),
// the second authorization_pending (the grown wait stays), and after the
// staff entered the code on their phone the third brings the tokens.
// The waits are recorded, not slept.
func TestDeviceGrant_HonoursIntervalAndSlowDown(t *testing.T) {
	p := logintest.New(t)
	ctx := ctxT(t)
	var waits []time.Duration
	var grant *login.DeviceGrant
	dev := newDevice(t, p, nil, "", login.Config{Sleep: func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		if len(waits) == 3 {
			if err := p.ApproveDevice(grant.UserCode, p.UserName(), logintest.Password); err != nil {
				t.Error(err)
			}
		}
		return nil
	}})
	var err error
	grant, err = dev.login.StartDevice(ctx)
	if err != nil {
		t.Fatalf("StartDevice: %v", err)
	}
	if grant.UserCode == "" || !strings.HasPrefix(grant.VerificationURI, p.URL) ||
		!strings.Contains(grant.VerificationURIComplete, "user_code=") || !grant.Expires.After(time.Now()) {
		t.Fatalf("grant = %+v, want a code, the provider's address and an expiry", grant)
	}
	p.SlowDown(1)
	a, err := grant.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if want := []time.Duration{5 * time.Second, 10 * time.Second, 10 * time.Second}; !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
	if got := p.DevicePolls(); got != 3 {
		t.Errorf("polls = %d, want 3", got)
	}
	if a.Subject != logintest.Citizen.Subject || !a.Linked {
		t.Errorf("Wait = %+v, want the citizen, linked", a)
	}
	if got := p.Account(t, dev.portal.Token()); got != logintest.Citizen.Subject {
		t.Errorf("kiosk in account %q, want %q", got, logintest.Citizen.Subject)
	}
}

// TestDeviceGrant_StoppedByContext: staff cancel the code on the screen;
// Wait ends at once and nothing is kept.
func TestDeviceGrant_StoppedByContext(t *testing.T) {
	p := logintest.New(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	dev := newDevice(t, p, nil, "", login.Config{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}})
	grant, err := dev.login.StartDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := grant.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
	if tok := dev.tokens(t); tok != nil {
		t.Errorf("secret store holds %v", tok)
	}
}
