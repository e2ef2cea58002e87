package store_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/app/store/savetest"
)

var (
	kills     = flag.Int("autosave.kills", 3, "TestSaveDraft_Kill9LosesNoSave: how many times to kill the saving process (-short: 1)")
	killsSeed = flag.Uint64("autosave.seed", 0, "TestSaveDraft_Kill9LosesNoSave: the seed of when to kill (0: from the time)")
)

// The child process: where its database is, and the drafts it saves.
const (
	crashDirEnv    = "RATHAUS_STORE_CRASH_DIR"
	crashDraftsEnv = "RATHAUS_STORE_CRASH_DRAFTS"
)

// TestSaveDraft_Kill9LosesNoSave: this test binary, run again as a child,
// saves two drafts from two goroutines as fast as it can, as keystrokes
// would, and prints each save that returned nil; now and then it
// acknowledges the copies as the engine does, so that saves read the row
// too. It is killed with SIGKILL after a random number of saves and
// restarted on the same files, -autosave.kills times. After each kill,
// every draft holds the last save reported, or the one in flight after
// it, field by field and with its step; the field changed last has the
// latest clock; a copy is pending whenever a field is not synced; and the
// database is intact.
func TestSaveDraft_Kill9LosesNoSave(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(t, dir, strings.Split(os.Getenv(crashDraftsEnv), ","))
		return
	}
	cycles := *kills
	if testing.Short() {
		cycles = 1
	}
	seed := *killsSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("-autosave.seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), openKeyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 2 {
		d := mustDraftIn(t, s, map[string]any{"n": 0.0})
		ids = append(ids, d.ID)
	}
	s.Close()

	last := make([]int, len(ids)) // per draft, the last save reported
	for cycle := range cycles {
		target := 20 + rng.IntN(400)
		reported := runAndKill(t, dir, ids, target, last)
		t.Logf("cycle %d: killed after %d saves reported; last %v", cycle, reported, last)
		checkAfterKill(t, dir, ids, last)
	}
}

// runAndKill starts the child, kills it once it reported target saves,
// and records what it reported in last. It returns how many it reported.
func runAndKill(t *testing.T, dir string, ids []string, target int, last []int) int {
	t.Helper()
	env := []string{crashDirEnv + "=" + dir, crashDraftsEnv + "=" + strings.Join(ids, ",")}
	reported, _ := savetest.KillChild(t, "TestSaveDraft_Kill9LosesNoSave", env, target, 0, func(line string) bool {
		var i, n int
		if _, err := fmt.Sscanf(line, "saved %d %d", &i, &n); err != nil || i < 0 || i >= len(last) {
			return false
		}
		if n != last[i]+1 {
			t.Errorf("draft %d: save %d reported after %d", i, n, last[i])
		}
		last[i] = n
		return true
	})
	return reported
}

// checkAfterKill opens the database as the app would at its next start
// and checks what the killed child left.
func checkAfterKill(t *testing.T, dir string, ids []string, last []int) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), openKeyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var integrity string
	if err := s.DB().QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	items, err := s.DueOutbox(ctx, time.Now().Add(time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		d, err := s.Draft(ctx, id)
		if err != nil || d.Locked {
			t.Fatalf("draft %d: %+v, %v", i, d, err)
		}
		n, _ := d.Values["n"].(float64)
		if int(n) < last[i] || int(n) > last[i]+1 {
			t.Fatalf("draft %d holds save %v; the last reported was %d (one more may have been in flight)", i, n, last[i])
		}
		if int(n) > last[i] {
			t.Logf("draft %d: the save in flight at the kill (%v) was committed", i, n)
		}
		last[i] = int(n) // the next child goes on from here
		if want := crashValues(int(n)); !sameJSONValues(d.Values, want) || d.Step != int(n)%3 {
			t.Errorf("draft %d: values %v step %d, want save %v's: %v step %d", i, d.Values, d.Step, n, want, int(n)%3)
		}
		// The fields the last save changed have the latest clocks.
		latest := []string{"n", "f" + strconv.Itoa(int(n)%5)}
		for k, c := range d.Clocks {
			for _, l := range latest {
				if n > 0 && k != latest[0] && k != latest[1] && c >= d.Clocks[l] {
					t.Errorf("draft %d: %s's clock %q is not earlier than that of %s, changed last (%q)", i, k, c, l, d.Clocks[l])
				}
			}
		}
		unsynced := false
		for k, c := range d.Clocks {
			unsynced = unsynced || d.Synced[k] != c
		}
		pending := 0
		for _, it := range items {
			if it.DraftID == id && it.Kind == citizen.OutboxDraft {
				pending++
			}
		}
		// (A draft only created, never saved, has clocks but no copy yet.)
		if n > 0 && unsynced && pending != 1 || pending > 1 {
			t.Errorf("draft %d: fields not yet synced %v, pending copies %d", i, unsynced, pending)
		}
	}
}

// crashValues are a draft's values after save n: each save sets n and one
// of five fields.
func crashValues(n int) map[string]any {
	v := map[string]any{"n": float64(n)}
	for m := max(1, n-4); m <= n; m++ {
		v["f"+strconv.Itoa(m%5)] = "v" + strconv.Itoa(m)
	}
	return v
}

func sameJSONValues(a, b map[string]any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func mustDraftIn(tb testing.TB, s *store.Store, values map[string]any) *citizen.Draft {
	tb.Helper()
	d := citizen.NewDraft(dogTax, time.Now())
	d.Values = values
	if err := s.CreateDraft(context.Background(), d); err != nil {
		tb.Fatalf("create draft: %v", err)
	}
	return d
}

// crashChild saves until it is killed.
func crashChild(t *testing.T, dir string, ids []string) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), openKeyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			d, err := s.Draft(ctx, id)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			values := d.Values // the screen's map, changed in place
			n, _ := values["n"].(float64)
			for k := int(n) + 1; ; k++ {
				values["n"] = float64(k)
				values["f"+strconv.Itoa(k%5)] = "v" + strconv.Itoa(k)
				if err := s.SaveDraft(ctx, id, values, k%3); err != nil {
					fmt.Fprintln(os.Stderr, "save:", err)
					os.Exit(2)
				}
				fmt.Fprintf(os.Stdout, "saved %d %d\n", i, k) // one write(2): the parent sees it or not
				if i == 0 && k%25 == 0 {
					ackCopies(ctx, s, id)
				}
			}
		})
	}
	wg.Wait()
}

// ackCopies acknowledges the draft's pending copy as the engine does when
// the backend took it unchanged.
func ackCopies(ctx context.Context, s *store.Store, id string) {
	items, err := s.DueOutbox(ctx, time.Now().Add(time.Hour), true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "outbox:", err)
		os.Exit(2)
	}
	for _, it := range items {
		if it.DraftID != id || it.Kind != citizen.OutboxDraft {
			continue
		}
		sent, ok, err := s.DraftCopy(ctx, id)
		if err == nil {
			if !ok {
				sent = api.DraftCopy{ID: id}
			}
			err = s.AckDraftCopy(ctx, it.ID, sent, sent)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ack:", err)
			os.Exit(2)
		}
	}
}
