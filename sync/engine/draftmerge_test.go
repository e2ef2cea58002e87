package engine_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/server"
	"rathaus/server/servertest"
	"rathaus/sync/portal"
)

var (
	draftsN    = flag.Int("drafts.n", 0, "histories in TestDrafts_DevicesAndBackendAgree (0: draftsDefault; -short: 5)")
	draftsSeed = flag.Uint64("drafts.seed", draftsDefaultSeed, "seed of TestDrafts_DevicesAndBackendAgree (0: a fresh one from the clock)")
)

const (
	draftsDefault     = 30
	draftsDefaultSeed = 20261207
	draftsSteps       = 60 // random steps per history, before it settles
	draftsFields      = 4  // field names the devices edit
)

// TestDrafts_DevicesAndBackendAgree feeds random histories of one draft to
// the real backend (PUT /v1/drafts/{id}, the changes feed) and to three
// devices of one account (app/store on a temp file each): the devices
// edit, clear and delete the draft with clocks that drift apart, send
// their copies and pull the feed as the engine does, while answers are
// lost (the device sends its copy again), requests and feed pages come
// twice, and feed pages are applied late, after newer pages and answers
// (the engine pulls beside the push). Then everything is delivered until
// nothing moves, and
//
//   - the backend holds what it was sent, merged (per field the latest,
//     nothing written before the latest deletion);
//   - every device has the backend's values and clocks, or has the draft
//     deleted exactly when the backend does, and nothing left to send;
//   - a device's last value of a field that lost to another device's
//     value, and was not deleted, is kept as a conflict, on the backend or
//     on that device; the backend keeps no conflict of a value its own
//     device replaced.
//
// Values are unique, so that "lost" is plain. A seed fixes the steps;
// device ids are random, so a tie of two devices' clocks in one
// millisecond may order differently on a rerun:
//
//	go test ./sync/engine -run 'TestDrafts_DevicesAndBackendAgree$' -drafts.seed=SEED -drafts.n=N
func TestDrafts_DevicesAndBackendAgree(t *testing.T) {
	n := *draftsN
	if n == 0 {
		n = draftsDefault
		if testing.Short() {
			n = 5
		}
	}
	seed := *draftsSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	backend := servertest.New(t)
	rng := rand.New(rand.NewPCG(seed, 0))
	var seen mergeTally
	for i := range n {
		h := newHistory(t, backend, rng, i)
		h.seen = &seen
		ok := t.Run(fmt.Sprintf("history %d", i), func(t *testing.T) {
			h.t = t
			for range draftsSteps {
				h.step()
			}
			h.settle()
			h.check()
		})
		h.close()
		if !ok {
			t.Fatalf("seed %d, history %d failed; rerun with -drafts.seed=%d -drafts.n=%d", seed, i, seed, i+1)
		}
	}
	// What the histories went through, so that a change of the steps that
	// stops exercising something shows.
	t.Logf("seed %d, %d histories: %+v", seed, n, seen)
}

// mergeTally counts what the histories of a run went through.
type mergeTally struct {
	LostAnswers, DuplicateRequests, LatePages, DuplicatePages int
	EndedDeleted, EndedRevived                                int // revived: alive after a deletion
	LossesChecked, KeptOnBackend                              int
}

// mergeDevice is one device of the account: its store, its portal client,
// its clock, and the feed pages it has received but not applied yet.
type mergeDevice struct {
	name   string
	store  *store.Store
	portal *portal.Client
	clock  *clock
	held   []func() error
}

// write is one change of a field on a device; value "" clears it.
type write struct {
	device, field, clock, value string
}

type history struct {
	t       *testing.T
	rng     *rand.Rand
	backend *servertest.Backend
	first   server.Device // the first device, to read the backend's copy
	draftID string
	devices []*mergeDevice
	values  int
	writes  []write         // every change made on a device
	sent    []api.DraftCopy // every copy sent to the backend
	log     []string
	seen    *mergeTally
}

func newHistory(t *testing.T, backend *servertest.Backend, rng *rand.Rand, i int) *history {
	t.Helper()
	ctx := context.Background()
	h := &history{t: t, rng: rng, backend: backend}
	start := time.Now().Truncate(time.Millisecond)
	var ids []string
	for _, name := range []string{"a", "b", "c"} {
		// Clocks up to 1.5 s apart, so that a later step may carry an
		// earlier clock.
		c := &clock{t: start.Add(time.Duration(rng.IntN(3000)-1500) * time.Millisecond)}
		st, err := store.Open(ctx, filepath.Join(t.TempDir(), name+".db"), secrets.OpenMemory("rathaus-merge"), store.WithClock(c.Now))
		if err != nil {
			t.Fatal(err)
		}
		p := portal.New(backend.URL, portal.WithTimeout(10*time.Second))
		dev, err := p.RegisterDevice(ctx, api.DeviceRequest{Platform: "linux", AppVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		p.SetToken(dev.Token)
		ids = append(ids, dev.ID)
		h.devices = append(h.devices, &mergeDevice{name: name, store: st, portal: p, clock: c})
	}
	acct := fmt.Sprintf("acct-merge-%d", i)
	backend.LinkDevices(acct, ids...)
	h.first = server.Device{ID: ids[0], Account: acct}

	// Device a starts the draft with a value.
	a := h.devices[0]
	d := citizen.NewDraft(api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}, a.clock.Now())
	if err := a.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	h.draftID = d.ID
	h.edit(a, false)
	return h
}

func (h *history) close() {
	for _, d := range h.devices {
		d.store.Close()
	}
}

func (h *history) logf(format string, args ...any) {
	h.log = append(h.log, fmt.Sprintf(format, args...))
}

func (h *history) fatalf(format string, args ...any) {
	h.t.Helper()
	h.t.Logf("what happened:\n\t%s", strings.Join(h.log, "\n\t"))
	h.t.Fatalf(format, args...)
}

// step lets time pass on every device, then one device does one thing.
func (h *history) step() {
	for _, d := range h.devices {
		d.clock.Advance(time.Duration(h.rng.IntN(400)) * time.Millisecond)
	}
	d := h.devices[h.rng.IntN(len(h.devices))]
	switch p := h.rng.IntN(100); {
	case p < 35:
		h.edit(d, false)
	case p < 45:
		h.edit(d, true)
	case p < 50:
		h.remove(d)
	case p < 70:
		h.push(d, false)
	case p < 90:
		h.pull(d, false)
	default:
		h.deliver(d)
	}
}

// edit gives a field of the device's draft a new value, or clears it.
func (h *history) edit(d *mergeDevice, clear bool) {
	ctx := context.Background()
	dr, err := d.store.Draft(ctx, h.draftID)
	if citizen.ErrorCode(err) == citizen.ENOTFOUND {
		return
	}
	if err != nil {
		h.fatalf("%s: draft: %v", d.name, err)
	}
	values := maps.Clone(dr.Values)
	k := fmt.Sprintf("f%d", h.rng.IntN(draftsFields))
	v := ""
	if clear {
		if _, ok := values[k]; !ok {
			return
		}
		delete(values, k)
	} else {
		h.values++
		v = fmt.Sprintf("%s%d", d.name, h.values)
		values[k] = v
	}
	if err := d.store.SaveDraft(ctx, h.draftID, values, 0); err != nil {
		h.fatalf("%s: save: %v", d.name, err)
	}
	after, err := d.store.Draft(ctx, h.draftID)
	if err != nil {
		h.fatalf("%s: draft: %v", d.name, err)
	}
	h.writes = append(h.writes, write{device: d.store.InstallID(), field: k, clock: after.Clocks[k], value: v})
	h.logf("%s sets %s = %q @%s", d.name, k, v, after.Clocks[k])
}

func (h *history) remove(d *mergeDevice) {
	err := d.store.DeleteDraft(context.Background(), h.draftID)
	if citizen.ErrorCode(err) == citizen.ENOTFOUND {
		return
	}
	if err != nil {
		h.fatalf("%s: delete: %v", d.name, err)
	}
	h.logf("%s deletes the draft", d.name)
}

// push sends the device's pending draft copy as the engine does (its
// deletion, or the fields the backend lacks) and applies the answer, or
// loses it (the copy stays pending and goes again), sometimes after
// sending it twice. The engine applies an answer as it arrives, so only
// feed pages come late (see pull). With reliable set, no answer is lost.
// It reports whether anything was sent.
func (h *history) push(d *mergeDevice, reliable bool) bool {
	ctx := context.Background()
	sentAny := false
	for range 5 { // at most one pending copy per draft; a bound if that breaks
		items, err := d.store.DueOutbox(ctx, d.clock.Now().Add(time.Hour), true)
		if err != nil {
			h.fatalf("%s: outbox: %v", d.name, err)
		}
		var it *citizen.OutboxItem
		for _, x := range items {
			if x.Kind == citizen.OutboxDraft && x.DraftID == h.draftID {
				it = x
				break
			}
		}
		if it == nil {
			return sentAny
		}
		// As the draft copy's Sender (draftcopy.go).
		sent := api.DraftCopy{ID: it.DraftID}
		if p, ok := it.Payload.(*citizen.DraftCopyPayload); ok && p.Tombstone != nil {
			sent = *p.Tombstone
		} else {
			c, ok, err := d.store.DraftCopy(ctx, it.DraftID)
			if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
				h.fatalf("%s: copy: %v", d.name, err)
			}
			if !ok {
				if err := d.store.AckDraftCopy(ctx, it.ID, sent, api.DraftCopy{ID: it.DraftID}); err != nil {
					h.fatalf("%s: ack: %v", d.name, err)
				}
				continue
			}
			sent = c
		}
		sentAny = true
		merged := h.put(d, sent)
		if !reliable && h.rng.IntN(10) == 0 {
			merged = h.put(d, sent) // a duplicate request
			h.seen.DuplicateRequests++
		}
		if !reliable && h.rng.IntN(5) == 0 {
			h.logf("%s loses the answer", d.name)
			h.seen.LostAnswers++
			return sentAny
		}
		if err := d.store.AckDraftCopy(ctx, it.ID, sent, merged); err != nil {
			h.fatalf("%s: ack: %v", d.name, err)
		}
	}
	return sentAny
}

func (h *history) put(d *mergeDevice, c api.DraftCopy) api.DraftCopy {
	h.sent = append(h.sent, c)
	merged, err := d.portal.PutDraft(context.Background(), c)
	if err != nil {
		h.fatalf("%s: PUT: %v", d.name, err)
	}
	h.logf("%s sends %s, gets %s", d.name, copyString(c), copyString(merged))
	return merged
}

// pull applies the changes feed in small pages as the engine does; a page
// may be held back (applied later, out of order, which also sets the
// cursor back so that later pages come twice) or applied twice. With
// reliable set, it pulls to the end. It reports whether any change came.
func (h *history) pull(d *mergeDevice, reliable bool) bool {
	ctx := context.Background()
	came := false
	for {
		cursor, err := d.store.SyncValue(ctx, "changes_cursor")
		if err != nil {
			h.fatalf("%s: cursor: %v", d.name, err)
		}
		page, err := d.portal.Changes(ctx, cursor, 2)
		if err != nil {
			h.fatalf("%s: changes: %v", d.name, err)
		}
		if len(page.Changes) == 0 {
			return came
		}
		came = true
		apply := func() error {
			_, err := d.store.ApplyChanges(ctx, page.Changes, page.Cursor)
			return err
		}
		for _, c := range page.Changes {
			if c.Draft != nil {
				h.logf("%s's feed brings %s", d.name, copyString(*c.Draft))
			}
		}
		if !reliable && h.rng.IntN(4) == 0 {
			h.logf("%s holds the page back", d.name)
			h.seen.LatePages++
			d.held = append(d.held, apply)
			return came
		}
		times := 1
		if !reliable && h.rng.IntN(10) == 0 {
			times = 2
			h.seen.DuplicatePages++
		}
		for range times {
			if err := apply(); err != nil {
				h.fatalf("%s: apply changes: %v", d.name, err)
			}
		}
		if !page.More || page.Cursor == cursor {
			return came
		}
	}
}

// deliver applies one page held back.
func (h *history) deliver(d *mergeDevice) {
	if len(d.held) == 0 {
		return
	}
	i := h.rng.IntN(len(d.held))
	f := d.held[i]
	d.held = slices.Delete(d.held, i, i+1)
	h.logf("%s applies something held back", d.name)
	if err := f(); err != nil {
		h.fatalf("%s: late delivery: %v", d.name, err)
	}
}

// settle delivers everything held, sends everything pending and pulls
// everything new, on every device, until nothing moves.
func (h *history) settle() {
	h.logf("-- settling")
	for round := 0; ; round++ {
		if round == 20 {
			h.fatalf("still moving after %d rounds", round)
		}
		moved := false
		for _, d := range h.devices {
			for len(d.held) > 0 {
				h.deliver(d)
			}
			moved = h.push(d, true) || moved
			moved = h.pull(d, true) || moved
		}
		if !moved {
			return
		}
	}
}
