package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"rathaus/server/xdatenfelder"
)

const formsUsage = `rathaus-server forms works with form definitions.

Usage:
  rathaus-server forms import FILE [-o OUT.json] [--id ID] [--version N]
      convert an XDatenfelder form (FIM) into a form definition.

Run rathaus-server forms import -h for details.
`

const importUsage = `rathaus-server forms import converts a form of the German Federal Information
Management (FIM), an XDatenfelder 2 or 3 XML file (a Stammdatenschema, as the
FIM portal exports it, or a Datenfeldgruppe), into a Rathaus form definition.

Usage:
  rathaus-server forms import FILE [-o OUT.json] [--id ID] [--version N]

It writes the definition (indented JSON) to standard output or OUT.json, and
a report to standard error: one line per construct of the source, saying
whether it was mapped, approximated (and what was lost) or not mapped (and
why). Read the report before publishing the form: code lists that the file
only references are imported as free text, most free-text rules need a
person, and every text is German only (the English is a copy of the German
until someone translates it).

Flags:
  -o OUT.json     write the definition to OUT.json instead of standard output.
  --id ID         form id (lower-case letters, digits, dashes; at most 64).
                  Default: the FIM id, lower case (S00000000364 -> s00000000364).
  --version N     form version (1 or more). Default: from the FIM version,
                  major*10000 + minor*100 + patch (1.2.0 -> 10200), so that each
                  FIM version gets its own, increasing number.
  -h, --help      print this help and exit.

Exit status: 0 when the definition was written (with the report), 1 when the
file cannot be read or converted, or the converted definition is invalid (the
report says why), with a one-line message.
`

// formID is the form id pattern of formschema.
var formID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// runForms runs "rathaus-server forms ...": it returns the exit code.
func runForms(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "rathaus-server forms: missing command\nRun rathaus-server forms -h for help.\n")
		return 1
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, formsUsage)
		return 0
	case "import":
		return runImport(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "rathaus-server forms: unknown command %q\nRun rathaus-server forms -h for help.\n", args[0])
	return 1
}

func runImport(args []string, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		msg := strings.ReplaceAll(fmt.Sprintf(format, a...), "\n", " ")
		fmt.Fprintf(stderr, "rathaus-server forms import: %s\n", msg)
		return 1
	}
	fs := flag.NewFlagSet("rathaus-server forms import", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by fail
	out := fs.String("o", "", "")
	id := fs.String("id", "", "")
	version := fs.Int("version", 0, "")
	// Flags may come before or after FILE.
	var files []string
	rest := args
	for {
		err := fs.Parse(rest)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, importUsage)
			return 0
		}
		if err != nil {
			return fail("%v (run rathaus-server forms import -h for help)", err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	switch {
	case len(files) == 0:
		return fail("missing FILE (run rathaus-server forms import -h for help)")
	case len(files) > 1:
		return fail("one FILE at a time, got %d: %s", len(files), strings.Join(files, " "))
	case *id != "" && !formID.MatchString(*id):
		return fail("--id %q must be lower-case letters, digits and dashes, at most 64", *id)
	case *version < 0:
		return fail("--version must be 1 or more, is %d", *version)
	}
	file := files[0]

	f, err := os.Open(file)
	if err != nil {
		return fail("%v", err)
	}
	defer f.Close()
	def, rep, err := xdatenfelder.Convert(f, xdatenfelder.Options{ID: *id, Version: *version})
	if rep != nil {
		fmt.Fprint(stderr, rep.String())
	}
	if err != nil {
		return fail("%s: %v", file, err)
	}

	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(def); err != nil {
		return fail("encode: %v", err)
	}
	if *out == "" {
		if _, err := stdout.Write(b.Bytes()); err != nil {
			return fail("write: %v", err)
		}
		return 0
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		return fail("%v", err)
	}
	return 0
}
