package formschema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"rathaus/api"
)

// compiler collects the problems of one definition.
type compiler struct {
	def      *api.Form
	f        *Form
	problems []string
	pos      int
	conds    []condSite
	nodes    []*node // every field, in form order
	deps     []dep
}

// condSite is a condition to check once the whole layout is known.
type condSite struct {
	c *api.Condition
	// scope is the object relative pointers start from: the root, a
	// group or address, a repeat (for its items).
	scope *node
	// self is the field that holds the condition (nil for steps and info
	// texts).
	self  *node
	step  int
	where string
}

func (c *compiler) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// defaultAddress is the layout of an address field without Fields.
var defaultAddress = []api.Field{
	{Key: "street", Widget: api.WidgetText, Label: api.Text{"de": "Straße und Hausnummer", "en": "Street and house number"}},
	{Key: "postcode", Widget: api.WidgetPostcode, Label: api.Text{"de": "Postleitzahl", "en": "Postcode"}},
	{Key: "city", Widget: api.WidgetText, Label: api.Text{"de": "Ort", "en": "Town or city"}},
}

// addFields places fields inside parent. schema is the object schema that
// holds their properties (nil when the schema did not compile: then only
// the layout itself is checked). where names the field for problems,
// index is the field's position path ("2.3").
func (c *compiler) addFields(parent *node, schema map[string]any, fields []api.Field, step int, where, index string) {
	known := map[api.Widget]bool{}
	for _, w := range api.Widgets {
		known[w] = true
	}
	var props map[string]any
	var required []any
	if schema != nil {
		props, _ = schema["properties"].(map[string]any)
		required, _ = schema["required"].([]any)
	}
	for fi := range fields {
		fd := &fields[fi]
		idx := strconv.Itoa(fi + 1)
		if index != "" {
			idx = index + "." + idx
		}
		at := where + idx
		if !known[fd.Widget] {
			c.add("%s: unknown widget %q", at, fd.Widget)
			continue
		}
		if !fd.Widget.HasValue() {
			if fd.Label.In("de") == "" {
				c.add("%s: info text is empty", at)
			}
			if fd.ShowWhen != nil {
				c.conds = append(c.conds, condSite{c: fd.ShowWhen, scope: parent, step: step, where: at + ": showWhen"})
			}
			continue
		}
		if fd.Key == "" {
			c.add("%s: key is missing", at)
			continue
		}
		if _, dup := parent.byKey[fd.Key]; dup {
			c.add("%s: key %q is placed twice", at, fd.Key)
			continue
		}
		n := &node{
			field:   fd,
			pointer: join(parent.pointer, fd.Key),
			parent:  parent,
			step:    step,
			pos:     c.pos,
			byKey:   map[string]*node{},
		}
		c.pos++
		c.nodes = append(c.nodes, n)
		parent.byKey[fd.Key] = n
		parent.children = append(parent.children, n)
		c.f.byPtr[n.pointer] = n
		c.f.byField[fd] = n
		if fd.Label.In("de") == "" {
			c.add("%s: label is missing", at)
		}

		var prop map[string]any
		if schema != nil {
			raw, ok := props[fd.Key]
			if !ok {
				if parent == c.f.root {
					c.add("%s: key %q is not a property of the schema", at, fd.Key)
				} else {
					c.add("%s: key %q is not a property of %s in the schema", at, fd.Key, parent.pointer)
				}
			} else if prop, ok = raw.(map[string]any); !ok {
				c.add("%s: the schema of %q must be an object that states its type", at, fd.Key)
			}
			n.required = slices.Contains(required, any(fd.Key))
		}
		if prop != nil {
			for _, p := range checkProperty(fd, prop) {
				c.add("%s (%s): %s", at, n.pointer, p)
			}
			n.minItems, n.maxItems = intOf(prop["minItems"]), intOf(prop["maxItems"])
		}
		if fd.ShowWhen != nil {
			c.conds = append(c.conds, condSite{c: fd.ShowWhen, scope: parent, self: n, step: step, where: at + ": showWhen"})
			if n.required {
				c.add("%s: field %q is shown only under a condition, but the schema always requires it (require it with if/then or dependentRequired)", at, fd.Key)
			}
		}
		if fd.MaxSize < 0 || fd.MaxSize > api.MaxUploadSize {
			c.add("%s: maxSize %d must be between 0 and %d bytes", at, fd.MaxSize, api.MaxUploadSize)
		}
		if (fd.MaxSize != 0 || len(fd.Accept) > 0) && !fd.Widget.IsAttachment() {
			c.add("%s: accept and maxSize are for file and photo fields only", at)
		}
		for _, a := range fd.Accept {
			if !validMediaRange(a) {
				c.add("%s: accept %q is not a media type like application/pdf or image/*", at, a)
			}
		}

		if !fd.Widget.HasChildren() {
			if len(fd.Fields) > 0 {
				c.add("%s: only group, repeat and address fields hold fields", at)
			}
			continue
		}
		n.kids = fd.Fields
		if len(n.kids) == 0 {
			if fd.Widget != api.WidgetAddress {
				c.add("%s: %s %q has no fields", at, fd.Widget, fd.Key)
			}
			n.kids = slices.Clone(defaultAddress)
		}
		// Without the object schema of the children (a problem reported
		// above), only their layout is checked.
		var inner map[string]any
		if prop != nil {
			inner = prop
			if fd.Widget == api.WidgetRepeat {
				inner, _ = prop["items"].(map[string]any)
			}
		}
		c.addFields(n, inner, n.kids, step, where, idx)
	}
}

// checkProperty checks a field's widget against its property schema.
func checkProperty(fd *api.Field, prop map[string]any) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	needType := func(want string) bool {
		if !hasType(prop, want) {
			add("widget %q needs a schema of type %q", fd.Widget, want)
			return false
		}
		return true
	}
	needFormat := func(want string) {
		if got, _ := prop["format"].(string); got != want {
			add("widget %q needs format %q, has %q", fd.Widget, want, got)
		}
	}
	switch fd.Widget {
	case api.WidgetText, api.WidgetTextarea, api.WidgetPhone:
		needType("string")
	case api.WidgetEmail:
		needType("string")
		needFormat("email")
	case api.WidgetDate:
		needType("string")
		needFormat("date")
	case api.WidgetIBAN:
		needType("string")
		needFormat("iban")
	case api.WidgetPostcode:
		needType("string")
		if p, _ := prop["pattern"].(string); p == "" {
			add("widget %q needs a pattern", fd.Widget)
		}
	case api.WidgetInteger:
		needType("integer")
	case api.WidgetDecimal:
		needType("number")
	case api.WidgetMoney:
		needType("number")
		if !isCent(prop["multipleOf"]) {
			add(`widget "money" needs multipleOf 0.01`)
		}
	case api.WidgetBoolean:
		needType("boolean")
	case api.WidgetChoice:
		if _, ok := prop["type"]; ok {
			needType("string")
		}
		problems = append(problems, checkOptions(fd, prop["enum"])...)
	case api.WidgetMulti:
		if needType("array") {
			items, _ := prop["items"].(map[string]any)
			problems = append(problems, checkOptions(fd, items["enum"])...)
		}
	case api.WidgetGroup, api.WidgetAddress:
		needType("object")
	case api.WidgetRepeat:
		if needType("array") {
			items, _ := prop["items"].(map[string]any)
			if items == nil || !hasType(items, "object") {
				add(`widget "repeat" needs items of type "object"`)
			}
		}
	case api.WidgetFile, api.WidgetPhoto:
		needType("object")
		needFormat("attachment")
	case api.WidgetSignature:
		needType("object")
		needFormat("signature")
	}
	if len(fd.Options) > 0 && fd.Widget != api.WidgetChoice && fd.Widget != api.WidgetMulti {
		add("options are for choice and multi fields only")
	}
	return problems
}

// checkOptions checks that the options label exactly the enum's values,
// which must be strings.
func checkOptions(fd *api.Field, enum any) []string {
	values, _ := enum.([]any)
	if len(values) == 0 {
		return []string{fmt.Sprintf("%s %q needs an enum in the schema", fd.Widget, fd.Key)}
	}
	var problems []string
	labelled := map[string]bool{}
	for _, o := range fd.Options {
		if labelled[o.Value] {
			problems = append(problems, fmt.Sprintf("option %q is listed twice", o.Value))
		}
		labelled[o.Value] = true
		if !slices.Contains(values, any(o.Value)) {
			problems = append(problems, fmt.Sprintf("option %q is not in the schema's enum", o.Value))
		}
		if o.Label.In("de") == "" {
			problems = append(problems, fmt.Sprintf("option %q has no label", o.Value))
		}
	}
	for _, v := range values {
		s, ok := v.(string)
		if !ok {
			problems = append(problems, fmt.Sprintf("enum value %v is not a string", v))
			continue
		}
		if !labelled[s] {
			problems = append(problems, fmt.Sprintf("enum value %q has no option", s))
		}
	}
	return problems
}

// hasType reports whether a schema's "type" is want or a list holding it.
func hasType(prop map[string]any, want string) bool {
	switch t := prop["type"].(type) {
	case string:
		return t == want
	case []any:
		return slices.Contains(t, any(want))
	}
	return false
}

var cent = big.NewRat(1, 100)

func isCent(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	r, ok := new(big.Rat).SetString(n.String())
	return ok && r.Cmp(cent) == 0
}

// validMediaRange accepts "type/subtype", "type/*" and "*/*".
func validMediaRange(s string) bool {
	t, sub, ok := strings.Cut(s, "/")
	return ok && token(t) && (token(sub) || sub == "*") && (t != "*" || sub == "*")
}

func token(s string) bool {
	if s == "" || s == "*" {
		return s == "*"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// intOf reads a non-negative schema number (as decoded by jsonschema).
func intOf(v any) int {
	n, ok := number(v)
	if !ok || !n.IsInt() || n.Sign() < 0 || !n.Num().IsInt64() {
		return 0
	}
	return int(n.Num().Int64())
}
