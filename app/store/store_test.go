package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// fixture is an open store on a real temp file, with the key source and
// clock it was opened with, so that a test can reopen it.
type fixture struct {
	*store.Store
	path  string
	keys  *secrets.Keychain
	clock *clock
}

// MustOpen opens a store on a new temp file, closed when the test ends.
func MustOpen(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{
		path:  filepath.Join(tb.TempDir(), "rathaus.db"),
		keys:  secrets.OpenMemory("rathaus-test"),
		clock: &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)},
	}
	f.reopen(tb)
	return f
}

func (f *fixture) reopen(tb testing.TB, opts ...store.Option) {
	tb.Helper()
	if f.Store != nil {
		f.Store.Close()
	}
	s, err := store.Open(context.Background(), f.path, f.keys, append([]store.Option{store.WithClock(f.clock.Now)}, opts...)...)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	f.Store = s
	tb.Cleanup(func() { s.Close() })
}

// notOnDisk checkpoints the WAL, so that the main file holds the data
// too, and fails the test where a file SQLite wrote holds one of needles
// in plain text (what names it for the message).
func (f *fixture) notOnDisk(t *testing.T, what string, needles ...string) {
	t.Helper()
	if _, err := f.DB().Exec(`PRAGMA wal_checkpoint(FULL)`); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(f.path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %s in plain text", filepath.Base(f.path+suffix), what)
				break
			}
		}
	}
}

// request is a submission item's request.
func request(t *testing.T, it *citizen.OutboxItem) api.SubmissionRequest {
	t.Helper()
	p, ok := it.Payload.(*citizen.SubmissionPayload)
	if !ok {
		t.Fatalf("item %d (%s, locked %v) carries no submission: %#v", it.ID, it.Kind, it.Locked, it.Payload)
	}
	return p.Request
}

var dogTax = api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}

func mustDraft(tb testing.TB, f *fixture, values map[string]any) *citizen.Draft {
	tb.Helper()
	d := citizen.NewDraft(dogTax, f.clock.Now())
	d.Values = values
	if err := f.CreateDraft(context.Background(), d); err != nil {
		tb.Fatalf("create draft: %v", err)
	}
	return d
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := citizen.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func TestOpen_MigratesFromEmptyOnce(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	for _, table := range []string{"meta", "catalog", "forms", "drafts", "outbox", "cases", "sync_state", "settings", "attachments"} {
		var n int
		if err := f.DB().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, err %v; want 1", table, n, err)
		}
	}
	id := f.InstallID()
	f.reopen(t)
	var applied int
	if err := f.DB().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if applied != len(files) || applied < 2 {
		t.Errorf("schema_migrations rows after reopen = %d, want one per migration file (%d)", applied, len(files))
	}
	if got := f.InstallID(); got != id {
		t.Errorf("install id after reopen = %q, want %q", got, id)
	}
}

func TestOpen_Pragmas(t *testing.T) {
	f := MustOpen(t)
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			var got string
			if err := f.DB().QueryRow(`PRAGMA ` + tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
			}
		})
	}
}

func TestDraft_SaveLoadSurvivesReopen(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	f.clock.Advance(time.Minute)
	values := map[string]any{"given_name": "Erika", "dog_count": 2.0, "assistance_dog": true}
	if err := f.SaveDraft(ctx, d.ID, values, 1); err != nil {
		t.Fatal(err)
	}
	f.reopen(t)
	got, err := f.Draft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Values["given_name"] != "Erika" || got.Values["dog_count"] != 2.0 || got.Values["assistance_dog"] != true {
		t.Errorf("values after reopen = %v, want %v", got.Values, values)
	}
	if got.Step != 1 || got.State != citizen.DraftEditing || got.Locked {
		t.Errorf("step %d state %s locked %v, want 1 editing false", got.Step, got.State, got.Locked)
	}
	if !got.Updated.Equal(f.clock.Now()) {
		t.Errorf("updated = %v, want %v", got.Updated, f.clock.Now())
	}
	list, err := f.Drafts(ctx)
	if err != nil || len(list) != 1 || list[0].ID != d.ID {
		t.Errorf("Drafts = %v, %v; want the one draft", list, err)
	}
}

func TestDraft_NoPlainTextOnDisk(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	const secret = "Zaunkoenigweg-4711-geheim"
	d := mustDraft(t, f, map[string]any{"street": secret})
	if _, err := f.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	f.notOnDisk(t, "the draft value", secret)
	got, err := f.Draft(ctx, d.ID)
	if err != nil || got.Values["street"] != secret {
		t.Errorf("draft value = %v (%v), want %q", got.Values["street"], err, secret)
	}
}

func TestDraft_OtherKeyIsLocked(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"given_name": "Erika"})
	f.keys = secrets.OpenMemory("another-run") // the key is gone
	_, err := store.Open(ctx, f.path, f.keys)
	wantCode(t, err, citizen.ELOCKED)
	f.reopen(t, store.WithNewKeyIfLost()) // the citizen chose to start afresh
	got, err := f.Draft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Locked || got.Values != nil {
		t.Errorf("locked %v values %v, want locked without values", got.Locked, got.Values)
	}
	_, err = f.Submit(ctx, d.ID, nil)
	wantCode(t, err, citizen.ELOCKED)
}

func TestSubmit_DraftAndOutboxInOneTransaction(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"given_name": "Erika"})

	it, err := f.Submit(ctx, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(it.IdempotencyKey) != 32 {
		t.Errorf("idempotency key %q, want 32 hex characters", it.IdempotencyKey)
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.State != citizen.DraftQueued {
		t.Errorf("draft state = %s, want queued", got.State)
	}
	items, err := f.DueOutbox(ctx, f.clock.Now(), false)
	if err != nil || len(items) != 1 {
		t.Fatalf("due outbox = %v, %v; want one item", items, err)
	}
	if items[0].IdempotencyKey != it.IdempotencyKey || string(request(t, items[0]).Data) != `{"given_name":"Erika"}` || request(t, items[0]).Service != "hundesteuer" {
		t.Errorf("outbox item = %+v, want the draft's submission under key %s", items[0], it.IdempotencyKey)
	}

	// Queued drafts can neither change nor go away.
	wantCode(t, f.SaveDraft(ctx, d.ID, map[string]any{"given_name": "X"}, 0), citizen.ECONFLICT)
	wantCode(t, f.DeleteDraft(ctx, d.ID), citizen.ECONFLICT)
	_, err = f.Submit(ctx, d.ID, nil)
	wantCode(t, err, citizen.ECONFLICT)
}

func TestSubmit_FailureLeavesDraftEditing(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"given_name": "Erika"})
	// Make the outbox insert fail after the draft update in the same
	// transaction: neither may remain.
	if _, err := f.DB().Exec(`CREATE TRIGGER boom BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Submit(ctx, d.ID, nil); err == nil {
		t.Fatal("Submit succeeded despite the failing outbox insert")
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.State != citizen.DraftEditing {
		t.Errorf("draft state after failed submit = %s, want editing", got.State)
	}
	var n int
	f.DB().QueryRow(`SELECT count(*) FROM outbox`).Scan(&n)
	if n != 0 {
		t.Errorf("outbox rows = %d, want 0", n)
	}
}

func TestAcknowledge(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"given_name": "Erika"})
	it, _ := f.Submit(ctx, d.ID, nil)
	c := api.Case{ID: "c_1", Number: "2026-000001", Service: "hundesteuer", Form: d.Form, Status: api.StatusReceived, Created: f.clock.Now()}
	for i := 0; i < 2; i++ { // twice: a repeated acknowledgement is harmless
		if err := f.Acknowledge(ctx, it.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.State != citizen.DraftSent || got.CaseNumber != "2026-000001" {
		t.Errorf("draft = %s %q, want sent 2026-000001", got.State, got.CaseNumber)
	}
	cases, _ := f.Cases(ctx)
	if len(cases) != 1 || cases[0].DraftID != d.ID || cases[0].Number != c.Number {
		t.Errorf("cases = %+v, want one for the draft", cases)
	}
	due, _ := f.DueOutbox(ctx, f.clock.Now(), true)
	if len(due) != 0 {
		t.Errorf("due after ack = %d items, want 0", len(due))
	}
	if err := f.DeleteDraft(ctx, d.ID); err != nil {
		t.Errorf("deleting a sent draft: %v", err)
	}
	cases, _ = f.Cases(ctx)
	if len(cases) != 1 || cases[0].DraftID != "" {
		t.Errorf("case after its draft was deleted = %+v, want kept without draft", cases)
	}
}

func TestReject_ThenResubmitWithNewKey(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"postcode": "123"})
	first, _ := f.Submit(ctx, d.ID, nil)
	p := &api.Problem{Status: 422, Title: "Validation failed", Errors: []api.FieldError{{Pointer: "/postcode", Code: "pattern"}}}
	if err := f.Reject(ctx, first.ID, p, citizen.EREJECTED, "The town hall did not accept this."); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.State != citizen.DraftRejected || got.Problem == nil || got.Problem.Errors[0].Pointer != "/postcode" {
		t.Fatalf("draft after reject = %s %+v, want rejected with the problem", got.State, got.Problem)
	}
	if err := f.SaveDraft(ctx, d.ID, map[string]any{"postcode": "51147"}, 0); err != nil {
		t.Fatalf("editing a rejected draft: %v", err)
	}
	second, err := f.Submit(ctx, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.IdempotencyKey == first.IdempotencyKey {
		t.Error("a resubmission reused the rejected submission's idempotency key")
	}
	items, _ := f.Outbox(ctx)
	if len(items) != 2 || items[0].State != citizen.OutboxFailed || items[1].State != citizen.OutboxPending {
		t.Errorf("outbox = %+v, want the failed first and the pending second", items)
	}
	if got := request(t, items[1]).Data; string(got) != `{"postcode":"51147"}` {
		t.Errorf("resubmitted data = %s, want the edited values", got)
	}
}

func TestRetry_SchedulesNextAttempt(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"a": "b"})
	it, _ := f.Submit(ctx, d.ID, nil)
	if err := f.Retry(ctx, it.ID, f.clock.Now().Add(time.Minute), citizen.EUNAVAILABLE, "offline"); err != nil {
		t.Fatal(err)
	}
	if due, _ := f.DueOutbox(ctx, f.clock.Now(), false); len(due) != 0 {
		t.Errorf("due before the next attempt = %d, want 0", len(due))
	}
	if due, _ := f.DueOutbox(ctx, f.clock.Now(), true); len(due) != 1 {
		t.Errorf("due with all = %d, want 1", len(due))
	}
	f.clock.Advance(time.Minute)
	due, _ := f.DueOutbox(ctx, f.clock.Now(), false)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastCode != citizen.EUNAVAILABLE {
		t.Errorf("due after the wait = %+v, want one item with 1 attempt", due)
	}
}

func TestCatalogAndForms(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	_, _, _, err := f.Catalog(ctx)
	wantCode(t, err, citizen.ENOTFOUND)

	cat := api.Catalog{Municipality: api.Municipality{Name: "Musterstadt"}, Services: []api.Service{dogTax}}
	seeded, err := f.Seed(ctx, cat, [][]byte{[]byte(`{"id":"hundesteuer","version":1,"v":1}`)})
	if err != nil || !seeded {
		t.Fatalf("seed = %v, %v; want seeded", seeded, err)
	}
	if seeded, _ := f.Seed(ctx, api.Catalog{}, nil); seeded {
		t.Error("a second seed replaced the catalog")
	}
	got, etag, source, err := f.Catalog(ctx)
	if err != nil || got.Municipality.Name != "Musterstadt" || etag != "" || source != store.SourceDemo {
		t.Errorf("catalog = %+v %q %q %v, want the demo catalog", got.Municipality, etag, source, err)
	}
	if err := f.SaveCatalog(ctx, cat, `"abc"`, store.SourceBackend); err != nil {
		t.Fatal(err)
	}
	if _, etag, source, _ := f.Catalog(ctx); etag != `"abc"` || source != store.SourceBackend {
		t.Errorf("etag %q source %q, want \"abc\" backend", etag, source)
	}

	// Form versions are immutable: a second save keeps the first body.
	if err := f.SaveForm(ctx, dogTax.Form, []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	body, err := f.Form(ctx, dogTax.Form)
	if err != nil || string(body) != `{"id":"hundesteuer","version":1,"v":1}` {
		t.Errorf("form = %s, %v; want the first body", body, err)
	}
	has, _ := f.HasForm(ctx, api.FormRef{ID: "hundesteuer", Version: 2})
	if has {
		t.Error("HasForm reports a version never stored")
	}
}

func TestSaveDraft_DiskFullKeepsLastSave(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"note": "first"})
	// One connection, capped at its current size: the next growth fails
	// with SQLITE_FULL, as on a full disk.
	f.DB().SetMaxOpenConns(1)
	var pages int
	f.DB().QueryRow(`PRAGMA page_count`).Scan(&pages)
	if _, err := f.DB().Exec(`PRAGMA max_page_count = ` + strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	err := f.SaveDraft(ctx, d.ID, map[string]any{"note": strings.Repeat("x", 1<<20)}, 0)
	wantCode(t, err, citizen.ESTORAGE)
	if !strings.Contains(citizen.ErrorMessage(err), "full") {
		t.Errorf("message %q does not say the storage is full", citizen.ErrorMessage(err))
	}
	got, err := f.Draft(ctx, d.ID)
	if err != nil || got.Values["note"] != "first" {
		t.Errorf("draft after the failed save = %v, %v; want the last saved value", got.Values, err)
	}
}

func TestAttachments(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	photo := bytes.Repeat([]byte("JPEG-Zaunkoenig-"), 1000)
	a, err := f.AddAttachment(ctx, d.ID, "Ausweis_Mustermann.jpg", "image/jpeg", photo)
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != int64(len(photo)) || len(a.SHA256) != 64 || a.ID == "" {
		t.Errorf("attachment = %+v, want size %d and a sha256", a, len(photo))
	}
	got, err := f.AttachmentData(ctx, a.ID)
	if err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("AttachmentData = %d bytes, %v; want the photo", len(got), err)
	}
	desc, err := f.Attachment(ctx, a.ID)
	if err != nil || desc.Name != "Ausweis_Mustermann.jpg" || desc.Type != "image/jpeg" || desc.DraftID != d.ID || desc.Uploaded {
		t.Errorf("Attachment = %+v, %v", desc, err)
	}
	// Neither the bytes nor the name are on disk in plain text.
	f.notOnDisk(t, "the file or its name", "Zaunkoenig", "Mustermann")

	_, err = f.AddAttachment(ctx, d.ID, "big.pdf", "application/pdf", make([]byte, api.MaxUploadSize+1))
	wantCode(t, err, citizen.EINVALID)
	_, err = f.AddAttachment(ctx, d.ID, "empty.pdf", "application/pdf", nil)
	wantCode(t, err, citizen.EINVALID)

	if _, err := f.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, err = f.AddAttachment(ctx, d.ID, "late.pdf", "application/pdf", []byte("x"))
	wantCode(t, err, citizen.ECONFLICT)
	wantCode(t, f.DeleteAttachment(ctx, a.ID), citizen.ECONFLICT)
	wantCode(t, f.DeleteAttachment(ctx, "nope"), citizen.ENOTFOUND)

	d2 := mustDraft(t, f, map[string]any{})
	b, _ := f.AddAttachment(ctx, d2.ID, "a.pdf", "application/pdf", []byte("%PDF"))
	if err := f.DeleteAttachment(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.Attachments(ctx, d2.ID); len(list) != 0 {
		t.Errorf("attachments after delete = %d, want 0", len(list))
	}
	c, _ := f.AddAttachment(ctx, d2.ID, "c.pdf", "application/pdf", []byte("%PDF"))
	if err := f.DeleteDraft(ctx, d2.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.Attachment(ctx, c.ID)
	wantCode(t, err, citizen.ENOTFOUND)
}
