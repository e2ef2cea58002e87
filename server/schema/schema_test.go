package schema_test

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"rathaus/server/schema"
)

func TestLoad(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    string // versions and names in order, or the error's start
		wantErr bool
	}{
		{"in order of their numbers", fstest.MapFS{
			"migrations/0010_later.sql": file("B"), "migrations/0002_first.sql": file("A"), "migrations/notes.txt": file("x"),
		}, "2 0002_first.sql A; 10 0010_later.sql B", false},
		{"two files with one number", fstest.MapFS{
			"migrations/0009_reports.sql": file(""), "migrations/0009_casework.sql": file(""),
		}, "migrations 0009_casework.sql and 0009_reports.sql share number 9", true},
		{"a name without a number", fstest.MapFS{"migrations/init.sql": file("")}, "migration init.sql: name must start", true},
		{"number zero", fstest.MapFS{"migrations/0000_x.sql": file("")}, "migration 0000_x.sql: name must start", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := schema.Load(tt.files)
			if tt.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Fatalf("Load = %v, %v; want the error %q", ms, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, strings.Join([]string{strconv.Itoa(m.Version), m.Name, m.SQL}, " "))
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("Load = %q, want %q", g, tt.want)
			}
		})
	}
}
