package polls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
)

// Config is what the area needs from the core server.
type Config struct {
	Store Store
	Polls []api.Poll
	Now   func() time.Time
	// Device is the id of the device the core authenticated the request
	// as; ok=false without one.
	Device func(r *http.Request) (id string, ok bool)
	// Failure is the core's answer to a store that failed, logged.
	Failure func(ctx context.Context, what string, err error, args ...any) *api.Problem
	// Decode reads the JSON body into v by the core's input rule.
	Decode func(w http.ResponseWriter, r *http.Request, what string, v any) *api.Problem
}

type poll struct {
	api.Poll
	form *formschema.Form
}

// Area serves the polls.
type Area struct {
	cfg   Config
	polls map[string]*poll
	list  api.Polls
}

// New compiles every poll's form: the server must not start with a poll
// it cannot validate answers for.
func New(cfg Config) (*Area, error) {
	if cfg.Store == nil || cfg.Device == nil || cfg.Failure == nil || cfg.Decode == nil {
		return nil, errors.New("polls: incomplete configuration")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Area{cfg: cfg, polls: map[string]*poll{}, list: api.Polls{Polls: []api.Poll{}}}
	for _, p := range cfg.Polls {
		if p.ID == "" || !p.Opens.Before(p.Closes) {
			return nil, fmt.Errorf("polls: poll %q: no id, or it does not open before it closes", p.ID)
		}
		if _, dup := a.polls[p.ID]; dup {
			return nil, fmt.Errorf("polls: poll %q twice", p.ID)
		}
		f, err := formschema.Compile(&p.Form)
		if err != nil {
			return nil, fmt.Errorf("polls: poll %q: %w", p.ID, err)
		}
		a.polls[p.ID] = &poll{Poll: p, form: f}
		a.list.Polls = append(a.list.Polls, p)
	}
	return a, nil
}

// Route is one endpoint; Device says the core must authenticate the
// device first.
type Route struct {
	Method, Path string
	Device       bool
	Handler      http.HandlerFunc
}

// Routes lists the area's endpoints, for the core to mount.
func (a *Area) Routes() []Route {
	return []Route{
		{"GET", api.PathPolls, false, a.handleList},
		{"PUT", api.PathPolls + "{id}/answer", true, a.handleAnswer},
		{"GET", api.PathPolls + "{id}/results", false, a.handleResults},
	}
}

func (a *Area) handleList(w http.ResponseWriter, r *http.Request) {
	api.WriteJSON(w, http.StatusOK, a.list)
}

func (a *Area) find(w http.ResponseWriter, r *http.Request) *poll {
	p, ok := a.polls[r.PathValue("id")]
	if !ok {
		api.WriteProblem(w, &api.Problem{Title: "Not Found", Status: http.StatusNotFound, Detail: "There is no such poll."})
	}
	return p
}

func (a *Area) handleAnswer(w http.ResponseWriter, r *http.Request) {
	p := a.find(w, r)
	if p == nil {
		return
	}
	device, ok := a.cfg.Device(r)
	if !ok {
		api.WriteProblem(w, &api.Problem{Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: "Answering a poll needs the device's credential."})
		return
	}
	now := a.cfg.Now()
	switch {
	case now.Before(p.Opens):
		api.WriteProblem(w, &api.Problem{Type: api.ProblemPollNotOpen, Title: "Poll not open yet", Status: http.StatusConflict,
			Detail: "The poll opens at " + p.Opens.UTC().Format(time.RFC3339) + "."})
		return
	case !now.Before(p.Closes):
		api.WriteProblem(w, &api.Problem{Type: api.ProblemPollClosed, Title: "Poll closed", Status: http.StatusConflict,
			Detail: "The poll closed at " + p.Closes.UTC().Format(time.RFC3339) + "; answers are no longer taken."})
		return
	}
	var ans api.PollAnswer
	if prob := a.cfg.Decode(w, r, "a poll answer", &ans); prob != nil {
		api.WriteProblem(w, prob)
		return
	}
	if ans.Data == nil {
		ans.Data = map[string]any{}
	}
	if errs := p.form.Validate(ans.Data); len(errs) > 0 {
		api.WriteProblem(w, &api.Problem{Type: api.ProblemValidation, Title: "Unprocessable Content",
			Status: http.StatusUnprocessableEntity, Detail: "The answer does not fit the poll's form.", Errors: errs})
		return
	}
	b, err := json.Marshal(ans.Data)
	if err != nil {
		api.WriteProblem(w, a.cfg.Failure(r.Context(), "poll answer", err))
		return
	}
	if err := a.cfg.Store.PutPollAnswer(r.Context(), p.ID, device, b, now); err != nil {
		api.WriteProblem(w, a.cfg.Failure(r.Context(), "poll answer", err, "poll", p.ID))
		return
	}
	api.WriteJSON(w, http.StatusOK, api.PollReceipt{Poll: p.ID, Answered: now.UTC()})
}

func (a *Area) handleResults(w http.ResponseWriter, r *http.Request) {
	p := a.find(w, r)
	if p == nil {
		return
	}
	if a.cfg.Now().Before(p.Closes) {
		api.WriteProblem(w, &api.Problem{Type: api.ProblemPollOpen, Title: "Poll still open", Status: http.StatusConflict,
			Detail: "Results are published after the poll closed at " + p.Closes.UTC().Format(time.RFC3339) + "."})
		return
	}
	answers, err := a.cfg.Store.PollAnswers(r.Context(), p.ID)
	if err != nil {
		api.WriteProblem(w, a.cfg.Failure(r.Context(), "poll results", err, "poll", p.ID))
		return
	}
	res, err := Count(p.Poll, answers)
	if err != nil {
		api.WriteProblem(w, a.cfg.Failure(r.Context(), "poll results", err, "poll", p.ID))
		return
	}
	api.WriteJSON(w, http.StatusOK, res)
}

// Closed returns the polls that have closed, by closing time, each with
// its results counted from the store: what the open data publishes.
func (a *Area) Closed(ctx context.Context) ([]api.Poll, []api.PollResults, error) {
	now := a.cfg.Now()
	var ps []api.Poll
	for _, p := range a.list.Polls {
		if !now.Before(p.Closes) {
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(x, y api.Poll) int { return x.Closes.Compare(y.Closes) })
	rs := make([]api.PollResults, 0, len(ps))
	for _, p := range ps {
		answers, err := a.cfg.Store.PollAnswers(ctx, p.ID)
		if err != nil {
			return nil, nil, err
		}
		r, err := Count(p, answers)
		if err != nil {
			return nil, nil, err
		}
		rs = append(rs, r)
	}
	return ps, rs, nil
}

// Count counts the answers per option of every choice and multi field,
// every option listed (zero too), in the form's order.
func Count(p api.Poll, answers [][]byte) (api.PollResults, error) {
	res := api.PollResults{Poll: p.ID, Closes: p.Closes, Answers: len(answers), Counts: []api.OptionCount{}}
	type key struct{ field, option string }
	n := map[key]int{}
	for _, b := range answers {
		var data map[string]any
		if err := json.Unmarshal(b, &data); err != nil {
			return res, fmt.Errorf("polls: answer to %s: %w", p.ID, err)
		}
		for k, v := range data {
			switch v := v.(type) {
			case string:
				n[key{k, v}]++
			case []any:
				for _, o := range v {
					if s, ok := o.(string); ok {
						n[key{k, s}]++
					}
				}
			}
		}
	}
	for _, st := range p.Form.Steps {
		for _, f := range st.Fields {
			if !slices.Contains([]api.Widget{api.WidgetChoice, api.WidgetMulti}, f.Widget) {
				continue
			}
			for _, o := range f.Options {
				res.Counts = append(res.Counts, api.OptionCount{Field: f.Key, Option: o.Value, N: n[key{f.Key, o.Value}]})
			}
		}
	}
	return res, nil
}
