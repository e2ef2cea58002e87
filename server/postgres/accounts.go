package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"rathaus/server"
	"rathaus/server/accounts"
)

const accountColumns = "id, email, name, roles, password_hash, disabled, created"

// exec runs one statement on a connection of the pool.
func (db *DB) exec(ctx context.Context, what, sql string, args ...any) (pgconn.CommandTag, error) {
	conn, err := db.acquire(ctx)
	if err != nil {
		return pgconn.CommandTag{}, fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer conn.Release()
	tag, err := conn.Exec(ctx, sql, args...)
	if err != nil {
		return tag, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return tag, nil
}

// CreateAccount implements accounts.Store.
func (db *DB) CreateAccount(ctx context.Context, a accounts.Account) (err error) {
	defer func() { err = classify(err) }()
	_, err = db.exec(ctx, "create account", "INSERT INTO accounts ("+accountColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		a.ID, strings.ToLower(a.Email), a.Name, strings.Join(a.Roles, " "), a.PasswordHash, a.Disabled, stamp(a.Created))
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "23505" {
		return fmt.Errorf("postgres: create account: %w", accounts.ErrExists)
	}
	return err
}

func scanAccount(row pgx.Row) (accounts.Account, error) {
	var a accounts.Account
	var email *string
	var roles string
	if err := row.Scan(&a.ID, &email, &a.Name, &roles, &a.PasswordHash, &a.Disabled, &a.Created); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return a, accounts.ErrNotFound
		}
		return a, err
	}
	if email != nil {
		a.Email = *email
	}
	a.Roles, a.Created = strings.Fields(roles), a.Created.UTC()
	return a, nil
}

func (db *DB) oneAccount(ctx context.Context, what, where string, arg any) (_ accounts.Account, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return accounts.Account{}, fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer conn.Release()
	a, err := scanAccount(conn.QueryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE "+where, arg))
	if err != nil {
		return a, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return a, nil
}

// Account implements accounts.Store.
func (db *DB) Account(ctx context.Context, id string) (accounts.Account, error) {
	return db.oneAccount(ctx, "account", "id = $1", id)
}

// AccountByEmail implements accounts.Store.
func (db *DB) AccountByEmail(ctx context.Context, email string) (accounts.Account, error) {
	return db.oneAccount(ctx, "account by email", "email = $1", strings.ToLower(email))
}

// Accounts implements accounts.Store.
func (db *DB) Accounts(ctx context.Context) (_ []accounts.Account, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: accounts: %w", err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE email IS NOT NULL ORDER BY email")
	if err != nil {
		return nil, fmt.Errorf("postgres: accounts: %w", err)
	}
	defer rows.Close()
	var out []accounts.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: accounts: %w", err)
	}
	return out, nil
}

// SetAccountDisabled implements accounts.Store.
func (db *DB) SetAccountDisabled(ctx context.Context, id string, disabled bool) (err error) {
	defer func() { err = classify(err) }()
	tag, err := db.exec(ctx, "set account disabled", "UPDATE accounts SET disabled = $1 WHERE id = $2", disabled, id)
	if err == nil && tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: set account disabled: %w", accounts.ErrNotFound)
	}
	return err
}

// UnlinkDevice implements server.Store.
func (db *DB) UnlinkDevice(ctx context.Context, device string) (err error) {
	defer func() { err = classify(err) }()
	tag, err := db.exec(ctx, "unlink device", "UPDATE devices SET account = NULL WHERE id = $1", device)
	if err == nil && tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: unlink device: %w", server.ErrNotFound)
	}
	return err
}

const grantColumns = "id, kind, subject, client, data, expires"

func scanGrant(row pgx.Row) (accounts.Grant, error) {
	var g accounts.Grant
	var data string
	var expires int64
	if err := row.Scan(&g.ID, &g.Kind, &g.Subject, &g.Client, &data, &expires); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return g, accounts.ErrNotFound
		}
		return g, err
	}
	g.Data, g.Expires = []byte(data), time.Unix(expires, 0).UTC()
	return g, nil
}

// PutGrant implements accounts.Store.
func (db *DB) PutGrant(ctx context.Context, g accounts.Grant) (err error) {
	defer func() { err = classify(err) }()
	_, err = db.exec(ctx, "put grant", `INSERT INTO oidc_grants (`+grantColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, subject = excluded.subject, client = excluded.client,
			data = excluded.data, expires = excluded.expires`,
		g.ID, g.Kind, g.Subject, g.Client, string(g.Data), g.Expires.Unix())
	return err
}

func (db *DB) oneGrant(ctx context.Context, what, sql, id string) (_ accounts.Grant, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return accounts.Grant{}, fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer conn.Release()
	g, err := scanGrant(conn.QueryRow(ctx, sql, id))
	if err != nil {
		return g, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return g, nil
}

// Grant implements accounts.Store.
func (db *DB) Grant(ctx context.Context, id string) (accounts.Grant, error) {
	return db.oneGrant(ctx, "grant", "SELECT "+grantColumns+" FROM oidc_grants WHERE id = $1", id)
}

// TakeGrant implements accounts.Store: one DELETE ... RETURNING, so that
// of two callers only one gets the row.
func (db *DB) TakeGrant(ctx context.Context, id string) (accounts.Grant, error) {
	return db.oneGrant(ctx, "take grant", "DELETE FROM oidc_grants WHERE id = $1 RETURNING "+grantColumns, id)
}

// DeleteGrants implements accounts.Store.
func (db *DB) DeleteGrants(ctx context.Context, ids ...string) (err error) {
	defer func() { err = classify(err) }()
	_, err = db.exec(ctx, "delete grants", "DELETE FROM oidc_grants WHERE id = ANY($1)", ids)
	return err
}

// DeleteExpiredGrants implements accounts.Store.
func (db *DB) DeleteExpiredGrants(ctx context.Context, before time.Time) (_ int, err error) {
	defer func() { err = classify(err) }()
	tag, err := db.exec(ctx, "delete expired grants", "DELETE FROM oidc_grants WHERE expires < $1", before.Unix())
	return int(tag.RowsAffected()), err
}
