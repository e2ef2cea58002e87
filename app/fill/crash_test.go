package fill_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/app/store/savetest"
	"rathaus/assets/demotest"
)

var (
	crashKills = flag.Int("crash.kills", 5, "TestKill9LosesNothingReportedSaved: how many times to kill the typing process (-short: 2)")
	crashSeed  = flag.Uint64("crash.seed", 0, "TestKill9LosesNothingReportedSaved: the seed of when to kill and of the typing (0: from the time)")
)

// The child process: where its database is, the draft it types into and
// its seed.
const (
	crashDirEnv   = "RATHAUS_FILL_CRASH_DIR"
	crashDraftEnv = "RATHAUS_FILL_CRASH_DRAFT"
	crashSeedEnv  = "RATHAUS_FILL_CRASH_SEED"
)

// TestKill9LosesNothingReportedSaved: this test binary, run again as a
// child, types into a form through fill.State and the real store, as a
// citizen would, only faster: a keystroke every 0 to 3 ms, now and then a
// pause of up to 12 ms, with saves coalesced after 2 ms of quiet (at most
// 8 ms apart) on the timer's goroutine, and now and then "next" (refused:
// the step is incomplete), which saves at once. Whenever the state says
// everything is saved (as the form's line would say "saved at"), the
// child prints the keystroke it is at. It is killed with SIGKILL a random
// moment after a random number of those, and started again on the same
// files. After each kill the draft holds at least the last keystroke
// reported saved, and nothing that was never typed.
func TestKill9LosesNothingReportedSaved(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
		typeUntilKilled(t, dir, os.Getenv(crashDraftEnv), seed)
		return
	}
	cycles := *crashKills
	if testing.Short() {
		cycles = 2
	}
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("-crash.seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	dir := t.TempDir()
	s := openCrashStore(t, dir)
	svc := api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: demotest.Form(t, "hundesteuer").Def.Version}}
	d := citizen.NewDraft(svc, time.Now())
	d.Values = map[string]any{"given_name": "k0"}
	if err := s.CreateDraft(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	s.Close()

	last := 0 // the last keystroke reported saved
	for cycle := range cycles {
		target, wait := 5+rng.IntN(60), time.Duration(rng.IntN(5000))*time.Microsecond
		reported := typeAndKill(t, dir, d.ID, target, wait, rng.Uint64(), &last)
		stored := storedKeystroke(t, dir, d.ID)
		t.Logf("cycle %d: killed after %d reports, the last for keystroke %d; the draft holds keystroke %d", cycle, reported, last, stored)
		if stored < last {
			t.Fatalf("cycle %d: the draft holds keystroke %d, but %d was reported saved", cycle, stored, last)
		}
		last = stored // the next child types on from what is there
	}
}

// typeAndKill starts the child, kills it wait after it reported target
// saves, and moves last to the last keystroke reported saved. It returns
// how many reports it read.
func typeAndKill(t *testing.T, dir, id string, target int, wait time.Duration, seed uint64, last *int) int {
	t.Helper()
	env := []string{crashDirEnv + "=" + dir, crashDraftEnv + "=" + id, crashSeedEnv + "=" + strconv.FormatUint(seed, 10)}
	reported, stderr := savetest.KillChild(t, "TestKill9LosesNothingReportedSaved", env, target, wait, func(line string) bool {
		var k int
		if _, err := fmt.Sscanf(line, "saved %d", &k); err != nil {
			return false
		}
		if k < *last {
			t.Errorf("keystroke %d reported saved after %d", k, *last)
		}
		*last = k
		return true
	})
	if stderr != "" { // under -race, the child's reports land here
		t.Errorf("the child wrote to stderr:\n%s", stderr)
	}
	return reported
}

// storedKeystroke opens the database as the app would at its next start
// and reads which keystroke the draft holds.
func storedKeystroke(t *testing.T, dir, id string) int {
	t.Helper()
	s := openCrashStore(t, dir)
	defer s.Close()
	var integrity string
	if err := s.DB().QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	d, err := s.Draft(context.Background(), id)
	if err != nil || d.Locked {
		t.Fatalf("draft: %+v, %v", d, err)
	}
	v, _ := d.Values["given_name"].(string)
	k, err := strconv.Atoi(strings.TrimPrefix(v, "k"))
	if err != nil || !strings.HasPrefix(v, "k") {
		t.Fatalf("the draft's given name is %q: never typed", v)
	}
	if other := d.Values["city"]; other != nil && other != "Musterstadt" {
		t.Errorf("the draft's city is %v: never typed", other)
	}
	return k
}

// typeUntilKilled is the child: it types into the draft until it is
// killed. Its main goroutine plays the UI's: the timer's saves tell it
// through a channel (as fyne.Do would), and it asks the state there.
func typeUntilKilled(t *testing.T, dir, id string, seed uint64) {
	ctx := context.Background()
	s := openCrashStore(t, dir)
	d, err := s.Draft(ctx, id)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	v, _ := d.Values["given_name"].(string)
	k, _ := strconv.Atoi(strings.TrimPrefix(v, "k"))
	st := fill.New(demotest.Form(t, "hundesteuer"), d, "en", s, fill.WithDelays(2*time.Millisecond, 8*time.Millisecond))
	saved := make(chan struct{}, 1) // as fyne.Do would hand it on
	st.Notify(func() {
		select {
		case saved <- struct{}{}:
		default:
		}
	})
	report := func() {
		if ss := st.SaveStatus(); !ss.Pending && ss.Err == nil {
			fmt.Fprintf(os.Stdout, "saved %d\n", k) // one write(2): the parent sees it or not
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	for {
		// The line on screen may be looked at any time, not only
		// when a save ends.
		select {
		case <-saved:
		default:
		}
		report()
		k++
		st.Set("/given_name", "k"+strconv.Itoa(k))
		if k%7 == 0 {
			st.Set("/city", "Musterstadt")
		}
		if k%40 == 0 {
			st.Next() // refused (the step is incomplete), and saved
			report()
		}
		pause := time.Duration(rng.IntN(3000)) * time.Microsecond
		if rng.IntN(13) == 0 {
			pause = time.Duration(3000+rng.IntN(9000)) * time.Microsecond // the timer's save falls due
		}
		time.Sleep(pause)
	}
}

func openCrashStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	keys, err := secrets.Open(dir, "rathaus-fill-crash", secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), filepath.Join(dir, "rathaus.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
