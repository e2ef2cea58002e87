package xdatenfelder

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"rathaus/api"
)

const (
	// keyMax bounds the length of a data key made from a name.
	keyMax = 48
	// textareaAbove: texts allowed longer than this get a textarea.
	textareaAbove = 255
)

// object is one JSON object of the form data: the root, a group's object or
// a repeat's item.
type object struct {
	parent   *object
	path     []string // keys from the root; "*" stands for a repeat's items
	props    []*prop
	keys     map[string]bool
	required []string
	allOf    []any
}

// prop is one property of an object: a leaf schema or a nested object.
type prop struct {
	key      string
	leaf     *omap
	obj      *object
	array    bool // obj is the item of a repeat
	minItems int
	maxItems int // 0: unbounded
}

func newObject(parent *object, segs ...string) *object {
	o := &object{parent: parent, keys: map[string]bool{}}
	if parent != nil {
		o.path = append(append([]string{}, parent.path...), segs...)
	}
	return o
}

// reserve returns a key based on base that is unused in the object.
func (o *object) reserve(base string) string {
	if base == "" {
		base = "feld"
	}
	k := base
	for i := 2; o.keys[k]; i++ {
		k = fmt.Sprintf("%s_%d", base, i)
	}
	o.keys[k] = true
	return k
}

func (o *object) release(k string) { delete(o.keys, k) }

func (o *object) require(k string) { o.required = append(o.required, k) }

func (o *object) unrequire(k string) bool {
	for i, x := range o.required {
		if x == k {
			o.required = append(o.required[:i], o.required[i+1:]...)
			return true
		}
	}
	return false
}

// pointer is the report's JSON Pointer of a key in the object.
func (o *object) pointer(k string) string {
	p := ""
	for _, s := range o.path {
		p += "/" + s
	}
	return p + "/" + k
}

func (o *object) schema(top bool) *omap {
	m := newOmap()
	if top {
		m.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	}
	m.set("type", "object")
	props := newOmap()
	for _, p := range o.props {
		props.set(p.key, p.schema())
	}
	m.set("properties", props)
	if len(o.required) > 0 {
		m.set("required", o.required)
	}
	m.set("additionalProperties", false)
	if len(o.allOf) > 0 {
		m.set("allOf", o.allOf)
	}
	return m
}

func (p *prop) schema() *omap {
	if p.obj == nil {
		return p.leaf
	}
	if !p.array {
		return p.obj.schema(false)
	}
	m := newOmap("type", "array", "items", p.obj.schema(false))
	if p.minItems > 0 {
		m.set("minItems", p.minItems)
	}
	if p.maxItems > 0 {
		m.set("maxItems", p.maxItems)
	}
	return m
}

// fnode is a field of the layout while it is being built.
type fnode struct {
	f        api.Field
	children []*fnode
	showWhen []*api.Condition
}

type stepNode struct {
	id       string
	title    api.Text
	fields   []*fnode
	showWhen []*api.Condition
}

// placed records where an element of the source landed.
type placed struct {
	el       *element
	obj      *object // the object that holds key (the root for a flat step)
	key      string
	fn       *fnode
	step     *stepNode // set for a top-level group placed as a step
	flat     []*placed // a flat step's children
	widget   api.Widget
	enum     []string
	required bool
}

type converter struct {
	s       *schema
	opts    Options
	rep     *Report
	root    *object
	steps   []*stepNode
	stepIDs map[string]bool
	byID    map[string][]*placed
}

func newConverter(s *schema, opts Options) *converter {
	return &converter{
		s: s, opts: opts,
		rep:     &Report{XDFVersion: s.xdfVersion, SourceID: s.id, SourceVersion: s.version},
		root:    newObject(nil),
		stepIDs: map[string]bool{},
		byID:    map[string][]*placed{},
	}
}

// de makes a text from imported German: the English is a copy, to be
// translated (the report lists these).
func de(s string) api.Text {
	if s == "" {
		return nil
	}
	return api.Text{"de": s, "en": s}
}

func (c *converter) convert() *api.Form {
	s := c.s
	path := s.id
	if path == "" {
		path = "schema"
	}
	def := &api.Form{}

	// Identity.
	def.ID = formID(s.id)
	if c.opts.ID != "" {
		def.ID = c.opts.ID
		c.rep.add(Mapped, path, "", fmt.Sprintf("form id %q (given)", def.ID), "")
	} else if def.ID == "" {
		def.ID = "xdatenfelder-import"
		c.rep.add(Approximated, path, "", fmt.Sprintf("form id %q", def.ID), "the schema has no usable id")
	} else {
		c.rep.add(Mapped, path, "", fmt.Sprintf("id %s -> form id %q", s.id, def.ID), "")
	}
	if c.opts.Version > 0 {
		def.Version = c.opts.Version
		c.rep.add(Mapped, path, "", fmt.Sprintf("form version %d (given)", def.Version), "")
	} else {
		v, problem := formVersion(s.version)
		def.Version = v
		if problem != "" {
			c.rep.add(Approximated, path, "", fmt.Sprintf("version -> %d", v), problem)
		} else {
			c.rep.add(Mapped, path, "", fmt.Sprintf("version %s -> form version %d", s.version, v), "major*10000 + minor*100 + patch")
		}
	}
	c.rep.FormID, c.rep.FormVersion = def.ID, def.Version

	title := firstNonEmpty(s.title, s.name, s.id, "Formular")
	def.Title = de(title)
	c.rep.add(Mapped, path, "", fmt.Sprintf("title %q", abbreviate(title, 80)), "")
	if s.help != "" {
		def.Intro = de(s.help)
		c.rep.add(Mapped, path, "", "hilfetext -> intro", "")
	}
	for _, u := range s.unknown {
		c.rep.add(NotMapped, path, "", fmt.Sprintf("unknown element <%s>", u), "not part of XDatenfelder as known to the importer; ignored")
	}

	// Structure: ungrouped top-level fields first, then one step per
	// top-level group.
	var loose []*element
	for _, e := range s.children {
		if e.kind == kindField {
			loose = append(loose, e)
		}
	}
	if len(loose) > 0 {
		st := c.newStep("allgemein", api.Text{"de": "Allgemeine Angaben", "en": "General information"})
		for _, e := range loose {
			if fn, _ := c.place(e, c.root); fn != nil {
				st.fields = append(st.fields, fn)
			}
		}
	}
	for _, e := range s.children {
		if e.kind == kindGroup {
			c.placeTopGroup(e)
		}
	}
	// Drop steps left empty (every field unmapped).
	var steps []*stepNode
	for _, st := range c.steps {
		if len(st.fields) > 0 {
			steps = append(steps, st)
		}
	}
	c.steps = steps

	c.applyRules()
	c.reportIgnored(path)
	c.rep.compact()

	// Materialise.
	raw, err := json.Marshal(c.root.schema(true))
	if err != nil { // cannot happen: the schema is made of plain values
		panic(err)
	}
	def.Schema = raw
	for _, st := range c.steps {
		def.Steps = append(def.Steps, api.Step{ID: st.id, Title: st.title, Fields: fields(st.fields), ShowWhen: combine(st.showWhen)})
	}
	c.rep.Untranslated = untranslated(def)
	if n := len(c.rep.Untranslated); n > 0 {
		where := c.rep.Untranslated
		more := ""
		if len(where) > 3 {
			where, more = where[:3], ", …"
		}
		c.rep.add(Translate, path, "", fmt.Sprintf("%d texts have German only; their English is a copy of the German", n),
			"translate them before publishing: "+strings.Join(where, ", ")+more)
	}
	return def
}

func (c *converter) newStep(base string, title api.Text) *stepNode {
	id := slug(base, keyMax, '-')
	if id == "" {
		id = "schritt"
	}
	k := id
	for i := 2; c.stepIDs[k]; i++ {
		k = fmt.Sprintf("%s-%d", id, i)
	}
	c.stepIDs[k] = true
	st := &stepNode{id: k, title: title}
	c.steps = append(c.steps, st)
	return st
}

// placeTopGroup makes a step of a top-level group.
func (c *converter) placeTopGroup(e *element) {
	lbl := c.labelOf(e)
	st := c.newStep(firstNonEmpty(e.name, e.label, e.id), de(lbl))
	if e.min >= 1 && e.max == 1 && e.art == "" {
		// A 1:1 group: its children are the step's fields, at the top level.
		p := &placed{el: e, obj: c.root, step: st, required: true}
		c.rep.add(Mapped, e.path, "", fmt.Sprintf("group %q (Anzahl %s) -> step %q", abbreviate(lbl, 60), anzahlText(e), st.id), "")
		c.reportElement(e, "")
		for _, ch := range e.children {
			fn, cp := c.place(ch, c.root)
			if fn != nil {
				st.fields = append(st.fields, fn)
				p.flat = append(p.flat, cp)
			}
		}
		c.byID[e.id] = append(c.byID[e.id], p)
		return
	}
	slot := c.rep.reserve()
	fn, p := c.place(e, c.root)
	if fn != nil {
		st.fields = append(st.fields, fn)
		p.step = st
		c.rep.fill(slot, Item{Kind: Mapped, Path: e.path, What: fmt.Sprintf("top-level group -> step %q holding it", st.id)})
	}
}

// place converts an element into a field of the object obj.
func (c *converter) place(e *element, obj *object) (*fnode, *placed) {
	if e.kind == kindGroup {
		return c.placeGroup(e, obj)
	}
	return c.placeField(e, obj)
}

func (c *converter) placeGroup(e *element, obj *object) (*fnode, *placed) {
	lbl := firstNonEmpty(e.label, e.name, e.id, noLabel)
	key := obj.reserve(slug(firstNonEmpty(e.name, e.label, e.id), keyMax, '_'))
	repeat := e.max != 1
	var child *object
	ptr := obj.pointer(key)
	if repeat {
		child = newObject(obj, key, "*")
		ptr += "/*"
	} else {
		child = newObject(obj, key)
	}
	fn := &fnode{f: api.Field{Key: key, Widget: api.WidgetGroup, Label: de(lbl), Help: de(e.help)}}
	if repeat {
		fn.f.Widget = api.WidgetRepeat
	}
	slot := c.rep.reserve()
	var kids []*placed
	for _, ch := range e.children {
		cf, cp := c.place(ch, child)
		if cf != nil {
			fn.children = append(fn.children, cf)
			kids = append(kids, cp)
		}
	}
	if len(fn.children) == 0 {
		obj.release(key)
		c.rep.fill(slot, Item{Kind: NotMapped, Path: e.path, What: fmt.Sprintf("group %q", abbreviate(lbl, 60)), Why: "it has no field that could be mapped"})
		c.reportElement(e, "")
		return nil, nil
	}
	pr := &prop{key: key, obj: child, array: repeat}
	what := fmt.Sprintf("group %q (Anzahl %s) -> group", abbreviate(lbl, 60), anzahlText(e))
	if repeat {
		pr.minItems = e.min
		if e.max > 1 {
			pr.maxItems = e.max
		}
		what = fmt.Sprintf("group %q (Anzahl %s) -> repeat (%s items)", abbreviate(lbl, 60), anzahlText(e), itemsText(e))
	}
	obj.props = append(obj.props, pr)
	p := &placed{el: e, obj: obj, key: key, fn: fn, widget: fn.f.Widget, required: e.min >= 1}
	if p.required {
		obj.require(key)
	}
	c.rep.fill(slot, Item{Kind: Mapped, Path: e.path, Pointer: obj.pointer(key), What: what})
	if e.art != "" {
		if strings.EqualFold(e.art, "X") && len(kids) > 1 {
			var alts []any
			for _, k := range kids {
				if k.key != "" {
					alts = append(alts, newOmap("required", []string{k.key}))
				}
			}
			child.allOf = append(child.allOf, newOmap("oneOf", alts))
			c.rep.add(Approximated, e.path, obj.pointer(key), "Auswahlgruppe (art X): the schema requires exactly one of its fields", "the app shows all of them; the citizen fills in one")
		} else {
			c.rep.add(NotMapped, e.path, obj.pointer(key), fmt.Sprintf("Gruppenart %q", e.art), "unknown group kind; read as an ordinary group")
		}
	}
	c.reportElement(e, ptr)
	c.byID[e.id] = append(c.byID[e.id], p)
	return fn, p
}

// leaf is a converted field before it is placed.
type leaf struct {
	widget  api.Widget
	schema  *omap
	enum    []string
	options []api.Option
	help    string
	accept  []string
	maxSize int64
	info    string // for info fields: the text
	what    string // for the report
	notes   []Item // approximations, kind set
	skip    string // not mapped: why
}

func (l *leaf) approx(what, why string) {
	l.notes = append(l.notes, Item{Kind: Approximated, What: what, Why: why})
}

func (l *leaf) lost(what, why string) {
	l.notes = append(l.notes, Item{Kind: NotMapped, What: what, Why: why})
}

func (c *converter) placeField(e *element, obj *object) (*fnode, *placed) {
	lbl := c.labelOf(e)
	l := c.convertField(e)
	if l.skip != "" {
		c.rep.add(NotMapped, e.path, "", fmt.Sprintf("%s %q", fieldKind(e), abbreviate(lbl, 60)), l.skip)
		c.reportNotes(e, "", l.notes)
		c.reportElement(e, "")
		return nil, nil
	}
	if l.widget == api.WidgetInfo {
		fn := &fnode{f: api.Field{Widget: api.WidgetInfo, Label: de(l.info), Help: de(e.help)}}
		c.rep.add(Mapped, e.path, "", l.what, "")
		c.reportNotes(e, "", l.notes)
		c.reportElement(e, "")
		p := &placed{el: e, obj: obj, fn: fn, widget: api.WidgetInfo}
		c.byID[e.id] = append(c.byID[e.id], p)
		return fn, p
	}
	key := obj.reserve(slug(firstNonEmpty(e.name, e.label, e.id), keyMax, '_'))
	f := api.Field{Key: key, Widget: l.widget, Label: de(lbl), Help: de(l.help), Options: l.options, Accept: l.accept, MaxSize: l.maxSize}
	fn := &fnode{f: f}
	ptr := obj.pointer(key)
	required := e.min >= 1
	if e.max != 1 && l.widget != api.WidgetMulti {
		// A field that may occur several times: a repeat of that one field.
		item := newObject(obj, key, "*")
		item.keys[key] = true
		item.props = append(item.props, &prop{key: key, leaf: l.schema})
		item.require(key)
		pr := &prop{key: key, obj: item, array: true, minItems: e.min}
		if e.max > 1 {
			pr.maxItems = e.max
		}
		obj.props = append(obj.props, pr)
		fn = &fnode{f: api.Field{Key: key, Widget: api.WidgetRepeat, Label: de(lbl), Help: de(l.help)}, children: []*fnode{{f: f}}}
		c.rep.add(Mapped, e.path, ptr+"/*/"+key, l.what, "")
		c.rep.add(Approximated, e.path, ptr, fmt.Sprintf("field may occur %s times -> repeat of one field", itemsText(e)), "the data holds a list of objects with one key")
	} else {
		obj.props = append(obj.props, &prop{key: key, leaf: l.schema})
		c.rep.add(Mapped, e.path, ptr, l.what, "")
	}
	if required {
		obj.require(key)
	}
	c.reportNotes(e, ptr, l.notes)
	c.reportElement(e, ptr)
	p := &placed{el: e, obj: obj, key: key, fn: fn, widget: fn.f.Widget, enum: l.enum, required: required}
	c.byID[e.id] = append(c.byID[e.id], p)
	return fn, p
}

// noLabel stands in for an element without bezeichnungEingabe, name and id.
const noLabel = "(ohne Bezeichnung)"

// labelOf is the citizen-facing label of an element, reporting a missing one.
func (c *converter) labelOf(e *element) string {
	if l := firstNonEmpty(e.label, e.name, e.id); l != "" {
		return l
	}
	c.rep.add(Approximated, e.path, "", "no bezeichnungEingabe, name or id", "labelled "+noLabel)
	return noLabel
}

func fieldKind(e *element) string {
	return fmt.Sprintf("field (Feldart %s, Datentyp %s)", orNone(e.feldart), orNone(e.datentyp))
}

// convertField chooses the widget and the schema of a Datenfeld.
func (c *converter) convertField(e *element) *leaf {
	l := &leaf{help: e.help}
	lbl := firstNonEmpty(e.label, e.name, e.id, noLabel)
	required := e.min >= 1
	switch e.feldart {
	case "label":
		l.widget = api.WidgetInfo
		l.info = firstNonEmpty(helpText(e.inhalt), lbl)
		l.what = "static text (Feldart label) -> info"
		return l
	case "hidden":
		l.skip = "a hidden field (Feldart hidden) is filled by the authority's systems, not by the citizen"
		return l
	case "locked":
		if e.inhalt == "" {
			l.skip = "a locked field (Feldart locked) without content shows nothing to the citizen"
			return l
		}
		l.widget = api.WidgetInfo
		l.info = lbl + ": " + helpText(e.inhalt)
		l.what = "locked field (Feldart locked) -> info showing its content"
		l.approx("locked field shown as text", "the value is not part of the form data")
		return l
	case "select":
		return c.convertSelect(e, l, required)
	case "input", "":
		if e.feldart == "" {
			l.approx("no Feldart", "read as input")
		}
	default:
		l.approx(fmt.Sprintf("unknown Feldart %q", e.feldart), "read as input")
	}

	switch e.datentyp {
	case "text", "text_latin", "":
		c.textField(e, l, required)
		if e.datentyp == "text_latin" {
			l.approx("Datentyp text_latin", "the String.Latin+ character set (DIN SPEC 91379) is not checked")
		}
		if e.datentyp == "" {
			l.approx("no Datentyp", "read as text")
		}
	case "date":
		l.widget, l.schema = api.WidgetDate, newOmap("type", "string", "format", "date")
		l.what = "input date -> date"
		if e.prae.minValue != "" || e.prae.maxValue != "" {
			l.lost(fmt.Sprintf("date range %s..%s", e.prae.minValue, e.prae.maxValue), "JSON Schema has no date bounds")
		}
		c.unusedLength(e, l)
		c.unusedPattern(e, l)
	case "time":
		l.widget = api.WidgetText
		l.schema = newOmap("type", "string", "pattern", "^([01][0-9]|2[0-3]):[0-5][0-9]$")
		l.what = "input time -> text HH:MM"
		l.approx("Datentyp time", "no time picker: a text checked against HH:MM")
	case "datetime":
		l.widget = api.WidgetText
		l.schema = newOmap("type", "string", "format", "date-time")
		l.what = "input datetime -> text (format date-time)"
		l.approx("Datentyp datetime", "no date-time picker: a text in RFC 3339 form")
	case "bool":
		l.widget, l.schema = api.WidgetBoolean, newOmap("type", "boolean")
		l.what = "input bool -> boolean"
	case "num", "num_int", "num_currency":
		c.numberField(e, l)
	case "file":
		l.widget, l.schema = api.WidgetFile, newOmap("type", "object", "format", "attachment")
		l.what = "input file -> file"
		l.accept = e.mediaTypes
		if len(e.mediaTypes) > 0 {
			l.what += " accepting " + strings.Join(e.mediaTypes, ", ")
		}
		if e.maxSize > 0 {
			l.maxSize = e.maxSize
			if e.maxSize > api.MaxUploadSize {
				l.maxSize = api.MaxUploadSize
				l.approx(fmt.Sprintf("maxSize %d bytes", e.maxSize), fmt.Sprintf("capped at the backend's limit of %d bytes", api.MaxUploadSize))
			}
		}
	case "obj":
		c.textField(e, l, required)
		l.approx("Datentyp obj (Objekt/Blob)", "a binary object cannot be entered in a form; imported as text")
	default:
		c.textField(e, l, required)
		l.approx(fmt.Sprintf("unknown Datentyp %q", e.datentyp), "imported as text")
	}
	if e.inhalt != "" {
		c.defaultValue(e, l)
	}
	return l
}

func (c *converter) convertSelect(e *element, l *leaf, required bool) *leaf {
	if len(e.werte) == 0 {
		if e.datentyp == "bool" {
			l.widget, l.schema = api.WidgetBoolean, newOmap("type", "boolean")
			l.what = "select bool without values -> boolean"
			return l
		}
		c.textField(e, l, required)
		if e.codeliste != "" {
			l.what = "select with code list reference -> text"
			l.approx("code list "+e.codeliste, "only referenced, its values are not in the file: imported as free text; add the values as options by hand")
		} else {
			l.what = "select without values -> text"
			l.approx("select without values or code list", "imported as free text")
		}
		return l
	}
	var codes []string
	seen := map[string]bool{}
	var hints []string
	for _, w := range e.werte {
		if w.code == "" {
			l.lost(fmt.Sprintf("value %q without code", w.name), "left out")
			continue
		}
		if seen[w.code] {
			l.lost(fmt.Sprintf("value code %q twice", w.code), "kept once")
			continue
		}
		seen[w.code] = true
		codes = append(codes, w.code)
		l.options = append(l.options, api.Option{Value: w.code, Label: de(firstNonEmpty(w.name, w.code))})
		if w.hilfe != "" {
			hints = append(hints, firstNonEmpty(w.name, w.code)+": "+w.hilfe)
		}
	}
	if len(codes) == 0 {
		c.textField(e, l, required)
		l.what = "select whose values have no codes -> text"
		return l
	}
	l.enum = codes
	if len(hints) > 0 {
		l.help = strings.TrimSpace(l.help + "\n\n" + strings.Join(hints, "\n"))
		l.approx("help texts of the values", "appended to the field's help")
	}
	if e.codeliste != "" {
		l.approx("code list "+e.codeliste, "the values given in the file are used")
	}
	switch e.datentyp {
	case "text", "text_latin", "":
	default:
		l.approx(fmt.Sprintf("select of Datentyp %s", e.datentyp), "the codes are kept as text")
	}
	if e.max != 1 {
		l.widget = api.WidgetMulti
		l.schema = newOmap("type", "array", "items", newOmap("type", "string", "enum", codes), "uniqueItems", true)
		if e.min > 0 {
			l.schema.set("minItems", e.min)
		}
		if e.max > 1 {
			l.schema.set("maxItems", e.max)
		}
		l.what = fmt.Sprintf("select with %d values, Anzahl %s -> multi (%s choices)", len(codes), anzahlText(e), itemsText(e))
		return l
	}
	l.widget = api.WidgetChoice
	l.schema = newOmap("type", "string", "enum", codes)
	l.what = fmt.Sprintf("select with %d values -> choice", len(codes))
	return l
}

// Field names that tell a more specific widget than text.
var (
	nameEmail    = regexp.MustCompile(`(?i)e-?mail`)
	nameIBAN     = regexp.MustCompile(`(?i)\biban\b`)
	namePostcode = regexp.MustCompile(`(?i)postleitzahl|\bplz\b`)
	namePhone    = regexp.MustCompile(`(?i)telefon|handynummer|mobilnummer|mobilfunknummer|rufnummer|faxnummer|telefax`)
)

func (c *converter) textField(e *element, l *leaf, required bool) {
	l.widget = api.WidgetText
	l.schema = newOmap("type", "string")
	l.what = "input text -> text"
	name := e.name + " " + e.label
	switch {
	case nameEmail.MatchString(name):
		l.widget = api.WidgetEmail
		l.schema.set("format", "email")
		l.what = "input text named e-mail -> email"
	case nameIBAN.MatchString(name):
		l.widget = api.WidgetIBAN
		l.schema.set("format", "iban")
		l.what = "input text named IBAN -> iban"
	case namePostcode.MatchString(name):
		l.widget = api.WidgetPostcode
		l.what = "input text named Postleitzahl -> postcode"
	case namePhone.MatchString(name):
		l.widget = api.WidgetPhone
		l.what = "input text named telephone -> phone"
	}
	mn, mx := e.prae.minLength, e.prae.maxLength
	if mn != nil && mx != nil && *mn > *mx {
		l.lost(fmt.Sprintf("minLength %d above maxLength %d", *mn, *mx), "minLength dropped")
		mn = nil
	}
	switch {
	case mn != nil && *mn > 0:
		l.schema.set("minLength", *mn)
	case required:
		l.schema.set("minLength", 1)
	}
	if mx != nil {
		l.schema.set("maxLength", *mx)
		if *mx > textareaAbove && l.widget == api.WidgetText {
			l.widget = api.WidgetTextarea
			l.what = "input text -> textarea"
		}
	}
	if e.prae.pattern != "" {
		// The FIM pattern follows the HTML pattern attribute: it must match
		// the whole value. JSON Schema's pattern matches anywhere.
		p := "^(?:" + e.prae.pattern + ")$"
		if _, err := regexp.Compile(p); err != nil {
			l.lost(fmt.Sprintf("pattern %s", abbreviate(e.prae.pattern, 60)), "not a regular expression the validator understands")
		} else {
			l.schema.set("pattern", p)
		}
	} else if l.widget == api.WidgetPostcode {
		l.schema.set("pattern", "^[0-9]{5}$")
	}
	if e.prae.minValue != "" || e.prae.maxValue != "" {
		l.lost(fmt.Sprintf("minValue/maxValue %s..%s on a text", e.prae.minValue, e.prae.maxValue), "only meaningful for numbers")
	}
	var parts []string
	for _, k := range []string{"minLength", "maxLength", "pattern", "format"} {
		if v, ok := l.schema.get(k); ok {
			parts = append(parts, fmt.Sprintf("%s %v", k, v))
		}
	}
	if len(parts) > 0 {
		l.what += " (" + strings.Join(parts, ", ") + ")"
	}
}

func (c *converter) numberField(e *element, l *leaf) {
	integer := e.datentyp == "num_int"
	switch e.datentyp {
	case "num_int":
		l.widget, l.schema, l.what = api.WidgetInteger, newOmap("type", "integer"), "input num_int -> integer"
	case "num_currency":
		l.widget, l.schema, l.what = api.WidgetMoney, newOmap("type", "number", "multipleOf", json.Number("0.01")), "input num_currency -> money"
	default:
		l.widget, l.schema, l.what = api.WidgetDecimal, newOmap("type", "number"), "input num -> decimal"
	}
	for _, b := range []struct{ src, key string }{{e.prae.minValue, "minimum"}, {e.prae.maxValue, "maximum"}} {
		if b.src == "" {
			continue
		}
		n, ok := number(b.src, integer)
		if !ok {
			l.lost(fmt.Sprintf("%s %q", b.key, b.src), "not a number")
			continue
		}
		l.schema.set(b.key, n)
		l.what += fmt.Sprintf(" %s %s", b.key, n)
	}
	c.unusedLength(e, l)
	c.unusedPattern(e, l)
}

// number reads a FIM number (decimal comma or point).
func number(s string, integer bool) (json.Number, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if integer {
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return json.Number(s), true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", false
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
}

func (c *converter) unusedLength(e *element, l *leaf) {
	if e.prae.minLength != nil || e.prae.maxLength != nil {
		l.lost("minLength/maxLength on a "+e.datentyp+" field", "lengths apply to texts only")
	}
}

func (c *converter) unusedPattern(e *element, l *leaf) {
	if e.prae.pattern != "" {
		l.lost("pattern on a "+e.datentyp+" field", "patterns apply to texts only")
	}
}

// defaultValue keeps a preset content (inhalt) as the schema's default.
func (c *converter) defaultValue(e *element, l *leaf) {
	var v any
	switch l.widget {
	case api.WidgetText, api.WidgetTextarea, api.WidgetEmail, api.WidgetPhone, api.WidgetPostcode, api.WidgetIBAN:
		v = e.inhalt
	case api.WidgetInteger, api.WidgetDecimal, api.WidgetMoney:
		if n, ok := number(e.inhalt, l.widget == api.WidgetInteger); ok {
			v = n
		}
	case api.WidgetBoolean:
		switch strings.ToLower(e.inhalt) {
		case "true", "ja", "1":
			v = true
		case "false", "nein", "0":
			v = false
		}
	case api.WidgetDate:
		v = e.inhalt
	}
	if v == nil {
		l.lost(fmt.Sprintf("preset content %q", abbreviate(e.inhalt, 40)), "does not fit the field's type")
		return
	}
	l.schema.set("default", v)
	l.approx(fmt.Sprintf("preset content %q", abbreviate(e.inhalt, 40)), "kept as the schema's default; whether the app pre-fills it is up to the app")
}

// reportElement reports what the element carries besides its mapping:
// reading problems, unknown children, Vorbefüllung, code list columns.
func (c *converter) reportElement(e *element, ptr string) {
	for _, n := range e.notes {
		c.rep.add(Approximated, e.path, ptr, n.what, n.why)
	}
	for _, u := range e.unknown {
		c.rep.add(NotMapped, e.path, ptr, fmt.Sprintf("unknown element <%s>", u), "not part of XDatenfelder as known to the importer; ignored")
	}
	switch strings.ToLower(e.vorbefuellung) {
	case "", "keine":
	default:
		c.rep.add(NotMapped, e.path, ptr, fmt.Sprintf("Vorbefüllung %q", e.vorbefuellung), "prefilling by the authority is not supported; the citizen fills the field in")
	}
	if len(e.codeKeys) > 0 {
		c.rep.add(NotMapped, e.path, ptr, strings.Join(e.codeKeys, ", "), "code list columns apply to the code list, which is not in the file")
	}
}

func (c *converter) reportNotes(e *element, ptr string, notes []Item) {
	for _, n := range notes {
		c.rep.add(n.Kind, e.path, ptr, n.What, n.Why)
	}
}

func (c *converter) reportIgnored(path string) {
	if len(c.s.ignored) == 0 {
		return
	}
	names := make([]string, 0, len(c.s.ignored))
	for k := range c.s.ignored {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, c.s.ignored[k]))
	}
	c.rep.add(NotMapped, path, "", "FIM editorial metadata: "+strings.Join(parts, ", "), "for FIM editors, not shown to citizens")
}

func anzahlText(e *element) string {
	if e.anzahl != "" {
		return e.anzahl
	}
	return "1:1"
}

func itemsText(e *element) string {
	if e.max < 0 {
		return fmt.Sprintf("%d or more", e.min)
	}
	if e.min == e.max {
		return strconv.Itoa(e.min)
	}
	return fmt.Sprintf("%d to %d", e.min, e.max)
}

func fields(ns []*fnode) []api.Field {
	if len(ns) == 0 {
		return nil
	}
	out := make([]api.Field, 0, len(ns))
	for _, n := range ns {
		f := n.f
		f.Fields = fields(n.children)
		f.ShowWhen = combine(n.showWhen)
		out = append(out, f)
	}
	return out
}

func combine(cs []*api.Condition) *api.Condition {
	switch len(cs) {
	case 0:
		return nil
	case 1:
		return cs[0]
	}
	return &api.Condition{All: cs}
}

// untranslated lists the texts of the definition whose English is a copy of
// the German.
func untranslated(def *api.Form) []string {
	var out []string
	check := func(where string, t api.Text) {
		if t != nil && t["de"] != "" && t["en"] == t["de"] {
			out = append(out, where)
		}
	}
	check("title", def.Title)
	check("intro", def.Intro)
	var walk func(prefix string, fs []api.Field)
	walk = func(prefix string, fs []api.Field) {
		for i, f := range fs {
			p := fmt.Sprintf("%s.fields[%d]", prefix, i)
			check(p+".label", f.Label)
			check(p+".help", f.Help)
			for j, o := range f.Options {
				check(fmt.Sprintf("%s.options[%d].label", p, j), o.Label)
			}
			walk(p, f.Fields)
		}
	}
	for i, st := range def.Steps {
		p := fmt.Sprintf("steps[%d]", i)
		check(p+".title", st.Title)
		walk(p, st.Fields)
	}
	return out
}
