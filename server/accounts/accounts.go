// Package accounts holds the citizens' and the staff's accounts of the
// backend's own OpenID provider (server/oidc): who they are, their roles and
// their argon2id password hashes, and the grants of the provider (auth
// requests, codes, access and refresh tokens, device codes) that a restart,
// or another backend process on the same database, must find again. It is
// free of HTTP and of the OpenID library, so the store packages and the
// command line can use it.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"rathaus/api"
)

// Account is a person who can log in.
type Account struct {
	// ID is the account's subject ("sub" of its tokens) and the account
	// its devices are linked to.
	ID    string
	Email string // lower case; unique
	Name  string
	// Roles: api.RoleCitizen, api.RoleStaff.
	Roles []string
	// PasswordHash is an encoded argon2id hash (HashPassword).
	PasswordHash string
	// Disabled accounts cannot log in, and their tokens stop working.
	Disabled bool
	Created  time.Time
}

// NewID returns a new account id: "a_" and 16 random hex digits.
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "a_" + hex.EncodeToString(b)
}

// Has reports whether the account holds the role.
func (a Account) Has(role string) bool { return slices.Contains(a.Roles, role) }

// Grant is one thing the provider hands out and must find again: an auth
// request, a code, an access or refresh token, a device code. The store
// keeps it opaque; server/oidc gives it meaning.
type Grant struct {
	// ID is unique over all kinds; for a secret the client holds (a code, a
	// refresh token, a device code) it is derived from the secret's SHA-256,
	// never the secret itself.
	ID      string
	Kind    string
	Subject string // the account, "" while nobody logged in
	Client  string
	Data    []byte // JSON, as server/oidc writes it
	Expires time.Time
}

// Store keeps accounts and grants. server.Store embeds it; server/sqlite
// and server/postgres implement it, and server/storetest holds them to it.
type Store interface {
	// CreateAccount stores a new account; ErrExists when its email (or
	// id) is taken.
	CreateAccount(ctx context.Context, a Account) error
	// Account returns the account with the id; ErrNotFound when none.
	Account(ctx context.Context, id string) (Account, error)
	// AccountByEmail returns the account with the email (compared in lower
	// case); ErrNotFound when none.
	AccountByEmail(ctx context.Context, email string) (Account, error)
	// Accounts lists every account that can log in (accounts made only
	// to group devices have no email and are left out), by email.
	Accounts(ctx context.Context) ([]Account, error)
	// SetAccountDisabled disables or enables the account; ErrNotFound
	// when none.
	SetAccountDisabled(ctx context.Context, id string, disabled bool) error

	// PutGrant stores the grant, replacing one with the same id.
	PutGrant(ctx context.Context, g Grant) error
	// Grant returns the grant with the id, expired or not; ErrNotFound
	// when none.
	Grant(ctx context.Context, id string) (Grant, error)
	// TakeGrant deletes the grant and returns it, in one step: of two
	// callers at once only one gets it (single use of codes and refresh
	// tokens). ErrNotFound when none.
	TakeGrant(ctx context.Context, id string) (Grant, error)
	// DeleteGrants deletes the grants with the ids; unknown ids are no
	// error.
	DeleteGrants(ctx context.Context, ids ...string) error
	// DeleteExpiredGrants deletes every grant that expired before the time
	// and says how many.
	DeleteExpiredGrants(ctx context.Context, before time.Time) (int, error)
}

// Errors a Store returns.
var (
	ErrNotFound = errors.New("no such account or grant")
	ErrExists   = errors.New("an account with this email exists already")
)

// Error is a refused input, with a code and a message for people in
// German and English.
type Error struct {
	Code string
	Text api.Text
}

func (e *Error) Error() string { return e.Text["en"] }

// Codes of Error.
const (
	CodeEmail    = "email"
	CodeName     = "name"
	CodePassword = "password"
)

// MinPassword is the shortest password accepted (BSI: at least 8; a town's
// IT may ask for more, the check stays here).
const MinPassword = 10

// maxName bounds names and emails.
const maxName = 200

// NormalEmail checks an email address and returns it in lower case.
func NormalEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > maxName || !strings.Contains(s, "@") {
		return "", &Error{Code: CodeEmail, Text: api.Text{
			"de": "Die E-Mail-Adresse ist ungültig.", "en": "The email address is not valid."}}
	}
	return strings.ToLower(s), nil
}

// Validate checks a new account's email, name and roles (not its hash).
func (a Account) Validate() error {
	if _, err := NormalEmail(a.Email); err != nil {
		return err
	}
	if len(a.Name) > maxName || !utf8.ValidString(a.Name) || strings.ContainsFunc(a.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return &Error{Code: CodeName, Text: api.Text{
			"de": "Der Name darf höchstens 200 Zeichen ohne Steuerzeichen haben.",
			"en": "The name must be at most 200 characters without control characters."}}
	}
	for _, r := range a.Roles {
		if r != api.RoleCitizen && r != api.RoleStaff {
			return &Error{Code: "role", Text: api.Text{"de": "Unbekannte Rolle " + r + ".", "en": "Unknown role " + r + "."}}
		}
	}
	return nil
}

// CheckPassword refuses a password too short or too long to hash.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPassword || len(pw) > 1024 {
		return &Error{Code: CodePassword, Text: api.Text{
			"de": "Das Passwort muss mindestens 10 und höchstens 1024 Zeichen haben.",
			"en": "The password must have at least 10 and at most 1024 characters."}}
	}
	return nil
}
