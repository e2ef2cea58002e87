package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/postgres"
	"rathaus/server/postgres/pgtest"
)

// TestScaleOutOnPostgres runs two rathaus-server processes on one
// PostgreSQL database and one upload folder, behind a round-robin
// balancer, as a municipality scales the backend out.
func TestScaleOutOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	dbURL := pgtest.URL(t)
	shared := t.TempDir()
	const staff = "staff-token-of-the-scale-out-test"
	env := []string{"RATHAUS_DB=" + dbURL, "RATHAUS_STAFF_TOKEN=" + staff}
	a := startServer(t, shared, env)
	b := startServer(t, shared, env)
	lb := roundRobin(t, a.URL(), b.URL())
	c := &client{http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}

	t.Run("submissions, case numbers and feeds", func(t *testing.T) {
		testScaleOutSubmissions(t, c, lb.URL, dbURL, staff)
		if n := lb.served.Load(); n < 100 {
			t.Errorf("the balancer passed on %d requests, want them all", n)
		}
	})
	t.Run("an upload moves from one process to the other", func(t *testing.T) {
		testScaleOutUpload(t, c, a.URL(), b.URL(), lb.URL, shared)
	})
}

// testScaleOutSubmissions: devices submit at once, each submission sent
// twice at once (a retry racing the first attempt), so that the two copies
// usually reach different processes, while every device follows its
// changes feed. Then staff move cases on and two devices of one account
// edit one draft at once.
func testScaleOutSubmissions(t *testing.T, c *client, lb, dbURL, staff string) {
	ctx := context.Background()
	services := plainServices(t)
	var devices []api.Device
	for range 4 {
		a := c.must(t, http.MethodPost, lb+api.PathDevices, nil, []byte(`{"platform":"linux","app_version":"scale-out"}`), http.StatusCreated)
		var d api.Device
		if err := json.Unmarshal(a.body, &d); err != nil {
			t.Fatal(err)
		}
		devices = append(devices, d)
	}
	// The first two belong to one citizen.
	store, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.LinkDevices(ctx, "acc-1", devices[0].ID, devices[1].ID); err != nil {
		t.Fatal(err)
	}

	var done atomic.Bool
	var followers sync.WaitGroup
	followed := make([][]api.Change, len(devices))
	followErrs := make([]error, len(devices))
	for i, d := range devices {
		followers.Go(func() {
			followed[i], followErrs[i] = follow(t, c, lb, d.Token, 7, &done)
		})
	}

	// Who sent what: per scope (a device's id, "" for anonymous), the case
	// each key made.
	const perDevice = 10
	type sent struct {
		scope, key string
		caseID     string
		number     string
	}
	var mu sync.Mutex
	var all []sent
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	var submitters sync.WaitGroup
	senders := append(slices.Clone(devices), api.Device{}) // and an anonymous one
	for i, d := range senders {
		submitters.Go(func() {
			for j := range perDevice {
				svc := services[(i+j)%len(services)]
				key := fmt.Sprintf("scale-%d-%d", i, j)
				body := submission(t, svc, nil)
				header := bearer(d.Token)
				header.Set(api.HeaderIdempotencyKey, key)
				var pair [2]answer
				var pairErr [2]error
				var wg sync.WaitGroup
				for k := range pair {
					wg.Go(func() { pair[k], pairErr[k] = c.do(t, http.MethodPost, lb+api.PathSubmissions, header, body) })
				}
				wg.Wait()
				var cases [2]api.Case
				replays := 0
				for k := range pair {
					switch {
					case pairErr[k] != nil:
						fail(pairErr[k])
						return
					case pair[k].code != http.StatusCreated || json.Unmarshal(pair[k].body, &cases[k]) != nil:
						fail(fmt.Errorf("submission %s = %d %s, want 201 and a case", key, pair[k].code, pair[k].body))
						return
					case pair[k].header.Get(api.HeaderReplayed) == "true":
						replays++
					}
				}
				if cases[0].ID != cases[1].ID || cases[0].Number != cases[1].Number || replays != 1 {
					fail(fmt.Errorf("key %s: cases %s (%s) and %s (%s), %d replays; want one case, one replay",
						key, cases[0].ID, cases[0].Number, cases[1].ID, cases[1].Number, replays))
					return
				}
				mu.Lock()
				all = append(all, sent{d.ID, key, cases[0].ID, cases[0].Number})
				mu.Unlock()
			}
		})
	}
	submitters.Wait()
	if len(errs) > 0 {
		done.Store(true)
		followers.Wait()
		t.Fatalf("%d submissions failed, the first: %v", len(errs), errs[0])
	}

	// Staff move every third case on, through either process.
	staffHeader := bearer(staff)
	moved := map[string]bool{}
	for i, s := range all {
		if i%3 == 0 {
			c.must(t, http.MethodPost, lb+api.PathStaffCases+s.caseID+"/status", staffHeader, []byte(`{"status":"in_review"}`), http.StatusOK)
			moved[s.caseID] = true
		}
	}
	// The account's two devices edit one draft at once.
	var drafts sync.WaitGroup
	draftErrs := make([]error, 2)
	for i := range 2 {
		drafts.Go(func() {
			body := fmt.Sprintf(`{"id":"draft-1","service":"hundesteuer","form":{"id":"hundesteuer","version":2},"fields":{"f%d":{"value":"x","clock":%q}}}`,
				i, api.HLC{Wall: time.Now().UnixMilli(), Device: devices[i].ID}.String())
			a, err := c.do(t, http.MethodPut, lb+api.PathDrafts+"draft-1", bearer(devices[i].Token), []byte(body))
			if err == nil && a.code != http.StatusOK {
				err = fmt.Errorf("PUT draft from %s = %d %s", devices[i].ID, a.code, a.body)
			}
			draftErrs[i] = err
		})
	}
	drafts.Wait()
	for _, err := range draftErrs {
		if err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	followers.Wait()
	for _, err := range followErrs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// One case per key, and case numbers without duplicates or gaps.
	if n, err := store.CountCases(ctx); err != nil || n != len(senders)*perDevice {
		t.Errorf("cases in the database = %d, %v; want one per key, %d", n, err, len(senders)*perDevice)
	}
	var numbers []string
	for _, s := range all {
		numbers = append(numbers, s.number)
	}
	slices.Sort(numbers)
	year := time.Now().UTC().Year()
	for i, n := range numbers {
		if want := fmt.Sprintf("%04d-%06d", year, i+1); n != want {
			t.Fatalf("case numbers %v: [%d] = %s, want %s", numbers, i, n, want)
		}
	}

	// Each device's feed is complete and in order, and what it saw while
	// following it, in pages, is that feed.
	for i, d := range devices {
		final, err := follow(t, c, lb, d.Token, 1000, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seqsOf(followed[i]), seqsOf(final)) {
			t.Errorf("%s followed %v, but its feed is %v", d.ID, seqsOf(followed[i]), seqsOf(final))
		}
		if !slices.IsSorted(seqsOf(final)) {
			t.Errorf("%s: the feed is out of order: %v", d.ID, seqsOf(final))
		}
		mine := map[string]bool{d.ID: true}
		if i < 2 {
			mine = map[string]bool{devices[0].ID: true, devices[1].ID: true}
		}
		var want, got []string
		for _, s := range all {
			if mine[s.scope] {
				want = append(want, s.caseID+" received")
				if moved[s.caseID] {
					want = append(want, s.caseID+" in_review")
				}
			}
		}
		drafts := 0
		for _, ch := range final {
			switch {
			case ch.Case != nil:
				got = append(got, ch.Case.ID+" "+ch.Case.Status)
			case ch.Draft != nil:
				drafts++
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: case changes %v,\nwant %v", d.ID, got, want)
		}
		// Each of the account's devices hears of the other's copy.
		if wantDrafts := map[bool]int{true: 1, false: 0}[i < 2]; drafts != wantDrafts {
			t.Errorf("%s: %d draft changes, want %d", d.ID, drafts, wantDrafts)
		}
	}
	store.Close()
}

// follow reads a device's changes feed from the start, limit at a time, as
// the app does. With done it goes on polling until done is set and a poll
// after that found nothing new; without, it stops at the end.
func follow(t *testing.T, c *client, lb, token string, limit int, done *atomic.Bool) ([]api.Change, error) {
	out := []api.Change{}
	cursor := ""
	for {
		last := done == nil || done.Load()
		a, err := c.do(t, http.MethodGet, fmt.Sprintf("%s%s?since=%s&limit=%d", lb, api.PathChanges, cursor, limit), bearer(token), nil)
		if err != nil {
			return nil, err
		}
		var page api.Changes
		if a.code != http.StatusOK || json.Unmarshal(a.body, &page) != nil {
			return nil, fmt.Errorf("changes = %d %s", a.code, a.body)
		}
		out = append(out, page.Changes...)
		cursor = page.Cursor
		switch {
		case page.More:
		case last:
			return out, nil
		case len(page.Changes) == 0:
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func seqsOf(cs []api.Change) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.Seq)
	}
	return out
}
