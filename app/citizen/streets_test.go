package citizen_test

import (
	"slices"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets"
)

func TestStreetSearch(t *testing.T) {
	d, err := assets.DemoStreets()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Streets) < 200 {
		t.Fatalf("the demo town has %d streets, want a few hundred", len(d.Streets))
	}
	s := citizen.NewStreets(d)
	labels := func(q string) []string {
		var out []string
		for _, a := range s.Search(q) {
			out = append(out, a.Label())
		}
		return out
	}
	tests := []struct {
		name, query string
		want        string // among the results
		first       bool   // and first
	}{
		{"umlaut as typed", "Zülpicher", "Zülpicher-Straße", false},
		{"umlaut written out", "Zuelpicher", "Zülpicher-Straße", false},
		{"umlaut without its dots", "zulpicher", "Zülpicher-Straße", false},
		{"ß as ss", "Im Suessfeld", "Im Süßfeld", true},
		{"ss for ß in Straße", "Hohe Strasse", "Hohe Straße", true},
		{"Str. for Straße", "hohe str.", "Hohe Straße", true},
		{"compound or hyphen", "Goethestraße", "Goethe-Straße", false},
		{"capital umlaut", "ausere ring", "Äußere Ringstraße", true},
		{"capital umlaut written out", "Aeussere Ringstr", "Äußere Ringstraße", true},
		{"prefix first", "Schiller", "Schiller-Allee", true},
		{"in the middle", "mühle", "An der Mühle", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := labels(tt.query)
			if !slices.Contains(got, tt.want) || (tt.first && got[0] != tt.want) {
				t.Errorf("Search(%q) = %v, want %q%s", tt.query, got, tt.want, map[bool]string{true: " first"}[tt.first])
			}
		})
	}
	t.Run("house number", func(t *testing.T) {
		got := s.Search("Hauptstr. 3")
		if len(got) == 0 || got[0].Label() != "Hauptstraße 3" || !got[0].Exact {
			t.Fatalf("Search = %+v, want Hauptstraße 3, its own position", got)
		}
		if got[0].Lat == got[0].Street.Lat && got[0].Long == got[0].Street.Long {
			t.Errorf("the house is at the street's centre")
		}
		back, ok := s.ByID(got[0].ID())
		if !ok || back.Label() != "Hauptstraße 3" {
			t.Errorf("ByID(%s) = %+v, %v", got[0].ID(), back, ok)
		}
		if none := s.Search("Hauptstraße 999"); len(none) == 0 || none[0].Exact || none[0].Number != "" {
			t.Errorf("an unknown number = %+v, want the street's centre", none)
		}
	})
	t.Run("reports placed by address id", func(t *testing.T) {
		lat := 1.0
		reps := []api.Report{{ID: "a", AddressID: "st001-3"}, {ID: "b", AddressID: "nope"}, {ID: "c", Lat: &lat, Long: &lat, AddressID: "st001-3"}}
		got := s.Locate(reps)
		house, _ := s.ByID("st001-3")
		if got[0].Lat == nil || *got[0].Lat != house.Lat || got[1].Lat != nil || *got[2].Lat != 1 || reps[0].Lat != nil {
			t.Errorf("Locate = %+v", got)
		}
		if near := citizen.Nearby(got, "", house.Lat, house.Long); len(near) != 0 {
			t.Errorf("nearby of no category = %v", near)
		}
	})
	t.Run("nothing", func(t *testing.T) {
		if got := s.Search("Xylophonweg"); len(got) != 0 {
			t.Errorf("Search = %v, want none", labels("Xylophonweg"))
		}
		if got := s.Search("  "); got != nil {
			t.Errorf("empty query = %v", got)
		}
	})
	t.Run("every street in the town's area", func(t *testing.T) {
		rs, err := assets.DemoReportServices()
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range d.Streets {
			if !rs.Area.Contains(st.Lat, st.Long) {
				t.Errorf("%s lies outside the town's area", st.Name)
			}
		}
	})
}
