package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"rathaus/api"
	"rathaus/server/authority"
	"rathaus/server/casework"
	"rathaus/server/postgres"
	"rathaus/server/sqlite"
)

const casesUsage = `rathaus-server cases works the town hall's cases from the command line,
on the same code paths as the staff console (/staff/): the same workflow,
and every action in the same audit log.

Usage:
  rathaus-server cases list [--service ID] [--status S] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                            [--overdue DAYS] [--number N] [--search TEXT] [--limit N] [--offset N]
  rathaus-server cases show ID|NUMBER [--json] [--authority-key FILE]
  rathaus-server cases take ID|NUMBER --as NAME
  rathaus-server cases advance ID|NUMBER STATUS [--message TEXT] [--as NAME]
                            [--date YYYY-MM-DD --time HH:MM --place TEXT] [--field POINTER ...]
  rathaus-server cases note ID|NUMBER --message TEXT [--as NAME]
  rathaus-server cases export [--case ID|NUMBER]      the audit log as CSV

STATUS is one of received, in_review, inspection (needs --date, --time and
--place), info_needed (needs --message: what the citizen is to add; each
--field /pointer names a field asked about, which the app marks),
decided (needs --message: the decision), closed. A case moves forward
(skipping allowed), from info_needed back to in_review, and to closed only
once decided. The message reaches the citizen's app with the case.

Flags of every command:
  --data FOLDER   the server's data folder (the SQLite database).
                  Environment: RATHAUS_DATA. Default: ` + defaultData + `
  --db URL        the PostgreSQL database instead. Environment: RATHAUS_DB.
  --as NAME       who acts, for the audit log. Default: $USER.
  --authority-key FILE  (show) decrypts a case encrypted end to end and
                  checks its signature. Environment: RATHAUS_AUTHORITY_KEY.
`

// casesCmd is one run of "rathaus-server cases".
type casesCmd struct {
	data, db, as string
	authorityKey string // decrypts encrypted cases for show
	stdout       io.Writer
}

// runCases runs "rathaus-server cases ...": it returns the exit code.
func runCases(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stdout
		if len(args) == 0 {
			w = stderr
		}
		fmt.Fprint(w, casesUsage)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	cmd := args[0]
	c := &casesCmd{data: defaultData, db: getenv(envDB), as: getenv("USER"), stdout: stdout}
	if v := getenv(envData); v != "" {
		c.data = v
	}
	fs := flag.NewFlagSet("cases "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.data, "data", c.data, "")
	fs.StringVar(&c.db, "db", c.db, "")
	fs.StringVar(&c.as, "as", c.as, "")
	var q casework.Query
	var from, to string
	var overdue int
	var asJSON bool
	var m casework.Move
	var in casework.Inspection
	var caseRef string
	fs.StringVar(&q.Service, "service", "", "")
	fs.StringVar(&q.Status, "status", "", "")
	fs.StringVar(&from, "from", "", "")
	fs.StringVar(&to, "to", "", "")
	fs.IntVar(&overdue, "overdue", 0, "")
	fs.StringVar(&q.Number, "number", "", "")
	fs.StringVar(&q.Search, "search", "", "")
	fs.IntVar(&q.Limit, "limit", 50, "")
	fs.IntVar(&q.Offset, "offset", 0, "")
	fs.BoolVar(&asJSON, "json", false, "")
	fs.StringVar(&m.Message, "message", "", "")
	fs.StringVar(&in.Date, "date", "", "")
	fs.StringVar(&in.Time, "time", "", "")
	fs.StringVar(&in.Place, "place", "", "")
	fs.StringVar(&caseRef, "case", "", "")
	c.authorityKey = getenv(envAuthorityKey)
	fs.StringVar(&c.authorityKey, "authority-key", c.authorityKey, "")
	fs.Func("field", "", func(v string) error { m.Fields = append(m.Fields, v); return nil })
	// Positional arguments may come before the flags.
	var pos []string
	rest := args[1:]
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		pos, rest = append(pos, rest[0]), rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, casesUsage)
			return 0
		}
		fmt.Fprintf(stderr, "rathaus-server cases %s: %v\n", cmd, err)
		return 1
	}
	pos = append(pos, fs.Args()...)
	fail := func(err error) int {
		fmt.Fprintf(stderr, "rathaus-server cases %s: %v\n", cmd, err)
		return 1
	}
	want := map[string]int{"list": 0, "show": 1, "take": 1, "advance": 2, "note": 1, "export": 0}
	n, ok := want[cmd]
	if !ok {
		fmt.Fprint(stderr, casesUsage)
		return 1
	}
	if len(pos) != n {
		return fail(fmt.Errorf("takes %d argument(s), got %d; see rathaus-server cases -h", n, len(pos)))
	}
	svc, closeStore, err := c.open(ctx)
	if err != nil {
		return fail(err)
	}
	defer closeStore()
	switch cmd {
	case "list":
		if q.From, err = day(from); err != nil {
			return fail(err)
		}
		if q.To, err = day(to); err != nil {
			return fail(err)
		}
		if !q.To.IsZero() {
			q.To = q.To.AddDate(0, 0, 1) // --to is the last day listed
		}
		if overdue > 0 {
			q.OverdueBefore = time.Now().AddDate(0, 0, -overdue)
		}
		err = c.list(ctx, svc, q)
	case "show":
		err = c.show(ctx, svc, pos[0], asJSON)
	case "take":
		err = c.act(ctx, svc, pos[0], func(id string) (api.Case, error) { return svc.Take(ctx, id, c.as) })
	case "advance":
		m.To = pos[1]
		if in != (casework.Inspection{}) {
			m.Inspection = &in
		}
		err = c.act(ctx, svc, pos[0], func(id string) (api.Case, error) { return svc.Advance(ctx, id, c.as, m) })
	case "note":
		err = c.act(ctx, svc, pos[0], func(id string) (api.Case, error) { return svc.Note(ctx, id, c.as, m.Message) })
	case "export":
		id := ""
		if caseRef != "" {
			f, ferr := svc.Find(ctx, caseRef)
			if ferr != nil {
				return fail(ferr)
			}
			id = f.ID
		}
		var entries []casework.AuditEntry
		if entries, err = svc.Audit(ctx, id); err == nil {
			err = casework.WriteAuditCSV(stdout, entries)
		}
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// caseworkStore is a store that does casework and is closed at the end.
type caseworkStore interface {
	casework.Store
	Close() error
}

func (c *casesCmd) open(ctx context.Context) (*casework.Service, func(), error) {
	var st caseworkStore
	if c.db != "" {
		pctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		pg, err := postgres.Open(pctx, c.db)
		if err != nil {
			return nil, nil, err
		}
		st = pg
	} else {
		path := filepath.Join(c.data, dbFile)
		if _, err := os.Stat(path); err != nil {
			return nil, nil, fmt.Errorf("no database in %s (%v); give the server's --data folder", c.data, unwrapPath(err))
		}
		db, err := sqlite.Open(path)
		if err != nil {
			return nil, nil, err
		}
		st = db
	}
	return casework.New(st, nil), func() { _ = st.Close() }, nil
}

func day(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is no date (YYYY-MM-DD)", s)
	}
	return t, nil
}

func (c *casesCmd) list(ctx context.Context, svc *casework.Service, q casework.Query) error {
	p, err := svc.List(ctx, q)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tID\tSERVICE\tSTATUS\tSUBMITTED\tTAKEN BY")
	for _, s := range p.Cases {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Number, s.ID, s.Service, s.Status, s.Created.Local().Format("2006-01-02 15:04"), s.Assignee)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d of %d case(s)\n", len(p.Cases), p.Total)
	return nil
}

func (c *casesCmd) show(ctx context.Context, svc *casework.Service, ref string, asJSON bool) error {
	f, err := svc.Find(ctx, ref)
	if err != nil {
		return err
	}
	audit, err := svc.Audit(ctx, f.ID)
	if err != nil {
		return err
	}
	var dec casework.Decrypter
	if c.authorityKey != "" {
		k, err := authority.Load(c.authorityKey)
		if err != nil {
			return fmt.Errorf("--authority-key: %w", err)
		}
		dec = k
	}
	st := casework.OpenSeal(&f, dec)
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			casework.File
			Audit []casework.AuditEntry
		}{f, audit})
	}
	fmt.Fprintf(c.stdout, "Case %s (%s): %s, %s, submitted %s, taken by %q\n",
		f.Number, f.ID, f.Service, f.Status, f.Created.Local().Format("2006-01-02 15:04"), f.Assignee)
	fmt.Fprintf(c.stdout, "Seal: %s\n", sealLine(st))
	fmt.Fprintf(c.stdout, "Data: %s\n", f.Data)
	for _, a := range f.Attachments {
		fmt.Fprintf(c.stdout, "Attachment %s: %s (%s, %d bytes, upload %s)\n", a.Pointer, a.Filename, a.Filetype, a.Size, a.Upload)
	}
	fmt.Fprintln(c.stdout, "Timeline:")
	for _, ev := range f.History {
		fmt.Fprintf(c.stdout, "  %s  %-12s %s\n", ev.At.Local().Format("2006-01-02 15:04"), ev.Status, ev.Note.In("de"))
	}
	fmt.Fprintln(c.stdout, "Audit log:")
	for _, e := range audit {
		fmt.Fprintf(c.stdout, "  %s  %s %s: %s -> %s %s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Actor, e.What, e.Before.Status, e.After.Status, e.Detail)
	}
	return nil
}

func (c *casesCmd) act(ctx context.Context, svc *casework.Service, ref string, do func(id string) (api.Case, error)) error {
	f, err := svc.Find(ctx, ref)
	if err != nil {
		return err
	}
	got, err := do(f.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "case %s is %s\n", got.Number, got.Status)
	return nil
}

// sealLine says what a case's seal is, as the console does.
func sealLine(st casework.SealState) string {
	var parts []string
	switch {
	case st.NoKey:
		parts = append(parts, "encrypted end to end; give --authority-key FILE to read the data")
	case st.Unopened:
		parts = append(parts, "encrypted end to end, but the authority key given does not open it")
	case st.Encrypted:
		parts = append(parts, "encrypted end to end, decrypted with the authority key")
	}
	switch {
	case !st.Signed:
		parts = append(parts, "not signed")
	case st.NoKey || st.Unopened:
		parts = append(parts, "signed, key fingerprint "+st.Fingerprint+" (checked once decrypted)")
	case st.Valid:
		parts = append(parts, "signature valid, key fingerprint "+st.Fingerprint)
	default:
		parts = append(parts, "signature INVALID (the data differ from what the device signed), key fingerprint "+st.Fingerprint)
	}
	return strings.Join(parts, "; ")
}
