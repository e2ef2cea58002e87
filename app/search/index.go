// Package search is the app's one search index over the town's services
// and its FAQ: an SQLite FTS5 table in the app's database (the sqlite_fts5
// build tag), ranked by bm25. What goes in and what is asked go through
// one normaliser (Fold), so that umlauts and their "ue" spellings, ß and
// "ss", and case do not matter; long German compounds are indexed with
// their known parts as well ("Hundesteuer" also as "steuer"), every word
// of a query matches as a prefix (the citizen is still typing), a small
// list of synonyms maps everyday words to the town's ("Perso"), and a
// word the index does not know is read as the nearest one it does (a
// typo) or as the known words it is made of.
//
// The index is derived data: Rebuild fills it from a catalog (services and
// FAQ) and does nothing when the catalog's texts did not change, and the
// table is dropped and built afresh when its layout changes with a new
// version of this package, so it needs no migration of the store's.
package search

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	_ "github.com/mattn/go-sqlite3" // the driver, for OpenMemory

	"rathaus/api"
)

// layout is the version of the index table's layout and of what is
// indexed; a new one rebuilds the index.
const layout = 5

// Kind is what a hit is.
type Kind string

// Kinds of hits.
const (
	Service Kind = "service" // a service of the catalog, by its ID
	FAQ     Kind = "faq"     // an FAQ entry, by its ID
)

// Hit is one search result.
type Hit struct {
	Kind Kind
	ID   string
	// Score is how well the hit fits, bm25 turned round: higher is better.
	// It is comparable between the hits of one query only.
	Score float64
}

// Index is the search index in an SQLite database. It is safe for
// concurrent use.
type Index struct {
	db *sql.DB

	mu     sync.RWMutex
	vocab  []string        // every term of the index, parts included, sorted
	known  map[string]bool // the words compounds are split into
	digest string          // of what the index holds
	// pending is the catalog whose word list is still to be made
	// (words): Rebuild found its texts in the index already.
	pending *api.Catalog
}

// Open opens the index in db (the app's database), creating its tables
// when they are not there or of an older layout. Rebuild fills it.
func Open(ctx context.Context, db *sql.DB) (*Index, error) {
	ix := &Index{db: db}
	if err := ix.prepare(ctx); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return ix, nil
}

// OpenMemory opens an index in a database of its own in memory, for
// screens and tests without the app's database.
func OpenMemory(ctx context.Context) (*Index, error) {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // each connection to :memory: is a database of its own
	return Open(ctx, db)
}

func (ix *Index) prepare(ctx context.Context) error {
	if _, err := ix.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS search_meta (
		id INTEGER PRIMARY KEY CHECK (id = 1), layout INTEGER NOT NULL, digest TEXT NOT NULL) STRICT`); err != nil {
		return err
	}
	var have int
	err := ix.db.QueryRowContext(ctx, `SELECT layout, digest FROM search_meta WHERE id = 1`).Scan(&have, &ix.digest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if have != layout {
		ix.digest = ""
		for _, t := range []string{"search_index", "search_names"} {
			if _, err := ix.db.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
				return err
			}
		}
	}
	// The texts arrive folded and split (Fold, Tokens), so the tokenizer
	// only splits at spaces; prefix indexes make a short prefix cheap. Ranked
	// by bm25 (the table sorts by rank itself, faster than by bm25()) with the
	// columns' weights: a word in the title counts most, in the keywords
	// (written for search) next, in a compound's parts more than in the
	// body, whose words are many.
	var n int
	if err := ix.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name IN ('search_index', 'search_names')`).Scan(&n); err != nil || n == 2 {
		return err
	}
	// search_names holds the names, keywords and parts again without the
	// bodies, for the search box's first look: a column filter on
	// search_index would still read the bodies' long lists of a common
	// prefix ("geb": Gebühr in every other text).
	for _, stmt := range []string{
		`CREATE VIRTUAL TABLE search_index USING fts5(
			kind UNINDEXED, ref UNINDEXED, title, keywords, body, parts,
			tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4')`,
		`INSERT INTO search_index (search_index, rank) VALUES ('rank', 'bm25(0.0, 0.0, 10.0, 5.0, 1.0, 2.0)')`,
		`CREATE VIRTUAL TABLE search_names USING fts5(
			kind UNINDEXED, ref UNINDEXED, title, keywords, parts,
			tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4')`,
		`INSERT INTO search_names (search_names, rank) VALUES ('rank', 'bm25(0.0, 0.0, 10.0, 5.0, 2.0)')`,
	} {
		if _, err := ix.db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// doc is one indexed item, its texts in every language, split into words.
type doc struct {
	kind                  Kind
	id                    string
	title, keywords, body []string
}

func docs(c api.Catalog) []doc {
	out := make([]doc, 0, len(c.Services)+len(c.FAQ))
	for _, s := range c.Services {
		out = append(out, doc{Service, s.ID, words(s.Title), words(s.Keywords), words(s.Summary)})
	}
	for _, f := range c.FAQ {
		out = append(out, doc{FAQ, f.ID, words(f.Question), words(f.Keywords), words(f.Answer)})
	}
	return out
}

// words are a text's words in every language, in the languages' order.
func words(t api.Text) []string {
	langs := make([]string, 0, len(t))
	for l := range t {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var out []string
	for _, l := range langs {
		out = append(out, Tokens(t[l])...)
	}
	return out
}

// Rebuild makes the index hold the catalog's services and FAQ. It writes
// only when their texts changed since the last Rebuild (on this database).
func (ix *Index) Rebuild(ctx context.Context, c api.Catalog) error {
	sum := digest(c)
	ix.mu.RLock()
	same := ix.digest == sum
	ix.mu.RUnlock()
	if same {
		// The usual start: the index holds these texts already. The word
		// list is made when the first search needs it, not on the way to
		// the first frame.
		ix.mu.Lock()
		ix.pending = &c
		ix.mu.Unlock()
		return nil
	}
	ds := docs(c)
	vocab, known, parts := wordList(ds)
	if err := ix.write(ctx, ds, parts, sum); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	ix.mu.Lock()
	ix.vocab, ix.known, ix.digest, ix.pending = vocab, known, sum, nil
	ix.mu.Unlock()
	return nil
}

// wordList is every term of ds, the compounds' parts included, sorted;
// the words compounds are split into; and each document's parts.
func wordList(ds []doc) (vocab []string, known map[string]bool, parts [][]string) {
	known = knownWords(ds)
	parts = make([][]string, len(ds))
	terms := map[string]bool{}
	for i, d := range ds {
		for _, ws := range [][]string{d.title, d.keywords, d.body} {
			for _, w := range ws {
				terms[w] = true
				for _, p := range split(w, known) {
					parts[i] = append(parts[i], p)
					terms[p] = true
				}
			}
		}
	}
	vocab = make([]string, 0, len(terms))
	for t := range terms {
		vocab = append(vocab, t)
	}
	sort.Strings(vocab)
	return vocab, known, parts
}

// words makes the word list Rebuild left for later, if it did; call it
// before reading vocab or known.
func (ix *Index) words() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.pending != nil {
		ix.vocab, ix.known, _ = wordList(docs(*ix.pending))
		ix.pending = nil
	}
}

func (ix *Index) write(ctx context.Context, ds []doc, parts [][]string, sum string) error {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range []string{"search_index", "search_names"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return err
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO search_index (kind, ref, title, keywords, body, parts) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	insName, err := tx.PrepareContext(ctx, `INSERT INTO search_names (kind, ref, title, keywords, parts) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insName.Close()
	for i, d := range ds {
		title, keywords, p := strings.Join(d.title, " "), strings.Join(d.keywords, " "), strings.Join(parts[i], " ")
		if _, err := ins.ExecContext(ctx, string(d.kind), d.id, title, keywords, strings.Join(d.body, " "), p); err != nil {
			return err
		}
		if _, err := insName.ExecContext(ctx, string(d.kind), d.id, title, keywords, p); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_meta (id, layout, digest) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET layout = excluded.layout, digest = excluded.digest`, layout, sum); err != nil {
		return err
	}
	return tx.Commit()
}

// digest identifies what an index holds: the layout and the catalog's
// texts as they are, before folding (cheaper than the words, and asked at
// every start). A change to how texts become words (Fold, Tokens, split)
// therefore needs a new layout.
func digest(c api.Catalog) string {
	h := sha256.New()
	fmt.Fprintf(h, "layout %d\n", layout)
	field := func(s string) { fmt.Fprintf(h, "%d:%s", len(s), s) }
	text := func(t api.Text) {
		langs := make([]string, 0, len(t))
		for l := range t {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		field(strconv.Itoa(len(langs)))
		for _, l := range langs {
			field(l)
			field(t[l])
		}
	}
	for _, s := range c.Services {
		field(string(Service))
		field(s.ID)
		text(s.Title)
		text(s.Keywords)
		text(s.Summary)
	}
	for _, f := range c.FAQ {
		field(string(FAQ))
		field(f.ID)
		text(f.Question)
		text(f.Keywords)
		text(f.Answer)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stems are word parts German compounds of a town hall's texts are made
// of that rarely stand alone in them (set folds them: "steuer" is "steur").
var stems = set(`amt antrag ausweis bescheinigung buro gebuhr genehmigung karte mull park pass platz
schein steuer stelle tonne urkunde verbot wohnung zone zeugnis`)

// knownWords are the words a compound may be split into: those of the
// texts that are not stopwords, and the stems.
func knownWords(ds []doc) map[string]bool {
	known := map[string]bool{}
	for w := range stems {
		known[w] = true
	}
	for _, d := range ds {
		for _, ws := range [][]string{d.title, d.keywords, d.body} {
			for _, w := range ws {
				if utf8.RuneCountInString(w) >= 3 && !stopwords[w] {
					known[w] = true
				}
			}
		}
	}
	return known
}

// split returns the known words a compound ends in, at least three
// letters into it: "bewohnerparkausweis" gives "parkausweis" and
// "ausweis", so that a prefix query finds it by "park" or "ausweis"; its
// first part a prefix query finds anyway.
func split(w string, known map[string]bool) []string {
	if len(w) < 6 {
		return nil
	}
	var out []string
	for i := 3; i <= len(w)-3; i++ {
		if !utf8.RuneStart(w[i]) {
			continue
		}
		if s := w[i:]; known[s] {
			out = append(out, s)
		}
	}
	return out
}
