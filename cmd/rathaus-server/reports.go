package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"rathaus/api"
	"rathaus/server/postgres"
	"rathaus/server/reportwork"
	"rathaus/server/sqlite"
)

const reportsUsage = `rathaus-server reports works the issue reports (Mängelmelder) from the
command line, on the same code path as the staff console (/staff/reports).

Usage:
  rathaus-server reports list [--status open|closed] [--limit N]
  rathaus-server reports advance ID STATUS [--message TEXT]

STATUS is a step of the workflow: received, in_review, inspection,
info_needed (needs --message: what the reporter is to add), decided (needs
--message), closed. Open311 shows the report closed once closed, open
before, with the message as its status_notes; the app of the device that
made the report shows the step in the report's timeline and notifies.

Flags of every command:
  --data FOLDER   the server's data folder (the SQLite database).
                  Environment: RATHAUS_DATA. Default: ` + defaultData + `
  --db URL        the PostgreSQL database instead. Environment: RATHAUS_DB.
`

// reportStore is a store that keeps reports and is closed at the end.
type reportStore interface {
	reportwork.Store
	Close() error
}

var (
	_ reportStore = (*sqlite.DB)(nil)
	_ reportStore = (*postgres.DB)(nil)
)

// runReports runs "rathaus-server reports ...": it returns the exit code.
func runReports(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			fmt.Fprint(stderr, reportsUsage)
			return 1
		}
		fmt.Fprint(stdout, reportsUsage)
		return 0
	}
	cmd := args[0]
	data, db := defaultData, getenv(envDB)
	if v := getenv(envData); v != "" {
		data = v
	}
	fs := flag.NewFlagSet("reports "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&data, "data", data, "")
	fs.StringVar(&db, "db", db, "")
	status := fs.String("status", "", "")
	limit := fs.Int("limit", 50, "")
	message := fs.String("message", "", "")
	var pos []string
	rest := args[1:]
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		pos, rest = append(pos, rest[0]), rest[1:]
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "rathaus-server reports %s: %v\n", cmd, err)
		return 1
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, reportsUsage)
			return 0
		}
		return fail(err)
	}
	pos = append(pos, fs.Args()...)
	want := map[string]int{"list": 0, "advance": 2}
	n, ok := want[cmd]
	if !ok {
		fmt.Fprint(stderr, reportsUsage)
		return 1
	}
	if len(pos) != n {
		return fail(fmt.Errorf("takes %d argument(s), got %d; see rathaus-server reports -h", n, len(pos)))
	}
	if *status != "" && *status != api.ReportOpen && *status != api.ReportClosed {
		return fail(fmt.Errorf("--status is open or closed, not %q", *status))
	}
	st, err := openReportStore(ctx, data, db)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = st.Close() }()
	svc := reportwork.New(st, nil)
	switch cmd {
	case "list":
		var reps []api.Report
		if reps, err = svc.List(ctx, *status, *limit); err == nil {
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tREQUESTED\tCATEGORY\tSTATUS\tWHERE\tNOTES")
			for _, r := range reps {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Requested.Local().Format("2006-01-02 15:04"), r.ServiceCode,
					r.Status, reportPlace(r), oneLine(r.StatusNotes))
			}
			_ = tw.Flush()
			fmt.Fprintf(stdout, "%d report(s)\n", len(reps))
		}
	case "advance":
		var r api.Report
		if r, err = svc.Advance(ctx, pos[0], pos[1], *message); err == nil {
			fmt.Fprintf(stdout, "Report %s is %s (Open311: %s).\n", r.ID, pos[1], r.Status)
		}
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

func openReportStore(ctx context.Context, data, db string) (reportStore, error) {
	if db != "" {
		pctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		return postgres.Open(pctx, db)
	}
	path := filepath.Join(data, dbFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database in %s (%v); give the server's --data folder", data, unwrapPath(err))
	}
	return sqlite.Open(path)
}

// reportPlace is where a report lies, for one column.
func reportPlace(r api.Report) string {
	switch {
	case r.Address != "":
		return oneLine(r.Address)
	case r.Lat != nil:
		return fmt.Sprintf("%.5f,%.5f", *r.Lat, *r.Long)
	}
	return "-"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}
