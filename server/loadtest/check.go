package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"rathaus/api"
)

// maxReplays bounds the acknowledged keys a check sends again.
const maxReplays = 100

// Check is what a target's database held after a step, read beside the
// running server, and what replays of acknowledged keys answered.
type Check struct {
	Acked int // keys answered 2xx
	// Missing are acknowledged keys not in the database (the first few of
	// NMissing); Wrong were stored under another case than answered.
	Missing  []string
	NMissing int
	Wrong    int
	// Orphans are cases no key names (duplicates).
	Orphans int
	// Unacked are keys of the step in the database that got no 2xx (the
	// answer timed out or was shed after the commit: a retry gets it).
	Unacked int
	// Replays answered the same case, marked as replayed; ReplaysWrong
	// did not (the first few).
	Replays      int
	ReplaysWrong []string
	// Err: the database could not be read.
	Err error
}

// OK reports that every acknowledged submission was found with its case.
func (c *Check) OK() bool {
	return c.Err == nil && c.NMissing == 0 && c.Wrong == 0 && c.Orphans == 0 && len(c.ReplaysWrong) == 0
}

func (c *Check) String() string {
	if c.Err != nil {
		return fmt.Sprintf("database not read (%v); %d replays same case, %d not", c.Err, c.Replays, len(c.ReplaysWrong))
	}
	s := fmt.Sprintf("stored: %d of %d acknowledged", c.Acked-c.NMissing, c.Acked)
	if c.Wrong > 0 || c.Orphans > 0 {
		s += fmt.Sprintf(", %d under another case, %d duplicates", c.Wrong, c.Orphans)
	}
	if c.Unacked > 0 {
		s += fmt.Sprintf(", %d more stored whose answer was lost", c.Unacked)
	}
	s += fmt.Sprintf("; %d replays gave the same case", c.Replays)
	if len(c.ReplaysWrong) > 0 {
		s += fmt.Sprintf(", %d did not: %s", len(c.ReplaysWrong), strings.Join(c.ReplaysWrong, "; "))
	}
	if c.NMissing > 0 {
		s += "; missing: " + strings.Join(c.Missing, ", ")
	}
	return s
}

// check compares the step's acknowledgements with the database (anonymous
// submissions: scope "") and replays a sample of them.
func check(ctx context.Context, db, base string, g *generator, st *Step) *Check {
	c := &Check{Acked: len(st.Acked)}
	if idx, err := OpenIndex(db); err != nil {
		c.Err = err
	} else {
		snap, err := idx.Snapshot(ctx)
		idx.Close()
		if err != nil {
			c.Err = err
		} else {
			c.compare(snap, g.prefix, st.Acked)
		}
	}
	keys := make([]string, 0, len(st.Acked))
	for k := range st.Acked {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 0; i < len(keys) && i < maxReplays; i++ {
		k := keys[i*len(keys)/min(len(keys), maxReplays)] // spread over the step
		if err := replay(ctx, client, base, k, g.body(k), st.Acked[k]); err != nil {
			if len(c.ReplaysWrong) < 5 {
				c.ReplaysWrong = append(c.ReplaysWrong, err.Error())
			}
			continue
		}
		c.Replays++
	}
	return c
}

func (c *Check) compare(snap Snapshot, prefix string, acked map[string]string) {
	c.Orphans = snap.Orphans
	for k, id := range acked {
		got, ok := snap.Keys[ScopedKey{Key: k}]
		switch {
		case !ok:
			c.NMissing++
			if len(c.Missing) < 5 {
				c.Missing = append(c.Missing, k)
			}
		case got != id:
			c.Wrong++
		}
	}
	for k := range snap.Keys {
		if _, ok := acked[k.Key]; !ok && k.Scope == "" && strings.HasPrefix(k.Key, prefix+"-") {
			c.Unacked++
		}
	}
}

// replay sends the key's request again and expects the case it answered
// first, marked as replayed. Right after a step the server may still work
// through requests whose clients gave up, so it retries as a client would
// while the answer is "busy" (429, 5xx) or none comes.
func replay(ctx context.Context, client *http.Client, base, key string, body []byte, id string) error {
	var err error
	for range 20 {
		var retry bool
		if retry, err = replayOnce(ctx, client, base, key, body, id); !retry {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return err
}

func replayOnce(ctx context.Context, client *http.Client, base, key string, body []byte, id string) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+api.PathSubmissions, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", api.ContentTypeJSON)
	req.Header.Set(api.HeaderIdempotencyKey, key)
	res, err := client.Do(req)
	if err != nil {
		return true, fmt.Errorf("replay %s: %w", key, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	var cs api.Case
	if res.StatusCode != http.StatusCreated || json.Unmarshal(b, &cs) != nil {
		busy := res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500
		return busy, fmt.Errorf("replay %s: %d %s", key, res.StatusCode, bytes.TrimSpace(b))
	}
	if cs.ID != id || res.Header.Get(api.HeaderReplayed) != "true" {
		return false, fmt.Errorf("replay %s: case %s, %s %q; first answer %s", key, cs.ID, api.HeaderReplayed, res.Header.Get(api.HeaderReplayed), id)
	}
	return false, nil
}
