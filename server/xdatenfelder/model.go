package xdatenfelder

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The namespaces and message types the importer reads.
const (
	NamespaceV2 = "urn:xoev-de:fim:standard:xdatenfelder_2"
	NamespaceV3 = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"

	msgSchema = "xdatenfelder.stammdatenschema.0102"
	msgGroup  = "xdatenfelder.datenfeldgruppe.0103"
)

// schema is the version-neutral model of a Stammdatenschema (or of the group
// of a Datenfeldgruppe message).
type schema struct {
	xdfVersion int // 2 or 3
	id         string
	version    string
	name       string
	title      string
	help       string
	rules      []*rule
	children   []*element
	unknown    []string // unknown child elements of the schema, by local name
	// ignored counts FIM editorial metadata elements by name.
	ignored map[string]int
}

type elementKind int

const (
	kindField elementKind = iota
	kindGroup
)

// element is a Datenfeld or a Datenfeldgruppe at one place in the structure.
type element struct {
	kind     elementKind
	id       string
	version  string
	path     string // FIM ids from the schema down, "/"-separated
	name     string // FIM-internal name
	label    string // bezeichnungEingabe
	help     string // hilfetextEingabe
	min, max int    // from Anzahl; max < 0: unbounded
	anzahl   string

	// Datenfeld
	feldart       string
	datentyp      string
	prae          praezisierung
	inhalt        string
	werte         []wert
	codeliste     string
	codeKeys      []string // codeKey, nameKey, helpKey present
	mediaTypes    []string
	maxSize       int64
	vorbefuellung string

	// Datenfeldgruppe
	art      string
	children []*element

	rules   []*rule
	unknown []string // unknown child elements, by local name
	notes   []note   // problems met while reading
}

type praezisierung struct {
	minLength, maxLength *int
	minValue, maxValue   string
	pattern              string
	raw                  string // v2 JSON text, for the report
}

type wert struct{ code, name, hilfe string }

// rule is a Regel: kept for the report, and mapped to conditions when its
// text follows the common WENN ... DANN aktiviere ... pattern.
type rule struct {
	id, version string
	path        string
	name        string
	text        string // freitextRegel (v3) or definition (v2)
	typ         string // v3: B, K, M, V
	script      string
}

// note is a problem found while reading, reported as approximated.
type note struct{ what, why string }

// Elements whose content is FIM editorial metadata: never shown to a
// citizen, so not carried over. They are counted, not reported one by one.
var editorial = map[string]bool{
	"identifikation": true, "beschreibung": true, "definition": true,
	"bezug": true, "status": true, "freigabestatus": true, "statusGesetztAm": true,
	"statusGesetztDurch": true, "gueltigAb": true, "gueltigBis": true,
	"versionshinweis": true, "veroeffentlichungsdatum": true, "letzteAenderung": true,
	"relation": true, "stichwort": true, "fachlicherErsteller": true,
	"freigabedatum": true, "schemaelementart": true, "bezeichnungAusgabe": true,
	"hilfetextAusgabe": true, "ableitungsmodifikationenStruktur": true,
	"ableitungsmodifikationenRepraesentation": true, "dokumentsteckbrief": true,
	"name": true,
}

var (
	schemaElements = set("bezeichnung", "bezeichnungEingabe", "hilfetext", "hilfetextEingabe", "regel", "struktur")
	groupElements  = set("bezeichnungEingabe", "hilfetextEingabe", "art", "regel", "struktur")
	fieldElements  = set("bezeichnungEingabe", "hilfetextEingabe", "feldart", "datentyp", "praezisierung",
		"inhalt", "vorbefuellung", "werte", "codelisteReferenz", "codeKey", "nameKey", "helpKey",
		"regel", "maxSize", "mediaType")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// readDocument detects the version and message type and reads the model.
func readDocument(root *node) (*schema, error) {
	var v int
	switch root.space {
	case NamespaceV2:
		v = 2
	case NamespaceV3:
		v = 3
	default:
		if strings.HasPrefix(root.space, "urn:xoev-de:fim:standard:xdatenfelder") {
			return nil, fmt.Errorf("%w: namespace %s (supported: %s and %s)", ErrUnsupportedVersion, root.space, NamespaceV2, NamespaceV3)
		}
		ns := root.space
		if ns == "" {
			ns = "no namespace"
		}
		return nil, fmt.Errorf("%w: the root element is <%s> in %s", ErrNotXDatenfelder, root.local, ns)
	}
	s := &schema{xdfVersion: v, ignored: map[string]int{}}
	switch root.local {
	case msgSchema:
		sn := root.child("stammdatenschema")
		if sn == nil {
			return nil, fmt.Errorf("%w: <%s> has no <stammdatenschema>", ErrNotXDatenfelder, root.local)
		}
		s.readSchema(sn)
	case msgGroup:
		gn := root.child("datenfeldgruppe")
		if gn == nil {
			return nil, fmt.Errorf("%w: <%s> has no <datenfeldgruppe>", ErrNotXDatenfelder, root.local)
		}
		s.readGroupMessage(gn)
	default:
		return nil, fmt.Errorf("%w: the message <%s> is not a form (expected %s or %s)", ErrNotXDatenfelder, root.local, msgSchema, msgGroup)
	}
	return s, nil
}

func (s *schema) readSchema(n *node) {
	s.id = strings.TrimSpace(n.child("identifikation").str("id"))
	s.version = strings.TrimSpace(n.child("identifikation").str("version"))
	s.name = label(n.str("name"))
	s.title = firstNonEmpty(label(n.str("bezeichnung")), label(n.str("bezeichnungEingabe")), s.name)
	s.help = firstNonEmpty(helpText(n.str("hilfetext")), helpText(n.str("hilfetextEingabe")))
	path := s.id
	if path == "" {
		path = "schema"
	}
	for _, c := range n.children {
		switch {
		case c.local == "regel":
			s.rules = append(s.rules, readRule(c, path))
		case c.local == "struktur":
			if e := s.readStruktur(c, path); e != nil {
				s.children = append(s.children, e)
			}
		case schemaElements[c.local]:
		case editorial[c.local]:
			s.ignored[c.local]++
		default:
			s.unknown = append(s.unknown, c.local)
		}
	}
}

// readGroupMessage reads a Datenfeldgruppe message: the group is the form.
func (s *schema) readGroupMessage(n *node) {
	g := s.readElement(n, "", "1:1")
	s.id, s.version, s.name = g.id, g.version, g.name
	s.title = firstNonEmpty(g.label, g.name)
	s.help = g.help
	s.rules = g.rules
	s.children = g.children
	s.unknown = g.unknown
}

// readStruktur reads one <struktur>: the Anzahl and the element it holds.
func (s *schema) readStruktur(n *node, parent string) *element {
	anzahl := strings.TrimSpace(n.str("anzahl"))
	en := n.child("enthaelt")
	if en == nil {
		return nil
	}
	for _, c := range en.children {
		if c.local == "datenfeld" || c.local == "datenfeldgruppe" {
			return s.readElement(c, parent, anzahl)
		}
	}
	return nil
}

func (s *schema) readElement(n *node, parent, anzahl string) *element {
	e := &element{anzahl: anzahl}
	if n.local == "datenfeldgruppe" {
		e.kind = kindGroup
	}
	e.id = strings.TrimSpace(n.child("identifikation").str("id"))
	e.version = strings.TrimSpace(n.child("identifikation").str("version"))
	id := e.id
	if id == "" {
		id = "(no id)"
	}
	e.path = id
	if parent != "" {
		e.path = parent + "/" + id
	}
	e.name = label(n.str("name"))
	e.label = label(n.str("bezeichnungEingabe"))
	e.help = helpText(n.str("hilfetextEingabe"))
	e.min, e.max = 1, 1
	if anzahl != "" {
		mn, mx, ok := parseAnzahl(anzahl)
		if ok {
			e.min, e.max = mn, mx
		} else {
			e.notes = append(e.notes, note{fmt.Sprintf("Anzahl %q not understood", anzahl), "read as 1:1"})
		}
	}
	known := fieldElements
	if e.kind == kindGroup {
		known = groupElements
	}
	for _, c := range n.children {
		switch {
		case c.local == "regel":
			e.rules = append(e.rules, readRule(c, e.path))
		case c.local == "struktur" && e.kind == kindGroup:
			if ch := s.readStruktur(c, e.path); ch != nil {
				e.children = append(e.children, ch)
			}
		case known[c.local]:
		case editorial[c.local]:
			s.ignored[c.local]++
		default:
			e.unknown = append(e.unknown, c.local)
		}
	}
	if e.kind == kindGroup {
		e.art = n.code("art")
		return e
	}
	e.feldart = strings.ToLower(n.code("feldart"))
	e.datentyp = strings.ToLower(n.code("datentyp"))
	e.inhalt = strings.TrimSpace(n.str("inhalt"))
	e.vorbefuellung = n.code("vorbefuellung")
	e.readPraezisierung(n.child("praezisierung"))
	for _, w := range n.child("werte").all("wert") {
		e.werte = append(e.werte, wert{
			code:  strings.TrimSpace(w.str("code")),
			name:  label(w.str("name")),
			hilfe: helpText(w.str("hilfe")),
		})
	}
	if cl := n.child("codelisteReferenz"); cl != nil {
		e.codeliste = codelisteName(cl)
	}
	for _, k := range []string{"codeKey", "nameKey", "helpKey"} {
		if strings.TrimSpace(n.str(k)) != "" {
			e.codeKeys = append(e.codeKeys, k)
		}
	}
	for _, m := range n.all("mediaType") {
		if t := strings.TrimSpace(m.text.String()); t != "" {
			e.mediaTypes = append(e.mediaTypes, t)
		}
	}
	if ms := strings.TrimSpace(n.str("maxSize")); ms != "" {
		if v, err := strconv.ParseInt(ms, 10, 64); err == nil && v > 0 {
			e.maxSize = v
		} else {
			e.notes = append(e.notes, note{fmt.Sprintf("maxSize %q not understood", ms), "ignored"})
		}
	}
	return e
}

// codelisteName names a code list reference (v2 nests it in
// genericodeIdentification, v3 does not).
func codelisteName(cl *node) string {
	g := cl
	if gi := cl.child("genericodeIdentification"); gi != nil {
		g = gi
	}
	uri := strings.TrimSpace(g.str("canonicalVersionUri"))
	if uri == "" {
		uri = strings.TrimSpace(g.str("canonicalIdentification"))
		if v := strings.TrimSpace(g.str("version")); uri != "" && v != "" {
			uri += " version " + v
		}
	}
	if uri == "" {
		uri = strings.TrimSpace(cl.child("identifikation").str("id"))
	}
	if uri == "" {
		uri = "(unnamed)"
	}
	return uri
}

// readPraezisierung reads the constraints: attributes in v3, a JSON object
// (with string values) as text in v2.
func (e *element) readPraezisierung(n *node) {
	if n == nil {
		return
	}
	get := map[string]string{}
	for _, k := range []string{"minLength", "maxLength", "minValue", "maxValue", "pattern"} {
		if v, ok := n.attr(k); ok {
			get[k] = v
		}
	}
	if raw := strings.TrimSpace(n.text.String()); raw != "" {
		e.prae.raw = raw
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			e.notes = append(e.notes, note{fmt.Sprintf("Präzisierung %s is not JSON", abbreviate(raw, 60)), "ignored"})
		} else {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				switch v := m[k].(type) {
				case string:
					get[k] = v
				case float64:
					get[k] = strconv.FormatFloat(v, 'f', -1, 64)
				default:
					e.notes = append(e.notes, note{fmt.Sprintf("Präzisierung %s has an unusable value", k), "ignored"})
				}
			}
			for _, k := range keys {
				switch k {
				case "minLength", "maxLength", "minValue", "maxValue", "pattern":
				default:
					e.notes = append(e.notes, note{fmt.Sprintf("Präzisierung %s is unknown", k), "ignored"})
				}
			}
		}
	}
	for _, k := range []string{"minLength", "maxLength"} {
		v, ok := get[k]
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 1_000_000 {
			e.notes = append(e.notes, note{fmt.Sprintf("%s %q not understood", k, v), "ignored"})
			continue
		}
		if k == "minLength" {
			e.prae.minLength = &n
		} else {
			e.prae.maxLength = &n
		}
	}
	e.prae.minValue = strings.TrimSpace(get["minValue"])
	e.prae.maxValue = strings.TrimSpace(get["maxValue"])
	e.prae.pattern = get["pattern"]
}

func readRule(n *node, parent string) *rule {
	r := &rule{}
	r.id = strings.TrimSpace(n.child("identifikation").str("id"))
	r.version = strings.TrimSpace(n.child("identifikation").str("version"))
	r.path = parent
	r.name = label(n.str("name"))
	r.text = firstNonEmpty(helpText(n.str("freitextRegel")), helpText(n.str("definition")), helpText(n.str("beschreibung")))
	r.typ = n.code("typ")
	r.script = strings.TrimSpace(firstNonEmpty(n.str("skript"), n.str("script")))
	return r
}

// parseAnzahl reads "min:max" with "*" for unbounded.
func parseAnzahl(s string) (mn, mx int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found {
		return 0, 0, false
	}
	mn, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil || mn < 0 || mn > 1_000_000 {
		return 0, 0, false
	}
	b = strings.TrimSpace(b)
	if b == "*" {
		return mn, -1, true
	}
	mx, err = strconv.Atoi(b)
	if err != nil || mx < 1 || mx > 1_000_000 || mx < mn {
		return 0, 0, false
	}
	return mn, mx, true
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
