// Package pgtest gives tests a new, empty PostgreSQL schema each, on the
// cluster named by RATHAUS_TEST_POSTGRES (scripts/with-postgres.sh starts
// one; make test runs every test under it). Without that variable the tests
// that need PostgreSQL skip, saying why.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that names the test cluster, a postgres:// URL.
const Env = "RATHAUS_TEST_POSTGRES"

// URL creates a schema of its own for the test and returns the cluster's
// URL with search_path set to it; the schema is dropped when the test
// ends. It skips the test when there is no cluster.
func URL(tb testing.TB) string {
	tb.Helper()
	base := Base(tb)
	schema := Name("t_")
	exec(tb, base, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { exec(tb, base, "DROP SCHEMA "+schema+" CASCADE") })
	return With(tb, base, "search_path", schema)
}

// Base returns the cluster's URL as RATHAUS_TEST_POSTGRES gives it. It
// skips the test when there is no cluster.
func Base(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(Env)
	if base == "" {
		why := "RATHAUS_TEST_POSTGRES is not set; run the tests under scripts/with-postgres.sh (make test does)"
		if missing := os.Getenv("RATHAUS_TEST_POSTGRES_MISSING"); missing != "" {
			why = missing
		}
		tb.Skip("PostgreSQL tests skipped: " + why)
	}
	return base
}

// Name is prefix and 16 random hex digits: a name for a schema or a
// tablespace of the test's own.
func Name(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// With returns the URL with a parameter set; one that is no connection
// setting of libpq's is a setting of the session (such as lock_timeout).
func With(tb testing.TB, rawURL, key, value string) string {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs one statement (or several, without arguments) on the database
// at url, on a connection of its own.
func Exec(tb testing.TB, url, sql string, args ...any) {
	tb.Helper()
	exec(tb, url, sql, args...)
}

func exec(tb testing.TB, url, sql string, args ...any) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("pgtest: %s: %v", sql, err)
	}
}

// Connect opens a connection of the test's own to the database at url,
// closed when the test ends, for looking at tables directly.
func Connect(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}
