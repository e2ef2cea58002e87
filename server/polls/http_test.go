package polls_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/servertest"
)

// env is the real backend on a clock the test moves (e.Clock).
type env struct{ *servertest.Backend }

// newEnv starts the real backend with the demo polls, on a clock the test
// moves: the demo poll "marktplatz" is open at the start.
func newEnv(t *testing.T) env {
	t.Helper()
	return env{servertest.New(t, servertest.WithClock(servertest.NewClock(time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC))))}
}

func (e env) answer(t *testing.T, token string, data map[string]any) (int, api.Problem) {
	t.Helper()
	code, body := e.Call(t, http.MethodPut, api.PathPolls+"marktplatz/answer", token, api.PollAnswer{Data: data})
	var p api.Problem
	if code != http.StatusOK {
		_ = json.Unmarshal(body, &p)
	}
	return code, p
}

func (e env) results(t *testing.T) (int, api.PollResults) {
	t.Helper()
	code, body := e.Call(t, http.MethodGet, api.PathPolls+"marktplatz/results", "", nil)
	var res api.PollResults
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("results: %v: %s", err, body)
		}
	}
	return code, res
}

func count(res api.PollResults, field, option string) int {
	for _, c := range res.Counts {
		if c.Field == field && c.Option == option {
			return c.N
		}
	}
	return -1
}

func TestListPolls(t *testing.T) {
	e := newEnv(t)
	code, body := e.Call(t, http.MethodGet, api.PathPolls, "", nil)
	var got api.Polls
	if code != http.StatusOK || json.Unmarshal(body, &got) != nil {
		t.Fatalf("GET polls = %d %s", code, body)
	}
	var ids []string
	for _, p := range got.Polls {
		ids = append(ids, p.ID)
		if p.Form.ID == "" || !p.Opens.Before(p.Closes) {
			t.Errorf("poll %s: form %q, opens %v, closes %v; want a form, open before closed", p.ID, p.Form.ID, p.Opens, p.Closes)
		}
	}
	if want := []string{"marktplatz", "radverkehr"}; !slices.Equal(ids, want) {
		t.Errorf("polls = %v; want the demo polls %v", ids, want)
	}
}

func TestAnswerRules(t *testing.T) {
	e := newEnv(t)
	tok := e.Device(t).Token
	tests := []struct {
		name     string
		token    string
		path     string
		data     map[string]any
		wantCode int
	}{
		{"a valid answer", tok, "marktplatz", map[string]any{"nutzung": "markt", "wuensche": []string{"baenke"}}, http.StatusOK},
		{"a required field missing", tok, "marktplatz", map[string]any{"wuensche": []string{"baenke"}}, http.StatusUnprocessableEntity},
		{"an option the form does not have", tok, "marktplatz", map[string]any{"nutzung": "autobahn"}, http.StatusUnprocessableEntity},
		{"a field the form does not have", tok, "marktplatz", map[string]any{"nutzung": "markt", "name": "Erika"}, http.StatusUnprocessableEntity},
		{"no device", "", "marktplatz", map[string]any{"nutzung": "markt"}, http.StatusUnauthorized},
		{"an unknown poll", tok, "nirgends", map[string]any{"nutzung": "markt"}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.Call(t, http.MethodPut, api.PathPolls+tt.path+"/answer", tt.token, api.PollAnswer{Data: tt.data})
			if code != tt.wantCode {
				t.Errorf("PUT answer = %d %s; want %d", code, body, tt.wantCode)
			}
		})
	}
}

// TestAnswersCountOncePerDevice: a changed answer replaces the first; after
// closing, answering is refused with 409 and the results count each device
// once, with its last answer.
func TestAnswersCountOncePerDevice(t *testing.T) {
	e := newEnv(t)
	a, b := e.Device(t).Token, e.Device(t).Token

	if code, _ := e.results(t); code != http.StatusConflict {
		t.Errorf("results while open = %d; want 409", code)
	}
	for _, step := range []struct {
		token string
		data  map[string]any
	}{
		{a, map[string]any{"nutzung": "parken"}},
		{a, map[string]any{"nutzung": "gruen", "wuensche": []string{"baeume", "brunnen"}}}, // replaces a's first
		{b, map[string]any{"nutzung": "gruen", "wuensche": []string{"baeume"}, "anmerkung": "Schatten!"}},
	} {
		if code, p := e.answer(t, step.token, step.data); code != http.StatusOK {
			t.Fatalf("answer %v = %d %+v; want 200", step.data, code, p)
		}
	}

	e.Clock.Set(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC))
	code, p := e.answer(t, a, map[string]any{"nutzung": "markt"})
	if code != http.StatusConflict || p.Type != api.ProblemPollClosed {
		t.Errorf("answer after closing = %d %+v; want 409 poll-closed", code, p)
	}

	code, res := e.results(t)
	if code != http.StatusOK {
		t.Fatalf("results after closing = %d; want 200", code)
	}
	if res.Answers != 2 {
		t.Errorf("answers = %d; want 2", res.Answers)
	}
	for _, c := range []struct {
		field, option string
		want          int
	}{
		{"nutzung", "gruen", 2}, {"nutzung", "parken", 0}, {"nutzung", "markt", 0},
		{"wuensche", "baeume", 2}, {"wuensche", "brunnen", 1}, {"wuensche", "spielplatz", 0},
		{"anmerkung", "Schatten!", -1}, // free text is not published
	} {
		if got := count(res, c.field, c.option); got != c.want {
			t.Errorf("count(%s, %s) = %d; want %d", c.field, c.option, got, c.want)
		}
	}
}
