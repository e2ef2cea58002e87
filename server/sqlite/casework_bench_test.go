package sqlite_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
)

// BenchmarkListCases: the console's list over 10,000 cases, a page of 25:
// go test -run '^$' -bench ListCases ./server/sqlite/
func BenchmarkListCases(b *testing.B) {
	db := MustOpen(b)
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	services := []string{"hundesteuer", "sperrmuell", "maengelmelder", "anmeldung-wohnung"}
	for i := range 10000 {
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		c := server.NewCase{ID: fmt.Sprintf("c_%016d", i), Service: services[i%len(services)],
			Form:   api.FormRef{ID: services[i%len(services)], Version: 1},
			Data:   []byte(fmt.Sprintf(`{"family_name":"Name%d","given_name":"Erika","street":"Hauptstraße %d"}`, i, i%300)),
			Status: api.StatusReceived, Created: start.Add(time.Duration(i) * time.Hour)}
		if _, _, err := db.CreateCase(ctx, fmt.Sprint(i), h[:], c); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []struct {
		name string
		q    casework.Query
	}{
		{"first page", casework.Query{Limit: 25}},
		{"a service, page 100", casework.Query{Service: "sperrmuell", Limit: 25, Offset: 2475}},
		{"overdue", casework.Query{OverdueBefore: start.Add(5000 * time.Hour), Limit: 25}},
		{"search a name", casework.Query{Search: "name4711", Limit: 25}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.ListCases(ctx, q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
