package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"rathaus/server/schema"
)

//go:embed migrations/*.sql
var migrations embed.FS

// loadMigrations reads this store's migrations, in order.
func loadMigrations() ([]schema.Migration, error) { return schema.Load(migrations) }

// migrateTo applies, in order, every migration up to version last (-1:
// all) not yet recorded in schema_migrations, each in its own transaction
// together with its record. Each transaction takes the migrations' lock
// first and checks again, so that processes starting at once apply every
// migration exactly once.
func (db *DB) migrateTo(ctx context.Context, last int) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].Version
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, waitForMigrations); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY,
			name    text NOT NULL,
			applied timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		// A database that a newer backend migrated is not for this one:
		// it would write rows the newer code does not expect.
		var newest int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&newest); err != nil {
			return err
		}
		if newest > known {
			return fmt.Errorf("the database has migration %d, newer than this rathaus-server knows (%d): run the newer version", newest, known)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range ms {
		if last >= 0 && m.Version > last {
			break
		}
		if err := db.inTx(ctx, func(tx pgx.Tx) error { return apply(ctx, tx, m) }); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// waitForMigrations lets a migration wait as long as its context allows
// (not lock_timeout) for another process's migration, and for the locks of
// requests still running on the tables it changes.
const waitForMigrations = "SET LOCAL lock_timeout = 0"

func apply(ctx context.Context, tx pgx.Tx, m schema.Migration) error {
	if _, err := tx.Exec(ctx, waitForMigrations); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, migrateLock); err != nil {
		return err
	}
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM schema_migrations WHERE version = $1", m.Version).Scan(&one)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	// Without arguments pgx sends the file as one simple query, so it may
	// hold several statements.
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
	return err
}
