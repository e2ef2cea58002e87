package oidc_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"rathaus/api"
	"rathaus/server/casework"
	"rathaus/server/servertest"
)

// TestStaffAPIWithAccounts: the staff API takes an access token of a staff
// account; a citizen's is refused; the shared staff token still works (the
// bootstrap).
func TestStaffAPIWithAccounts(t *testing.T) {
	b := servertest.New(t)
	b.AddAccount("clerk@example.org", "clerk-password-1", api.RoleStaff)
	b.AddAccount("anna@example.org", "anna-password-1")
	c := submit(t, b, registerDevice(t, b))
	_, clerk := tokens(t, b, "clerk@example.org", "clerk-password-1")
	_, anna := tokens(t, b, "anna@example.org", "anna-password-1")
	status := func(token, to string) int {
		t.Helper()
		return call(t, "POST", b.URL+api.PathStaffCases+c.ID+"/status", token,
			api.StatusRequest{Status: to, Note: api.Text{"de": "Weiter", "en": "On"}}, nil)
	}
	if got := status(anna.AccessToken, api.StatusInReview); got != http.StatusUnauthorized {
		t.Errorf("a citizen's token: %d; want 401", got)
	}
	if got := status("", api.StatusInReview); got != http.StatusUnauthorized {
		t.Errorf("no token: %d; want 401", got)
	}
	if got := status(clerk.AccessToken, api.StatusInReview); got != http.StatusOK {
		t.Errorf("a staff account's token: %d; want 200", got)
	}
	if got := status(b.StaffToken, api.StatusDecided); got != http.StatusOK {
		t.Errorf("the shared staff token: %d; want 200", got)
	}
	log, err := b.DB.(casework.Store).AuditLog(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actors []string
	for _, e := range log {
		actors = append(actors, e.Actor)
	}
	if !slices.Contains(actors, "staff clerk@example.org") || !slices.Contains(actors, "staff API") {
		t.Errorf("audit actors = %q; want the clerk's account and the staff API", actors)
	}
}
