package fill_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/fill/filltest"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
)

// BenchmarkKeystroke: one keystroke on the largest demo form
// (anmeldung-wohnung with its example, the landlord's name growing a
// letter at a time, as in app/store's BenchmarkAutosave), through
// fill.State and the real store (WAL, synchronous=FULL), typed at a pace
// on a simulated clock: the saves fall due as they would for a citizen.
// Beside it, interleaved, the raw upsert of BenchmarkAutosave: the same
// sealed bytes into a one-table database with the same durability, one
// commit per keystroke, as the app did before it coalesced.
//
// Paces: steady 150 ms (fast, never pausing: saved every 2 s), steady
// 300 ms (saved every 2 s too: 400 ms of quiet never come), and words
// (120 to 350 ms between letters, words of 4 to 9 letters, then 0.8 to 2 s
// of thinking: saved once a word).
//
// Metrics: the handler, what the UI's goroutine does per keystroke (the
// change, and what the form screen asks after it: each conditional
// field's visibility, each field's message, the position, the save
// status), p50 and p99 in µs, and its screen part alone; the coalesced
// saves (on the timer's goroutine) p50, p99 and per 100 keystrokes; the
// bytes handed to write(2) per keystroke, saves included; the raw
// upsert's p50, p99 and bytes per keystroke. Run with -benchtime 2000x
// or more.
func BenchmarkKeystroke(b *testing.B) {
	paces := []struct {
		name string
		gap  func(rng *rand.Rand, word *int) time.Duration
	}{
		{"steady-150ms", func(*rand.Rand, *int) time.Duration { return 150 * time.Millisecond }},
		{"steady-300ms", func(*rand.Rand, *int) time.Duration { return 300 * time.Millisecond }},
		{"words", func(rng *rand.Rand, word *int) time.Duration {
			if *word--; *word <= 0 {
				*word = 4 + rng.IntN(6)
				return time.Duration(800+rng.IntN(1200)) * time.Millisecond
			}
			return time.Duration(120+rng.IntN(230)) * time.Millisecond
		}},
	}
	for _, p := range paces {
		b.Run(p.name, func(b *testing.B) { benchKeystroke(b, p.gap) })
	}
}

func benchKeystroke(b *testing.B, gap func(rng *rand.Rand, word *int) time.Duration) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "rathaus.db"), secrets.OpenMemory("rathaus-fill-bench"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	forms, err := assets.DemoForms()
	if err != nil {
		b.Fatal(err)
	}
	var form = forms[0]
	for _, f := range forms {
		if f.Def.ID == "anmeldung-wohnung" {
			form = f
		}
	}
	values, err := assets.DemoExample("anmeldung-wohnung")
	if err != nil {
		b.Fatal(err)
	}
	d := citizen.NewDraft(api.Service{ID: form.Def.ID, Form: api.FormRef{ID: form.Def.ID, Version: form.Def.Version}}, time.Now())
	d.Values = values
	if err := st.CreateDraft(ctx, d); err != nil {
		b.Fatal(err)
	}
	clock := filltest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	saves := &timedSaver{Saver: st}
	s := fill.New(form, d, "de", saves, fill.WithClock(clock))
	// The draft was opened and changed once: the first save read the row
	// and queued the copy for the other devices, which the keystrokes
	// ride on (as in BenchmarkAutosave).
	for i, step := range form.Def.Steps {
		if step.ID == "wohnung" {
			s.GoTo(i)
		}
	}
	s.Set("/email", "anna.kowalska@example.org")
	if err := s.Flush(); err != nil {
		b.Fatal(err)
	}
	const text = "Wohnungsbau Musterstadt GmbH, Verwaltung Nord"
	typed := func(i int) string { return text[:1+i%len(text)] }

	// What the form screen shows of the step: its conditional fields are
	// known when it is built.
	var conditional []string
	for _, p := range s.StepPointers(s.Step()) {
		if fd := form.FieldAt(p); fd != nil && fd.ShowWhen != nil {
			conditional = append(conditional, p)
		}
	}
	screen := func() {
		for _, p := range conditional {
			_ = s.FieldShown(p)
		}
		for _, p := range s.StepPointers(s.Step()) {
			_ = s.Message(p)
		}
		_, _ = s.Position()
		_ = s.SaveStatus()
	}

	raw := openRaw(b)
	key := make([]byte, secrets.KeySize)
	sealer, _ := secrets.NewSealer(key)
	sealed := make([][]byte, b.N)
	for i := range sealed {
		v := map[string]any{}
		for k, x := range s.Values() {
			v[k] = x
		}
		v["landlord_name"] = typed(i)
		plain, _ := json.Marshal(v)
		sealed[i], _ = sealer.Seal(plain, []byte("draft:"+d.ID))
	}
	for _, db := range []*sql.DB{st.DB(), raw} {
		if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
	}
	saves.reset()

	rng := rand.New(rand.NewPCG(1, 2))
	word := 0
	handler, screens, raws := make([]time.Duration, b.N), make([]time.Duration, b.N), make([]time.Duration, b.N)
	var keyBytes, rawBytes int64
	keystroke := func(i int) {
		w := wchar(b)
		start := time.Now()
		s.Set("/landlord_name", typed(i))
		mid := time.Now()
		screen()
		end := time.Now()
		handler[i], screens[i] = end.Sub(start), end.Sub(mid)
		clock.Advance(gap(rng, &word)) // the timer's saves, when due
		keyBytes += wchar(b) - w
	}
	upsert := func(i int) {
		w := wchar(b)
		start := time.Now()
		if _, err := raw.Exec(`INSERT INTO raw (id, v) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = excluded.v`, d.ID, sealed[i]); err != nil {
			b.Fatal(err)
		}
		raws[i] = time.Since(start)
		rawBytes += wchar(b) - w
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Interleaved, taking turns to go first, so that both see the
		// same load on a shared machine.
		if i%2 == 0 {
			keystroke(i)
			upsert(i)
		} else {
			upsert(i)
			keystroke(i)
		}
	}
	b.StopTimer()
	if st := s.SaveStatus(); st.Err != nil {
		b.Fatal(st.Err)
	}
	commits := saves.times()
	b.ReportMetric(0, "ns/op") // the loop times both; the figures are below
	b.ReportMetric(percentile(handler, 50), "handler-p50-µs")
	b.ReportMetric(percentile(handler, 99), "handler-p99-µs")
	b.ReportMetric(percentile(screens, 50), "screen-p50-µs")
	b.ReportMetric(float64(len(commits))*100/float64(b.N), "commits/100keys")
	if len(commits) > 0 {
		b.ReportMetric(percentile(commits, 50), "save-p50-µs")
		b.ReportMetric(percentile(commits, 99), "save-p99-µs")
	}
	b.ReportMetric(float64(keyBytes)/float64(b.N), "B/key")
	b.ReportMetric(percentile(raws, 50), "raw-p50-µs")
	b.ReportMetric(percentile(raws, 99), "raw-p99-µs")
	b.ReportMetric(float64(rawBytes)/float64(b.N), "raw-B/key")
}

// timedSaver times each save.
type timedSaver struct {
	fill.Saver
	mu sync.Mutex
	ds []time.Duration
}

func (t *timedSaver) SaveDraft(ctx context.Context, id string, values map[string]any, step int) error {
	start := time.Now()
	err := t.Saver.SaveDraft(ctx, id, values, step)
	t.mu.Lock()
	t.ds = append(t.ds, time.Since(start))
	t.mu.Unlock()
	return err
}

func (t *timedSaver) reset() {
	t.mu.Lock()
	t.ds = nil
	t.mu.Unlock()
}

func (t *timedSaver) times() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.ds)
}

// openRaw opens a one-table database with the store's durability (WAL,
// synchronous=FULL, a statement cache) beside nothing else, as
// BenchmarkAutosave's.
func openRaw(b *testing.B) *sql.DB {
	b.Helper()
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	q.Set("_stmt_cache_size", "32")
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "raw.db")+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE raw (id TEXT PRIMARY KEY, v BLOB NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	return db
}

// percentile is the p-th percentile of ds in µs (nearest rank).
func percentile(ds []time.Duration, p int) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[(len(s)-1)*p/100]) / float64(time.Microsecond)
}

// wchar is the bytes this process handed to write(2) so far.
func wchar(tb testing.TB) int64 {
	tb.Helper()
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		tb.Skip("no /proc/self/io")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	tb.Skip("no wchar in /proc/self/io")
	return 0
}
