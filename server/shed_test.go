package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// blockingStore holds every CreateCase until release is closed (or the
// request's context ends), telling entered when one arrives.
type blockingStore struct {
	server.Store
	entered chan struct{}
	release chan struct{}
}

func (b blockingStore) CreateCase(ctx context.Context, key string, h []byte, c server.NewCase) (api.Case, bool, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		return api.Case{}, false, fmt.Errorf("blocked: %w", ctx.Err())
	}
	return b.Store.CreateCase(ctx, key, h, c)
}

// waitFor polls cond until it holds; the test fails if it never does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never: %s", what)
}

// TestOverloadSheds: with every slot and the queue taken, further requests
// get 503 with Retry-After at once, /healthz is still answered, and
// exactly the requests that got 201 are stored.
func TestOverloadSheds(t *testing.T) {
	const slots, queue, clients = 2, 2, 30
	bs := blockingStore{entered: make(chan struct{}, clients), release: make(chan struct{})}
	e := newEnv(t, func(c *server.Config) {
		bs.Store = c.Store
		c.Store = bs
		c.MaxRequests, c.MaxQueue, c.QueueWait = slots, queue, time.Minute
	})
	svc, example := e.sperrmuell(t)
	b := body(t, svc.ID, svc.Form, example)

	statuses := make(chan response, clients)
	var wg sync.WaitGroup
	send := func(i int) {
		wg.Go(func() { statuses <- e.submit(t, fmt.Sprint("key-", i), b) })
	}
	for i := range slots {
		send(i)
		<-bs.entered // holds its slot inside the store
	}
	for i := range queue {
		send(slots + i)
		waitFor(t, "a request in the queue", func() bool { return e.server.Waiting() == int64(i+1) })
	}
	for i := slots + queue; i < clients; i++ {
		send(i)
	}
	shed := 0
	for range clients - slots - queue {
		r := <-statuses
		problemOf(t, r, http.StatusServiceUnavailable, api.ProblemUnavailable)
		if r.header.Get("Retry-After") == "" {
			t.Error("a 503 without Retry-After")
		}
		shed++
	}
	if got := e.get(t, api.PathHealth, nil); got.status != http.StatusOK {
		t.Errorf("healthz under overload = %d, want 200", got.status)
	}

	close(bs.release)
	wg.Wait()
	close(statuses)
	created := 0
	for r := range statuses {
		caseOf(t, r)
		created++
	}
	if created != slots+queue || shed != clients-slots-queue {
		t.Errorf("%d created, %d shed; want %d and %d", created, shed, slots+queue, clients-slots-queue)
	}
	if got := e.countCases(t); got != created {
		t.Errorf("CountCases = %d, want the %d answered 201", got, created)
	}
	// Shed requests are counted in a line now and then, not logged each.
	logs := e.logs.String()
	if !strings.Contains(logs, "requests shed with 503") || strings.Contains(logs, `"status":503`) {
		t.Errorf("log %s: want shedding counted, not a line per shed request", logs)
	}
}

// TestQueueWaitAndRequestTimeout: a request that waits longer than
// QueueWait for a slot is shed; one whose work outlasts RequestTimeout is
// a 503 and stores nothing.
func TestQueueWaitAndRequestTimeout(t *testing.T) {
	bs := blockingStore{entered: make(chan struct{}, 4), release: make(chan struct{})}
	e := newEnv(t, func(c *server.Config) {
		bs.Store = c.Store
		c.Store = bs
		c.MaxRequests, c.MaxQueue, c.QueueWait = 1, 1, 10*time.Millisecond
		c.RequestTimeout = 200 * time.Millisecond
	})
	svc, example := e.sperrmuell(t)
	b := body(t, svc.ID, svc.Form, example)

	first := make(chan response, 1)
	go func() { first <- e.submit(t, "first", b) }()
	<-bs.entered
	r := e.submit(t, "second", b)
	problemOf(t, r, http.StatusServiceUnavailable, api.ProblemUnavailable)

	r = <-first // never released: its RequestTimeout ends it
	problemOf(t, r, http.StatusServiceUnavailable, api.ProblemUnavailable)
	if got := e.countCases(t); got != 0 {
		t.Errorf("CountCases = %d, want 0", got)
	}
}
