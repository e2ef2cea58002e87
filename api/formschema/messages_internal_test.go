package formschema

import (
	"math/big"
	"regexp"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"rathaus/api"
)

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// checkBilingual fails unless a text has German and English with the same
// placeholders.
func checkBilingual(t *testing.T, where string, txt api.Text) {
	t.Helper()
	if txt["de"] == "" || txt["en"] == "" {
		t.Errorf("%s = %v, want German and English", where, txt)
		return
	}
	de := placeholder.FindAllString(txt["de"], -1)
	en := placeholder.FindAllString(txt["en"], -1)
	slices.Sort(de)
	slices.Sort(en)
	if !slices.Equal(de, en) {
		t.Errorf("%s: placeholders de %v, en %v, want the same", where, de, en)
	}
}

// TestEveryCodeHasMessages: every code a FieldError may carry, every
// widget refinement and every format message exists in German and English.
func TestEveryCodeHasMessages(t *testing.T) {
	for _, code := range Codes {
		checkBilingual(t, "builtin "+code, builtin[code])
	}
	for code, txt := range builtin {
		checkBilingual(t, "builtin "+code, txt)
	}
	for w, m := range byWidget {
		if !slices.Contains(api.Widgets, w) {
			t.Errorf("byWidget has unknown widget %q", w)
		}
		for code, txt := range m {
			checkBilingual(t, "widget "+string(w)+" "+code, txt)
		}
	}
	for f, txt := range byFormat {
		checkBilingual(t, "format "+f, txt)
	}
}

// TestDescribeEveryKind: every leaf error kind of the validator maps to a
// code that has a message.
func TestDescribeEveryKind(t *testing.T) {
	r := big.NewRat(1, 2)
	kinds := []jsonschema.ErrorKind{
		&kind.InvalidJsonValue{}, &kind.Schema{}, &kind.Group{}, &kind.Not{}, &kind.AllOf{}, &kind.AnyOf{},
		&kind.OneOf{}, &kind.FalseSchema{}, &kind.RefCycle{}, &kind.Type{Want: []string{"string"}}, &kind.Enum{},
		&kind.Const{}, &kind.Format{Want: "iban"}, &kind.Reference{}, &kind.MinProperties{}, &kind.MaxProperties{},
		&kind.MinItems{}, &kind.MaxItems{}, &kind.AdditionalItems{}, &kind.Required{}, &kind.Dependency{},
		&kind.DependentRequired{}, &kind.AdditionalProperties{}, &kind.PropertyNames{}, &kind.UniqueItems{},
		&kind.Contains{}, &kind.MinContains{}, &kind.MaxContains{}, &kind.MinLength{}, &kind.MaxLength{},
		&kind.Pattern{}, &kind.ContentEncoding{}, &kind.ContentMediaType{}, &kind.ContentSchema{},
		&kind.Minimum{Want: r}, &kind.Maximum{Want: r}, &kind.ExclusiveMinimum{Want: r},
		&kind.ExclusiveMaximum{Want: r}, &kind.MultipleOf{Want: r},
	}
	for _, k := range kinds {
		code, _ := describe(k)
		if !slices.Contains(Codes, code) {
			t.Errorf("describe(%T) = %q, want one of Codes", k, code)
		}
	}
}
