package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRefusedArguments: wrong flags are refused before anything is built
// or started.
func TestRefusedArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"a rate that is no number", []string{"--rates", "250,viel"}, 2, `"viel" is not a rate`},
		{"a rate of 0", []string{"--rates", "0"}, 2, `"0" is not a rate`},
		{"an unknown target", []string{"--targets", "mysql"}, 1, `unknown target "mysql"`},
		{"no target", []string{"--targets", ","}, 1, "no targets"},
		{"a --db that is no PostgreSQL URL", []string{"--db", "mysql://x"}, 1, "not a postgres:// URL"},
		{"an unknown flag", []string{"--turbo"}, 2, "flag provided but not defined"},
		{"baseline without --data", []string{"baseline"}, 2, "--data is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.says) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.says)
			}
		})
	}
}
