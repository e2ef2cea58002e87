package portal_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
)

// TestAccountLink_Answers: the link sends the device credential and the
// access token in the body; each answer is a result or a classified
// error. A test server plays the backend's answers (the backend's own
// link endpoints come with the provider, branch idp; the happy path runs
// against logintest's stand-in in sync/login).
func TestAccountLink_Answers(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		code      string // "" for success
		transient bool
	}{
		{"linked", http.StatusOK, `{"account":"erika","name":"Erika"}`, "", false},
		{"token refused", http.StatusUnauthorized, `{"title":"bad token","status":401}`, citizen.EREJECTED, false},
		{"backend down", http.StatusServiceUnavailable, "", citizen.EUNAVAILABLE, true},
		{"no account in the answer", http.StatusOK, `{"name":"x"}`, citizen.EUNAVAILABLE, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotAuth, gotToken string
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != api.PathAccountLink {
					http.NotFound(w, r)
					return
				}
				gotAuth = r.Header.Get("Authorization")
				var req api.AccountLinkRequest
				_ = json.NewDecoder(r.Body).Decode(&req)
				gotToken = req.AccessToken
				w.Header().Set("Content-Type", api.ContentTypeJSON)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c := portal.New(srv.URL)
			c.SetToken("device-credential")
			l, err := c.LinkAccount(context.Background(), "access-token")
			if gotAuth != "Bearer device-credential" || gotToken != "access-token" {
				t.Errorf("sent Authorization %q and access token %q", gotAuth, gotToken)
			}
			if tc.code == "" {
				if err != nil || l.Account != "erika" {
					t.Errorf("LinkAccount = %+v, %v; want erika", l, err)
				}
				return
			}
			if got := citizen.ErrorCode(err); got != tc.code || citizen.IsTransient(err) != tc.transient {
				t.Errorf("LinkAccount error = %v (code %s, transient %v), want %s, transient %v",
					err, got, citizen.IsTransient(err), tc.code, tc.transient)
			}
		})
	}
}

// TestAccountUnlink_Answers: 204 is done; a refusal is an error.
func TestAccountUnlink_Answers(t *testing.T) {
	for _, tc := range []struct {
		status int
		ok     bool
	}{{http.StatusNoContent, true}, {http.StatusUnauthorized, false}, {http.StatusBadGateway, false}} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != api.PathAccountUnlink || r.Header.Get("Authorization") == "" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.status)
			})
			c := portal.New(srv.URL)
			c.SetToken("device-credential")
			if err := c.UnlinkAccount(context.Background()); (err == nil) != tc.ok {
				t.Errorf("UnlinkAccount = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
