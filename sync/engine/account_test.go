package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/server"
	"rathaus/server/servertest"
)

func (r *rig) sync(t *testing.T) {
	t.Helper()
	if err := r.engine.Sync(context.Background()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

func (r *rig) deviceID(t *testing.T) string {
	t.Helper()
	id, err := r.store.SyncValue(context.Background(), store.KeyDeviceID)
	if err != nil || id == "" {
		t.Fatalf("device id = %q, %v; want one after registration", id, err)
	}
	return id
}

// TestDevice_RegisteredOnceAndCasesFollowStatus: the device registers at
// first contact only, its credential is in the keyring, and the town
// hall's status changes reach its case through the changes feed.
func TestDevice_RegisteredOnceAndCasesFollowStatus(t *testing.T) {
	r := newRig(t)
	d := r.submitExample(t, "hundesteuer", nil)
	r.sync(t)
	r.deviceID(t)
	if tok, err := r.keys.Get("device-token-" + r.store.InstallID()); err != nil || tok == "" {
		t.Fatalf("device credential in the keyring = %q, %v", tok, err)
	}
	// A restart: same keyring and database, a new engine.
	r.open(t)
	r.sync(t)
	reqs, _, _ := r.wire.snapshot()
	if reqs[api.PathDevices] != 0 {
		t.Errorf("the device registered again after a restart (%d requests)", reqs[api.PathDevices])
	}

	cases, _ := r.store.Cases(context.Background())
	if len(cases) != 1 || cases[0].DraftID != d.ID {
		t.Fatalf("cases = %+v, want the draft's case", cases)
	}
	r.backend.SetCaseStatus(cases[0].ID, api.StatusInReview, api.Text{"de": "Wir prüfen Ihre Anmeldung.", "en": "We are checking your registration."})
	r.sync(t)
	cases, _ = r.store.Cases(context.Background())
	got := cases[0]
	if got.Status != api.StatusInReview || len(got.History) != 2 || got.History[1].Note["de"] != "Wir prüfen Ihre Anmeldung." {
		t.Errorf("case after the status change = %s with %d events %+v, want in review with its note", got.Status, len(got.History), got.History)
	}
	// Nothing new: the feed costs one small request.
	_, before, _ := r.wire.snapshot()
	r.sync(t)
	_, after, _ := r.wire.snapshot()
	if n := after[api.PathChanges] - before[api.PathChanges]; n > 200 {
		t.Errorf("an empty changes page cost %d bytes", n)
	}
}

// TestDrafts_AcrossTwoDevices: two devices of one account edit one draft;
// each field ends with the later change on both, and the device whose value
// lost keeps it as a conflict.
func TestDrafts_AcrossTwoDevices(t *testing.T) {
	backend := servertest.New(t)
	a, b := newRigOn(t, backend), newRigOn(t, backend)
	b.clock.Advance(time.Second) // b's later edits are later on the wall clock too
	a.sync(t)
	b.sync(t)
	backend.LinkDevices("acct-erika", a.deviceID(t), b.deviceID(t))

	ctx := context.Background()
	svc := api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}
	d := citizen.NewDraft(svc, a.clock.Now())
	if err := a.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := a.store.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Musterstadt"}, 0); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	onB, err := b.store.Draft(ctx, d.ID)
	if err != nil || onB.Values["dog_name"] != "Bello" || onB.Values["city"] != "Musterstadt" {
		t.Fatalf("draft on b = %+v, %v; want a's values", onB, err)
	}

	// Both change the dog's name; b later. a also changes the city.
	a.clock.Advance(time.Minute)
	b.clock.Advance(2 * time.Minute)
	a.store.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Rex", "city": "Köln"}, 0)
	b.store.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Hasso", "city": "Musterstadt"}, 0)
	a.sync(t)
	b.sync(t)
	a.sync(t)

	for name, r := range map[string]*rig{"a": a, "b": b} {
		got, _ := r.store.Draft(ctx, d.ID)
		if got.Values["dog_name"] != "Hasso" || got.Values["city"] != "Köln" {
			t.Errorf("draft on %s = %v, want dog_name Hasso (b's later edit) and city Köln (a's only edit)", name, got.Values)
		}
		if c, _, _ := r.store.DraftCopy(ctx, d.ID); len(c.Fields) != 0 {
			t.Errorf("%s still has fields to send: %v", name, c.Fields)
		}
	}
	conflicts, _ := a.store.Conflicts(ctx, d.ID)
	if len(conflicts) != 1 || conflicts[0].Field != "dog_name" || conflicts[0].Value != "Rex" {
		t.Errorf("conflicts on a = %+v, want a's losing dog_name Rex", conflicts)
	}

	// Deleting on b removes it on a too.
	if err := b.store.DeleteDraft(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	a.sync(t)
	if _, err := a.store.Draft(ctx, d.ID); citizen.ErrorCode(err) != citizen.ENOTFOUND {
		t.Errorf("draft on a after b deleted it: %v, want not found", err)
	}
}

// attachmentBackend serves the demo municipality plus a form with a file
// field, so that a submission carries an attachment.
func attachmentBackend(t *testing.T) (*servertest.Backend, string) {
	t.Helper()
	var dir string
	form := `{"id":"anhang","version":1,"title":{"de":"Nachweis","en":"Proof"},
	  "schema":{"type":"object","properties":{"name":{"type":"string","minLength":1},"doc":{"type":"object","format":"attachment"}},"required":["name","doc"],"additionalProperties":false},
	  "steps":[{"id":"s","title":{"de":"Nachweis","en":"Proof"},"fields":[
	    {"key":"name","widget":"text","label":{"de":"Name","en":"Name"}},
	    {"key":"doc","widget":"file","label":{"de":"Nachweis","en":"Proof"}}]}]}`
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		dir = c.UploadDir
		c.Forms["anhang.json"] = []byte(form)
		c.Catalog.Services = append(c.Catalog.Services, api.Service{ID: "anhang", Category: c.Catalog.Categories[0].ID,
			Title: api.Text{"de": "Nachweis", "en": "Proof"}, Summary: api.Text{"de": "x", "en": "x"}, Form: api.FormRef{ID: "anhang", Version: 1}})
	}))
	return b, dir
}

// cutPatches cuts the connection of the next n PATCH requests after part
// of their body arrived, as a dropping link does.
func cutPatches(backend *servertest.Backend, n int32) (received *atomic.Int64) {
	real := backend.Handler()
	var left atomic.Int32
	left.Store(n)
	received = &atomic.Int64{}
	backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPatch || req.Method == http.MethodPost && strings.HasPrefix(req.URL.Path, api.PathUploads) {
			req.Body = countingReadCloser{req.Body, received}
		}
		if req.Method == http.MethodPatch && left.Add(-1) >= 0 {
			// Let tusd take the first 40 KB, then drop the link.
			req.Body = io.NopCloser(io.LimitReader(req.Body, 40<<10))
			req.ContentLength = -1
			real.ServeHTTP(&discard{header: http.Header{}}, req)
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
			return
		}
		real.ServeHTTP(w, req)
	}))
	return received
}

type countingReadCloser struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingReadCloser) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestAttachment_ResumesAfterCutAndKill: a 700 KB file goes in chunks; the
// link drops in the middle of one; the app is killed and started again; the
// upload resumes at the server's offset, the submission names it, and the
// backend makes exactly one case with the file linked.
func TestAttachment_ResumesAfterCutAndKill(t *testing.T) {
	backend, dir := attachmentBackend(t)
	r := newRigOn(t, backend)
	ctx := context.Background()
	data := make([]byte, 700<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.UintN(256))
	}
	d := citizen.NewDraft(api.Service{ID: "anhang", Form: api.FormRef{ID: "anhang", Version: 1}}, r.clock.Now())
	if err := r.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	att, err := r.store.AddAttachment(ctx, d.ID, "Wohnungsgeberbestätigung.pdf", "application/pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	var value map[string]any
	b, _ := json.Marshal(att)
	json.Unmarshal(b, &value)
	if err := r.store.SaveDraft(ctx, d.ID, map[string]any{"name": "Erika Mustermann", "doc": value}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}

	// Two cuts: the engine tries a dropped connection again at once when
	// other requests of the pass (here the draft's copy) went through.
	received := cutPatches(backend, 2)
	if err := r.engine.Sync(ctx); err == nil {
		t.Fatal("Sync with a cut upload reported no error")
	}
	atts, _ := r.store.Attachments(ctx, d.ID)
	if len(atts) != 1 || atts[0].UploadURL == "" || atts[0].Uploaded || atts[0].UploadOffset == 0 {
		t.Fatalf("attachment after the cut = %+v, want its upload URL and offset persisted, unfinished", atts)
	}
	items, _ := r.store.Outbox(ctx)
	if len(items) != 1 || items[0].Total != int64(len(data)) || items[0].Progress == 0 {
		t.Errorf("outbox progress = %d of %d, want some of %d", items[0].Progress, items[0].Total, len(data))
	}

	r.open(t) // the app was killed and starts again
	r.sync(t)
	got, _ := r.store.Draft(ctx, d.ID)
	if got.State != citizen.DraftSent {
		t.Fatalf("draft = %s, want sent", got.State)
	}
	if n := backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want 1", n)
	}
	if extra := received.Load() - int64(len(data)); extra < 0 || extra > 256<<10 {
		t.Errorf("the server received %d bytes more than the file, want at most one chunk", extra)
	}
	atts, _ = r.store.Attachments(ctx, d.ID)
	up, err := backend.DB.Upload(ctx, uploadID(atts[0].UploadURL))
	if err != nil || up.Size != int64(len(data)) || up.Finished.IsZero() {
		t.Errorf("server upload = %+v, %v; want the finished file", up, err)
	}
	// The upload went with the device's credential, before and after the
	// restart: it is the device's, and its case's.
	device, err := r.store.SyncValue(ctx, store.KeyDeviceID)
	if err != nil || device == "" || up.Device != device || up.Case == "" {
		t.Errorf("server upload of device %q for case %q; want this device's (%q, %v) and a case's", up.Device, up.Case, device, err)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, uploadID(atts[0].UploadURL)))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Errorf("server file differs from the attachment (%v)", err)
	}
}

func uploadID(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }
