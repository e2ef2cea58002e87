package postgres

import "context"

// OpenAt is Open applying the migrations only up to version last, for
// tests of every step from empty.
func OpenAt(ctx context.Context, url string, last int) (*DB, error) {
	return open(ctx, url, Options{}, last)
}

// Migrations lists the embedded migrations' file names, in order.
func Migrations() []string {
	ms, err := loadMigrations()
	if err != nil {
		panic(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

// Classify is classify, for its table test.
var Classify = classify

// ResetPool closes every connection of the pool, as a database restart
// would; the next call connects anew.
func (db *DB) ResetPool() { db.pool.Reset() }

// Retries is how many transactions ran again after a serialization
// failure or a deadlock.
func (db *DB) Retries() int64 { return db.retries.Load() }
