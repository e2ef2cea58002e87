package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// testConcurrency runs what several server processes do at once on one
// store: one key retried from everywhere, many keys, readers following the
// feed while it grows, staff moving one case, devices merging one draft.
func testConcurrency(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("one key", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		const n = 32
		var wg sync.WaitGroup
		cases := make([]api.Case, n)
		replays := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				// Half anonymous, half from d_a: one case per scope.
				c := newCase(caseID(i))
				if i%2 == 1 {
					c.Device = "d_a"
				}
				cases[i], replays[i], errs[i] = s.CreateCase(ctx, "same", hash("a"), c)
			})
		}
		wg.Wait()
		fresh := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("goroutine %d: %v", i, errs[i])
			}
			if !replays[i] {
				fresh++
			}
			if !reflect.DeepEqual(cases[i], cases[i%2]) {
				t.Errorf("goroutine %d got case %+v, goroutine %d got %+v", i, cases[i], i%2, cases[i%2])
			}
		}
		if fresh != 2 {
			t.Errorf("%d goroutines created a case, want exactly 2 (one per scope)", fresh)
		}
		if c, err := s.CountCases(ctx); err != nil || c != 2 {
			t.Errorf("CountCases = %d, %v; want 2", c, err)
		}
	})

	t.Run("many keys, numbers and the feed", func(t *testing.T) {
		// Four devices of one account make cases and draft copies at once;
		// their changes all go into the feed, and none of them waits for
		// another but for the feed itself.
		s := open(t)
		devices := []server.Device{{ID: "d_0"}, {ID: "d_1"}, {ID: "d_2"}, {ID: "d_3"}}
		for i := range devices {
			addDevice(t, s, devices[i].ID)
			devices[i].Account = "acc1"
		}
		if err := s.LinkDevices(ctx, "acc1", "d_0", "d_1", "d_2", "d_3"); err != nil {
			t.Fatal(err)
		}
		const writers, perWriter = 8, 16
		var done atomic.Bool
		var readers, wg sync.WaitGroup
		// Each reader follows one device's feed by its cursor while the
		// changes are made, as a device polling would.
		followed := make([][]api.Change, len(devices))
		readErrs := make([]error, len(devices))
		for i, d := range devices {
			readers.Go(func() {
				var since int64
				for {
					last := done.Load()
					page, _, err := s.Changes(ctx, d, since, 5)
					if err != nil {
						readErrs[i] = err
						return
					}
					followed[i] = append(followed[i], page...)
					switch {
					case len(page) > 0:
						since = page[len(page)-1].Seq
					case last:
						return
					default:
						time.Sleep(time.Millisecond) // let the writers run
					}
				}
			})
		}
		var numbers []string
		var mu sync.Mutex
		errs := make([]error, writers)
		for w := range writers {
			wg.Go(func() {
				for j := range perWriter {
					i := w*perWriter + j
					d := devices[i/2%len(devices)] // a case and a draft each
					if j%2 == 1 {
						id := fmt.Sprintf("draft-%d", i)
						if _, err := s.PutDraft(ctx, d, id, mergeFields(d, id, field("name", "x", int64(i), d.ID))); err != nil {
							errs[w] = err
							return
						}
						continue
					}
					got, replayed, err := s.CreateCase(ctx, fmt.Sprintf("key-%d", i), hash("a"), deviceCase(caseID(i), d.ID))
					if err == nil && replayed {
						err = fmt.Errorf("case %d was a replay", i)
					}
					if err != nil {
						errs[w] = err
						return
					}
					mu.Lock()
					numbers = append(numbers, got.Number)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		done.Store(true)
		readers.Wait()
		for _, err := range append(errs, readErrs...) {
			if err != nil {
				t.Fatal(err)
			}
		}

		// Every number once, and none skipped.
		slices.Sort(numbers)
		for i, got := range numbers {
			if want := fmt.Sprintf("2026-%06d", i+1); got != want {
				t.Fatalf("sorted case numbers[%d] = %s, want %s (all: %v)", i, got, want, numbers)
			}
		}
		// What a device saw while following is its whole feed, in order:
		// no change appeared behind a cursor that had moved past it.
		const cases, draftsByOthers = writers * perWriter / 2, writers * perWriter / 2 * 3 / 4
		for i, d := range devices {
			all := feed(t, s, d, 0, 1000)
			if len(all) != cases+draftsByOthers {
				t.Errorf("%s: %d changes, want %d", d.ID, len(all), cases+draftsByOthers)
			}
			if !reflect.DeepEqual(followed[i], all) {
				t.Errorf("%s: followed %d changes %v,\nbut the feed holds %d: %v", d.ID, len(followed[i]), seqs(followed[i]), len(all), seqs(all))
			}
		}
	})

	t.Run("one upload named by several cases", func(t *testing.T) {
		// Each case claims the upload in its own transaction: one gets it,
		// the others find it in use - none fails otherwise (two
		// transactions that both read the row before claiming it would
		// deadlock).
		s := open(t)
		addDevice(t, s, "d_a")
		u := server.Upload{ID: "u_1", Size: 100, SHA256: fmt.Sprintf("%064x", 1), Filename: "a.jpg",
			Filetype: "image/jpeg", Created: created, Device: "d_a"}
		if err := s.CreateUpload(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishUpload(ctx, u.ID, created); err != nil {
			t.Fatal(err)
		}
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				c := deviceCase(caseID(i), "d_a")
				c.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: u.ID, Size: u.Size, SHA256: u.SHA256}}
				_, _, errs[i] = s.CreateCase(ctx, fmt.Sprintf("key-%d", i), hash("a"), c)
			})
		}
		wg.Wait()
		made := 0
		for i, err := range errs {
			if err == nil {
				made++
				continue
			}
			if ae, ok := errors.AsType[*server.AttachmentError](err); !ok || ae.Reason != server.AttachmentInUse {
				t.Errorf("case %d: %v, want made or the upload in use", i, err)
			}
		}
		if c, err := s.CountCases(ctx); made != 1 || err != nil || c != 1 {
			t.Errorf("%d of %d cases were made, CountCases = %d, %v; want exactly one", made, n, c, err)
		}
	})

	t.Run("one case moved by several", func(t *testing.T) {
		s := open(t)
		made := mustCreate(t, s, "k", newCase(caseID(1)))
		const n = 8
		var wg sync.WaitGroup
		var moved atomic.Int32
		for range n {
			wg.Go(func() {
				_, err := s.SetCaseStatus(ctx, made.ID, api.CaseEvent{Status: api.StatusInReview, At: created},
					func(current string) error {
						if current != api.StatusReceived {
							return fmt.Errorf("already %s", current)
						}
						return nil
					})
				if err == nil {
					moved.Add(1)
				}
			})
		}
		wg.Wait()
		got, _, err := s.ReplayCase(ctx, "", "k", hash("a"))
		if moved.Load() != 1 || err != nil || len(got.History) != 2 {
			t.Errorf("%d of %d moved the case; its history %+v, %v; want exactly one move", moved.Load(), n, got.History, err)
		}
	})

	t.Run("one draft merged by several", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		if err := s.LinkDevices(ctx, "acc1", "d_a", "d_b"); err != nil {
			t.Fatal(err)
		}
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				d := server.Device{ID: "d_a", Account: "acc1"}
				_, errs[i] = s.PutDraft(ctx, d, "draft-1", mergeFields(d, "draft-1", field(fmt.Sprintf("f%02d", i), "x", int64(i), "d_a")))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("PutDraft %d: %v", i, err)
			}
		}
		got := putDraft(t, s, server.Device{ID: "d_a", Account: "acc1"}, "draft-1", api.DraftCopy{})
		if len(got.Fields) != n {
			t.Errorf("the draft has fields %v, want all %d: a merge lost another's", fieldNames(got), n)
		}
		if changes := feed(t, s, server.Device{ID: "d_b", Account: "acc1"}, 0, 1000); len(changes) != n {
			t.Errorf("d_b got %d draft changes, want %d", len(changes), n)
		}
	})
}

func seqs(cs []api.Change) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.Seq
	}
	return out
}
