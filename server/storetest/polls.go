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

	t.Run("one answer per account, the latest of its devices", func(t *testing.T) {
		s := open(t)
		for _, d := range []string{"d_phone", "d_tablet", "d_kiosk", "d_alone"} {
			addDevice(t, s, d)
		}
		if err := s.LinkDevices(ctx, "acc_erika", "d_phone"); err != nil {
			t.Fatal(err)
		}
		putAt := func(device, data string, at time.Time) {
			t.Helper()
			if err := s.PutPollAnswer(ctx, "p1", device, []byte(data), at); err != nil {
				t.Fatalf("PutPollAnswer(%s): %v", device, err)
			}
		}
		putAt("d_phone", `{"x":"phone"}`, at)
		putAt("d_tablet", `{"x":"tablet"}`, at.Add(time.Minute))
		putAt("d_kiosk", `{"x":"kiosk"}`, at.Add(2*time.Minute))
		putAt("d_alone", `{"x":"alone"}`, at)
		// The tablet joins the account after it answered: its later answer
		// now stands for the account, the phone's no longer counts.
		if err := s.LinkDevices(ctx, "acc_erika", "d_tablet"); err != nil {
			t.Fatal(err)
		}
		if got, want := answers(t, s, "p1"), []string{`{"x":"alone"}`, `{"x":"kiosk"}`, `{"x":"tablet"}`}; !slices.Equal(got, want) {
			t.Errorf("PollAnswers(p1) = %v; want %v", got, want)
		}
		// The phone answers again, later: the account's answer is the phone's.
		putAt("d_phone", `{"x":"phone again"}`, at.Add(3*time.Minute))
		if got, want := answers(t, s, "p1"), []string{`{"x":"alone"}`, `{"x":"kiosk"}`, `{"x":"phone again"}`}; !slices.Equal(got, want) {
			t.Errorf("after the phone's new answer, PollAnswers(p1) = %v; want %v", got, want)
		}
	})

	t.Run("an unknown device cannot answer", func(t *testing.T) {
		s := open(t)
		if err := s.PutPollAnswer(ctx, "p1", "d_nobody", []byte(`{}`), at); err == nil {
			t.Error("PutPollAnswer by an unknown device succeeded; want an error")
		}
	})
}
