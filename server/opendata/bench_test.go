package opendata_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/servertest"
)

// BenchmarkFiles measures a request for open data on a backend holding
// 20,000 cases over a year, half of them decided, computing the figures
// anew (what a request costs once the cache, Config.CacheFor, is stale).
func BenchmarkFiles(b *testing.B) {
	bk := servertest.New(b, fresh)
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	services := []string{"meldebescheinigung", "hundesteuer", "anmeldung-wohnung", "fuehrungszeugnis"}
	const n = 20_000
	for i := range n {
		id := fmt.Sprintf("c%06d", i)
		at := start.Add(time.Duration(i) * 26 * time.Minute)
		svc := services[i%len(services)]
		c := server.NewCase{ID: id, Service: svc, Form: api.FormRef{ID: svc, Version: 1},
			Data: json.RawMessage(`{}`), Status: api.StatusReceived, Created: at}
		if _, _, err := bk.DB.CreateCase(ctx, id, []byte(id), c); err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			ev := api.CaseEvent{Status: api.StatusDecided, At: at.Add(time.Duration(i%20) * 24 * time.Hour)}
			if _, err := bk.DB.SetCaseStatus(ctx, id, ev, func(string) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, file := range []string{"cases-by-month.json", "decision-days.csv", "catalog.jsonld"} {
		b.Run(file, func(b *testing.B) {
			for b.Loop() {
				res, err := http.Get(bk.URL + api.PathOpenData + file)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s = %d", file, res.StatusCode)
				}
			}
		})
	}
}
