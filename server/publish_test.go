package server_test

import (
	"bytes"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// TestPublishWhileRunning publishes a new form version and a new service
// to a running server: they are served at once, the devices hear of it
// through the changes feed, the old version stays for drafts begun on it,
// and a published version given with other content is refused.
func TestPublishWhileRunning(t *testing.T) {
	e := newEnv(t)
	d := e.register(t)
	before := e.get(t, api.PathCatalog, nil).header.Get("ETag")

	forms := maps.Clone(e.forms)
	v3 := bytes.Replace(forms["hundesteuer.v2.json"], []byte(`"version": 2`), []byte(`"version": 3`), 1)
	if bytes.Equal(v3, forms["hundesteuer.v2.json"]) {
		t.Fatal("the demo's hundesteuer.v2.json has no \"version\": 2 to change")
	}
	delete(forms, "hundesteuer.v2.json") // the file may go: published versions stay
	forms["hundesteuer.v3.json"] = v3
	cat := e.catalog
	cat.Services = append([]api.Service(nil), cat.Services...)
	for i := range cat.Services {
		if cat.Services[i].ID == "hundesteuer" {
			cat.Services[i].Form.Version = 3
			extra := cat.Services[i]
			extra.ID, extra.Title = "hundesteuer-zweithund", api.Text{"de": "Zweithund", "en": "Second dog"}
			cat.Services = append(cat.Services, extra)
			break
		}
	}
	if err := e.server.Publish(t.Context(), cat, forms); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	r := e.get(t, api.PathCatalog, nil)
	if r.header.Get("ETag") == before || !strings.Contains(string(r.body), "hundesteuer-zweithund") {
		t.Errorf("catalog after publishing: ETag %s (was %s), body without the new service", r.header.Get("ETag"), before)
	}
	for _, v := range []string{"2", "3"} {
		if got := e.get(t, api.PathForms+"hundesteuer/"+v, nil).status; got != http.StatusOK {
			t.Errorf("GET form hundesteuer/%s = %d, want 200", v, got)
		}
	}
	feed := e.allChanges(t, d)
	if n := len(feed); n == 0 || feed[n-1].Kind != api.ChangeCatalog || feed[n-1].Catalog != r.header.Get("ETag") {
		t.Errorf("feed = %+v, want a catalog change with the new ETag", feed)
	}

	changed := maps.Clone(forms)
	changed["hundesteuer.v3.json"] = bytes.Replace(v3, []byte(`"Anmeldung eines Hundes`), []byte(`"Die Anmeldung eines Hundes`), 1)
	err := e.server.Publish(t.Context(), cat, changed)
	var vc *server.VersionChangedError
	if !errors.As(err, &vc) || vc.Form != "hundesteuer" || vc.Version != 3 {
		t.Fatalf("Publish of a changed version: err = %v, want a VersionChangedError for hundesteuer 3", err)
	}
	if !strings.Contains(err.Error(), "version 4") {
		t.Errorf("the error %q does not say what to do (a new version)", err)
	}
	if got := e.get(t, api.PathCatalog, nil).header.Get("ETag"); got != r.header.Get("ETag") {
		t.Errorf("a refused publication changed the catalog: ETag %s, want %s", got, r.header.Get("ETag"))
	}
}
