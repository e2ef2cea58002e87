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

	"rathaus/server/accounts"
	"rathaus/server/open311"
	"rathaus/server/postgres"
	"rathaus/server/sqlite"
)

// storeFlags adds --data and --db to a store command's flags, their
// defaults from RATHAUS_DATA and RATHAUS_DB as the server takes them.
func storeFlags(fs *flag.FlagSet, getenv func(string) string) (data, db *string) {
	data, db = new(string), new(string)
	*data = defaultData
	if v := getenv(envData); v != "" {
		*data = v
	}
	*db = getenv(envDB)
	fs.StringVar(data, "data", *data, "")
	fs.StringVar(db, "db", *db, "")
	return data, db
}

// parseNamed parses a command's flags around its one argument (a name, an
// email), which may come before or after them; "" when there is none.
func parseNamed(fs *flag.FlagSet, rest []string) (string, error) {
	var arg string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		arg, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return "", err
	}
	if arg == "" && fs.NArg() > 0 {
		arg = fs.Arg(0)
	}
	return arg, nil
}

// namedCommand is a parsed store command that takes one argument (the
// accounts and the open311 keys commands): what it does, to what, and
// where its store is.
type namedCommand struct {
	prog     string // "rathaus-server accounts", for its messages
	verb     string
	arg      string // the email, the name; "" when none was given
	data, db string
	stderr   io.Writer
}

// parseNamedCommand parses the flags of prog's verb (--data, --db and
// those more adds) around its one argument. done says the command is over
// already, with the exit code code: its help was asked for (printed on
// stdout) or a flag was wrong.
func parseNamedCommand(prog, usage, verb string, rest []string, getenv func(string) string, stdout, stderr io.Writer, more func(*flag.FlagSet)) (c namedCommand, code int, done bool) {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data, db := storeFlags(fs, getenv)
	if more != nil {
		more(fs)
	}
	arg, err := parseNamed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return c, 0, true
		}
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return c, 1, true
	}
	return namedCommand{prog: prog, verb: verb, arg: arg, data: *data, db: *db, stderr: stderr}, 0, false
}

// fail says why the command failed and returns its exit code.
func (c namedCommand) fail(format string, a ...any) int {
	fmt.Fprintf(c.stderr, "%s %s: %s\n", c.prog, c.verb, fmt.Sprintf(format, a...))
	return 1
}

// commandStore is what the accounts and open311 keys commands open.
type commandStore interface {
	accounts.Store
	open311.KeyStore
	Close() error
}

var (
	_ commandStore = (*sqlite.DB)(nil)
	_ commandStore = (*postgres.DB)(nil)
)

// openStore opens the database the server keeps in data, or the
// PostgreSQL one at db, making the data folder if it is not there yet.
func openStore(ctx context.Context, data, db string) (commandStore, error) {
	if db != "" {
		if !strings.HasPrefix(db, "postgres://") && !strings.HasPrefix(db, "postgresql://") {
			return nil, errors.New("--db takes a postgres:// URL")
		}
		ctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		return postgres.Open(ctx, db)
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create data folder %s: %w", data, unwrapPath(err))
	}
	return sqlite.Open(filepath.Join(data, dbFile))
}
