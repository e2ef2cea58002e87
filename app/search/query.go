package search

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Mode says how the words of a query combine.
type Mode int

// Modes.
const (
	// All finds what holds every word (the search box: each word narrows).
	All Mode = iota
	// Any finds what holds any word but the stopwords, best first (a
	// question: "Was mache ich, wenn mein Perso weg ist?").
	Any
)

// Options shape a search.
type Options struct {
	Mode  Mode
	Kind  Kind // only hits of this kind; "" for all
	Limit int  // at most this many hits; 0 for 50
}

// Search returns the hits for what the citizen typed, best first; none for
// a query without words. In mode All the hits holding the words in their
// names and keywords come first, the texts are searched only when those
// are fewer than the limit: on a large catalog a prefix of a common word
// would otherwise rank half of it on each keystroke. One or two letters
// typed find the names and keywords with a word that begins so, in the
// catalog's order: ranking most of a large catalog by two letters would
// cost more than it tells. In the texts such short words are left out
// (see match).
func (ix *Index) Search(ctx context.Context, q string, o Options) ([]Hit, error) {
	expr, letter, texts := ix.match(q, o.Mode)
	if expr == "" {
		return nil, nil
	}
	if o.Limit <= 0 {
		o.Limit = 50
	}
	if letter {
		return ix.query(ctx, "search_names", "{title keywords} : "+expr, o, false)
	}
	if o.Mode == Any {
		return ix.query(ctx, "search_index", expr, o, true)
	}
	hits, err := ix.query(ctx, "search_names", expr, o, true)
	if err != nil || len(hits) >= o.Limit || texts == "" {
		return hits, err
	}
	more, err := ix.query(ctx, "search_index", texts, o, true)
	if err != nil {
		return nil, err
	}
	have := make(map[Hit]bool, len(hits))
	for _, h := range hits {
		have[Hit{Kind: h.Kind, ID: h.ID}] = true
	}
	for _, h := range more {
		if len(hits) < o.Limit && !have[Hit{Kind: h.Kind, ID: h.ID}] {
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// query runs one FTS5 query on table (search_index or search_names).
func (ix *Index) query(ctx context.Context, table, expr string, o Options, ranked bool) ([]Hit, error) {
	query := `SELECT kind, ref, rank FROM ` + table + ` WHERE ` + table + ` MATCH ?`
	if !ranked {
		query = `SELECT kind, ref, 0 FROM ` + table + ` WHERE ` + table + ` MATCH ?`
	}
	args := []any{expr}
	if o.Kind != "" {
		// A filter after the match: naming the kind in the MATCH costs
		// more than it saves.
		query += ` AND kind = ?`
		args = append(args, string(o.Kind))
	}
	if ranked {
		query += ` ORDER BY rank`
	}
	rows, err := ix.db.QueryContext(ctx, query+` LIMIT ?`, append(args, o.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", expr, err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		var kind string
		if err := rows.Scan(&kind, &h.ID, &h.Score); err != nil {
			return nil, err
		}
		h.Kind, h.Score = Kind(kind), -h.Score
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// Match is the FTS5 query for what the citizen typed: per word a group of
// what it may stand for (itself as a prefix, its synonyms, the word it is
// a typo of, the known words it is made of), the groups joined by AND
// (All) or OR (Any). Empty when no word is left.
func (ix *Index) Match(q string, mode Mode) string {
	expr, _, _ := ix.match(q, mode)
	return expr
}

// match is Match, and whether the query is one word of one or two letters;
// texts is the query for the texts in mode All: without the words of one
// or two letters (still being typed, "hundesteuer a"), which the names
// match but which would read most of the texts' index on each keystroke.
func (ix *Index) match(q string, mode Mode) (expr string, letter bool, texts string) {
	ix.words()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var groups, long []string
	seen := map[string]bool{}
	for _, w := range Tokens(q) {
		if seen[w] || (mode == Any && stopwords[w]) {
			continue
		}
		seen[w] = true
		alts, guesses := ix.expand(w)
		g := "(" + strings.Join(append(alts, guesses...), " OR ") + ")"
		groups = append(groups, g)
		if utf8.RuneCountInString(w) > 2 {
			long = append(long, g)
		}
	}
	letter = len(groups) == 1 && len(long) == 0
	if mode == All {
		return strings.Join(groups, " AND "), letter, strings.Join(long, " AND ")
	}
	return strings.Join(groups, " OR "), letter, ""
}

// expand lists what a word may stand for, each as an FTS5 phrase: alts
// for sure (itself as a prefix, its synonyms, the known words it is made
// of), guesses at the word a typo meant.
func (ix *Index) expand(w string) (alts, guesses []string) {
	alts = []string{prefix(w)}
	for _, s := range synonyms[w] {
		alts = append(alts, prefix(s))
	}
	if ix.hasPrefix(w) || utf8.RuneCountInString(w) < 4 {
		return alts, nil
	}
	// A word the index does not know: a compound of words it knows
	// ("Kindergartenplatz") or a typo of a word it knows.
	if parts := ix.decompose(w); len(parts) > 1 {
		ps := make([]string, len(parts))
		for i, p := range parts {
			ps[i] = prefix(p)
		}
		alts = append(alts, "("+strings.Join(ps, " AND ")+")")
	}
	for _, t := range ix.nearest(w) {
		guesses = append(guesses, prefix(t))
	}
	return alts, guesses
}

// prefix quotes a folded word as a prefix phrase.
func prefix(w string) string { return `"` + strings.ReplaceAll(w, `"`, `""`) + `"*` }

// hasPrefix reports whether a term of the index starts with w.
func (ix *Index) hasPrefix(w string) bool {
	i := sort.SearchStrings(ix.vocab, w)
	return i < len(ix.vocab) && strings.HasPrefix(ix.vocab[i], w)
}

// decompose splits w into known words from the left, longest first, each
// at least three letters; nil when it cannot.
func (ix *Index) decompose(w string) []string {
	if w == "" {
		return []string{}
	}
	for i := len(w); i >= 3; i-- {
		if i < len(w) && !utf8.RuneStart(w[i]) {
			continue
		}
		head := w[:i]
		if !ix.known[head] {
			continue
		}
		rest := strings.TrimPrefix(w[i:], "s") // the linking s: "Geburtsurkunde"
		if rest == "" {
			return []string{head}
		}
		if tail := ix.decompose(rest); tail != nil {
			return append([]string{head}, tail...)
		}
	}
	return nil
}

// nearest returns the terms of the index at the smallest edit distance
// from w (one edit for shorter words, two from eight letters), typos
// swapping two letters counting as one.
func (ix *Index) nearest(w string) []string {
	rw := []rune(w)
	limit := 1
	if len(rw) >= 8 {
		limit = 2
	}
	best := limit + 1
	var out []string
	for _, t := range ix.vocab {
		rt := []rune(t)
		if d := len(rt) - len(rw); d > limit || -d > limit {
			continue
		}
		d := distance(rw, rt, best)
		switch {
		case d < best:
			best, out = d, []string{t}
		case d == best:
			out = append(out, t)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// distance is the optimal string alignment distance of a and b (insert,
// delete, replace, swap neighbours), or more than limit once it is sure
// to exceed it.
func distance(a, b []rune, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			low = min(low, v)
		}
		if low > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
