package xdatenfelder

import (
	"fmt"
	"strings"
)

// Kind says how an XDatenfelder construct fared in the conversion.
type Kind string

// The kinds of report items.
const (
	// Mapped: carried over with its meaning intact.
	Mapped Kind = "mapped"
	// Approximated: carried over, but something of its meaning is lost or
	// was guessed; the item says what.
	Approximated Kind = "approximated"
	// NotMapped: left out of the form definition; the item says why.
	NotMapped Kind = "not mapped"
	// Translate: texts that still need work by a person (English copies of
	// the German text).
	Translate Kind = "translate"
)

// Item is one line of the report.
type Item struct {
	Kind Kind `json:"kind"`
	// Path names the XDatenfelder element by its FIM ids from the schema
	// down ("S00000000364/G60000000086/F60000000243").
	Path string `json:"path"`
	// Pointer is where the element landed in the form data (a JSON
	// Pointer; "*" stands for every item of a repeat), if it did.
	Pointer string `json:"pointer,omitempty"`
	What    string `json:"what"`
	Why     string `json:"why,omitempty"`
}

// String formats the item as one line.
func (it Item) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %s", it.Kind, it.Path)
	if it.Pointer != "" {
		b.WriteString(" -> " + it.Pointer)
	}
	b.WriteString(": " + it.What)
	if it.Why != "" {
		b.WriteString(" (" + it.Why + ")")
	}
	return b.String()
}

// Report lists what the conversion did with every construct of the source,
// in document order.
type Report struct {
	// XDFVersion is the XDatenfelder version read: 2 or 3.
	XDFVersion int `json:"xdfVersion"`
	// SourceID and SourceVersion identify the Stammdatenschema.
	SourceID      string `json:"sourceId"`
	SourceVersion string `json:"sourceVersion"`
	// FormID and FormVersion identify the form definition written.
	FormID      string `json:"formId"`
	FormVersion int    `json:"formVersion"`
	Items       []Item `json:"items"`
	// Untranslated lists where in the definition an English text is a
	// copy of the German one ("steps[1].fields[0].label").
	Untranslated []string `json:"untranslated,omitempty"`
	// Invalid is set when the converted definition does not compile (a
	// *formschema.DefinitionError); the definition must not be published.
	Invalid error `json:"-"`
}

func (r *Report) add(k Kind, path, pointer, what, why string) {
	r.Items = append(r.Items, Item{Kind: k, Path: path, Pointer: pointer, What: what, Why: why})
}

// reserve keeps a place for an item whose content is known later (a group
// is reported before its children); an unfilled place is dropped.
func (r *Report) reserve() int {
	r.Items = append(r.Items, Item{})
	return len(r.Items) - 1
}

func (r *Report) fill(i int, it Item) { r.Items[i] = it }

// compact drops unfilled places.
func (r *Report) compact() {
	out := r.Items[:0]
	for _, it := range r.Items {
		if it.Kind != "" {
			out = append(out, it)
		}
	}
	r.Items = out
}

// Count returns the number of items of a kind.
func (r *Report) Count(k Kind) int {
	n := 0
	for _, it := range r.Items {
		if it.Kind == k {
			n++
		}
	}
	return n
}

// Filter returns the items of a kind.
func (r *Report) Filter(k Kind) []Item {
	var out []Item
	for _, it := range r.Items {
		if it.Kind == k {
			out = append(out, it)
		}
	}
	return out
}

// String formats the report as readable text: a summary line, then one line
// per item.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "XDatenfelder %d schema %s version %s -> form %s version %d: %d mapped, %d approximated, %d not mapped, %d texts to translate\n",
		r.XDFVersion, orNone(r.SourceID), orNone(r.SourceVersion), r.FormID, r.FormVersion,
		r.Count(Mapped), r.Count(Approximated), r.Count(NotMapped), len(r.Untranslated))
	for _, it := range r.Items {
		b.WriteString(it.String())
		b.WriteByte('\n')
	}
	if r.Invalid != nil {
		fmt.Fprintf(&b, "INVALID: the converted definition does not compile: %v\n", r.Invalid)
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
