package reliability

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/server/loadtest"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// What TestAppCrash holds the app's data to: after each kill (check), and
// after the last, once the engine drained the outbox (drain, checkBackend).

// check opens what the killed driver left, as the app's next start would,
// and holds it to what the store acknowledged.
func (m *appModel) check(t *testing.T, cycle int) {
	t.Helper()
	ctx := t.Context()
	keys, err := openAppKeys(m.dir)
	if err != nil {
		t.Fatalf("the secret store does not open: %v", err)
	}
	st, err := store.Open(ctx, filepath.Join(m.dir, "rathaus.db"), keys)
	if err != nil {
		t.Fatalf("the database does not open with its key: %v", err)
	}
	defer st.Close()
	checkIntegrity(t, st)
	if m.installID != "" && st.InstallID() != m.installID {
		t.Errorf("install id %s, before %s: the database was made anew", st.InstallID(), m.installID)
	}
	m.installID = st.InstallID()
	token, err := keys.Get(appDeviceSecret(m.installID))
	switch {
	case err != nil && !errors.Is(err, secrets.ErrNotFound):
		t.Errorf("reading the device credential: %v", err)
	case m.token != "" && token != m.token:
		t.Errorf("the device credential changed: the device lost its identity")
	case token != "":
		m.token = token
	}
	deviceID, err := st.SyncValue(ctx, store.KeyDeviceID)
	switch {
	case err != nil:
		t.Errorf("reading the device id: %v", err)
	case m.deviceID != "" && deviceID != m.deviceID:
		t.Errorf("device id %s, before %s", deviceID, m.deviceID)
	case deviceID != "":
		m.deviceID = deviceID
	}
	stored, err := st.Drafts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keysOf := submissionItems(t, st)
	byID := map[string]*citizen.Draft{}
	for _, d := range stored {
		byID[d.ID] = d
		if m.drafts[d.ID] == nil {
			if !m.creating[d.ID] {
				t.Errorf("draft %s is in the store, but the driver never created it", d.ID)
				continue
			}
			// Created in the run the kill ended, before the store returned.
			m.drafts[d.ID] = &draftModel{acked: valuesDigest(map[string]any{}, 0)}
		}
	}
	m.creating = map[string]bool{}
	for id, dm := range m.drafts {
		d := byID[id]
		if d == nil {
			t.Errorf("draft %s: the store acknowledged its creation, and it is gone", id)
			continue
		}
		if d.Locked {
			t.Errorf("draft %s cannot be unsealed with the data key", id)
			continue
		}
		got := valuesDigest(d.Values, d.Step)
		if got != dm.acked && !slices.Contains(dm.maybe, got) {
			t.Errorf("draft %s (%s): it holds values %s (step %d), neither those of the last save acknowledged (%s) nor of one in flight (%v)",
				id, d.Service, got, d.Step, dm.acked, dm.maybe)
		}
		dm.acked, dm.maybe = got, nil
		items := keysOf[id]
		switch {
		case d.State == citizen.DraftRejected:
			t.Errorf("draft %s was refused by the backend: %+v", id, d.Problem)
		case len(items) > 1:
			t.Errorf("draft %s has %d submissions", id, len(items))
		case d.State.Editable() && dm.key != "":
			t.Errorf("draft %s: its submission was acknowledged (key %s), and it is editable again", id, dm.key)
		case d.State.Editable() && len(items) > 0:
			t.Errorf("draft %s is editable and has a submission", id)
		case !d.State.Editable() && len(items) == 0:
			t.Errorf("draft %s is %v without a submission", id, d.State)
		case !d.State.Editable() && dm.key == "" && !dm.submitting:
			t.Errorf("draft %s is %v, but the driver never submitted it", id, d.State)
		case !d.State.Editable() && dm.key != "" && items[0].key != dm.key:
			t.Errorf("draft %s: submitted under key %s, the store has %s", id, dm.key, items[0].key)
		case !d.State.Editable():
			dm.key = items[0].key
		}
		dm.submitting = false
		for _, it := range items {
			if it.state == citizen.OutboxFailed.String() {
				t.Errorf("draft %s: its submission failed: %s", id, it.lastError)
			}
		}
		checkAttachments(t, st, d)
	}
	m.sentRunning = 0
	for _, items := range keysOf {
		for _, it := range items {
			if it.state == citizen.OutboxDone.String() {
				m.sentRunning++
			}
		}
	}
	if t.Failed() {
		t.Logf("cycle %d: %d drafts, %d saves acknowledged so far", cycle, len(m.drafts), m.saves)
	}
}

func checkIntegrity(t *testing.T, st *store.Store) {
	t.Helper()
	rows, err := st.DB().Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if len(out) != 1 || out[0] != "ok" {
		t.Errorf("integrity_check: %s", strings.Join(out, "; "))
	}
}

// submissionItem is a submission in the app's outbox.
type submissionItem struct {
	key, state, lastError string
}

// submissionItems are the outbox's submissions (done ones too), by draft.
func submissionItems(t *testing.T, st *store.Store) map[string][]submissionItem {
	t.Helper()
	rows, err := st.DB().QueryContext(t.Context(), `SELECT draft_id, idempotency_key, state, last_error FROM outbox WHERE kind = ? ORDER BY id`,
		citizen.OutboxSubmission.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]submissionItem{}
	for rows.Next() {
		var draft string
		var it submissionItem
		if err := rows.Scan(&draft, &it.key, &it.state, &it.lastError); err != nil {
			t.Fatal(err)
		}
		out[draft] = append(out[draft], it)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAttachments: every file a draft's values name is on the device,
// with the checksum the value carries.
func checkAttachments(t *testing.T, st *store.Store, d *citizen.Draft) {
	t.Helper()
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			id, okID := x["id"].(string)
			sum, okSum := x["sha256"].(string)
			if okID && okSum {
				a, err := st.Attachment(t.Context(), id)
				switch {
				case err != nil:
					t.Errorf("draft %s names file %s: %v", d.ID, id, err)
				case a.SHA256 != sum:
					t.Errorf("draft %s names file %s with checksum %s, the file has %s", d.ID, id, sum, a.SHA256)
				}
				return
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(any(d.Values))
}

// syncUntilSent runs the engine's passes until nothing in the outbox is
// due, at most passes of them.
func syncUntilSent(t *testing.T, eng *engine.Engine, st *store.Store, passes int) {
	t.Helper()
	ctx := t.Context()
	for pass := 1; ; pass++ {
		err := eng.Sync(ctx)
		due, derr := st.DueOutbox(ctx, time.Now(), true)
		if derr != nil {
			t.Fatal(derr)
		}
		if len(due) == 0 {
			return
		}
		if pass == passes {
			t.Fatalf("after %d passes %d items still wait; the last pass: %v", pass, len(due), err)
		}
	}
}

// drain starts the app once more and lets the real engine send what is
// left, pass after pass, until the outbox is empty. It returns the number
// of submissions the outbox holds.
func (m *appModel) drain(t *testing.T, b *servertest.Backend) int {
	t.Helper()
	ctx := t.Context()
	keys, err := openAppKeys(m.dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(m.dir, "rathaus.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	syncUntilSent(t, engine.New(st, portal.New(b.URL), upload.New(b.URL), keys), st, 20)
	deviceID, err := st.SyncValue(ctx, store.KeyDeviceID)
	switch {
	case err != nil:
		t.Fatal(err)
	case m.deviceID != "" && deviceID != m.deviceID:
		t.Errorf("device id %s after the drain, before %s", deviceID, m.deviceID)
	}
	m.deviceID = deviceID
	n := 0
	for id, items := range submissionItems(t, st) {
		for _, it := range items {
			n++
			if it.state != citizen.OutboxDone.String() {
				t.Errorf("draft %s: its submission is %s after the drain: %s", id, it.state, it.lastError)
			}
		}
	}
	cases, err := st.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m.caseOf = map[string]string{}
	for _, c := range cases {
		m.caseOf[c.DraftID] = c.ID
	}
	for id, dm := range m.drafts {
		if dm.key == "" {
			continue
		}
		if d, err := st.Draft(ctx, id); err != nil || d.State != citizen.DraftSent || d.CaseNumber == "" {
			t.Errorf("draft %s: submitted, and not sent with a case number after the drain (%v)", id, err)
		}
	}
	m.items = submissionItems(t, st)
	return n
}

// checkBackend: the backend holds one case per submission the app made,
// each under its idempotency key and the app's device, and no other case.
func checkBackend(t *testing.T, m *appModel, dbPath string, delivered int) {
	t.Helper()
	idx, err := loadtest.OpenIndex(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Integrity(t.Context()); err != nil {
		t.Error(err)
	}
	snap, err := idx.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Orphans != 0 {
		t.Errorf("%d cases have no idempotency key", snap.Orphans)
	}
	if snap.Cases != delivered || len(snap.Keys) != delivered {
		t.Errorf("the backend has %d cases under %d keys; the app submitted %d", snap.Cases, len(snap.Keys), delivered)
	}
	for draft, items := range m.items {
		for _, it := range items {
			k := loadtest.ScopedKey{Scope: m.deviceID, Key: it.key}
			got, ok := snap.Keys[k]
			switch {
			case !ok:
				t.Errorf("draft %s: no case under key %s of device %s", draft, it.key, m.deviceID)
			case got != m.caseOf[draft]:
				t.Errorf("draft %s: the backend's case is %s, the app recorded %s", draft, got, m.caseOf[draft])
			}
		}
	}
	for id, dm := range m.drafts {
		if dm.key != "" && len(m.items[id]) == 0 {
			t.Errorf("draft %s: submitted under %s, not in the outbox", id, dm.key)
		}
	}
}
