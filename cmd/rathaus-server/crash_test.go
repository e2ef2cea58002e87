package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server/serverproc"
)

// startCrashable runs this binary as rathaus-server on data, with every
// quota off (the test sends from one address, many times).
func startCrashable(t *testing.T, data string) *serverproc.Process {
	t.Helper()
	return startServer(t, data, nil, serverproc.NoQuotas...)
}

// crashClient submits under keys of its own; it remembers what was
// acknowledged and the key in flight when the server died.
type crashClient struct {
	id, token string // token "": anonymous
	next      int
	inFlight  string
	acked     map[string]string // key -> case id
	count     *atomic.Int64     // acknowledgements of all clients
}

var crashHTTP = &http.Client{Timeout: 10 * time.Second}

// send submits under key once: the case on a 201, gone when the server
// did not answer.
func (c *crashClient) send(base string, body []byte, key string) (caseID string, gone bool) {
	req, _ := http.NewRequest(http.MethodPost, base+api.PathSubmissions, bytes.NewReader(body))
	req.Header.Set(api.HeaderIdempotencyKey, key)
	req.Header.Set("Content-Type", api.ContentTypeJSON)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := crashHTTP.Do(req)
	if err != nil {
		return "", true
	}
	defer res.Body.Close()
	var cs api.Case
	if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&cs) != nil {
		return "", false // 503 and the like: the same key again
	}
	return cs.ID, false
}

// run submits until the server stops answering or stop is closed; the
// key of a request without an answer stays in flight, to be sent again.
func (c *crashClient) run(base string, body []byte, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		if c.inFlight == "" {
			c.inFlight = fmt.Sprintf("%s-%d", c.id, c.next)
			c.next++
		}
		id, gone := c.send(base, body, c.inFlight)
		if gone {
			return
		}
		if id != "" {
			c.acked[c.inFlight] = id
			c.inFlight = ""
			c.count.Add(1)
		}
	}
}

var kills = flag.Int("kills", 3, "TestKill9LosesNothing: how many times to kill the backend")

// TestKill9LosesNothing kills the backend with SIGKILL amid 20 parallel
// clients, three times (-kills N for more). After each restart every
// client first sends its key in flight again, as the app does. In the end
// every key that was ever sent has exactly one case, each acknowledged key
// replays to the case it was acknowledged with, and the database is
// intact.
func TestKill9LosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	const clients = 20
	cycles := *kills
	data := t.TempDir()
	example, err := assets.DemoExample("sperrmuell")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(example)
	body, _ := json.Marshal(api.SubmissionRequest{Service: "sperrmuell", Form: api.FormRef{ID: "sperrmuell", Version: 1}, Data: raw})

	p := startCrashable(t, data)
	base := p.URL()
	cs := make([]*crashClient, clients)
	var count atomic.Int64
	for i := range cs {
		cs[i] = &crashClient{id: fmt.Sprint("c", i), acked: map[string]string{}, count: &count}
		if i%2 == 0 { // half of them with a device
			res, err := http.Post(base+api.PathDevices, api.ContentTypeJSON, bytes.NewReader([]byte(`{"platform":"test"}`)))
			if err != nil {
				t.Fatal(err)
			}
			var d api.Device
			_ = json.NewDecoder(res.Body).Decode(&d)
			res.Body.Close()
			cs[i].token = d.Token
		}
	}
	for cycle := range cycles + 1 {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Go(func() { c.run(base, body, stop) })
		}
		if cycle < cycles {
			// Kill once some more were acknowledged.
			target := int64(cycle+1) * 100
			for i := 0; i < 3000 && count.Load() < target; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if err := p.Kill(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if err := p.Restart(t.Context()); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// The last round: let every client settle its key in flight.
		time.Sleep(200 * time.Millisecond)
		close(stop)
		wg.Wait()
	}
	// Settle what the last round left in flight; then every acknowledged
	// key must replay to its case.
	total, sent := 0, 0
	for _, c := range cs {
		for i := 0; c.inFlight != "" && i < 100; i++ {
			if id, _ := c.send(base, body, c.inFlight); id != "" {
				c.acked[c.inFlight], c.inFlight = id, ""
			}
		}
		sent += c.next
		for key, id := range c.acked {
			total++
			if got, _ := c.send(base, body, key); got != id {
				t.Errorf("key %s: acknowledged as %s, replays as %q", key, id, got)
			}
		}
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite3", filepath.Join(data, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var cases, keys, numbers int
	var integrity string
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM idempotency_keys),
		(SELECT count(DISTINCT number) FROM cases), (SELECT integrity_check FROM pragma_integrity_check)`).
		Scan(&cases, &keys, &numbers, &integrity); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills, %d keys sent, %d acknowledged, %d cases", cycles, sent, total, cases)
	if cases != sent || keys != sent || numbers != sent || total != sent || integrity != "ok" {
		t.Errorf("%d keys sent and %d acknowledged: %d cases, %d keys, %d case numbers, integrity %q; want one of each per key",
			sent, total, cases, keys, numbers, integrity)
	}
}
