package storetest

import (
	"context"
	"slices"
	"testing"
	"time"
)

func testPolls(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

	answers := func(t *testing.T, s Store, poll string) []string {
		t.Helper()
		got, err := s.PollAnswers(ctx, poll)
		if err != nil {
			t.Fatalf("PollAnswers(%s): %v", poll, err)
		}
		out := []string{}
		for _, b := range got {
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	put := func(t *testing.T, s Store, poll, device, data string) {
		t.Helper()
		if err := s.PutPollAnswer(ctx, poll, device, []byte(data), at); err != nil {
			t.Fatalf("PutPollAnswer(%s, %s): %v", poll, device, err)
		}
	}

	t.Run("a poll nobody answered has no answers", func(t *testing.T) {
		s := open(t)
		if got := answers(t, s, "p1"); len(got) != 0 {
			t.Errorf("PollAnswers = %v; want none", got)
		}
	})

	t.Run("one answer per device and poll, the latest", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_a")
		addDevice(t, s, "d_b")
		put(t, s, "p1", "d_a", `{"x":"first"}`)
		put(t, s, "p1", "d_a", `{"x":"second"}`) // replaces the first
		put(t, s, "p1", "d_b", `{"x":"b"}`)
		put(t, s, "p2", "d_a", `{"x":"other poll"}`)
		if got, want := answers(t, s, "p1"), []string{`{"x":"b"}`, `{"x":"second"}`}; !slices.Equal(got, want) {
			t.Errorf("PollAnswers(p1) = %v; want %v", got, want)
		}
		if got, want := answers(t, s, "p2"), []string{`{"x":"other poll"}`}; !slices.Equal(got, want) {
			t.Errorf("PollAnswers(p2) = %v; want %v", got, want)
		}
	})

	t.Run("an unknown device cannot answer", func(t *testing.T) {
		s := open(t)
		if err := s.PutPollAnswer(ctx, "p1", "d_nobody", []byte(`{}`), at); err == nil {
			t.Error("PutPollAnswer by an unknown device succeeded; want an error")
		}
	})
}
