package engine_test

import (
	"context"
	"testing"

	"rathaus/app/citizen"
)

// TestPollAnsweredOfflineCountsOnce: the polls, fetched once, are read
// and answered with the backend down; the answer, changed while still
// offline, waits; when the backend is back it is sent and the device
// counts once in the results, which are then kept on the device too.
func TestPollAnsweredOfflineCountsOnce(t *testing.T) {
	ctx := context.Background()
	dev := newPollRig(t)
	backend, clock := dev.backend, dev.backend.Clock
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	if err := dev.engine.RefreshPolls(ctx); err != nil {
		t.Fatal(err)
	}

	backend.Stop()
	if err := dev.engine.RefreshPolls(ctx); err == nil {
		t.Fatal("RefreshPolls with the backend down succeeded")
	}
	list, err := dev.store.Polls(ctx)
	if err != nil || len(list.Polls) != 2 || list.Polls[0].Poll.ID != "marktplatz" || list.Fetched.IsZero() {
		t.Fatalf("polls offline = %+v, %v; want the two demo polls as fetched", list, err)
	}
	if citizen.PhaseOf(list.Polls[0].Poll, pollsOpen) != citizen.PollOpen {
		t.Fatalf("marktplatz is not open at %v", pollsOpen)
	}
	for _, data := range []map[string]any{{"nutzung": "parken"}, {"nutzung": "gruen", "wuensche": []any{"baeume"}}} {
		if _, err := dev.store.AnswerPoll(ctx, "marktplatz", data); err != nil {
			t.Fatal(err)
		}
		if err := dev.engine.Sync(ctx); err == nil {
			t.Fatal("sync with the backend down succeeded")
		}
	}
	if p, _ := dev.store.Poll(ctx, "marktplatz"); p.State != citizen.AnswerWaiting || p.Answer["nutzung"] != "gruen" {
		t.Errorf("offline: %q %v; want the second answer waiting", p.State, p.Answer)
	}

	backend.Start()
	converge(t, dev, 5)
	if p, _ := dev.store.Poll(ctx, "marktplatz"); p.State != citizen.AnswerSent {
		t.Errorf("after the sync: state %q; want sent", p.State)
	}

	clock.Set(pollsClosed)
	if err := dev.engine.RefreshPollResults(ctx, "marktplatz"); err != nil {
		t.Fatal(err)
	}
	backend.Stop()
	p, err := dev.store.Poll(ctx, "marktplatz")
	if err != nil || p.Results == nil {
		t.Fatalf("results offline = %+v, %v; want them kept", p, err)
	}
	if p.Results.Answers != 1 {
		t.Errorf("answers counted = %d; want 1", p.Results.Answers)
	}
	for _, c := range p.Results.Counts {
		want := map[string]int{"gruen": 1, "baeume": 1}[c.Option]
		if c.N != want {
			t.Errorf("count of %s/%s = %d; want %d", c.Field, c.Option, c.N, want)
		}
	}
}
