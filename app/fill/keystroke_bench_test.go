package fill_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"rathaus/app/fill"
	"rathaus/app/store/savetest"
	"rathaus/assets/demotest"
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
	r := newRig(b, "anmeldung-wohnung", demotest.Example(b, "anmeldung-wohnung"))
	st, form, d, clock := r.store, r.form, r.draft, r.clock
	saves := &timedSaver{Saver: st}
	s := fill.New(form, d, "de", saves, fill.WithClock(clock))
	// The draft was opened and changed once: the first save read the row
	// and queued the copy for the other devices, which the keystrokes
	// ride on (as in BenchmarkAutosave).
	s.GoTo(demotest.Step(b, form, "wohnung"))
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

	raw := savetest.NewRaw(b, d.ID, s.Values(), "landlord_name", typed)
	savetest.EmptyWALs(b, st.DB(), raw.DB)
	saves.reset()

	rng := rand.New(rand.NewPCG(1, 2))
	word := 0
	handler, screens := make([]time.Duration, b.N), make([]time.Duration, b.N)
	var keyBytes int64
	keystroke := func(i int) {
		w := savetest.WChar(b)
		start := time.Now()
		s.Set("/landlord_name", typed(i))
		mid := time.Now()
		screen()
		end := time.Now()
		handler[i], screens[i] = end.Sub(start), end.Sub(mid)
		clock.Advance(gap(rng, &word)) // the timer's saves, when due
		keyBytes += savetest.WChar(b) - w
	}
	b.ResetTimer()
	savetest.Interleave(b.N, keystroke, func(i int) { raw.Upsert(b, i) })
	b.StopTimer()
	if st := s.SaveStatus(); st.Err != nil {
		b.Fatal(st.Err)
	}
	commits := saves.times()
	b.ReportMetric(0, "ns/op") // the loop times both; the figures are below
	b.ReportMetric(savetest.Percentile(handler, 50), "handler-p50-µs")
	b.ReportMetric(savetest.Percentile(handler, 99), "handler-p99-µs")
	b.ReportMetric(savetest.Percentile(screens, 50), "screen-p50-µs")
	b.ReportMetric(float64(len(commits))*100/float64(b.N), "commits/100keys")
	if len(commits) > 0 {
		b.ReportMetric(savetest.Percentile(commits, 50), "save-p50-µs")
		b.ReportMetric(savetest.Percentile(commits, 99), "save-p99-µs")
	}
	b.ReportMetric(float64(keyBytes)/float64(b.N), "B/key")
	b.ReportMetric(savetest.Percentile(raw.Times, 50), "raw-p50-µs")
	b.ReportMetric(savetest.Percentile(raw.Times, 99), "raw-p99-µs")
	b.ReportMetric(float64(raw.Bytes)/float64(b.N), "raw-B/key")
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
