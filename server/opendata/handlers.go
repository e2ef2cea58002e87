package opendata

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"rathaus/api"
)

// Config is what the area needs from the core server.
type Config struct {
	Store Store
	// Failure is the core's answer to a store that failed, logged.
	Failure func(ctx context.Context, what string, err error, args ...any) *api.Problem
	// BaseURL is the server's public address ("https://portal.example.de"),
	// which the DCAT records' URLs start with; "": the request's own
	// scheme and host.
	BaseURL string
	// Publisher names the town (dct:publisher's foaf:name); PublisherURL
	// is its address, if any. ContributorID is the dcatde:contributorID
	// the state's portal gave the town. Defaults: the demo town's.
	Publisher, PublisherURL, ContributorID string
	// CacheFor is how long a file once computed is served as it is (0:
	// DefaultCacheFor; negative: computed on every request).
	CacheFor time.Duration
	Now      func() time.Time
	// Polls gives the closed polls, by closing time, with their results
	// (server/polls' Area.Closed); nil: the town has no polls, and their
	// dataset has no rows.
	Polls func(ctx context.Context) ([]api.Poll, []api.PollResults, error)
}

// DefaultCacheFor: figures of a month need not be newer than a minute,
// and clients may keep them for five (Cache-Control).
const DefaultCacheFor = time.Minute

// Defaults of Config for the demo town: a real town sets its own.
const (
	DefaultPublisher     = "Musterstadt"
	DefaultContributorID = "https://rathaus.example/contributors/musterstadt"
)

// Area serves the open data.
type Area struct {
	cfg   Config
	mu    sync.Mutex
	files map[string]built // by base URL and file name
}

// New checks cfg and returns the area.
func New(cfg Config) (*Area, error) {
	if cfg.Store == nil || cfg.Failure == nil {
		return nil, errors.New("opendata: incomplete configuration")
	}
	if cfg.Publisher == "" {
		cfg.Publisher = DefaultPublisher
	}
	if cfg.ContributorID == "" {
		cfg.ContributorID = DefaultContributorID
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CacheFor == 0 {
		cfg.CacheFor = DefaultCacheFor
	}
	return &Area{cfg: cfg, files: map[string]built{}}, nil
}

// Route is one endpoint: its method, path pattern and handler.
type Route struct {
	Method, Path string
	Handler      http.HandlerFunc
}

// Routes lists the area's endpoints: every file is one pattern's, so the
// names stay in one place (datasets) and openapi.yaml lists them as an
// enum.
func (a *Area) Routes() []Route {
	return []Route{{Method: "GET", Path: api.PathOpenData + "{file}", Handler: a.handleFile}}
}

var datasets = []*dataset{
	{
		name:       api.DatasetCases,
		titleDE:    "Anträge nach Monat, Leistung und Status",
		titleEN:    "Applications by month, service and status",
		descDE:     "Anzahl der über das Bürgerportal eingegangenen Anträge je Monat des Eingangs (UTC), Leistung und aktuellem Bearbeitungsstand (received, in_review, inspection, info_needed, decided, closed).",
		descEN:     "Number of applications received through the citizen portal per month of receipt (UTC), service and current status.",
		keywordsDE: []string{"Anträge", "Verwaltungsleistungen", "Bürgerportal"},
		rows: func(ctx context.Context, a *Area) ([]api.OpenDataRow, error) {
			c, err := a.cfg.Store.CaseCounts(ctx)
			return countRows(c), err
		},
		csvHeader: []string{"month", "category", "status", "count"},
		csvRow:    countCSV,
	},
	{
		name:       api.DatasetReports,
		titleDE:    "Mängelmeldungen nach Monat, Kategorie und Status",
		titleEN:    "Issue reports by month, category and status",
		descDE:     "Anzahl der Mängelmeldungen (App und Open311) je Monat des Eingangs (UTC), Kategorie (Open311 service_code) und aktuellem Status (open, closed).",
		descEN:     "Number of issue reports (app and Open311) per month of receipt (UTC), category (Open311 service_code) and current status (open, closed).",
		keywordsDE: []string{"Mängelmelder", "Open311", "Infrastruktur"},
		rows: func(ctx context.Context, a *Area) ([]api.OpenDataRow, error) {
			c, err := a.cfg.Store.ReportCounts(ctx)
			return countRows(c), err
		},
		csvHeader: []string{"month", "category", "status", "count"},
		csvRow:    countCSV,
	},
	{
		name:       api.DatasetDecisionDays,
		titleDE:    "Bearbeitungsdauer bis zur Entscheidung nach Monat und Leistung",
		titleEN:    "Days from receipt to decision by month and service",
		descDE:     "Median der Tage vom Eingang eines Antrags bis zu seiner ersten Entscheidung, je Monat der Entscheidung (UTC) und Leistung, mit der Zahl der Entscheidungen (count).",
		descEN:     "Median days from an application's receipt to its first decision, per month of the decision (UTC) and service, with the number of decisions (count).",
		keywordsDE: []string{"Bearbeitungsdauer", "Verwaltungsleistungen", "Bürgerportal"},
		rows: func(ctx context.Context, a *Area) ([]api.OpenDataRow, error) {
			d, err := a.cfg.Store.Decisions(ctx)
			return decisionRows(d), err
		},
		csvHeader: []string{"month", "category", "count", "median_days"},
		csvRow: func(r api.OpenDataRow) []string {
			return []string{r.Month, r.Category, strconv.Itoa(r.Count), strconv.FormatFloat(*r.MedianDays, 'f', 1, 64)}
		},
	},
	{
		name:       api.DatasetPolls,
		titleDE:    "Ergebnisse der Bürgerbeteiligungen (Umfragen)",
		titleEN:    "Results of the citizens' polls",
		descDE:     "Ergebnisse der abgeschlossenen Umfragen der Bürgerbeteiligung: je Umfrage, Auswahlfrage und Antwortmöglichkeit die Zahl der Antworten, die sie gewählt haben (count), und die Zahl aller Antworten der Umfrage (answers). Eine Antwort je Gerät oder Konto; Freitexte werden nicht veröffentlicht. Eine Umfrage erscheint erst, wenn sie geschlossen ist.",
		descEN:     "Results of the closed citizens' polls: per poll, choice question and option, how many answers chose it (count), and how many answers the poll had (answers). One answer per device or account; free text is not published. A poll appears only once it has closed.",
		keywordsDE: []string{"Bürgerbeteiligung", "Umfrage", "Mitreden"},
		rows: func(ctx context.Context, a *Area) ([]api.OpenDataRow, error) {
			if a.cfg.Polls == nil {
				return []api.OpenDataRow{}, nil
			}
			ps, rs, err := a.cfg.Polls(ctx)
			return pollRows(ps, rs), err
		},
		modified:  pollsClosed,
		csvHeader: []string{"month", "poll", "title", "closed", "question", "question_text", "option", "option_text", "count", "answers"},
		csvRow: func(r api.OpenDataRow) []string {
			return []string{r.Month, r.Category, r.Title, r.Closed, r.Question, r.QuestionText, r.Option, r.OptionText,
				strconv.Itoa(r.Count), strconv.Itoa(r.Answers)}
		},
	},
}

func countCSV(r api.OpenDataRow) []string {
	return []string{r.Month, r.Category, r.Status, strconv.Itoa(r.Count)}
}

func datasetNamed(name string) *dataset {
	for _, d := range datasets {
		if d.name == name {
			return d
		}
	}
	return nil
}

// handleFile serves GET /v1/opendata/{file}: catalog.jsonld, or a
// dataset's .json, .csv or .jsonld. An ETag of the body lets a client that
// has them (the app's offline copy) get a 304 instead.
func (a *Area) handleFile(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	if !known(file) {
		writeProblem(w, &api.Problem{Type: api.ProblemNotFound, Title: "Not Found", Status: http.StatusNotFound,
			Detail: "No such open data file; catalog.jsonld lists them."})
		return
	}
	f, err := a.cached(r.Context(), a.base(r), file)
	if err != nil {
		writeProblem(w, a.cfg.Failure(r.Context(), "open data", err, "file", file))
		return
	}
	if f.disposition != "" {
		w.Header().Set("Content-Disposition", f.disposition)
	}
	a.serveBytes(w, r, f.contentType, f.modified, f.body)
}

// known reports whether the file is one the area serves.
func known(file string) bool {
	if file == "catalog.jsonld" {
		return true
	}
	name, ext, _ := strings.Cut(file, ".")
	return datasetNamed(name) != nil && (ext == "json" || ext == "csv" || ext == "jsonld")
}

// built is a file as served.
type built struct {
	body                     []byte
	contentType, disposition string
	modified                 time.Time
	at                       time.Time
}

// cached returns the file as built within Config.CacheFor, else builds it.
// The figures are computed from the store, which takes time in proportion
// to the cases (BenchmarkFiles): a public address must not let every
// request do that. One build at a time: requests that come meanwhile wait
// for it and take its result.
func (a *Area) cached(ctx context.Context, base, file string) (built, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := base + " " + file
	if f, ok := a.files[key]; ok && a.cfg.CacheFor > 0 && a.cfg.Now().Sub(f.at) < a.cfg.CacheFor {
		return f, nil
	}
	f, err := a.build(ctx, base, file)
	if err != nil {
		return built{}, err
	}
	f.at = a.cfg.Now()
	if a.cfg.CacheFor > 0 {
		if len(a.files) > 64 { // many hosts asked for (no BaseURL): forget them all
			clear(a.files)
		}
		a.files[key] = f
	}
	return f, nil
}

// build computes the file from the store.
func (a *Area) build(ctx context.Context, base, file string) (built, error) {
	modified, err := a.cfg.Store.LastChange(ctx)
	if err != nil {
		return built{}, err
	}
	if file == "catalog.jsonld" {
		var records []node
		for _, d := range datasets {
			rows, err := d.rows(ctx, a)
			if err != nil {
				return built{}, err
			}
			records = append(records, a.record(d, base, d.modifiedOf(modified, rows), rows))
		}
		return jsonFile(api.ContentTypeJSONLD, modified, a.catalog(base, modified, records)), nil
	}
	name, ext, _ := strings.Cut(file, ".")
	d := datasetNamed(name)
	rows, err := d.rows(ctx, a)
	if err != nil {
		return built{}, err
	}
	modified = d.modifiedOf(modified, rows)
	switch ext {
	case "json":
		return jsonFile(api.ContentTypeJSON, modified, api.OpenData{Dataset: d.name, Modified: stamp(modified), Rows: rows}), nil
	case "jsonld":
		rec := a.record(d, base, modified, rows)
		rec["@context"] = jsonldContext
		return jsonFile(api.ContentTypeJSONLD, modified, rec), nil
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write(d.csvHeader) // a bytes.Buffer takes every write
	for _, row := range rows {
		_ = cw.Write(d.csvRow(row))
	}
	cw.Flush()
	return built{body: b.Bytes(), contentType: api.ContentTypeCSV, modified: modified,
		disposition: `attachment; filename="` + d.name + `.csv"`}, nil
}

func jsonFile(contentType string, modified time.Time, v any) built {
	b, _ := json.Marshal(v) // our own types: they marshal
	return built{body: b, contentType: contentType, modified: modified}
}

// base is the public scheme and host the records' URLs start with.
func (a *Area) base(r *http.Request) string {
	if a.cfg.BaseURL != "" {
		return a.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (a *Area) serveBytes(w http.ResponseWriter, r *http.Request, contentType string, modified time.Time, b []byte) {
	sum := sha256.Sum256(b)
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	h.Set("Cache-Control", "public, max-age=300")
	// Open data is for anyone's page and portal to fetch.
	h.Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, "", modified, bytes.NewReader(b))
}

func writeProblem(w http.ResponseWriter, p *api.Problem) {
	b, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", api.ContentTypeProblem)
	switch p.Status {
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", "1")
	case http.StatusInsufficientStorage:
		h.Set("Retry-After", "60")
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}

// stamp is how the figures' times are written; "" for none (no data yet).
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
