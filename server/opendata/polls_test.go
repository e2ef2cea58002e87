package opendata_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/servertest"
)

// The demo polls (assets/demo/polls.json) are open from 2026-12-01 until
// 2027-01-31 23:00 UTC.
var (
	pollsOpen   = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	pollsClose  = time.Date(2027, 1, 31, 23, 0, 0, 0, time.UTC)
	afterClosed = time.Date(2027, 2, 1, 8, 0, 0, 0, time.UTC)
)

// clocked is a backend on a clock the test moves, starting while the demo
// polls are open.
type clocked struct {
	*servertest.Backend
	*servertest.Clock
}

func newClocked(t *testing.T, more ...func(*server.Config)) *clocked {
	t.Helper()
	clock := servertest.NewClock(pollsOpen)
	b := servertest.New(t, servertest.WithClock(clock), servertest.WithConfig(func(cfg *server.Config) {
		cfg.OpenData.CacheFor = -1
		for _, f := range more {
			f(cfg)
		}
	}))
	return &clocked{b, clock}
}

func (c *clocked) answer(t *testing.T, d api.Device, poll string, data map[string]any) {
	t.Helper()
	code, body := c.Call(t, http.MethodPut, api.PathPolls+poll+"/answer", d.Token, api.PollAnswer{Data: data})
	if code != http.StatusOK {
		t.Fatalf("answer %s %v = %d %s", poll, data, code, body)
	}
}

// vote answers the demo polls as three citizens, one of them on two
// devices of one account, and returns the free text given, which must
// never be published.
func vote(t *testing.T, c *clocked) (freeText string) {
	t.Helper()
	phone, tablet, other, kiosk := c.Device(t), c.Device(t), c.Device(t), c.Device(t)
	c.LinkDevices("acc-erika", phone.ID, tablet.ID)
	freeText = "Bitte mehr Schatten vor Haus Nr. 7"
	c.answer(t, phone, "marktplatz", map[string]any{"nutzung": "parken"})
	c.Set(pollsOpen.Add(time.Hour))
	// Erika changes her mind on the tablet: her account counts once, so.
	c.answer(t, tablet, "marktplatz", map[string]any{"nutzung": "gruen", "wuensche": []string{"baeume", "brunnen"}, "anmerkung": freeText})
	c.answer(t, other, "marktplatz", map[string]any{"nutzung": "gruen", "wuensche": []string{"baeume"}})
	c.answer(t, kiosk, "marktplatz", map[string]any{"nutzung": "markt"})
	c.answer(t, other, "radverkehr", map[string]any{"vorrang": "ja"})
	return freeText
}

func TestPollResultsPublishedAfterClosing(t *testing.T) {
	c := newClocked(t)
	freeText := vote(t, c)

	t.Run("nothing while the polls are open", func(t *testing.T) {
		res, body := get(t, c.URL+api.PathOpenData+api.DatasetPolls+".json", nil)
		var got api.OpenData
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
			t.Fatalf("GET = %d %s", res.StatusCode, body)
		}
		if len(got.Rows) != 0 || got.Modified != "" {
			t.Errorf("open polls published: %s; want no rows and no modified", body)
		}
		_, body = get(t, c.URL+api.PathOpenData+api.DatasetPolls+".csv", nil)
		if records, err := csv.NewReader(bytes.NewReader(body)).ReadAll(); err != nil || len(records) != 1 {
			t.Errorf("CSV while open = %q (%v); want the header only", records, err)
		}
	})

	c.Set(afterClosed)
	const q1, q2, q3 = "Wofür soll der Platz vor allem da sein?", "Was wünschen Sie sich?", "Soll der Radverkehr in der Innenstadt Vorrang bekommen?"
	markt := func(q, qt, o, ot string, n int) api.OpenDataRow {
		return api.OpenDataRow{Month: "2027-01", Category: "marktplatz", Title: "Neugestaltung des Marktplatzes", Closed: pollsClose.Format(time.RFC3339),
			Question: q, QuestionText: qt, Option: o, OptionText: ot, Count: n, Answers: 3}
	}
	rad := func(o, ot string, n int) api.OpenDataRow {
		return api.OpenDataRow{Month: "2027-01", Category: "radverkehr", Title: "Radwege in der Innenstadt", Closed: pollsClose.Format(time.RFC3339),
			Question: "vorrang", QuestionText: q3, Option: o, OptionText: ot, Count: n, Answers: 1}
	}
	// Three citizens answered the Marktplatz poll (Erika on two devices
	// counts once, with her later answer), one the Radverkehr poll.
	want := []api.OpenDataRow{
		markt("nutzung", q1, "markt", "Wochenmarkt und Feste", 1),
		markt("nutzung", q1, "gruen", "Grünfläche zum Verweilen", 2),
		markt("nutzung", q1, "parken", "Parkplätze", 0),
		markt("wuensche", q2, "baenke", "Bänke", 0),
		markt("wuensche", q2, "baeume", "Bäume", 2),
		markt("wuensche", q2, "brunnen", "Einen Brunnen", 1),
		markt("wuensche", q2, "spielplatz", "Einen Spielplatz", 0),
		rad("ja", "Ja", 1), rad("nein", "Nein", 0), rad("egal", "Ist mir egal", 0),
	}

	t.Run("after closing, counted once per citizen", func(t *testing.T) {
		res, body := get(t, c.URL+api.PathOpenData+api.DatasetPolls+".json", nil)
		var got api.OpenData
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
			t.Fatalf("GET = %d %s", res.StatusCode, body)
		}
		if !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("rows =\n%+v\nwant\n%+v", got.Rows, want)
		}
		if got.Modified != pollsClose.Format(time.RFC3339) {
			t.Errorf("modified = %q; want the closing time %s", got.Modified, pollsClose.Format(time.RFC3339))
		}
		if bytes.Contains(body, []byte("Schatten")) {
			t.Errorf("the free text %q is published: %s", freeText, body)
		}
	})

	t.Run("CSV", func(t *testing.T) {
		res, body := get(t, c.URL+api.PathOpenData+api.DatasetPolls+".csv", nil)
		records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if res.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("GET .csv = %d %v %s", res.StatusCode, err, body)
		}
		if got, want := records[0], []string{"month", "poll", "title", "closed", "question", "question_text", "option", "option_text", "count", "answers"}; !reflect.DeepEqual(got, want) {
			t.Errorf("header = %q; want %q", got, want)
		}
		if len(records) != len(want)+1 {
			t.Fatalf("%d records; want %d and the header", len(records)-1, len(want))
		}
		if got, wantRow := records[2], []string{"2027-01", "marktplatz", "Neugestaltung des Marktplatzes", "2027-01-31T23:00:00Z",
			"nutzung", q1, "gruen", "Grünfläche zum Verweilen", "2", "3"}; !reflect.DeepEqual(got, wantRow) {
			t.Errorf("row 2 = %q; want %q", got, wantRow)
		}
		if bytes.Contains(body, []byte("Schatten")) {
			t.Errorf("the free text is in the CSV: %s", body)
		}
	})

	t.Run("the figures match the polls' own results", func(t *testing.T) {
		_, body := get(t, c.URL+api.PathPolls+"marktplatz/results", nil)
		var res api.PollResults
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		for i, oc := range res.Counts {
			if got := want[i]; got.Question != oc.Field || got.Option != oc.Option || got.Count != oc.N || got.Answers != res.Answers {
				t.Errorf("open data row %d = %+v; the poll's results say %+v of %d", i, got, oc, res.Answers)
			}
		}
	})
}
