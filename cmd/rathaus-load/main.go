// Command rathaus-load measures the reference backend under an open-loop
// load of idempotent submissions (vegeta at a constant arrival rate) and
// checks it under overload; `make load` runs it. Each target runs as a
// process of its own: the real rathaus-server on SQLite, on PostgreSQL with
// --db, and a bare net/http + SQLite baseline (this binary's "baseline"
// subcommand). It prints Markdown tables for BENCHMARKS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"rathaus/server/loadtest"
	"rathaus/server/serverproc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `rathaus-load measures the Rathaus backend under load.

Usage:
  rathaus-load [flags]
  rathaus-load baseline --addr HOST:PORT --data FOLDER
      the bare net/http + SQLite baseline server (the harness starts it)

Every step runs a target in a fresh process on a fresh data folder, sends
submissions of the demo forms at a constant rate (a new Idempotency-Key
each, some repeated), then reads the target's database to check that every
acknowledged submission is stored. Rates go to all targets in turn, then
each target's sustainable rate is refined, then the overload check runs at
twice that rate: the backend must stay up, answer /healthz, shed with 429
or 503 and Retry-After, and have stored every submission it acknowledged.

Flags:
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "baseline" {
		return runBaseline(ctx, args[1:], stderr)
	}
	fs := flag.NewFlagSet("rathaus-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var (
		rates     = fs.String("rates", "250,500,1000,2000", "requests per second, one step each, comma separated")
		duration  = fs.Duration("duration", 10*time.Second, "length of each step")
		timeout   = fs.Duration("timeout", 10*time.Second, "per request; a request without an answer by then counts as an error")
		targets   = fs.String("targets", "baseline,sqlite", "targets: baseline (bare net/http + SQLite), sqlite (rathaus-server on SQLite)")
		db        = fs.String("db", "", "a postgres://... URL: adds the target postgres, rathaus-server --db URL")
		search    = fs.Int("search", 2, "halvings that refine each target's sustainable rate between the rates tried")
		slo       = fs.Duration("slo", 500*time.Millisecond, "the 99th percentile a sustained step stays within")
		repeat    = fs.Float64("repeat", 0.05, "share of requests that repeat an earlier one (same key and body)")
		overload  = fs.Bool("overload", true, "run the overload check after the steps")
		ovRate    = fs.Int("overload-rate", 0, "rate of the overload check; 0: twice the target's sustainable rate")
		ovDur     = fs.Duration("overload-duration", 10*time.Second, "length of the overload check")
		seed      = fs.Uint64("seed", 1, "seed of the request mix")
		serverBin = fs.String("server-bin", "", "a rathaus-server binary; default: built from this checkout")
		work      = fs.String("work", "", "folder for the data and logs of every step; default: a temp folder, removed afterwards")
		keep      = fs.Bool("keep", false, "keep each step's data folder and server log")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	opts := loadtest.Options{Duration: *duration, Timeout: *timeout, Search: *search, SLO: *slo, Repeat: *repeat,
		Overload: *overload, OverloadRate: *ovRate, OverloadDuration: *ovDur, Seed: *seed, Keep: *keep, Progress: stderr}
	for _, f := range strings.Split(*rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "rathaus-load: --rates: %q is not a rate\n", f)
			return 2
		}
		opts.Rates = append(opts.Rates, n)
	}
	if err := runLoad(ctx, opts, *targets, *db, *serverBin, *work, stdout); err != nil {
		fmt.Fprintf(stderr, "rathaus-load: %v\n", err)
		return 1
	}
	return 0
}

// targetNames checks the --targets list (and --db) before anything is
// built: the names of the targets, in order.
func targetNames(list, db string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		switch n = strings.TrimSpace(n); n {
		case "baseline", "sqlite":
			names = append(names, n)
		case "":
		default:
			return nil, fmt.Errorf("unknown target %q (baseline, sqlite; postgres comes with --db)", n)
		}
	}
	if db != "" {
		if !strings.HasPrefix(db, "postgres://") && !strings.HasPrefix(db, "postgresql://") {
			return nil, fmt.Errorf("--db %q is not a postgres:// URL", db)
		}
		names = append(names, "postgres")
	}
	if len(names) == 0 {
		return nil, errors.New("no targets")
	}
	return names, nil
}

func runLoad(ctx context.Context, opts loadtest.Options, targetList, db, serverBin, work string, stdout io.Writer) error {
	names, err := targetNames(targetList, db)
	if err != nil {
		return err
	}
	if work == "" {
		dir, err := os.MkdirTemp("", "rathaus-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	opts.WorkDir = work
	if serverBin == "" {
		if serverBin, err = serverproc.Build(ctx, work); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var targets []loadtest.Target
	for _, name := range names {
		switch name {
		case "baseline":
			targets = append(targets, loadtest.Target{Name: name,
				Proc: serverproc.Config{Bin: self, Command: []string{"baseline"}}})
		case "sqlite":
			targets = append(targets, loadtest.Target{Name: name, Proc: serverproc.Config{Bin: serverBin, Args: serverproc.NoQuotas},
				DB: func(dir string) string { return filepath.Join(dir, "rathaus.db") }})
		case "postgres":
			// The same binary on the database the URL names; the check
			// reads it back with a connection of its own.
			targets = append(targets, loadtest.Target{Name: name,
				Proc: serverproc.Config{Bin: serverBin, Args: append([]string{"--db", db}, serverproc.NoQuotas...)},
				DB:   func(string) string { return db }})
		}
	}
	fmt.Fprintf(opts.Progress, "rathaus-load: %d CPUs, %s, work folder %s\n", runtime.NumCPU(), runtime.Version(), work)
	r, err := loadtest.Run(ctx, targets, opts)
	if r != nil && len(r.Results) > 0 {
		fmt.Fprintf(stdout, "Measured %s on %d CPUs (%s).\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), runtime.Version())
		r.Markdown(stdout)
	}
	if err != nil {
		return err
	}
	for _, o := range r.Overload {
		if len(o.Failures()) > 0 {
			return fmt.Errorf("overload check of %s failed", o.Target)
		}
	}
	return nil
}

func runBaseline(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("rathaus-load baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	data := fs.String("data", "", "folder for baseline.db")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *data == "" {
		fmt.Fprintln(stderr, "rathaus-load baseline: --data is required")
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := loadtest.ServeBaseline(ctx, *addr, *data, log); err != nil {
		fmt.Fprintf(stderr, "rathaus-load baseline: %v\n", err)
		return 1
	}
	return 0
}
