package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// UploadLocker locks uploads between backend processes on one database,
// on whichever machines they run: a request or the janitor working on an
// upload holds its lock, and another process that wants it asks the holder
// to let go (tusd's handler.Locker). A file lock (tusd's filelocker) works
// only between processes of one machine: its stale-lock check looks for
// the holder's PID on the local machine.
//
// A lock is a session-level advisory lock on one connection per process,
// so it goes when the process dies, without a timeout. Requests to let go
// travel by NOTIFY to a second connection that LISTENs. Locks within one
// process are told apart in memory (an advisory lock is re-entrant per
// session). Behind a pooler, that pooler must keep sessions (PgBouncer's
// session mode), as the advisory locks belong to the session.
type UploadLocker struct {
	cfg  *pgx.ConnConfig
	log  *slog.Logger
	poll time.Duration // how often a waiting Lock asks again

	mu     sync.Mutex
	conn   *pgx.Conn // holds the locks; nil until needed, or after it broke
	gen    int       // counts conn's replacements: a lock of an earlier conn is gone
	held   map[string]*uploadLock
	isDone bool // closed: no new connection

	stop   context.CancelFunc
	closed chan struct{} // closed when the listener returned
}

var _ tusd.Locker = (*UploadLocker)(nil)

// releaseChannel carries the ids of uploads whose holder should let go.
const releaseChannel = "rathaus_upload_release"

// uploadLockKey is the advisory lock of an upload (one-bigint form, apart
// from the two-int locks of locks.go).
const uploadLockKey = "hashtextextended('rathaus upload ' || current_schema() || ' ' || $1, 0)"

// UploadLocker returns a locker for the uploads on this database; it
// listens for requests to let go until the store is closed.
func (db *DB) UploadLocker(ctx context.Context, log *slog.Logger) (*UploadLocker, error) {
	db.lockerOnce.Do(func() {
		cfg := db.pool.Config().ConnConfig
		lctx, stop := context.WithCancel(context.Background())
		l := &UploadLocker{cfg: cfg, log: log, poll: 100 * time.Millisecond, held: map[string]*uploadLock{},
			stop: stop, closed: make(chan struct{})}
		listen, err := l.listen(ctx)
		if err != nil {
			stop()
			db.lockerErr = fmt.Errorf("postgres: upload locks: %w", err)
			return
		}
		go l.serve(lctx, listen)
		db.locker = l
	})
	if db.locker == nil && db.lockerErr == nil {
		return nil, errors.New("postgres: upload locks: the store is closed")
	}
	return db.locker, db.lockerErr
}

// Close lets go of every lock and stops listening.
func (l *UploadLocker) Close() {
	l.stop()
	<-l.closed
	l.mu.Lock()
	defer l.mu.Unlock()
	l.isDone = true
	l.dropConn()
}

// NewLock implements tusd.Locker.
func (l *UploadLocker) NewLock(id string) (tusd.Lock, error) {
	return &uploadLock{l: l, id: id}, nil
}

type uploadLock struct {
	l       *UploadLocker
	id      string
	release func()
	gen     int
}

// Lock takes the upload's lock. While another holds it, it asks that one,
// in this process or another, to let go, and tries again until ctx ends
// (then tusd.ErrLockTimeout).
func (lk *uploadLock) Lock(ctx context.Context, requestRelease func()) error {
	lk.release = requestRelease
	for {
		ok, err := lk.l.try(ctx, lk)
		if err != nil {
			if ctx.Err() != nil {
				return tusd.ErrLockTimeout
			}
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return tusd.ErrLockTimeout
		case <-time.After(lk.l.poll):
		}
	}
}

// Unlock implements tusd.Lock.
func (lk *uploadLock) Unlock() error {
	l := lk.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[lk.id] != lk {
		return nil // lost with a broken connection, already let go
	}
	delete(l.held, lk.id)
	if lk.gen != l.gen || l.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock("+uploadLockKey+")", lk.id); err != nil {
		// The lock may still be held by the session: end it.
		l.broken(err)
		return nil
	}
	return nil
}

// try takes the lock if it is free; if not, it asks the holder to let go.
func (l *UploadLocker) try(ctx context.Context, lk *uploadLock) (bool, error) {
	l.mu.Lock()
	if other := l.held[lk.id]; other != nil {
		l.mu.Unlock()
		other.release()
		return false, nil
	}
	defer l.mu.Unlock()
	if l.isDone {
		return false, errors.New("postgres: upload locks: the store is closed")
	}
	if l.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, l.cfg)
		if err != nil {
			return false, fmt.Errorf("postgres: upload locks: %w", err)
		}
		l.conn = conn
		l.gen++
	}
	var ok bool
	if err := l.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock("+uploadLockKey+")", lk.id).Scan(&ok); err != nil {
		l.broken(err)
		return false, fmt.Errorf("postgres: upload lock: %w", err)
	}
	if ok {
		lk.gen = l.gen
		l.held[lk.id] = lk
		return true, nil
	}
	if _, err := l.conn.Exec(ctx, "SELECT pg_notify($1, $2)", releaseChannel, lk.id); err != nil {
		l.broken(err)
		return false, fmt.Errorf("postgres: upload lock: %w", err)
	}
	return false, nil
}

// broken drops the locks' connection after an error on it: its locks are
// gone (or go with it), so their holders are asked to stop. l.mu is held.
func (l *UploadLocker) broken(err error) {
	if l.log != nil {
		l.log.Warn("upload locks: connection lost; uploads in progress are interrupted", "err", err)
	}
	l.dropConn()
}

// dropConn closes the locks' connection, which ends its locks, and lets
// every holder know. l.mu is held.
func (l *UploadLocker) dropConn() {
	if l.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = l.conn.Close(ctx)
		cancel()
		l.conn = nil
	}
	for id, lk := range l.held {
		delete(l.held, id)
		lk.release()
	}
}

// listen opens the connection that hears requests to let go.
func (l *UploadLocker) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+releaseChannel); err != nil {
		_ = conn.Close(ctx)
		return nil, err
	}
	return conn, nil
}

// serve passes requests to let go on to the holders in this process,
// connecting again after a failure, until ctx ends.
func (l *UploadLocker) serve(ctx context.Context, conn *pgx.Conn) {
	defer close(l.closed)
	wait := time.Second
	for {
		if conn == nil {
			var err error
			if conn, err = l.listen(ctx); err != nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
					wait = min(2*wait, time.Minute)
					continue
				}
			}
			wait = time.Second
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			_ = conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return
			}
			if l.log != nil {
				l.log.Warn("upload locks: not listening for a moment", "err", err)
			}
			continue
		}
		l.mu.Lock()
		lk := l.held[n.Payload]
		l.mu.Unlock()
		if lk != nil {
			lk.release()
		}
	}
}
