package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"rathaus/assets"
	"rathaus/server/appointments"
	"rathaus/server/postgres"
	"rathaus/server/sqlite"
)

const ticketsUsage = `rathaus-server tickets checks appointment tickets in at the desk.

Usage:
  rathaus-server tickets verify [--data DIR] [--db URL] CODE

verify checks the ticket's short code as the citizen shows it ("K7MQ-P2XD";
case, spaces and the dash do not matter) or the payload its QR code holds
against the server's secret (in the data folder) and the bookings, and checks
it in: the second check of one ticket fails as used. It prints the booking
or why the ticket fails: forged (not made by this town hall), unknown,
cancelled, or already used.

Flags (as for the server; also from RATHAUS_DATA and RATHAUS_DB):
  --data DIR      the server's data folder (default ./data).
  --db URL        postgres://... when the server keeps its data there.
  -h, --help      print this help and exit.

Exit status: 0 when the ticket is valid and now checked in, 1 when it fails
or the data cannot be opened, with a one-line message.
`

// runTickets runs "rathaus-server tickets ...": it returns the exit code.
func runTickets(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, ticketsUsage)
			return 0
		}
		fmt.Fprint(stderr, ticketsUsage)
		return 1
	}
	fs := flag.NewFlagSet("rathaus-server tickets verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data, db := defaultData, getenv(envDB)
	if v := getenv(envData); v != "" {
		data = v
	}
	fs.StringVar(&data, "data", data, "")
	fs.StringVar(&db, "db", db, "")
	err := fs.Parse(args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, ticketsUsage)
		return 0
	}
	if err == nil && fs.NArg() != 1 {
		err = errors.New("want exactly one CODE")
	}
	if err != nil {
		fmt.Fprintf(stderr, "rathaus-server tickets verify: %v\nRun rathaus-server tickets verify -h for help.\n", err)
		return 1
	}
	msg, ok, err := verifyTicket(ctx, data, db, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "rathaus-server tickets verify: %v\n", err)
		return 1
	}
	if !ok {
		fmt.Fprintln(stdout, msg)
		return 1
	}
	fmt.Fprintln(stdout, msg)
	return 0
}

// verifyTicket checks the ticket in: the message for staff, and whether it
// was valid. err is for data that cannot be opened.
func verifyTicket(ctx context.Context, data, db, input string) (string, bool, error) {
	secret, err := appointments.LoadSecret(data)
	if err != nil {
		return "", false, err
	}
	tickets, err := appointments.NewTickets(secret)
	if err != nil {
		return "", false, err
	}
	offices, err := assets.DemoOffices()
	if err != nil {
		return "", false, err
	}
	sched, err := appointments.NewSchedule(offices, nil)
	if err != nil {
		return "", false, err
	}
	var store interface {
		appointments.Store
		Close() error
	}
	if db == "" {
		store, err = sqlite.Open(filepath.Join(data, dbFile))
	} else {
		cctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		store, err = postgres.Open(cctx, db)
	}
	if err != nil {
		return "", false, err
	}
	defer func() { _ = store.Close() }()
	b, err := appointments.CheckIn(ctx, store, tickets, input, time.Now())
	loc := sched.Location()
	switch {
	case err == nil:
		return fmt.Sprintf("VALID: ticket %s checked in: %s at %s, %s (booking %s).", appointments.FormatCode(b.Code),
			b.Service, b.Office, b.Start.In(loc).Format("02.01.2006 15:04"), b.ID), true, nil
	case errors.Is(err, appointments.ErrForged), errors.Is(err, appointments.ErrNotFound),
		errors.Is(err, appointments.ErrCancelled), errors.Is(err, appointments.ErrCheckedIn):
		return appointments.Explain(err, b, loc), false, nil
	}
	return "", false, err
}
