package main

import (
	"flag"
	"strings"
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
