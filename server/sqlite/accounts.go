package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"rathaus/server"
	"rathaus/server/accounts"
)

const accountColumns = "id, email, name, roles, password_hash, disabled, created"

// CreateAccount implements accounts.Store.
func (db *DB) CreateAccount(ctx context.Context, a accounts.Account) (err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		_, err := q.ExecContext(ctx, "INSERT INTO accounts ("+accountColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			a.ID, strings.ToLower(a.Email), a.Name, strings.Join(a.Roles, " "), a.PasswordHash, a.Disabled,
			a.Created.UTC().Format(time.RFC3339))
		if se, ok := errors.AsType[sqlite3.Error](err); ok && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) {
			return accounts.ErrExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create account: %w", err)
	}
	return nil
}

func scanAccount(row interface{ Scan(...any) error }) (accounts.Account, error) {
	var a accounts.Account
	var email sql.NullString
	var roles, created string
	if err := row.Scan(&a.ID, &email, &a.Name, &roles, &a.PasswordHash, &a.Disabled, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return a, accounts.ErrNotFound
		}
		return a, err
	}
	a.Email, a.Roles = email.String, strings.Fields(roles)
	a.Created, _ = time.Parse(time.RFC3339, created)
	return a, nil
}

// Account implements accounts.Store.
func (db *DB) Account(ctx context.Context, id string) (_ accounts.Account, err error) {
	defer func() { err = classify(err) }()
	a, err := scanAccount(db.ro.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", id))
	if err != nil {
		return a, fmt.Errorf("sqlite: account: %w", err)
	}
	return a, nil
}

// AccountByEmail implements accounts.Store.
func (db *DB) AccountByEmail(ctx context.Context, email string) (_ accounts.Account, err error) {
	defer func() { err = classify(err) }()
	a, err := scanAccount(db.ro.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE email = ?", strings.ToLower(email)))
	if err != nil {
		return a, fmt.Errorf("sqlite: account by email: %w", err)
	}
	return a, nil
}

// Accounts implements accounts.Store.
func (db *DB) Accounts(ctx context.Context) (_ []accounts.Account, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE email IS NOT NULL ORDER BY email")
	if err != nil {
		return nil, fmt.Errorf("sqlite: accounts: %w", err)
	}
	defer rows.Close()
	var out []accounts.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: accounts: %w", err)
	}
	return out, nil
}

// SetAccountDisabled implements accounts.Store.
func (db *DB) SetAccountDisabled(ctx context.Context, id string, disabled bool) (err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, "UPDATE accounts SET disabled = ? WHERE id = ?", disabled, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return accounts.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: set account disabled: %w", err)
	}
	return nil
}

// UnlinkDevice implements server.Store.
func (db *DB) UnlinkDevice(ctx context.Context, device string) (err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, "UPDATE devices SET account = NULL WHERE id = ?", device)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return server.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: unlink device: %w", err)
	}
	return nil
}

const grantColumns = "id, kind, subject, client, data, expires"

func scanGrant(row interface{ Scan(...any) error }) (accounts.Grant, error) {
	var g accounts.Grant
	var data string
	var expires int64
	if err := row.Scan(&g.ID, &g.Kind, &g.Subject, &g.Client, &data, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
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
	return db.execOne(ctx, "put grant", "INSERT OR REPLACE INTO oidc_grants ("+grantColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		g.ID, g.Kind, g.Subject, g.Client, string(g.Data), g.Expires.Unix())
}

// Grant implements accounts.Store.
func (db *DB) Grant(ctx context.Context, id string) (_ accounts.Grant, err error) {
	defer func() { err = classify(err) }()
	g, err := scanGrant(db.ro.QueryRowContext(ctx, "SELECT "+grantColumns+" FROM oidc_grants WHERE id = ?", id))
	if err != nil {
		return g, fmt.Errorf("sqlite: grant: %w", err)
	}
	return g, nil
}

// TakeGrant implements accounts.Store: one DELETE ... RETURNING, so that
// of two callers only one gets the row.
func (db *DB) TakeGrant(ctx context.Context, id string) (_ accounts.Grant, err error) {
	defer func() { err = classify(err) }()
	var g accounts.Grant
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		var err error
		g, err = scanGrant(q.QueryRowContext(ctx, "DELETE FROM oidc_grants WHERE id = ? RETURNING "+grantColumns, id))
		return err
	})
	if err != nil {
		return g, fmt.Errorf("sqlite: take grant: %w", err)
	}
	return g, nil
}

// DeleteGrants implements accounts.Store.
func (db *DB) DeleteGrants(ctx context.Context, ids ...string) (err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		for _, id := range ids {
			if _, err := q.ExecContext(ctx, "DELETE FROM oidc_grants WHERE id = ?", id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete grants: %w", err)
	}
	return nil
}

// DeleteExpiredGrants implements accounts.Store.
func (db *DB) DeleteExpiredGrants(ctx context.Context, before time.Time) (n int, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, "DELETE FROM oidc_grants WHERE expires < ?", before.Unix())
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired grants: %w", err)
	}
	return n, nil
}
