package citizen

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"rathaus/api"
)

// The street directory's search: as the citizen types, umlauts and their
// spellings ("ü", "ue", "u"), "ß" and "ss", "Str." and "Straße" find the
// same streets, and a house number at the end picks the house.

// Streets searches a town's street directory.
type Streets struct {
	streets []api.Street
	keys    []string // normalized names, by index
}

// NewStreets indexes the directory.
func NewStreets(d api.StreetDirectory) *Streets {
	s := &Streets{streets: d.Streets, keys: make([]string, len(d.Streets))}
	for i, st := range d.Streets {
		s.keys[i] = NormalizeStreet(st.Name)
	}
	return s
}

// Address is a place found in the directory.
type Address struct {
	Street api.Street
	Number string // "" for the street as a whole
	// Exact: the house's own position; else the street's centre.
	Exact     bool
	Lat, Long float64
}

// ID is the address's id in the town's directory (Open311's address_id).
func (a Address) ID() string {
	if a.Number == "" {
		return a.Street.ID
	}
	return a.Street.ID + "-" + a.Number
}

// Label is the address as people write it.
func (a Address) Label() string {
	if a.Number == "" {
		return a.Street.Name
	}
	return a.Street.Name + " " + a.Number
}

// NormalizeStreet folds a street name or a query: lower case, umlauts and
// ß written out (ä → ae), "str." → "strasse", then the "e" of a written-out
// umlaut dropped and "ss" made "s", so that "Zülpicher", "Zuelpicher" and
// "Zulpicher", "Süßfeld", "Suessfeld" and "Susfeld" are alike; punctuation
// and hyphens go.
func NormalizeStreet(s string) string {
	s = norm.NFC.String(strings.ToLower(s))
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e")
	s = r.Replace(s)
	var b strings.Builder
	for _, c := range s {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			b.WriteRune(c)
		default:
			b.WriteRune(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		switch {
		case w == "str" || w == "strasse" || w == "strase":
			words[i] = "strasse"
		case strings.HasSuffix(w, "str") && len(w) > 3:
			words[i] = strings.TrimSuffix(w, "str") + "strasse"
		}
		words[i] = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u", "ss", "s").Replace(words[i])
	}
	// "Goethestraße" and "Goethe-Straße" alike: compound or not.
	return strings.Join(words, "")
}

// maxFound bounds the matches of one search.
const maxFound = 12

// Search finds the addresses a query names: streets whose folded name
// holds the query's (those that begin with it first), and with a house
// number at the end, that house, if the street has it (else the street).
func (s *Streets) Search(query string) []Address {
	name, number := splitNumber(query)
	key := NormalizeStreet(name)
	if key == "" {
		return nil
	}
	type hit struct {
		i      int
		prefix bool
	}
	var hits []hit
	for i, k := range s.keys {
		if at := strings.Index(k, key); at >= 0 {
			hits = append(hits, hit{i, at == 0})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].prefix != hits[b].prefix {
			return hits[a].prefix
		}
		return s.streets[hits[a].i].Name < s.streets[hits[b].i].Name
	})
	var out []Address
	for _, h := range hits {
		if len(out) == maxFound {
			break
		}
		out = append(out, s.address(s.streets[h.i], number))
	}
	return out
}

// address is the street's house number, when it has it, else the street.
func (s *Streets) address(st api.Street, number string) Address {
	if pos, ok := st.Houses[number]; ok && number != "" {
		return Address{Street: st, Number: number, Exact: true, Lat: pos[0], Long: pos[1]}
	}
	a := Address{Street: st, Lat: st.Lat, Long: st.Long}
	if number != "" && len(st.Houses) == 0 {
		a.Number = number // a street known by its centre only: the number as typed
	}
	return a
}

// ByID finds an address by its id (Address.ID).
func (s *Streets) ByID(id string) (Address, bool) {
	sid, number, _ := strings.Cut(id, "-")
	for _, st := range s.streets {
		if st.ID == sid {
			a := s.address(st, number)
			return a, a.ID() == id
		}
	}
	return Address{}, false
}

// splitNumber cuts a house number ("12", "12a", "12 a") off the end.
func splitNumber(q string) (name, number string) {
	q = strings.TrimSpace(q)
	fields := strings.Fields(q)
	if len(fields) < 2 {
		return q, ""
	}
	last := fields[len(fields)-1]
	if len(fields) >= 3 && len(last) == 1 && unicode.IsLetter(rune(last[0])) && isNumber(fields[len(fields)-2]) {
		return strings.Join(fields[:len(fields)-2], " "), fields[len(fields)-2] + strings.ToLower(last)
	}
	if isNumber(strings.TrimRightFunc(last, unicode.IsLetter)) {
		return strings.Join(fields[:len(fields)-1], " "), strings.ToLower(last)
	}
	return q, ""
}

func isNumber(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Locate gives the reports that have no position but an address id of the
// directory (an Open311 client's address_id, say) the address's position,
// so that they count as nearby too. The others stay as they are.
func (s *Streets) Locate(reps []api.Report) []api.Report {
	out := make([]api.Report, len(reps))
	for i, r := range reps {
		if r.Lat == nil && r.AddressID != "" {
			if a, ok := s.ByID(r.AddressID); ok {
				r.Lat, r.Long = &a.Lat, &a.Long
			}
		}
		out[i] = r
	}
	return out
}
