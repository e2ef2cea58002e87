package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"rathaus/server/serverproc"
)

// Target is a server the load runs against, each step in a process of its
// own on a fresh data folder.
type Target struct {
	Name string
	// Proc runs it; Start sets DataDir per step.
	Proc serverproc.Config
	// DB is what OpenIndex takes to read the target's database, given the
	// step's data folder; nil when the target keeps no cases (the
	// baseline). A database outside the folder (PostgreSQL) is shared by
	// every step; keys stay unique per step, so that does not matter.
	DB func(dataDir string) string
}

// Options are what a run measures.
type Options struct {
	Rates    []int         // requests per second, one step each
	Duration time.Duration // of each step
	Timeout  time.Duration // per request; longer counts as no answer
	// Search is how many halvings refine each target's sustainable rate
	// between the highest rate it sustained and the next one (0: none).
	Search int
	// SLO is the 99th percentile a sustained step stays within.
	SLO time.Duration
	// Repeat is the share of requests that repeat an earlier one.
	Repeat float64
	// Overload runs the overload check at OverloadRate (0: twice the
	// target's sustainable rate) for OverloadDuration.
	Overload         bool
	OverloadRate     int
	OverloadDuration time.Duration
	Seed             uint64
	// WorkDir holds the steps' data folders, each removed after its step
	// unless Keep.
	WorkDir string
	Keep    bool
	// Progress gets a line per step.
	Progress io.Writer
}

// Result is one measured step and, for a target with a database, what the
// database held afterwards.
type Result struct {
	*Step
	Check *Check // nil for the baseline
}

// Report is a whole run.
type Report struct {
	Options  Options
	Targets  []string
	Results  []Result
	Overload []*Overload
	// Sustainable is each target's highest sustained rate; Unsustained the
	// lowest rate it did not sustain (0: none tried).
	Sustainable, Unsustained map[string]int
}

// Run measures every target at every rate, interleaved (each rate on all
// targets before the next rate) so that what else runs on the machine
// weighs on them alike; then refines the sustainable rates and runs the
// overload check.
func Run(ctx context.Context, targets []Target, opts Options) (*Report, error) {
	bodies, err := DemoSubmissions()
	if err != nil {
		return nil, err
	}
	r := &Report{Options: opts, Sustainable: map[string]int{}, Unsustained: map[string]int{}}
	for _, t := range targets {
		r.Targets = append(r.Targets, t.Name)
	}
	n := 0
	step := func(t Target, rate int) (Result, error) {
		n++
		g := newGenerator(bodies, opts.Repeat, opts.Seed+uint64(n))
		res, err := runStep(ctx, t, g, rate, opts, n)
		if err != nil {
			return res, err
		}
		r.Results = append(r.Results, res)
		r.note(t.Name, res.Step)
		progress(opts.Progress, res)
		return res, nil
	}
	for _, rate := range opts.Rates {
		for _, t := range targets {
			if _, err := step(t, rate); err != nil {
				return r, err
			}
		}
	}
	for i := 0; i < opts.Search; i++ {
		for _, t := range targets {
			lo, hi := r.Sustainable[t.Name], r.Unsustained[t.Name]
			if hi == 0 || hi-lo < 2 {
				continue
			}
			if _, err := step(t, (lo+hi)/2); err != nil {
				return r, err
			}
		}
	}
	if !opts.Overload {
		return r, nil
	}
	for _, t := range targets {
		if t.DB == nil {
			continue // the baseline has nothing to shed or to keep
		}
		rate := opts.OverloadRate
		if rate == 0 {
			rate = 2 * max(r.Sustainable[t.Name], slices.Min(opts.Rates)/2)
		}
		n++
		g := newGenerator(bodies, opts.Repeat, opts.Seed+uint64(n))
		o, err := runOverload(ctx, t, g, rate, opts, n)
		if err != nil {
			return r, err
		}
		r.Overload = append(r.Overload, o)
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "overload %s\n", o)
		}
	}
	return r, nil
}

// note updates the target's sustained and unsustained bounds.
func (r *Report) note(target string, s *Step) {
	if s.Sustained(r.Options.SLO) {
		r.Sustainable[target] = max(r.Sustainable[target], s.Rate)
	} else if u := r.Unsustained[target]; u == 0 || s.Rate < u {
		r.Unsustained[target] = s.Rate
	}
}

func progress(w io.Writer, res Result) {
	if w == nil {
		return
	}
	line := res.Step.String()
	if res.Check != nil {
		line += "; " + res.Check.String()
	}
	fmt.Fprintln(w, line)
}

// started is a target's process for one step, with its data folder.
type started struct {
	proc *serverproc.Process
	dir  string
	db   string
}

func start(ctx context.Context, t Target, opts Options, n int) (*started, error) {
	dir := filepath.Join(opts.WorkDir, fmt.Sprintf("%02d-%s", n, t.Name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	logf, err := os.Create(dir + ".log")
	if err != nil {
		return nil, err
	}
	cfg := t.Proc
	cfg.DataDir, cfg.Log = dir, logf
	p, err := serverproc.Start(ctx, cfg)
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("%s: %w (log: %s)", t.Name, err, logf.Name())
	}
	s := &started{proc: p, dir: dir}
	if t.DB != nil {
		s.db = t.DB(dir)
	}
	return s, nil
}

func (s *started) stop(opts Options) error {
	err := s.proc.Stop()
	if !opts.Keep {
		_ = os.RemoveAll(s.dir)
		_ = os.Remove(s.dir + ".log")
	}
	return err
}

func runStep(ctx context.Context, t Target, g *generator, rate int, opts Options, n int) (Result, error) {
	s, err := start(ctx, t, opts, n)
	if err != nil {
		return Result{}, err
	}
	res := Result{Step: attack(ctx, t.Name, s.proc.URL(), g, rate, opts.Duration, opts.Timeout)}
	if s.db != "" {
		res.Check = check(ctx, s.db, s.proc.URL(), g, res.Step)
	}
	if err := s.stop(opts); err != nil {
		return res, err
	}
	return res, ctx.Err()
}

// Overload is the overload check of one target: a step at a rate above
// what it sustains, with /healthz asked throughout.
type Overload struct {
	*Step
	Check *Check
	// HealthProbes were sent every 250 ms during the step, each with a
	// 2 s timeout; HealthFailed did not answer 200 in time.
	HealthProbes, HealthFailed int
	HealthMax                  time.Duration
	// Alive: the server process still ran after the step, and answered
	// /healthz.
	Alive bool
	// Timeout is the request timeout the step ran with; SLO the p99 a
	// sustained step stays within.
	Timeout, SLO time.Duration
}

// Failures lists what the overload check found wrong; none is a pass.
func (o *Overload) Failures() []string {
	var out []string
	if !o.Alive {
		out = append(out, "the server did not survive")
	}
	if o.HealthFailed > 0 {
		out = append(out, fmt.Sprintf("/healthz failed %d of %d probes (slowest %v)", o.HealthFailed, o.HealthProbes, o.HealthMax.Round(time.Millisecond)))
	}
	if o.Status["error"] > 0 {
		out = append(out, fmt.Sprintf("%d requests got no answer within %v (%s)", o.Status["error"], o.Timeout, strings.Join(o.Errors, ", ")))
	}
	for code, n := range o.Status {
		if code != "error" && !strings.HasPrefix(code, "2") && code != "429" && code != "503" {
			out = append(out, fmt.Sprintf("%d answers %s", n, code))
		}
	}
	if o.ShedBare > 0 {
		out = append(out, fmt.Sprintf("%d shed answers without Retry-After", o.ShedBare))
	}
	if o.Shed == 0 && (o.Status["error"] > 0 || o.P99 > o.SLO) {
		// It did not keep up, and instead of saying so it let the
		// queue grow: that is what admission control prevents.
		out = append(out, fmt.Sprintf("nothing was shed with 429 or 503: p99 grew to %v", o.P99.Round(time.Millisecond)))
	}
	switch {
	case o.Check == nil:
	case o.Check.Err != nil:
		out = append(out, "the database could not be read: "+o.Check.Err.Error())
	case !o.Check.OK():
		out = append(out, "acknowledged submissions are not all stored with their case: "+o.Check.String())
	}
	slices.Sort(out)
	return out
}

func (o *Overload) String() string {
	verdict := "PASS"
	if f := o.Failures(); len(f) > 0 {
		verdict = "FAIL: " + strings.Join(f, "; ")
	}
	c := ""
	if o.Check != nil {
		c = "; " + o.Check.String()
	}
	return fmt.Sprintf("%s; shed %d with Retry-After; /healthz %d probes, %d failed, slowest %v%s; %s",
		o.Step, o.Shed, o.HealthProbes, o.HealthFailed, o.HealthMax.Round(time.Millisecond), c, verdict)
}

func runOverload(ctx context.Context, t Target, g *generator, rate int, opts Options, n int) (*Overload, error) {
	s, err := start(ctx, t, opts, n)
	if err != nil {
		return nil, err
	}
	o := &Overload{Timeout: opts.Timeout, SLO: opts.SLO}
	probeCtx, stopProbes := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { o.probe(probeCtx, s.proc.URL()) })
	o.Step = attack(ctx, t.Name, s.proc.URL(), g, rate, opts.OverloadDuration, opts.Timeout)
	stopProbes()
	wg.Wait()
	o.Alive = s.proc.Alive() && serverproc.Health(ctx, &http.Client{Timeout: 5 * time.Second}, s.proc.URL()) == nil
	if o.Alive {
		o.Check = check(ctx, s.db, s.proc.URL(), g, o.Step)
	}
	if err := s.stop(opts); err != nil && o.Alive {
		return o, err
	}
	return o, ctx.Err()
}

// probe asks /healthz every 250 ms until ctx ends.
func (o *Overload) probe(ctx context.Context, base string) {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := time.Now()
		err := serverproc.Health(context.Background(), client, base)
		d := time.Since(start)
		o.HealthProbes++
		o.HealthMax = max(o.HealthMax, d)
		if err != nil {
			o.HealthFailed++
		}
	}
}
