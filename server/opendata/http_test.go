package opendata_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/open311"
	"rathaus/server/servertest"
)

var (
	nov = time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	dec = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
)

// fill makes cases and reports in the backend's store at known times, as
// submissions and clerks' moves over months would have, and returns the
// personal data they hold, none of which may be published.
func fill(t *testing.T, b *servertest.Backend) (secrets []string) {
	t.Helper()
	ctx := context.Background()
	mk := func(id, service string, at time.Time, data string) {
		t.Helper()
		c := server.NewCase{ID: id, Service: service, Form: api.FormRef{ID: service, Version: 1},
			Data: json.RawMessage(data), Status: api.StatusReceived, Created: at}
		if _, _, err := b.DB.CreateCase(ctx, id, []byte(id), c); err != nil {
			t.Fatalf("CreateCase(%s): %v", id, err)
		}
	}
	move := func(id, status string, at time.Time) {
		t.Helper()
		if _, err := b.DB.SetCaseStatus(ctx, id, api.CaseEvent{Status: status, At: at}, func(string) error { return nil }); err != nil {
			t.Fatalf("SetCaseStatus(%s): %v", id, err)
		}
	}
	mk("c1", "hundesteuer", nov, `{"owner":"Erika Mustermann"}`)
	mk("c2", "hundesteuer", nov.Add(time.Hour), `{"owner":"Max Mustermann"}`)
	mk("c3", "hundesteuer", nov.Add(2*time.Hour), `{"owner":"Lieschen Müller"}`)
	mk("c4", "anwohnerparken", dec, `{"plate":"K-AB 123"}`)
	move("c1", api.StatusDecided, nov.Add(2*24*time.Hour))
	move("c2", api.StatusDecided, nov.Add(time.Hour+4*24*time.Hour))
	move("c3", api.StatusDecided, nov.Add(2*time.Hour+9*24*time.Hour))
	move("c3", api.StatusClosed, dec)
	for i, r := range []struct {
		code string
		at   time.Time
	}{{"strassenbeleuchtung", nov}, {"strassenbeleuchtung", dec}, {"muell", dec}} {
		lat, long := 50.94, 6.96
		_, _, err := b.DB.CreateReport(ctx, "", nil, open311.NewReport{
			Token: "tok-" + r.code + r.at.String(), ServiceCode: r.code, Description: "Laterne kaputt vor Hausnummer 4",
			Lat: &lat, Long: &long, Address: "Domstraße 4", AddressID: "domstrasse-4", Attributes: map[string][]string{},
			Private: open311.Private{Email: "erika@example.org", FirstName: "Erika", Phone: "0221 12345"},
			Source:  "app", Requested: r.at,
		})
		if err != nil {
			t.Fatalf("CreateReport %d: %v", i, err)
		}
	}
	return []string{"Mustermann", "Müller", "K-AB", "erika@example.org", "0221", "Domstraße", "Laterne", "c1", "tok-"}
}

func get(t *testing.T, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func median(m float64) *float64 { return &m }

// fresh computes the figures on every request.
var fresh = servertest.WithConfig(func(c *server.Config) { c.OpenData.CacheFor = -1 })

func TestFiguresMatchTheStore(t *testing.T) {
	b := servertest.New(t, fresh)
	fill(t, b)
	tests := []struct {
		dataset string
		want    []api.OpenDataRow
		wantCSV [][]string
	}{
		{api.DatasetCases, []api.OpenDataRow{
			{Month: "2026-11", Category: "hundesteuer", Status: "closed", Count: 1},
			{Month: "2026-11", Category: "hundesteuer", Status: "decided", Count: 2},
			{Month: "2026-12", Category: "anwohnerparken", Status: "received", Count: 1},
		}, [][]string{
			{"month", "category", "status", "count"},
			{"2026-11", "hundesteuer", "closed", "1"},
			{"2026-11", "hundesteuer", "decided", "2"},
			{"2026-12", "anwohnerparken", "received", "1"},
		}},
		{api.DatasetReports, []api.OpenDataRow{
			{Month: "2026-11", Category: "strassenbeleuchtung", Status: "open", Count: 1},
			{Month: "2026-12", Category: "muell", Status: "open", Count: 1},
			{Month: "2026-12", Category: "strassenbeleuchtung", Status: "open", Count: 1},
		}, [][]string{
			{"month", "category", "status", "count"},
			{"2026-11", "strassenbeleuchtung", "open", "1"},
			{"2026-12", "muell", "open", "1"},
			{"2026-12", "strassenbeleuchtung", "open", "1"},
		}},
		// 2, 4 and 9 days: the median is 4, not the mean 5.
		{api.DatasetDecisionDays, []api.OpenDataRow{
			{Month: "2026-11", Category: "hundesteuer", Count: 3, MedianDays: median(4)},
		}, [][]string{
			{"month", "category", "count", "median_days"},
			{"2026-11", "hundesteuer", "3", "4.0"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			res, body := get(t, b.URL+api.PathOpenData+tt.dataset+".json", nil)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != api.ContentTypeJSON {
				t.Fatalf("GET .json = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			var got api.OpenData
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Rows, tt.want) {
				t.Errorf("rows = %s, want %+v", body, tt.want)
			}
			if got.Dataset != tt.dataset || got.Modified != dec.Format(time.RFC3339) {
				t.Errorf("dataset, modified = %q, %q; want %q, %q", got.Dataset, got.Modified, tt.dataset, dec.Format(time.RFC3339))
			}

			res, body = get(t, b.URL+api.PathOpenData+tt.dataset+".csv", nil)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != api.ContentTypeCSV {
				t.Fatalf("GET .csv = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatalf("the CSV does not parse: %v\n%s", err, body)
			}
			if !reflect.DeepEqual(records, tt.wantCSV) {
				t.Errorf("CSV = %q, want %q", records, tt.wantCSV)
			}
		})
	}
}

func TestNoPersonalData(t *testing.T) {
	b := servertest.New(t)
	secrets := fill(t, b)
	files := []string{"catalog.jsonld"}
	for _, d := range []string{api.DatasetCases, api.DatasetReports, api.DatasetDecisionDays, api.DatasetPolls} {
		files = append(files, d+".json", d+".csv", d+".jsonld")
	}
	for _, f := range files {
		_, body := get(t, b.URL+api.PathOpenData+f, nil)
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("%s holds %q:\n%s", f, s, body)
			}
		}
	}
}

// required are the properties DCAT-AP.de 2.0 requires (or the harvesting
// portals of the states expect) of a dataset and of each distribution.
var (
	requiredDataset = []string{"@id", "@type", "dct:title", "dct:description", "dct:publisher",
		"dcatde:contributorID", "dct:license", "dct:temporal", "dct:modified", "dcat:distribution", "dcat:theme"}
	requiredDistribution = []string{"@id", "@type", "dcat:accessURL", "dcat:downloadURL", "dct:format",
		"dcat:mediaType", "dct:license"}
)

func TestDCATRecords(t *testing.T) {
	c := newClocked(t, func(c *server.Config) {
		c.OpenData = server.OpenDataConfig{BaseURL: "https://portal.demo-stadt.de/", Publisher: "Stadt Demo",
			ContributorID: "http://dcat-ap.de/def/contributors/demoStadt"}
	})
	b := c.Backend
	fill(t, b)
	vote(t, c)
	c.Set(afterClosed) // the polls' results are published
	res, body := get(t, b.URL+api.PathOpenData+"catalog.jsonld", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != api.ContentTypeJSONLD {
		t.Fatalf("GET catalog.jsonld = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var cat map[string]any
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	if cat["@type"] != "dcat:Catalog" {
		t.Errorf("@type = %v, want dcat:Catalog", cat["@type"])
	}
	ctx, _ := cat["@context"].(map[string]any)
	if ctx["dcat"] != "http://www.w3.org/ns/dcat#" || ctx["dct"] != "http://purl.org/dc/terms/" || ctx["dcatde"] != "http://dcat-ap.de/def/dcatde/" {
		t.Errorf("@context = %v, want the DCAT, DCMI and DCAT-AP.de namespaces", ctx)
	}
	list, _ := cat["dcat:dataset"].([]any)
	if len(list) != 4 {
		t.Fatalf("dcat:dataset has %d entries, want 4", len(list))
	}
	for i, ds := range list {
		rec, _ := ds.(map[string]any)
		t.Run(rec["@id"].(string), func(t *testing.T) {
			// The figures of cases and reports changed last in December;
			// the polls' results when the polls closed in January.
			modified, start := dec, "2026-11-01"
			if strings.HasSuffix(rec["@id"].(string), "/"+api.DatasetPolls) {
				modified, start = pollsClose, "2027-01-01"
			}
			checkDataset(t, b, rec, modified, start)
			// The dataset's own record says the same as the catalogue's
			// entry.
			_, body := get(t, local(b, rec["@id"].(string)+".jsonld"), nil)
			var own map[string]any
			if err := json.Unmarshal(body, &own); err != nil {
				t.Fatal(err)
			}
			delete(own, "@context")
			if !reflect.DeepEqual(own, list[i]) {
				t.Errorf("%s.jsonld = %v, want the catalogue's entry %v", rec["@id"], own, list[i])
			}
		})
	}
}

// local turns an address under the configured base URL into the test
// backend's.
func local(b *servertest.Backend, url string) string {
	return strings.Replace(url, "https://portal.demo-stadt.de", b.URL, 1)
}

func checkDataset(t *testing.T, b *servertest.Backend, rec map[string]any, modified time.Time, start string) {
	t.Helper()
	for _, p := range requiredDataset {
		if rec[p] == nil {
			t.Errorf("dataset lacks %s", p)
		}
	}
	id, _ := rec["@id"].(string)
	if !strings.HasPrefix(id, "https://portal.demo-stadt.de"+api.PathOpenData) {
		t.Errorf("@id = %q, want it under the configured base URL", id)
	}
	if rec["@type"] != "dcat:Dataset" {
		t.Errorf("@type = %v", rec["@type"])
	}
	if got := rec["dct:license"]; !reflect.DeepEqual(got, map[string]any{"@id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"}) {
		t.Errorf("dct:license = %v", got)
	}
	if got := rec["dcatde:contributorID"]; !reflect.DeepEqual(got, map[string]any{"@id": "http://dcat-ap.de/def/contributors/demoStadt"}) {
		t.Errorf("dcatde:contributorID = %v", got)
	}
	if got := rec["dct:publisher"].(map[string]any)["foaf:name"]; got != "Stadt Demo" {
		t.Errorf("dct:publisher's name = %v", got)
	}
	titles, _ := rec["dct:title"].([]any)
	if !slices.ContainsFunc(titles, func(v any) bool { m, _ := v.(map[string]any); return m["@language"] == "de" && m["@value"] != "" }) {
		t.Errorf("dct:title = %v, want a German one", titles)
	}
	if got := rec["dct:modified"].(map[string]any)["@value"]; got != modified.Format(time.RFC3339) {
		t.Errorf("dct:modified = %v, want %s", got, modified.Format(time.RFC3339))
	}
	temporal, _ := rec["dct:temporal"].(map[string]any)
	if got, _ := temporal["dcat:startDate"].(map[string]any); got["@value"] != start {
		t.Errorf("dct:temporal = %v, want from %s", temporal, start)
	}
	dists, _ := rec["dcat:distribution"].([]any)
	var formats []string
	for _, d := range dists {
		dist, _ := d.(map[string]any)
		for _, p := range requiredDistribution {
			if dist[p] == nil {
				t.Errorf("distribution %v lacks %s", dist["@id"], p)
			}
		}
		format, _ := dist["dct:format"].(map[string]any)
		formats = append(formats, format["@id"].(string))
		// The download works: the address with the test server's host.
		url := dist["dcat:downloadURL"].(map[string]any)["@id"].(string)
		res, _ := get(t, local(b, url), nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", url, res.StatusCode)
		}
	}
	want := []string{"http://publications.europa.eu/resource/authority/file-type/JSON", "http://publications.europa.eu/resource/authority/file-type/CSV"}
	if !reflect.DeepEqual(formats, want) {
		t.Errorf("formats = %v, want %v", formats, want)
	}
}

func TestFiles(t *testing.T) {
	b := servertest.New(t)
	fill(t, b)
	tests := []struct {
		file string
		want int
	}{
		{"catalog.jsonld", http.StatusOK},
		{"cases-by-month.jsonld", http.StatusOK},
		{"cases-by-month.xml", http.StatusNotFound},
		{"cases-by-month", http.StatusNotFound},
		{"nothing.json", http.StatusNotFound},
		{"catalog.json", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, body := get(t, b.URL+api.PathOpenData+tt.file, nil)
			if res.StatusCode != tt.want {
				t.Errorf("GET %s = %d %s, want %d", tt.file, res.StatusCode, body, tt.want)
			}
		})
	}
	t.Run("a copy that is current gets 304", func(t *testing.T) {
		res, _ := get(t, b.URL+api.PathOpenData+"decision-days.json", nil)
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		res, _ = get(t, b.URL+api.PathOpenData+"decision-days.json", http.Header{"If-None-Match": {etag}})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("with If-None-Match = %d, want 304", res.StatusCode)
		}
	})
}

// TestCache: figures once computed are served as they are for
// Config.CacheFor, then computed anew.
func TestCache(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) {
		c.Now = clock
		c.OpenData.CacheFor = time.Minute
	}))
	fill(t, b)
	_, first := get(t, b.URL+api.PathOpenData+"decision-days.csv", nil)
	b.SetCaseStatus("c4", api.StatusDecided, api.Text{"de": "Genehmigt", "en": "Granted"})
	if _, got := get(t, b.URL+api.PathOpenData+"decision-days.csv", nil); !bytes.Equal(got, first) {
		t.Errorf("within a minute = %q, want the figures computed before %q", got, first)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if _, got := get(t, b.URL+api.PathOpenData+"decision-days.csv", nil); !bytes.Contains(got, []byte("anwohnerparken")) {
		t.Errorf("a minute later = %q, want the new decision counted", got)
	}
}

func TestEmptyStore(t *testing.T) {
	b := servertest.New(t)
	res, body := get(t, b.URL+api.PathOpenData+api.DatasetCases+".csv", nil)
	if res.StatusCode != http.StatusOK || string(body) != "month,category,status,count\n" {
		t.Errorf("GET .csv = %d %q, want the header alone", res.StatusCode, body)
	}
	_, body = get(t, b.URL+api.PathOpenData+api.DatasetCases+".json", nil)
	if string(body) != `{"dataset":"cases-by-month","rows":[]}` {
		t.Errorf("GET .json = %s, want no rows and no time", body)
	}
	_, body = get(t, b.URL+api.PathOpenData+api.DatasetCases+".jsonld", nil)
	var rec map[string]any
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec["dct:modified"] != nil || rec["dct:temporal"] != nil {
		t.Errorf("record = %s, want neither dct:modified nor dct:temporal before there are figures", body)
	}
}
