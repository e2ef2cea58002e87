package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// The writer runs every write of this process on the one write connection,
// in groups (group commit): it takes the writes that queued while the last
// group was being committed, runs each in a savepoint of one transaction
// and commits them together, with one fsync of the WAL for the group
// instead of one each (synchronous=FULL). A write is answered only after
// the commit of its group returned, so an acknowledged write is as durable
// as before. A write that fails is rolled back to its savepoint and changes
// nothing; the others of its group are not affected. When SQLite rolls the
// whole transaction back itself (it does for some I/O, full-disk and
// out-of-memory errors), the failing write gets its error and the others
// run again in a new transaction.
//
// Why: with a transaction (and an fsync) per write, the one write
// connection was the bottleneck. Profiled under make load at 1,000
// submissions/s (BENCHMARKS.md), 54 % of the requests' blocked time was
// spent waiting for it and 45 % in the admission queue behind it, while the
// process used 0.7 of the 2 cores. Groups form by themselves: at a low rate
// most hold one write, under load more.
type writer struct {
	conn *sql.Conn

	mu     sync.Mutex
	queue  []*job
	closed bool
	wake   chan struct{} // a job was queued; capacity 1

	stop chan struct{} // closed by close
	done chan struct{} // closed when run returned

	// commits counts the groups committed, for tests.
	commits atomic.Int64
}

// maxGroup bounds the writes committed together: a group's writes wait for
// its commit, so a huge group would make the first of them wait long.
const maxGroup = 128

// errClosed: the database was closed before the write ran.
var errClosed = errors.New("sqlite: the database is closed")

// Job states: the writer takes a pending job; a caller whose context ended
// first abandons it, and then it never runs.
const (
	jobPending int32 = iota
	jobTaken
	jobAbandoned
)

// job is one write: fn runs inside a savepoint of the group's transaction.
type job struct {
	fn    func(ctx context.Context, q querier) error
	state atomic.Int32
	err   error
	panic any           // what fn panicked with, re-raised in the caller
	done  chan struct{} // closed when err (or panic) is final
}

// querier is what a write's statements run on: the writer's transaction,
// or a read transaction of the read pool.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ querier = (*sql.Tx)(nil)
	_ querier = (*sql.Conn)(nil)
)

// newWriter takes the write pool's one connection for good and starts
// the writer.
func newWriter(db *sql.DB) (*writer, error) {
	conn, err := db.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	w := &writer{conn: conn, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w, nil
}

// execOne runs one statement as one write; what names it in the error
// ("create handoff").
func (db *DB) execOne(ctx context.Context, what, query string, args ...any) error {
	err := db.w.write(ctx, func(ctx context.Context, q querier) error {
		_, err := q.ExecContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// write runs fn as one write and returns its error once the write is
// committed, or failed. fn gets a context of its own, not ctx: SQLite
// answers a cancelled statement by rolling back the whole transaction,
// which is the group's. ctx bounds only the wait for the writer; once the
// writer took the write, write waits for its commit, which is short.
// fn may run more than once (see writer); it must only read and write
// through q and its own variables.
func (w *writer) write(ctx context.Context, fn func(ctx context.Context, q querier) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: waiting to write: %w", err)
	}
	j := &job{fn: fn, done: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errClosed
	}
	w.queue = append(w.queue, j)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // the writer has been woken already
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobPending, jobAbandoned) {
			return fmt.Errorf("sqlite: waiting to write: %w", ctx.Err())
		}
		<-j.done // taken: it is committed or failed in a moment
	}
	if j.panic != nil {
		panic(j.panic)
	}
	return j.err
}

func (w *writer) run() {
	defer close(w.done)
	for {
		select {
		case <-w.wake:
		case <-w.stop:
			return
		}
		for {
			group := w.take()
			if len(group) == 0 {
				break
			}
			for len(group) > 0 {
				group = w.commit(group)
			}
		}
	}
}

// take removes up to maxGroup jobs from the queue, keeping those whose
// callers still wait.
func (w *writer) take() []*job {
	w.mu.Lock()
	n := min(len(w.queue), maxGroup)
	taken := w.queue[:n:n]
	w.queue = w.queue[n:]
	if len(w.queue) == 0 {
		w.queue = nil // let the old array go
	}
	w.mu.Unlock()
	group := make([]*job, 0, len(taken))
	for _, j := range taken {
		if j.state.CompareAndSwap(jobPending, jobTaken) {
			group = append(group, j)
		}
	}
	return group
}

// commit runs the group in one transaction and answers each job. It
// returns the jobs that must run again: those that had succeeded when
// SQLite rolled the transaction back itself, and those not yet run then.
func (w *writer) commit(group []*job) (again []*job) {
	ctx := context.Background()
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		err = fmt.Errorf("sqlite: begin: %w", err)
		for _, j := range group {
			j.finish(err)
		}
		return nil
	}
	ok := make([]*job, 0, len(group))
	for i, j := range group {
		err := w.runJob(ctx, j)
		if err == nil {
			ok = append(ok, j)
			continue
		}
		if !w.inTransaction() {
			// SQLite ended the transaction: nothing of the group is
			// stored. This job has its answer; the rest run again.
			j.finish(err)
			return append(ok, group[i+1:]...)
		}
		if _, rerr := w.conn.ExecContext(ctx, "ROLLBACK TO job"); rerr != nil {
			j.finish(err)
			w.abort(ok, fmt.Errorf("sqlite: roll back a failed write: %w", rerr))
			return group[i+1:]
		}
		_, _ = w.conn.ExecContext(ctx, "RELEASE job")
		j.finish(err) // nothing of it is kept, whatever becomes of the group
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		w.abort(ok, fmt.Errorf("sqlite: commit: %w", err))
		return nil
	}
	w.commits.Add(1)
	for _, j := range ok {
		j.finish(nil)
	}
	return nil
}

// runJob runs one job in a savepoint and releases the savepoint when it
// succeeded; on an error the savepoint stays for the caller to roll back.
func (w *writer) runJob(ctx context.Context, j *job) (err error) {
	if _, err := w.conn.ExecContext(ctx, "SAVEPOINT job"); err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			// Re-raised in the caller's goroutine, where the server's
			// handler recovers it; the writer goes on.
			j.panic = fmt.Sprintf("%v [in the sqlite writer]\n%s", v, debug.Stack())
			err = fmt.Errorf("sqlite: a write panicked: %v", v)
		}
	}()
	if err := j.fn(ctx, w.conn); err != nil {
		return err
	}
	_, err = w.conn.ExecContext(ctx, "RELEASE job")
	return err
}

// abort rolls the transaction back and fails the jobs that had
// succeeded in it.
func (w *writer) abort(ok []*job, err error) {
	if w.inTransaction() {
		_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
	}
	for _, j := range ok {
		j.finish(err)
	}
}

func (j *job) finish(err error) {
	j.err = err
	close(j.done)
}

// inTransaction reports whether the connection is inside a transaction
// (SQLite may have ended it after an error).
func (w *writer) inTransaction() bool {
	in := true
	_ = w.conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			in = !c.AutoCommit()
		}
		return nil
	})
	return in
}

// close lets the write running finish, fails the queued ones and returns
// the connection to the pool.
func (w *writer) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return nil
	}
	w.closed = true
	queued := w.queue
	w.queue = nil
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	for _, j := range queued {
		if j.state.CompareAndSwap(jobPending, jobTaken) {
			j.finish(errClosed)
		}
	}
	return w.conn.Close()
}
