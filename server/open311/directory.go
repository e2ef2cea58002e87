package open311

import (
	"strings"

	"rathaus/api"
)

// Directory is the town's street directory as the backend reads address
// ids: "st001" a street, "st001-3" a house of it. It is the "master
// address repository" whose ids Open311's address_id names.
type Directory struct {
	streets map[string]api.Street
}

// NewDirectory indexes the town's streets; an empty directory knows no
// address and checks none.
func NewDirectory(d api.StreetDirectory) *Directory {
	dir := &Directory{streets: map[string]api.Street{}}
	for _, s := range d.Streets {
		dir.streets[s.ID] = s
	}
	return dir
}

// Place is what an address id stands for.
type Place struct {
	Label     string // "Hauptstraße 3"
	Postcode  string
	Lat, Long float64
}

// Empty reports whether the directory knows no street (then address ids
// are taken as they come).
func (d *Directory) Empty() bool { return d == nil || len(d.streets) == 0 }

// Resolve finds an address id: a street (its centre) or a house of it
// (its own position).
func (d *Directory) Resolve(id string) (Place, bool) {
	if d.Empty() {
		return Place{}, false
	}
	sid, number, hasNumber := strings.Cut(id, "-")
	s, ok := d.streets[sid]
	if !ok {
		return Place{}, false
	}
	if !hasNumber {
		return Place{Label: s.Name, Postcode: s.Postcode, Lat: s.Lat, Long: s.Long}, true
	}
	pos, ok := s.Houses[number]
	if !ok {
		return Place{}, false
	}
	return Place{Label: s.Name + " " + number, Postcode: s.Postcode, Lat: pos[0], Long: pos[1]}, true
}

// place fills a new report's position and address from its address id;
// it returns false for an id the directory does not know (with an empty
// directory, every id is taken as it is).
func (d *Directory) place(r *NewReport) bool {
	if r.AddressID == "" || d.Empty() {
		return true
	}
	p, ok := d.Resolve(r.AddressID)
	if !ok {
		return false
	}
	if r.Lat == nil {
		r.Lat, r.Long = &p.Lat, &p.Long
	}
	if r.Address == "" {
		r.Address = p.Label
	}
	return true
}

// CheckAddressID fills a new report's position and address from its
// address id, for the core's reports from the app; false for an id the
// directory does not know.
func (d *Directory) CheckAddressID(r *NewReport) bool { return d.place(r) }
