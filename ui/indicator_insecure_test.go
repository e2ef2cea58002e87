package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"rathaus/app/citizen"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
)

// TestSyncLine_InsecureConnection: a refused insecure connection (S3) is
// named on the line, not taken for a server problem the app retries, and
// the details say what to do.
func TestSyncLine_InsecureConnection(t *testing.T) {
	insecure := &portal.ResponseError{Err: &citizen.Error{Code: citizen.EINSECURE,
		Message: "The town hall's server address starts with http://, which is not encrypted; the app sends nothing over it. Ask the town hall for its https:// address."}}
	untrusted := error(&portal.ResponseError{Network: true, Err: citizen.Transient(citizen.EINSECURE,
		"The town hall's server could not prove who it is (its certificate is not trusted). On a public Wi-Fi, log in to it first or use mobile data; if it stays so, tell the town hall's IT. Nothing was sent; the app tries again by itself.", nil)})
	offline := error(&portal.ResponseError{Network: true, Err: citizen.Transient(citizen.EUNAVAILABLE, "The town hall's server cannot be reached.", nil)})
	busy := &portal.ResponseError{Status: 503, Err: citizen.Transient(citizen.EUNAVAILABLE, "The town hall's server is busy; the app tries again by itself.", nil)}
	for _, tt := range []struct {
		name       string
		err        error
		wantLine   string
		wantDetail string
	}{
		{"insecure", fmt.Errorf("pull: %w", insecure), "Connection not secure – nothing was sent", "https://"},
		{"insecure beside a busy server", errors.Join(busy, insecure), "Connection not secure – nothing was sent", "https://"},
		{"busy only", busy, "Server problem – the app tries again", ""},
		{"an untrusted certificate, offline", untrusted, "Connection not secure – nothing was sent", "Wi-Fi"},
		{"offline only", offline, "Server not reachable – everything is saved and sent later", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			state := engine.Error
			if tt.err == untrusted || tt.err == offline {
				state = engine.Offline
			}
			st := engine.Status{State: state, Err: tt.err}
			if got := stateText(st); got != tt.wantLine {
				t.Errorf("line = %q, want %q", got, tt.wantLine)
			}
			got := detailText(st)
			if tt.wantDetail != "" && !strings.Contains(got, tt.wantDetail) {
				t.Errorf("details = %q, want them to name %q", got, tt.wantDetail)
			}
			if tt.wantDetail == "" && (strings.Contains(got, "https://") || strings.Contains(got, "Wi-Fi")) {
				t.Errorf("details = %q name an insecure connection", got)
			}
		})
	}
}
