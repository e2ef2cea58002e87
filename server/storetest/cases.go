package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

func testCases(t *testing.T, open func(t *testing.T) Store) {
	t.Run("create, replay, reuse", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		first, replayed, err := s.CreateCase(ctx, "key-1", hash("a"), newCase("c_0000000000000001"))
		if err != nil || replayed {
			t.Fatalf("new: CreateCase = replayed %v, err %v; want false, nil", replayed, err)
		}
		received := []api.CaseEvent{{Status: api.StatusReceived, At: created}}
		want := api.Case{ID: "c_0000000000000001", Number: "2026-000001", Service: "hundesteuer",
			Form: api.FormRef{ID: "hundesteuer", Version: 1}, Status: api.StatusReceived, Created: created, History: received}
		if !reflect.DeepEqual(first, want) {
			t.Errorf("new: got %+v, want %+v", first, want)
		}

		tests := []struct {
			name         string
			key          string
			hash         []byte
			id           string
			wantErr      error
			wantReplayed bool
			wantCase     api.Case
			wantCount    int
		}{
			{name: "replay", key: "key-1", hash: hash("a"), id: "c_other", wantReplayed: true, wantCase: want, wantCount: 1},
			{name: "reuse", key: "key-1", hash: hash("b"), id: "c_other2", wantErr: server.ErrKeyReused, wantCount: 1},
			{name: "second key", key: "key-2", hash: hash("a"), id: "c_0000000000000002", wantCount: 2,
				wantCase: api.Case{ID: "c_0000000000000002", Number: "2026-000002", Service: "hundesteuer",
					Form: api.FormRef{ID: "hundesteuer", Version: 1}, Status: api.StatusReceived, Created: created, History: received}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, replayed, err := s.CreateCase(ctx, tt.key, tt.hash, newCase(tt.id))
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if replayed != tt.wantReplayed {
					t.Errorf("replayed = %v, want %v", replayed, tt.wantReplayed)
				}
				if tt.wantErr == nil && !got.Created.Equal(tt.wantCase.Created) {
					t.Errorf("created = %v, want %v", got.Created, tt.wantCase.Created)
				}
				got.Created, tt.wantCase.Created = time.Time{}, time.Time{}
				if !reflect.DeepEqual(got, tt.wantCase) {
					t.Errorf("case = %+v, want %+v", got, tt.wantCase)
				}
				if n, err := s.CountCases(ctx); err != nil || n != tt.wantCount {
					t.Errorf("CountCases = %d, %v; want %d", n, err, tt.wantCount)
				}
			})
		}
	})

	t.Run("a replay answers what the first request got", func(t *testing.T) {
		// Whatever precision a store keeps times in, the first answer and
		// every replay must be the same, byte for byte on the wire.
		ctx := context.Background()
		s := open(t)
		c := newCase(caseID(1))
		c.Created = time.Date(2026, 11, 28, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))
		first := mustCreate(t, s, "k", c)
		if first.Created.Location() != time.UTC {
			t.Errorf("created is in %v, want UTC", first.Created.Location())
		}
		for _, replay := range []func() (api.Case, error){
			func() (api.Case, error) {
				got, _, err := s.CreateCase(ctx, "k", hash("a"), newCase(caseID(2)))
				return got, err
			},
			func() (api.Case, error) {
				got, _, err := s.ReplayCase(ctx, "", "k", hash("a"))
				return got, err
			},
		} {
			got, err := replay()
			if err != nil || !reflect.DeepEqual(got, first) {
				t.Errorf("replay = %+v, %v; want the first answer %+v", got, err, first)
			}
		}
	})

	t.Run("ping and count", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if n, err := s.CountCases(ctx); err != nil || n != 0 {
			t.Errorf("CountCases of a new store = %d, %v; want 0", n, err)
		}
	})
}

func testIdempotency(t *testing.T, open func(t *testing.T) Store) {
	t.Run("ReplayCase", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		if _, found, err := s.ReplayCase(ctx, "", "k1", hash("a")); found || err != nil {
			t.Fatalf("ReplayCase of a new key = found %v, err %v; want not found", found, err)
		}
		made := mustCreate(t, s, "k1", newCase("c_0000000000000001"))
		got, found, err := s.ReplayCase(ctx, "", "k1", hash("a"))
		if err != nil || !found || got.Number != made.Number {
			t.Errorf("ReplayCase = %+v, %v, %v; want the stored case %s", got, found, err, made.Number)
		}
		if _, _, err := s.ReplayCase(ctx, "", "k1", hash("b")); !errors.Is(err, server.ErrKeyReused) {
			t.Errorf("ReplayCase with another hash: err = %v, want ErrKeyReused", err)
		}
	})

	t.Run("scopes", func(t *testing.T) {
		// One key in three scopes: three cases, each found only in its own
		// scope.
		ctx := context.Background()
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		byScope := map[string]api.Case{}
		for i, scope := range []string{"", "d_a", "d_b"} {
			c := deviceCase(caseID(i), scope)
			got, replayed, err := s.CreateCase(ctx, "same-key", hash("a"), c)
			if err != nil || replayed {
				t.Fatalf("CreateCase in scope %q = replayed %v, err %v; want a new case", scope, replayed, err)
			}
			byScope[scope] = got
		}
		for scope, want := range byScope {
			got, found, err := s.ReplayCase(ctx, scope, "same-key", hash("a"))
			if err != nil || !found || got.ID != want.ID {
				t.Errorf("ReplayCase in scope %q = %s, %v, %v; want %s", scope, got.ID, found, err, want.ID)
			}
			// Another hash is a reuse only within the scope.
			if _, _, err := s.ReplayCase(ctx, scope, "same-key", hash("b")); !errors.Is(err, server.ErrKeyReused) {
				t.Errorf("ReplayCase in scope %q with another hash: %v, want ErrKeyReused", scope, err)
			}
		}
		if _, found, err := s.ReplayCase(ctx, "d_c", "same-key", hash("a")); found || err != nil {
			t.Errorf("ReplayCase in a fourth scope = found %v, err %v; want not found", found, err)
		}
		if n, _ := s.CountCases(ctx); n != 3 {
			t.Errorf("cases = %d, want 3", n)
		}
	})

	t.Run("a failed creation keeps no key", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		c := newCase(caseID(1))
		c.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: "u_none", Size: 1, SHA256: "00"}}
		if _, _, err := s.CreateCase(ctx, "k", hash("a"), c); err == nil {
			t.Fatal("CreateCase with a missing upload succeeded")
		}
		if _, found, err := s.ReplayCase(ctx, "", "k", hash("a")); found || err != nil {
			t.Errorf("ReplayCase after a failed creation = found %v, err %v; want not found", found, err)
		}
		// The same key may then make the case.
		mustCreate(t, s, "k", newCase(caseID(2)))
	})
}

func testCaseNumbers(t *testing.T, open func(t *testing.T) Store) {
	t.Run("sequential per year", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		create := func(i int, at time.Time) string {
			t.Helper()
			c := newCase(caseID(i))
			c.Created = at
			got, _, err := s.CreateCase(ctx, fmt.Sprintf("key-%d", i), hash("x"), c)
			if err != nil {
				t.Fatalf("CreateCase %d: %v", i, err)
			}
			return got.Number
		}
		var got []string
		for i := range 3 {
			got = append(got, create(i, created))
		}
		// A new year starts again at 1; the old year carries on where it was.
		got = append(got, create(3, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)))
		got = append(got, create(4, created))
		// A local time late on 31 December is already next year in UTC.
		got = append(got, create(5, time.Date(2027, 12, 31, 23, 30, 0, 0, time.FixedZone("X", -2*3600))))
		want := []string{"2026-000001", "2026-000002", "2026-000003", "2027-000001", "2026-000004", "2028-000001"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("numbers = %v, want %v", got, want)
		}
	})

	t.Run("failures use up no number", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		mustCreate(t, s, "k1", newCase(caseID(1)))
		bad := newCase(caseID(2))
		bad.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: "u_none", Size: 1, SHA256: "00"}}
		if _, _, err := s.CreateCase(ctx, "k2", hash("a"), bad); err == nil {
			t.Fatal("CreateCase with a missing upload succeeded")
		}
		if _, _, err := s.CreateCase(ctx, "k1", hash("other"), newCase(caseID(3))); !errors.Is(err, server.ErrKeyReused) {
			t.Fatalf("reused key: %v, want ErrKeyReused", err)
		}
		if got := mustCreate(t, s, "k4", newCase(caseID(4))); got.Number != "2026-000002" {
			t.Errorf("number after two failures = %s, want 2026-000002", got.Number)
		}
	})
}

func testStatus(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	inReview := api.CaseEvent{Status: api.StatusInReview, At: created.Add(time.Hour),
		Note: api.Text{"de": "Wir prüfen Ihren Antrag.", "en": "We are reviewing your application."}}
	forward := func(current string) error {
		if current != api.StatusReceived {
			return fmt.Errorf("not from %s", current)
		}
		return nil
	}

	t.Run("moves the case on and tells its device", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		made := mustCreate(t, s, "k", deviceCase(caseID(1), "d_a"))
		var seen []string
		got, err := s.SetCaseStatus(ctx, made.ID, inReview, func(current string) error {
			seen = append(seen, current)
			return forward(current)
		})
		if err != nil {
			t.Fatalf("SetCaseStatus: %v", err)
		}
		if fmt.Sprint(seen) != "[received]" {
			t.Errorf("allow was called with %v, want [received]", seen)
		}
		want := made
		want.Status = api.StatusInReview
		want.History = append(want.History, inReview)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SetCaseStatus = %+v, want %+v", got, want)
		}
		if replay, _, err := s.ReplayCase(ctx, "d_a", "k", hash("a")); err != nil || !reflect.DeepEqual(replay, want) {
			t.Errorf("a replay after the change = %+v, %v; want the case as it is now %+v", replay, err, want)
		}
		changes := feed(t, s, server.Device{ID: "d_a"}, 0, 100)
		if fmt.Sprint(describe(changes)) != fmt.Sprint([]string{"case " + made.ID + " received", "case " + made.ID + " in_review"}) {
			t.Fatalf("feed = %v, want the case received, then in review", describe(changes))
		}
		if last := changes[1].Case; !reflect.DeepEqual(*last, want) {
			t.Errorf("the change holds %+v, want the case with its timeline %+v", *last, want)
		}
	})

	t.Run("refused, unknown, anonymous", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		made := mustCreate(t, s, "k", deviceCase(caseID(1), "d_a"))
		refusal := errors.New("no")
		if _, err := s.SetCaseStatus(ctx, made.ID, inReview, func(string) error { return refusal }); err != refusal {
			t.Errorf("refused: err = %v, want allow's error as it is", err)
		}
		if _, err := s.SetCaseStatus(ctx, "c_none", inReview, forward); !errors.Is(err, server.ErrNotFound) {
			t.Errorf("unknown case: err = %v, want ErrNotFound", err)
		}
		if got, _, _ := s.ReplayCase(ctx, "d_a", "k", hash("a")); !reflect.DeepEqual(got, made) {
			t.Errorf("after a refusal the case is %+v, want it unchanged %+v", got, made)
		}
		if n := len(feed(t, s, server.Device{ID: "d_a"}, 0, 100)); n != 1 {
			t.Errorf("feed has %d changes after a refusal, want 1 (the case received)", n)
		}

		anon := mustCreate(t, s, "k2", newCase(caseID(2)))
		got, err := s.SetCaseStatus(ctx, anon.ID, inReview, forward)
		if err != nil || got.Status != api.StatusInReview || len(got.History) != 2 {
			t.Errorf("anonymous case: %+v, %v; want it in review with two events", got, err)
		}
	})
}
