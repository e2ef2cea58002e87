package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/assets"
)

// BenchmarkAutosave: one keystroke on the largest demo form
// (anmeldung-wohnung with its example), as the form screen saves it:
// change a field, SaveDraft (durable: WAL, synchronous=FULL). Against it,
// in the same run and interleaved with it, a raw upsert of the same
// sealed bytes into a one-table database with the same durability. The
// variant "validate" adds what the screen does per keystroke besides
// saving: validate the pruned values. Run with -benchtime 2000x or more,
// so that p99 is not the slowest of a handful.
//
// Metrics: p50 and p99 in µs of the save and of the raw upsert, their
// ratios, and the bytes handed to write(2) per keystroke (WAL frames, and
// checkpoints into the main file when they fall due).
func BenchmarkAutosave(b *testing.B) {
	for _, validate := range []bool{false, true} {
		name := "save"
		if validate {
			name = "save+validate"
		}
		b.Run(name, func(b *testing.B) { benchAutosave(b, validate) })
	}
}

func benchAutosave(b *testing.B, validate bool) {
	ctx := context.Background()
	form := demoForm(b, "anmeldung-wohnung")
	values, err := assets.DemoExample("anmeldung-wohnung")
	if err != nil {
		b.Fatal(err)
	}
	f := MustOpen(b)
	d := citizen.NewDraft(api.Service{ID: form.Def.ID, Form: api.FormRef{ID: form.Def.ID, Version: form.Def.Version}}, time.Now())
	d.Values = values
	if err := f.CreateDraft(ctx, d); err != nil {
		b.Fatal(err)
	}
	// The draft was opened and changed once: the first save read the row
	// and queued the copy for the other devices, which the keystrokes
	// ride on (the copy is built when it is sent).
	d.Values["email"] = "anna.kowalska@example.org"
	if err := f.SaveDraft(ctx, d.ID, d.Values, 2); err != nil {
		b.Fatal(err)
	}
	const text = "Wohnungsbau Musterstadt GmbH, Verwaltung Nord"
	typed := func(i int) string { return text[:1+i%len(text)] }

	raw := openRaw(b)
	// Each keystroke's bytes differ (a new value, a new nonce), as the
	// store's do: identical bytes would make SQLite write nothing. Sealed
	// before the clock starts.
	key := make([]byte, secrets.KeySize)
	sealer, _ := secrets.NewSealer(key)
	sealed := make([][]byte, b.N)
	for i := range sealed {
		v := map[string]any{}
		for k, x := range values {
			v[k] = x
		}
		v["landlord_name"] = typed(i)
		plain, _ := json.Marshal(v)
		sealed[i], _ = sealer.Seal(plain, []byte("draft:"+d.ID))
	}

	// Both WALs start empty: the store's holds its schema until the first
	// checkpoint, which would count as written by a keystroke.
	for _, db := range []*sql.DB{f.DB(), raw} {
		if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
	}
	saves, raws := make([]time.Duration, b.N), make([]time.Duration, b.N)
	var saveBytes, rawBytes int64
	save := func(i int) {
		w := wchar(b)
		start := time.Now()
		formschema.Set(d.Values, "/landlord_name", typed(i))
		if err := f.SaveDraft(ctx, d.ID, d.Values, 2); err != nil {
			b.Fatal(err)
		}
		if validate {
			_ = form.Validate(form.Prune(d.Values))
		}
		saves[i] = time.Since(start)
		saveBytes += wchar(b) - w
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
			save(i)
			upsert(i)
		} else {
			upsert(i)
			save(i)
		}
	}
	b.StopTimer()
	sp50, sp99, rp50, rp99 := percentile(saves, 50), percentile(saves, 99), percentile(raws, 50), percentile(raws, 99)
	b.ReportMetric(0, "ns/op") // the loop times both; the figures are below
	b.ReportMetric(sp50, "save-p50-µs")
	b.ReportMetric(sp99, "save-p99-µs")
	b.ReportMetric(rp50, "raw-p50-µs")
	b.ReportMetric(rp99, "raw-p99-µs")
	b.ReportMetric(sp50/rp50, "p50-ratio")
	b.ReportMetric(sp99/rp99, "p99-ratio")
	b.ReportMetric(float64(saveBytes)/float64(b.N), "save-B/key")
	b.ReportMetric(float64(rawBytes)/float64(b.N), "raw-B/key")
}

// openRaw opens a one-table database with the store's durability (WAL,
// synchronous=FULL) beside nothing else.
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
