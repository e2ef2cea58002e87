package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"text/tabwriter"
	"time"

	"rathaus/server/open311"
)

const open311Usage = `rathaus-server open311 keys manages the API keys of outside Open311
clients (GeoReport v2 at /open311/v2/; a key is needed to POST requests).

Usage:
  rathaus-server open311 keys add NAME [--data FOLDER] [--db URL]
      make a new key for the client NAME and print it (once: only its
      SHA-256 is stored).
  rathaus-server open311 keys list [--data FOLDER] [--db URL]
      list the keys: name, created, revoked.
  rathaus-server open311 keys revoke NAME [--data FOLDER] [--db URL]
      revoke the key of NAME; requests with it get 403 from then on.

NAME: letters, digits, dots, dashes and underscores, at most 64; a name is
never used twice, also after its key was revoked.
--data and --db (and RATHAUS_DATA, RATHAUS_DB) name the database as for the
server itself; the server may be running meanwhile.
`

var keyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// runOpen311 runs "rathaus-server open311 ...": it returns the exit code.
func runOpen311(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) < 2 || args[0] != "keys" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, open311Usage)
			return 0
		}
		fmt.Fprint(stderr, open311Usage)
		return 1
	}
	c, code, done := parseNamedCommand("rathaus-server open311 keys", open311Usage, args[1], args[2:], getenv, stdout, stderr, nil)
	if done {
		return code
	}
	verb, name, fail := c.verb, c.arg, c.fail
	switch verb {
	case "add", "revoke":
		if !keyName.MatchString(name) {
			return fail("give the client's name (letters, digits, . - _; at most 64), e.g. %s fixmystreet", verb)
		}
	case "list":
	default:
		fmt.Fprint(stderr, open311Usage)
		return 1
	}
	s, err := openStore(ctx, c.data, c.db)
	if err != nil {
		return fail("%v", err)
	}
	defer s.Close()
	now := time.Now()
	switch verb {
	case "add":
		secret, k := open311.NewKey(name, now)
		added, err := s.AddOpen311Key(ctx, k)
		if err != nil {
			return fail("%v", err)
		}
		if !added {
			return fail("a key named %s exists already (names are never reused; choose another)", name)
		}
		fmt.Fprintln(stdout, secret)
		fmt.Fprintf(stderr, "Key for %s made. Hand it over safely: it is shown only now.\n", name)
	case "revoke":
		found, err := s.RevokeOpen311Key(ctx, name, now)
		if err != nil {
			return fail("%v", err)
		}
		if !found {
			return fail("there is no key named %s", name)
		}
		fmt.Fprintf(stderr, "Key of %s revoked.\n", name)
	case "list":
		keys, err := s.Open311Keys(ctx)
		if err != nil {
			return fail("%v", err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if !k.Revoked.IsZero() {
				revoked = k.Revoked.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.Created.Format(time.RFC3339), revoked)
		}
		_ = tw.Flush()
	}
	return 0
}
