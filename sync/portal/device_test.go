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

func TestRegisterDeviceAndBearerToken(t *testing.T) {
	var gotAuth []string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth = append(gotAuth, r.Header.Get("Authorization"))
		switch r.URL.Path {
		case api.PathDevices:
			var req api.DeviceRequest
			if json.NewDecoder(r.Body).Decode(&req) != nil || req.Platform != "linux" {
				http.Error(w, "bad", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", api.ContentTypeJSON)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(api.Device{ID: "d_1", Token: "s3cret"})
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	c := portal.New(srv.URL)
	d, err := c.RegisterDevice(context.Background(), api.DeviceRequest{Platform: "linux", AppVersion: "0.1.0"})
	if err != nil || d.ID != "d_1" || d.Token != "s3cret" {
		t.Fatalf("RegisterDevice = %+v, %v", d, err)
	}
	c.SetToken(d.Token)
	if err := c.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(gotAuth) != 2 || gotAuth[0] != "" || gotAuth[1] != "Bearer s3cret" {
		t.Errorf("Authorization headers = %q, want none at registration, then the bearer token", gotAuth)
	}
}

func TestRegisterDeviceFailures(t *testing.T) {
	classifies(t, []answer{
		{"rate limited", respond(http.StatusTooManyRequests, api.ContentTypeProblem, `{"title":"slow down","status":429}`, "Retry-After", "30"), 429, true, citizen.EUNAVAILABLE},
		{"garbled", respond(http.StatusCreated, "text/html", "<html>hotspot</html>"), 201, true, citizen.EUNAVAILABLE},
		{"no token", respond(http.StatusCreated, api.ContentTypeJSON, `{"id":"d_1"}`), 201, true, citizen.EUNAVAILABLE},
		{"refused", respond(http.StatusForbidden, api.ContentTypeProblem, `{"title":"no","status":403}`), 403, false, citizen.EREJECTED},
	}, func(c *portal.Client) error {
		_, err := c.RegisterDevice(context.Background(), api.DeviceRequest{Platform: "linux"})
		return err
	})
}

// TestRegisterDeviceKey: 204 is the key registered; a conflict (another
// key) and a malformed key are the backend's refusals, a 503 is worth
// trying again.
func TestRegisterDeviceKey(t *testing.T) {
	var got api.DeviceKeyRequest
	ok := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != api.PathDeviceKey || json.NewDecoder(r.Body).Decode(&got) != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	if err := portal.New(ok.URL).RegisterDeviceKey(context.Background(), api.DeviceKeyRequest{SigningKey: "k"}); err != nil || got.SigningKey != "k" {
		t.Fatalf("RegisterDeviceKey = %v, sent %+v", err, got)
	}
	classifies(t, []answer{
		{"another key", respond(http.StatusConflict, api.ContentTypeProblem, `{"type":"`+api.ProblemKeyConflict+`","title":"no","status":409}`), 409, false, citizen.EREJECTED},
		{"not a key", respond(http.StatusBadRequest, api.ContentTypeProblem, `{"title":"no","status":400}`), 400, false, citizen.EREJECTED},
		{"busy", respond(http.StatusServiceUnavailable, api.ContentTypeProblem, `{"title":"busy","status":503}`, "Retry-After", "1"), 503, true, citizen.EUNAVAILABLE},
	}, func(c *portal.Client) error {
		return c.RegisterDeviceKey(context.Background(), api.DeviceKeyRequest{SigningKey: "k"})
	})
}

func TestChanges(t *testing.T) {
	var query []string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		query = append(query, r.URL.RawQuery)
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		json.NewEncoder(w).Encode(api.Changes{
			Changes: []api.Change{{Seq: 8, Kind: api.ChangeCase, Case: &api.Case{ID: "c_1", Number: "2026-000001", Status: api.StatusInReview}}},
			Cursor:  "8",
			More:    true,
		})
	})
	c := portal.New(srv.URL)
	page, err := c.Changes(context.Background(), "", 50)
	if err != nil || len(page.Changes) != 1 || page.Cursor != "8" || !page.More || page.Changes[0].Case.Status != api.StatusInReview {
		t.Fatalf("Changes = %+v, %v", page, err)
	}
	if _, err := c.Changes(context.Background(), "8", 50); err != nil {
		t.Fatal(err)
	}
	if query[0] != "limit=50" || query[1] != "limit=50&since=8" {
		t.Errorf("queries = %q, want limit only, then since and limit", query)
	}

	bad := serve(t, respond(http.StatusOK, api.ContentTypeJSON, `{"changes":[{"seq":1,"kind":"case"}],"cursor":"1"}`))
	_, err = portal.New(bad.URL).Changes(context.Background(), "", 10)
	responseError(t, err, 200, true, citizen.EUNAVAILABLE)
}

func TestPutDraft(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.URL.Path != api.PathDrafts+"dr1" {
			http.Error(w, r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		var d api.DraftCopy
		json.NewDecoder(r.Body).Decode(&d)
		d.Device = "d_1"
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		json.NewEncoder(w).Encode(d)
	})
	in := api.DraftCopy{ID: "dr1", Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 2},
		Fields: map[string]api.DraftField{"dog_name": {Value: json.RawMessage(`"Bello"`), Clock: "0001764236400000-00000-d_1"}}}
	got, err := portal.New(srv.URL).PutDraft(context.Background(), in)
	if err != nil || got.Device != "d_1" || string(got.Fields["dog_name"].Value) != `"Bello"` {
		t.Errorf("PutDraft = %+v, %v", got, err)
	}
}
