package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Answer is what the index offers for a question.
type Answer struct {
	Hits []Hit // best first, at most three
	// Sure says the best hit fits well enough to be offered as the
	// answer; when false the assistant says it has none and offers the
	// town hall's contact instead of guessing.
	Sure bool
	// Coverage is the share of the question's words the best hit holds
	// (see coverage): as typed, as a synonym or in parts each counts one,
	// as a guessed typo half.
	Coverage float64
}

// When the best hit is sure enough, chosen on the evaluation set
// (testdata/eval.json, TestAssistantEvaluation): it holds every word of
// the question, or at least half of them with a bm25 score of minScore.
// Questions the town has no answer to ("pizza bestellen") match a common
// word ("bestellen") at a low score, or match only through a typo guess.
const (
	minCoverage = 0.5
	minScore    = 4.0
)

// Ask answers a question typed as a citizen would: its words combined
// with Any, the three best hits, and whether the best is sure.
func (ix *Index) Ask(ctx context.Context, question string) (Answer, error) {
	hits, err := ix.Search(ctx, question, Options{Mode: Any, Limit: 3})
	if err != nil || len(hits) == 0 {
		return Answer{}, err
	}
	cov, err := ix.coverage(ctx, question, hits[0])
	if err != nil {
		return Answer{}, err
	}
	sure := cov >= 1 || (cov >= minCoverage && hits[0].Score >= minScore)
	return Answer{Hits: hits, Sure: sure, Coverage: cov}, nil
}

// coverage is the share of a question's words a hit holds: a word held
// as itself, a synonym or its parts counts one, a word held only as a
// guessed typo ("verlohren") half, since a guess may be wrong.
func (ix *Index) coverage(ctx context.Context, question string, h Hit) (float64, error) {
	strict, full := ix.groups(question)
	if len(strict) == 0 {
		return 0, nil
	}
	held := 0.0
	for i := range strict {
		if ok, err := ix.holds(ctx, strict[i], h); err != nil {
			return 0, err
		} else if ok {
			held++
			continue
		}
		if full[i] == strict[i] {
			continue
		}
		if ok, err := ix.holds(ctx, full[i], h); err != nil {
			return 0, err
		} else if ok {
			held += 0.5
		}
	}
	return held / float64(len(strict)), nil
}

// holds reports whether a hit matches an FTS5 expression.
func (ix *Index) holds(ctx context.Context, expr string, h Hit) (bool, error) {
	var one int
	err := ix.db.QueryRowContext(ctx, `SELECT 1 FROM search_index WHERE search_index MATCH ? AND kind = ? AND ref = ?`,
		expr, string(h.Kind), h.ID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("search coverage: %w", err)
	}
	return true, nil
}

// groups are a question's word groups as Match makes them for Any: strict
// without typo guesses, full with them.
func (ix *Index) groups(question string) (strict, full []string) {
	ix.words()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	seen := map[string]bool{}
	for _, w := range Tokens(question) {
		if seen[w] || stopwords[w] {
			continue
		}
		seen[w] = true
		alts, guesses := ix.expand(w)
		strict = append(strict, "("+strings.Join(alts, " OR ")+")")
		full = append(full, "("+strings.Join(append(alts, guesses...), " OR ")+")")
	}
	return strict, full
}
