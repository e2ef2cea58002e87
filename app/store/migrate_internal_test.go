package store

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestMigrationPlan: migrations go in the order of their numbers, and a
// number used twice stops the start instead of skipping the second file
// wherever the first already ran.
func TestMigrationPlan(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name    string
		files   []string
		want    []int
		wantErr string // a part of the error; empty: no error
	}{
		{name: "in numeric order", files: []string{"0010_c.sql", "0002_b.sql", "0001_a.sql"}, want: []int{1, 2, 10}},
		{name: "one number twice", files: []string{"0005_draft_tombstones.sql", "0005_outbox_kinds.sql", "0004_x.sql"},
			wantErr: "0005_draft_tombstones.sql and 0005_outbox_kinds.sql have the same number"},
		{name: "one number written two ways", files: []string{"0005_a.sql", "5_b.sql"}, wantErr: "the same number"},
		{name: "no number", files: []string{"0001_a.sql", "init.sql"}, wantErr: "init.sql: name must start with its number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, n := range tt.files {
				fsys["migrations/"+n] = file
			}
			got, err := migrationPlan(fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("plan = %v, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var versions []int
			for _, m := range got {
				versions = append(versions, m.version)
			}
			if !slices.Equal(versions, tt.want) {
				t.Errorf("versions = %v, want %v", versions, tt.want)
			}
		})
	}
}

// TestMigrationPlan_Embedded: the migrations the app ships have one
// number each.
func TestMigrationPlan_Embedded(t *testing.T) {
	if _, err := migrationPlan(migrations); err != nil {
		t.Fatal(err)
	}
}
