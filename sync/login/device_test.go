package login_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/server/servertest"
	"rathaus/sync/login"
	"rathaus/sync/login/logintest"
)

// TestDeviceGrant_HonoursIntervalAndSlowDown: a kiosk's login by code
// against the backend's provider, whose test interval is short. The first
// poll comes after the interval (authorization_pending); the second at
// once, too soon, and the provider answers slow_down: the wait grows by
// 5 s (RFC 8628 3.5) and stays so. The staff enter the code on their phone
// before the fourth poll, which brings the tokens. The waits asked for are
// recorded; the test waits only past the provider's interval (200 ms,
// which the answer's whole seconds cannot say: the app takes RFC 8628's
// default of 5 s).
func TestDeviceGrant_HonoursIntervalAndSlowDown(t *testing.T) {
	p := logintest.New(t)
	ctx := ctxT(t)
	var waits []time.Duration
	var grant *login.DeviceGrant
	dev := newDevice(t, p, nil, "", login.Config{Sleep: func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		switch len(waits) {
		case 2: // too soon
		case 4:
			if err := p.ApproveDevice(grant.UserCode, p.UserName(), logintest.Password); err != nil {
				t.Error(err)
			}
			fallthrough
		default:
			time.Sleep(servertest.DevicePollInterval + 100*time.Millisecond)
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
	i := grant.Interval()
	a, err := grant.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if want := []time.Duration{i, i, i + 5*time.Second, i + 5*time.Second}; !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
	if got := p.DevicePolls(); got != 4 {
		t.Errorf("polls = %d, want 4", got)
	}
	if a.Subject != p.Citizen.Subject || !a.Linked {
		t.Errorf("Wait = %+v, want the citizen, linked", a)
	}
	if got := p.Account(t, dev.portal.Token()); got != p.Citizen.Subject {
		t.Errorf("kiosk in account %q, want %q", got, p.Citizen.Subject)
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
