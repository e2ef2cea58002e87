package reliability

import (
	"fmt"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/fill/filltest"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// storageFull is the store's message for a full disk, the English key of
// its translations.
const storageFull = "The device's storage is full. Free some space; nothing was saved."

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
	clock := filltest.NewClock(time.Now())
	var submitted []string
	for _, svc := range []string{"hundesteuer", "maengelmelder", "sperrmuell"} {
		state := newFormState(t, st, cat, svc, clock)
		enterExample(t, st, state)
		if !state.CheckAll() || state.Flush() != nil {
			t.Fatalf("%s: the example does not check or save", svc)
		}
		if _, err := st.Submit(ctx, state.Draft().ID, state.Payload()); err != nil {
			t.Fatal(err)
		}
		submitted = append(submitted, state.Draft().ID)
	}
	typing := []*typedDraft{
		{state: newFormState(t, st, cat, "hundesteuer", clock), clock: clock, pointer: "/breed"},
		{state: newFormState(t, st, cat, "maengelmelder", clock), clock: clock, pointer: "/description"},
	}
	for _, d := range typing {
		if err := d.keystroke(t, "Anfang "); err != nil {
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
		failed = d.keystroke(t, "Labrador Retriever, schwarz; ")
		if failed == nil {
			d.saved = d.typed
		}
	}
	checkFullMessage(t, failed)
	for i := range 3 {
		for _, d := range typing {
			if err := d.keystroke(t, fmt.Sprintf("%d ", i)); err == nil {
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
	// retry (the form's Flush: a step change, leaving) all of the second.
	if err := typing[0].keystroke(t, "fertig"); err != nil {
		t.Fatalf("the next change after space returned: %v", err)
	}
	if err := typing[1].state.Flush(); err != nil {
		t.Fatalf("a retry after space returned: %v", err)
	}
	for _, d := range typing {
		d.saved = d.typed
		d.checkKept(t, st)
	}
	syncUntilSent(t, eng, st, 10) // with space
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
