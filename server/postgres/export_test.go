package postgres

import "context"

// OpenAt is Open applying the migrations only up to version last, for
// tests of every step from empty.
func OpenAt(ctx context.Context, url string, last int) (*DB, error) { return open(ctx, url, last) }

// Migrations lists the embedded migrations' file names, in order.
func Migrations() []string {
	ms, err := loadMigrations()
	if err != nil {
		panic(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.name)
	}
	return out
}
