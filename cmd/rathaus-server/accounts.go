package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"rathaus/api"
	"rathaus/server/accounts"
)

const accountsUsage = `rathaus-server accounts manages the accounts that log in at the backend's
own OpenID provider (the app, the kiosk's device login, the staff API).

Usage:
  rathaus-server accounts add EMAIL [--name NAME] [--staff] [--data FOLDER] [--db URL]
      make an account. Its password is read from standard input (one line,
      at least 10 characters); with nothing on standard input (a terminal),
      a password is generated and printed once.
  rathaus-server accounts list [--data FOLDER] [--db URL]
      list the accounts: email, name, roles, disabled.
  rathaus-server accounts disable EMAIL [--data FOLDER] [--db URL]
      disable an account: it cannot log in, and its tokens stop working.
  rathaus-server accounts enable EMAIL [--data FOLDER] [--db URL]
      enable it again.

--staff gives the staff role (the staff API and the device login of a
kiosk); without it the account is a citizen's.
--data and --db (and RATHAUS_DATA, RATHAUS_DB) name the database as for the
server itself; the server may be running meanwhile.
`

// runAccounts runs "rathaus-server accounts ...": it returns the exit code.
// stdin gives the password of "add" when it is not a terminal.
func runAccounts(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		fmt.Fprint(w, accountsUsage)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	var name string
	var staff bool
	c, code, done := parseNamedCommand("rathaus-server accounts", accountsUsage, args[0], args[1:], getenv, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "")
		fs.BoolVar(&staff, "staff", false, "")
	})
	if done {
		return code
	}
	verb, email, fail := c.verb, c.arg, c.fail
	switch verb {
	case "add", "disable", "enable":
		if email == "" {
			return fail("give the account's email, e.g. %s anna@example.org", verb)
		}
	case "list":
	default:
		fmt.Fprint(stderr, accountsUsage)
		return 1
	}
	s, err := openStore(ctx, c.data, c.db)
	if err != nil {
		return fail("%v", err)
	}
	defer s.Close()
	switch verb {
	case "add":
		password, generated, err := readPassword(stdin)
		if err != nil {
			return fail("%v", err)
		}
		roles := []string{api.RoleCitizen}
		if staff {
			roles = append(roles, api.RoleStaff)
		}
		if _, err := addAccount(ctx, s, email, name, password, roles); err != nil {
			return fail("%v", err)
		}
		if generated {
			fmt.Fprintln(stdout, password)
			fmt.Fprintf(stderr, "Account %s made; its password is above. Hand it over safely: it is shown only now.\n", email)
		} else {
			fmt.Fprintf(stderr, "Account %s made.\n", email)
		}
	case "disable", "enable":
		a, err := s.AccountByEmail(ctx, email)
		if errors.Is(err, accounts.ErrNotFound) {
			return fail("there is no account %s", email)
		}
		if err != nil {
			return fail("%v", err)
		}
		if err := s.SetAccountDisabled(ctx, a.ID, verb == "disable"); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stderr, "Account %s %sd.\n", email, verb)
	case "list":
		list, err := s.Accounts(ctx)
		if err != nil {
			return fail("%v", err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tDISABLED\tCREATED")
		for _, a := range list {
			disabled := "-"
			if a.Disabled {
				disabled = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Email, a.Name, strings.Join(a.Roles, ","), disabled, a.Created.Format(time.RFC3339))
		}
		_ = tw.Flush()
	}
	return 0
}

// readPassword reads one line from stdin; nothing there (a terminal, or an
// empty input) makes a new password.
func readPassword(stdin io.Reader) (pw string, generated bool, err error) {
	if stdin != nil && !isTerminal(stdin) {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, err
		}
		if pw = strings.TrimRight(line, "\r\n"); pw != "" {
			return pw, false, accounts.CheckPassword(pw)
		}
	}
	return accounts.GeneratePassword(), true, nil
}

// addAccount checks and stores a new account.
func addAccount(ctx context.Context, s accounts.Store, email, name, password string, roles []string) (accounts.Account, error) {
	norm, err := accounts.NormalEmail(email)
	if err != nil {
		return accounts.Account{}, err
	}
	if err := accounts.CheckPassword(password); err != nil {
		return accounts.Account{}, err
	}
	a := accounts.Account{ID: accounts.NewID(), Email: norm, Name: name, Roles: roles,
		Created: time.Now().UTC().Truncate(time.Second)}
	if err := a.Validate(); err != nil {
		return a, err
	}
	a.PasswordHash = accounts.HashPassword(password)
	if err := s.CreateAccount(ctx, a); errors.Is(err, accounts.ErrExists) {
		return a, fmt.Errorf("an account %s exists already", norm)
	} else if err != nil {
		return a, err
	}
	return a, nil
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
