package reliability

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/server/loadtest"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// storageFull is the store's message for a full disk, the English key of
// its translations.
const storageFull = "The device's storage is full. Free some space; nothing was saved."

// fullDisk is a place for the app's data folder that can run out of space
// and get it back.
type fullDisk struct {
	name string
	// fileSystem: the disk stays full while the app is closed and
	// started again (a real file system, not the store's connections).
	fileSystem bool
	// dir makes the data folder.
	dir func(t *testing.T) string
	// attach is called once the store is open; it returns what fills the
	// disk (full true) and frees it again.
	attach func(t *testing.T, dir string, st *store.Store) (full func(bool))
}

// tmpfsDisk is a real, small file system (tmpfs) filled to the last page
// with a ballast file: every write that needs a new page fails with
// ENOSPC, as on a phone whose storage is full. Mounting needs root; where
// it is refused the variant is skipped, and the injected one stands in.
var tmpfsDisk = fullDisk{
	name:       "tmpfs",
	fileSystem: true,
	dir: func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", dir).CombinedOutput()
		if err != nil {
			t.Skipf("no tmpfs here (mount -t tmpfs: %v: %s); the injected variant covers a full disk", err, strings.TrimSpace(string(out)))
		}
		// Registered first, so it runs last: after the store is closed.
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", dir, err, out)
				_ = exec.Command("umount", "-l", dir).Run()
			}
		})
		return dir
	},
	attach: func(t *testing.T, dir string, _ *store.Store) func(bool) {
		ballast := filepath.Join(dir, "ballast")
		return func(full bool) {
			if !full {
				if err := os.Remove(ballast); err != nil {
					t.Fatal(err)
				}
				return
			}
			f, err := os.Create(ballast)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// Large writes first, then page by page, then byte by byte:
			// the file system has no page left.
			for _, size := range []int{1 << 20, 4 << 10, 1} {
				buf := make([]byte, size)
				for {
					if _, err := f.Write(buf); err != nil {
						if !errors.Is(err, syscall.ENOSPC) {
							t.Fatal(err)
						}
						break
					}
				}
			}
		}
	},
}

// injectedDisk makes SQLite itself answer SQLITE_FULL: every connection
// of the store's pool may not grow the database beyond the pages it has
// (PRAGMA max_page_count, which SQLite enforces with SQLITE_FULL). It
// needs no root, so it runs everywhere. Unlike a full file system it lets
// through what fits in the pages there are, so a test must write until a
// write fails.
var injectedDisk = fullDisk{
	name: "injected",
	dir:  func(t *testing.T) string { return t.TempDir() },
	attach: func(t *testing.T, _ string, st *store.Store) func(bool) {
		// A fixed pool, every connection of it capped.
		const conns = 4
		db := st.DB()
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		return func(full bool) {
			ctx := t.Context()
			var pages int64
			if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
				t.Fatal(err)
			}
			limit := pages
			if !full {
				limit = 0xfffffffe
			}
			for i := 0; i < conns; i++ {
				c, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", limit)); err != nil {
					t.Fatal(err)
				}
			}
		}
	},
}

// TestDiskFull fills the disk under the app's data while the citizen types
// into a draft and the engine has submissions to send, then frees it. On
// the full disk a save fails with ESTORAGE and the message the citizen
// sees in both languages; what was saved before stays as it was; the form
// (app/fill) keeps the values it could not save; the engine's passes fail
// without losing, refusing or parking anything (the backend may have made
// a case whose answer could not be recorded). Once there is space again
// the next change, or a retry, saves everything typed meanwhile, and the
// engine delivers every submission exactly once.
func TestDiskFull(t *testing.T) {
	for _, d := range []fullDisk{tmpfsDisk, injectedDisk} {
		t.Run(d.name, func(t *testing.T) { testDiskFull(t, d) })
	}
}

func testDiskFull(t *testing.T, disk fullDisk) {
	ctx := t.Context()
	dir := disk.dir(t)
	keys, st, cat, err := openAppCore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	full := disk.attach(t, dir, st)
	b := servertest.New(t)
	eng := engine.New(st, portal.New(b.URL), upload.New(b.URL), keys)
	if err := eng.Sync(ctx); err != nil {
		t.Fatalf("first pass (the device registers): %v", err)
	}

	// Queued with space: submissions (one with a photo) that the engine
	// has not sent yet, and two drafts being typed into.
	var submitted []string
	for _, svc := range []string{"hundesteuer", "maengelmelder", "sperrmuell"} {
		state := newFormState(t, st, cat, svc)
		enterExample(t, st, state)
		if !state.CheckAll() || !state.Save() {
			t.Fatalf("%s: the example does not check or save", svc)
		}
		if _, err := st.Submit(ctx, state.Draft().ID, state.Payload()); err != nil {
			t.Fatal(err)
		}
		submitted = append(submitted, state.Draft().ID)
	}
	typing := []*typedDraft{
		{state: newFormState(t, st, cat, "hundesteuer"), pointer: "/breed"},
		{state: newFormState(t, st, cat, "maengelmelder"), pointer: "/description"},
	}
	for _, d := range typing {
		d.keystroke(t, "Anfang ")
		if _, err := d.state.Saved(); err != nil {
			t.Fatal(err)
		}
		d.saved = d.typed
	}

	full(true)

	// The citizen types on; the store refuses once the disk is full.
	var failed error
	d := typing[0]
	for n := 0; failed == nil; n++ {
		if n == 100_000 {
			t.Fatalf("%d keystrokes saved on a full disk", n)
		}
		d.keystroke(t, "Labrador Retriever, schwarz; ")
		_, failed = d.state.Saved()
		if failed == nil {
			d.saved = d.typed
		}
	}
	checkFullMessage(t, failed)
	for i := range 3 {
		for _, d := range typing {
			d.keystroke(t, fmt.Sprintf("%d ", i))
			if _, err := d.state.Saved(); err == nil {
				d.saved = d.typed // what fits in a page the file has is saved
			} else if citizen.ErrorCode(err) != citizen.ESTORAGE {
				t.Errorf("a save on a full disk failed with %v, want %s", err, citizen.ESTORAGE)
			}
		}
	}
	for _, d := range typing {
		d.checkKept(t, st)
	}

	// The engine runs on the full disk: it may reach the backend, but
	// nothing it cannot record may count against an item.
	storageErrs := 0
	for range 3 {
		err := eng.Sync(ctx)
		if citizen.ErrorCode(err) == citizen.ESTORAGE {
			storageErrs++
			if s := eng.Status(); s.State != engine.Error || citizen.ErrorMessage(s.Err) != storageFull {
				t.Errorf("the sync line: %v, %q; want %v, %q", s.State, citizen.ErrorMessage(s.Err), engine.Error, storageFull)
			}
		}
		checkOutboxIntact(t, st, submitted)
	}
	if disk.name == tmpfsDisk.name && storageErrs == 0 {
		t.Errorf("every pass on a full file system went through: the disk was not full")
	}
	t.Logf("%d of 3 passes on the full disk failed with %s", storageErrs, citizen.ESTORAGE)

	full(false)

	// Space is back: the next change saves all of the first draft, a
	// retry (the form's Save) all of the second.
	typing[0].keystroke(t, "fertig")
	if _, err := typing[0].state.Saved(); err != nil {
		t.Fatalf("the next change after space returned: %v", err)
	}
	if !typing[1].state.Save() {
		_, err := typing[1].state.Saved()
		t.Fatalf("a retry after space returned: %v", err)
	}
	for _, d := range typing {
		d.saved = d.typed
		d.checkKept(t, st)
	}
	for pass := 1; ; pass++ {
		err := eng.Sync(ctx)
		due, derr := st.DueOutbox(ctx, time.Now(), true)
		if derr != nil {
			t.Fatal(derr)
		}
		if len(due) == 0 {
			break
		}
		if pass == 10 {
			t.Fatalf("%d items wait after %d passes with space; the last: %v", len(due), pass, err)
		}
	}
	checkDelivered(t, st, b, submitted)

	// A start on a full file system says so (or opens); with space the
	// next start finds it all.
	st.Close()
	if disk.fileSystem {
		full(true)
		_, st2, _, err := openAppCore(ctx, dir)
		switch {
		case err == nil:
			st2.Close()
		case citizen.ErrorCode(err) != citizen.ESTORAGE || citizen.ErrorMessage(err) != storageFull:
			t.Errorf("a start on a full disk: %s, %q (%v); want it to start, or to say %q",
				citizen.ErrorCode(err), citizen.ErrorMessage(err), err, storageFull)
		default:
			t.Logf("a start on a full disk says: %s", citizen.ErrorMessage(err))
		}
		full(false)
	}
	_, st2, _, err := openAppCore(ctx, dir)
	if err != nil {
		t.Fatalf("the app does not start: %v", err)
	}
	defer st2.Close()
	checkIntegrity(t, st2)
	for _, d := range typing {
		d.checkKept(t, st2)
	}
	checkDelivered(t, st2, b, submitted)
}

// newFormState starts a draft of a service and opens its form's state, as
// the service screen's "Start" and the form screen do.
func newFormState(t *testing.T, st *store.Store, cat api.Catalog, service string) *fill.State {
	t.Helper()
	ctx := t.Context()
	for _, s := range cat.Services {
		if s.ID != service {
			continue
		}
		d := citizen.NewDraft(s, time.Now())
		if err := st.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		body, err := st.Form(ctx, d.Form)
		if err != nil {
			t.Fatal(err)
		}
		f, err := formschema.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		return fill.New(f, d, "de", st)
	}
	t.Fatalf("no service %s", service)
	return nil
}

// enterExample enters the form's demo example, a file as the file field
// attaches it.
func enterExample(t *testing.T, st *store.Store, state *fill.State) {
	t.Helper()
	example, err := assets.DemoExample(state.Form().Def.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range exampleLeaves(state.Form(), example) {
		if l.repeat != "" {
			for state.Items(l.repeat) <= l.item {
				state.AddItem(l.repeat)
			}
		}
		v := l.value
		if l.widget == api.WidgetFile || l.widget == api.WidgetPhoto {
			ex, _ := l.value.(map[string]any)
			name, _ := ex["name"].(string)
			mediaType, _ := ex["type"].(string)
			att, err := st.AddAttachment(t.Context(), state.Draft().ID, name, mediaType, []byte(strings.Repeat("photo bytes ", 6000)))
			if err != nil {
				t.Fatal(err)
			}
			v = fill.ToValue(att)
		}
		state.Set(l.pointer, v)
		if _, err := state.Saved(); err != nil {
			t.Fatal(err)
		}
	}
}

// typedDraft is a draft the citizen types into, one text field.
type typedDraft struct {
	state   *fill.State
	pointer string
	typed   string // what the field holds on the screen
	saved   string // what the store was last told
}

// keystroke appends s to the field, as the field's OnChanged does.
func (d *typedDraft) keystroke(t *testing.T, s string) {
	t.Helper()
	d.typed += s
	d.state.Set(d.pointer, d.typed)
}

// checkKept: the form shows everything typed; the store holds what it
// acknowledged last, and the draft's other values.
func (d *typedDraft) checkKept(t *testing.T, st *store.Store) {
	t.Helper()
	if v, _ := d.state.Value(d.pointer); v != d.typed {
		t.Errorf("the form shows %q, the citizen typed %q", v, d.typed)
	}
	got, err := st.Draft(t.Context(), d.state.Draft().ID)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := formschema.Get(got.Values, d.pointer); v != d.saved {
		t.Errorf("the store holds %.40q..., the last save acknowledged %.40q...", v, d.saved)
	}
	for k, v := range d.state.Values() {
		if "/"+k == d.pointer {
			continue
		}
		if fmt.Sprint(got.Values[k]) != fmt.Sprint(v) {
			t.Errorf("field %s: the store holds %v, the form %v", k, got.Values[k], v)
		}
	}
}

// checkFullMessage: the error of a save on a full disk is ESTORAGE, with
// the message the form shows ("Not saved: ...") in English and German.
func checkFullMessage(t *testing.T, err error) {
	t.Helper()
	if citizen.ErrorCode(err) != citizen.ESTORAGE || citizen.ErrorMessage(err) != storageFull {
		t.Fatalf("a save on a full disk: code %s, message %q (%v); want %s, %q",
			citizen.ErrorCode(err), citizen.ErrorMessage(err), err, citizen.ESTORAGE, storageFull)
	}
	en, de := translations(t)
	if en[storageFull] != storageFull {
		t.Errorf("English: %q", en[storageFull])
	}
	if de[storageFull] == "" || de[storageFull] == storageFull || !strings.Contains(de[storageFull], "Speicher") {
		t.Errorf("German: %q", de[storageFull])
	}
	if en["Not saved: {{.Error}}"] == "" || de["Not saved: {{.Error}}"] == "" {
		t.Errorf("the form's line for a failed save is not translated")
	}
}

// checkOutboxIntact: every submission is still pending, or done with its
// draft sent; none refused, parked or gone.
func checkOutboxIntact(t *testing.T, st *store.Store, drafts []string) {
	t.Helper()
	items := submissionItems(t, st)
	for _, id := range drafts {
		its := items[id]
		if len(its) != 1 {
			t.Errorf("draft %s has %d submissions", id, len(its))
			continue
		}
		d, err := st.Draft(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case its[0].state == citizen.OutboxPending.String() && d.State == citizen.DraftQueued:
		case its[0].state == citizen.OutboxDone.String() && d.State == citizen.DraftSent:
		default:
			t.Errorf("draft %s is %v, its submission %s (%s)", id, d.State, its[0].state, its[0].lastError)
		}
	}
	var attempts int
	if err := st.DB().QueryRowContext(t.Context(), "SELECT coalesce(sum(attempts), 0) FROM outbox").Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 {
		t.Errorf("a full disk counted %d failed attempts against the outbox's items", attempts)
	}
}

// checkDelivered: every submission is done, its draft sent, and the
// backend holds exactly one case for each, the one the app recorded.
func checkDelivered(t *testing.T, st *store.Store, b *servertest.Backend, drafts []string) {
	t.Helper()
	ctx := t.Context()
	items := submissionItems(t, st)
	cases, err := st.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	caseOf := map[string]string{}
	for _, c := range cases {
		caseOf[c.DraftID] = c.ID
	}
	device, err := st.SyncValue(ctx, store.KeyDeviceID)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := loadtest.OpenIndex(b.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	snap, err := idx.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Cases != len(drafts) || len(snap.Keys) != len(drafts) || snap.Orphans != 0 {
		t.Errorf("the backend has %d cases under %d keys (%d without one) for %d submissions", snap.Cases, len(snap.Keys), snap.Orphans, len(drafts))
	}
	for _, id := range drafts {
		its := items[id]
		if len(its) != 1 || its[0].state != citizen.OutboxDone.String() {
			t.Errorf("draft %s: submissions %+v", id, its)
			continue
		}
		if got := snap.Keys[loadtest.ScopedKey{Scope: device, Key: its[0].key}]; got == "" || got != caseOf[id] {
			t.Errorf("draft %s: the backend's case %q, the app's %q", id, got, caseOf[id])
		}
	}
}
