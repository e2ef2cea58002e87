// Package storetest is the conformance suite of server.Store: every store
// (server/sqlite, server/postgres) runs Run from its own tests, so that the
// backend behaves the same whichever database holds its data. The suite
// checks the contract written on server.Store, including what must hold
// when requests for one key, one draft or one case arrive at once.
package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// Store is a store under test: the store, new and empty, and a way to see
// what server.Store does not return.
type Store struct {
	server.Store
	// Conflicts lists the draft conflicts the store keeps, in any order.
	Conflicts func(t *testing.T) []Conflict
	// Reopen opens the same database once more, as a restarted process
	// does (the first store stays open), and closes it when the test ends.
	Reopen func(t *testing.T) server.Store
	// Busy opens the same database once more, waiting only briefly for
	// the locks writes need, and takes those locks as another process or a
	// stuck transaction would, until release. nil skips the Busy tests.
	Busy func(t *testing.T) (busy server.Store, release func())
	// Full opens a new, empty store with room for a few hundred KiB of
	// cases (a database at its maximum size, a full disk), and room opens
	// its data with room again, as an operator makes it. Both stores close
	// when the test ends. nil, or a skip inside, skips the Full tests.
	Full func(t *testing.T) (full server.Store, room func(t *testing.T) server.Store)
}

// Conflict is a draft conflict as a store keeps it: for the draft of an
// owner ("account:" + account id, or "device:" + device id).
type Conflict struct {
	Owner, Draft string
	server.DraftConflict
}

// Run runs the suite. open makes a new, empty store for each test and
// closes it when the test ends.
func Run(t *testing.T, open func(t *testing.T) Store) {
	families := []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) Store)
	}{
		{"Cases", testCases},
		{"Idempotency", testIdempotency},
		{"CaseNumbers", testCaseNumbers},
		{"Status", testStatus},
		{"Devices", testDevices},
		{"Changes", testChanges},
		{"Catalog", testCatalog},
		{"Drafts", testDrafts},
		{"Uploads", testUploads},
		{"Concurrency", testConcurrency},
		{"Reopen", testReopen},
		{"Usage", testUsage},
		{"Busy", testBusy},
		{"Full", testFull},
		{"Reports", testReports},
		{"Casework", testCasework},
		{"Appointments", testAppointments},
		{"OpenData", testOpenData},
		{"Polls", testPolls},
		{"Accounts", testAccounts},
		{"Grants", testGrants},
		{"Handoffs", testHandoffs},
		{"Seal", testSeal},
	}
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			// Each test has a store of its own: they may run side by side,
			// which also shows that stores do not share state by accident.
			t.Parallel()
			f.run(t, open)
		})
	}
}

// created is the time of the cases the tests make, unless they say
// otherwise.
var created = time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)

func newCase(id string) server.NewCase {
	return server.NewCase{
		ID:      id,
		Service: "hundesteuer",
		Form:    api.FormRef{ID: "hundesteuer", Version: 1},
		Data:    []byte(`{"dog_name":"Bello"}`),
		Status:  api.StatusReceived,
		Created: created,
	}
}

// deviceCase is a new case submitted by a device.
func deviceCase(id, device string) server.NewCase {
	c := newCase(id)
	c.Device = device
	return c
}

func caseID(i int) string { return fmt.Sprintf("c_%016d", i) }

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func addDevice(t *testing.T, s server.Store, id string) {
	t.Helper()
	err := s.CreateDevice(context.Background(), server.NewDevice{ID: id, TokenHash: hash(id), Platform: "linux", AppVersion: "0.1", Created: created})
	if err != nil {
		t.Fatalf("CreateDevice(%s): %v", id, err)
	}
}

func mustCreate(t *testing.T, s server.Store, key string, c server.NewCase) api.Case {
	t.Helper()
	got, replayed, err := s.CreateCase(context.Background(), key, hash("a"), c)
	if err != nil || replayed {
		t.Fatalf("CreateCase(%s) = replayed %v, err %v; want a new case", key, replayed, err)
	}
	return got
}

// feed reads every change d may see after since, a page of limit at a
// time.
func feed(t *testing.T, s server.Store, d server.Device, since int64, limit int) []api.Change {
	t.Helper()
	var all []api.Change
	for {
		page, more, err := s.Changes(context.Background(), d, since, limit)
		if err != nil {
			t.Fatalf("Changes(%+v, %d, %d): %v", d, since, limit, err)
		}
		if len(page) > limit {
			t.Fatalf("Changes gave %d changes for a limit of %d", len(page), limit)
		}
		all = append(all, page...)
		if !more {
			return all
		}
		if len(page) == 0 {
			t.Fatal("Changes said more but gave none")
		}
		since = page[len(page)-1].Seq
	}
}

// describe names changes by kind and what they are about, for comparing
// feeds.
func describe(cs []api.Change) []string {
	out := []string{}
	for _, c := range cs {
		switch {
		case c.Case != nil:
			out = append(out, c.Kind+" "+c.Case.ID+" "+c.Case.Status)
		case c.Draft != nil:
			out = append(out, c.Kind+" "+c.Draft.ID+" by "+c.Draft.Device)
		default:
			out = append(out, c.Kind+" "+c.Catalog)
		}
	}
	return out
}
