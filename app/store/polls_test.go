package store_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

func testPoll(id string) api.Poll {
	opens := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	return api.Poll{ID: id, Title: api.Text{"de": "Umfrage " + id}, Opens: opens, Closes: opens.AddDate(0, 2, 0),
		Form: api.Form{ID: "f-" + id, Steps: []api.Step{{Fields: []api.Field{{Key: "q", Widget: api.WidgetChoice,
			Options: []api.Option{{Value: "ja"}, {Value: "nein"}}}}}}}}
}

func pollIDs(l citizen.PollList) []string {
	var ids []string
	for _, p := range l.Polls {
		ids = append(ids, p.Poll.ID)
	}
	return ids
}

// TestPolls_KeptForOffline: the polls as fetched come back in the town's
// order after a reopen; a later fetch forgets a poll no longer listed and
// keeps the results of the others.
func TestPolls_KeptForOffline(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	fetched := f.clock.Now()
	if err := f.SavePolls(ctx, []api.Poll{testPoll("b"), testPoll("a"), testPoll("c")}, fetched); err != nil {
		t.Fatal(err)
	}
	res := api.PollResults{Poll: "a", Answers: 2, Counts: []api.OptionCount{{Field: "q", Option: "ja", N: 2}, {Field: "q", Option: "nein"}}}
	if err := f.SavePollResults(ctx, res); err != nil {
		t.Fatal(err)
	}
	f.reopen(t)
	got, err := f.Polls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := pollIDs(got); !reflect.DeepEqual(ids, []string{"b", "a", "c"}) || !got.Fetched.Equal(fetched) {
		t.Errorf("polls = %v fetched %v; want [b a c] fetched %v", ids, got.Fetched, fetched)
	}
	if a, b := mustJSON(t, got.Polls[0].Poll), mustJSON(t, testPoll("b")); !bytes.Equal(a, b) {
		t.Errorf("poll b = %+v; want it as fetched", got.Polls[0].Poll)
	}
	if r := got.Polls[1].Results; r == nil || !reflect.DeepEqual(*r, res) {
		t.Errorf("results of a = %+v; want %+v", r, res)
	}

	f.clock.Advance(time.Hour)
	if err := f.SavePolls(ctx, []api.Poll{testPoll("a"), testPoll("c")}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	got, err = f.Polls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := pollIDs(got); !reflect.DeepEqual(ids, []string{"a", "c"}) || !got.Fetched.Equal(f.clock.Now()) {
		t.Errorf("after the second fetch polls = %v fetched %v; want [a c] at %v", ids, got.Fetched, f.clock.Now())
	}
	if got.Polls[0].Results == nil {
		t.Error("the second fetch lost a's results")
	}
	if err := f.SavePollResults(ctx, api.PollResults{Poll: "b"}); citizen.ErrorCode(err) == "" {
		t.Errorf("results of a forgotten poll = %v; want an error", err)
	}
}

// TestAnswerPoll: the answer is queued and kept in one transaction, sealed;
// how it stands follows its latest outbox item; a new answer replaces it.
func TestAnswerPoll(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	if err := f.SavePolls(ctx, []api.Poll{testPoll("a"), testPoll("b")}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	state := func(t *testing.T) citizen.MyPoll {
		t.Helper()
		p, err := f.Poll(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := state(t); p.Answer != nil || p.State != citizen.AnswerNone {
		t.Fatalf("before answering: %+v; want no answer", p)
	}

	const secret = "Kastanienallee-Schatten-4711"
	first, err := f.AnswerPoll(ctx, "a", map[string]any{"q": "ja", "note": secret})
	if err != nil {
		t.Fatal(err)
	}
	if first.DraftID != citizen.PollOutboxID("a") || first.Kind != citizen.OutboxPollAnswer {
		t.Errorf("item = %s %s; want a poll_answer under %s", first.Kind, first.DraftID, citizen.PollOutboxID("a"))
	}
	p := state(t)
	if want := (map[string]any{"q": "ja", "note": secret}); !reflect.DeepEqual(p.Answer, want) || p.State != citizen.AnswerWaiting || !p.Answered.Equal(f.clock.Now()) {
		t.Errorf("after answering: %+v; want %v waiting", p, want)
	}
	if other, _ := f.Poll(ctx, "b"); other.Answer != nil {
		t.Errorf("poll b has an answer: %+v", other)
	}

	if err := f.Done(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if p := state(t); p.State != citizen.AnswerSent {
		t.Errorf("after Done: state %q; want sent", p.State)
	}

	f.clock.Advance(time.Minute)
	second, err := f.AnswerPoll(ctx, "a", map[string]any{"q": "nein"})
	if err != nil {
		t.Fatal(err)
	}
	if p := state(t); !reflect.DeepEqual(p.Answer, map[string]any{"q": "nein"}) || p.State != citizen.AnswerWaiting || !p.Answered.Equal(f.clock.Now()) {
		t.Errorf("after changing: %+v; want nein, waiting", p)
	}
	if err := f.Fail(ctx, second.ID, "poll_closed", "The poll closed."); err != nil {
		t.Fatal(err)
	}
	if p := state(t); p.State != citizen.AnswerFailed || p.Problem != "The poll closed." {
		t.Errorf("after Fail: %q %q; want failed with the reason", p.State, p.Problem)
	}

	// The first answer's free text is on no page of the files.
	f.notOnDisk(t, "the answer", secret)
}
