// Package xdatenfelder converts XDatenfelder documents, the forms of the
// German Federal Information Management (FIM), into Rathaus form
// definitions (see api.Form), so that a town can take its forms from the FIM
// repository.
//
// It reads XDatenfelder 2 (namespace urn:xoev-de:fim:standard:xdatenfelder_2)
// and 3 (urn:xoev-de:fim:standard:xdatenfelder_3.0.0), the version told by
// the namespace of the root element, in the messages
// xdatenfelder.stammdatenschema.0102 (a Stammdatenschema: a whole form) and
// xdatenfelder.datenfeldgruppe.0103 (one group, imported as a form).
//
// Every construct of the source ends up in the Report: mapped, approximated
// (with what was lost), or not mapped (with why). Nothing is dropped
// silently, and an unknown construct is reported, never a crash.
//
// # Mapping
//
//	Stammdatenschema id       form id: lower case, [a-z0-9-], at most 64 characters
//	Stammdatenschema version  form version: major*10000 + minor*100 + patch
//	                          (1.2.0 -> 10200, so every FIM version gets its own
//	                          increasing number); 1 when missing
//	bezeichnung (v3) or       title; the German text is also put in as English
//	bezeichnungEingabe (v2)   and reported as needing translation (so for every text)
//	hilfetext                 intro
//	top-level fields          a first step "Allgemeine Angaben"
//	top-level group 1:1       a step titled with the group; its children are
//	                          the step's fields
//	other top-level group     a step holding the group (or repeat) field
//	Datenfeldgruppe           group; repeat when Anzahl allows more than one
//	                          (minItems/maxItems from the Anzahl)
//	Gruppenart X (choice)     group whose schema requires exactly one child (oneOf)
//	Anzahl min >= 1           required
//	bezeichnungEingabe        label; hilfetextEingabe: help
//	input text, text_latin    text (textarea above 255 characters), with
//	                          minLength, maxLength and pattern (anchored) from the
//	                          Präzisierung; email, phone, postcode or iban when
//	                          the field's name says so
//	input date                date (format date)
//	input bool                boolean
//	input num, num_int,       decimal, integer, money (multipleOf 0.01) with
//	num_currency              minimum/maximum from minValue/maxValue
//	input file                file (format attachment), accept from mediaType,
//	                          maxSize
//	input time, datetime      text with a time pattern / format date-time
//	                          (approximated: no picker)
//	select with werte (v3)    choice with enum and option labels; multi when the
//	                          Anzahl allows several
//	select with code list     text, reported: the code list's values are not in
//	reference only            the file
//	label (statisch)          info
//	field with Anzahl max > 1 repeat of that one field
//	Regel "WENN Datenfeld F   showWhen on the target field or step, and its
//	= v, DANN (de)aktiviere   required-ness moved into an if/then of the schema
//	Datenfeld[gruppe] X"
//	other Regel               not mapped, reported with its text
//	hidden, locked, obj,      not mapped or approximated, reported
//	unknown elements
//
// FIM editorial metadata (beschreibung, definition, bezug, status,
// relations, ...) is for FIM editors, not citizens, and is left out; the
// report counts it in one line.
package xdatenfelder

import (
	"errors"
	"fmt"
	"io"

	"rathaus/api"
	"rathaus/api/formschema"
)

// Errors that Convert wraps; test for them with errors.Is.
var (
	// ErrTooLarge: the document exceeds a bound (bytes, elements, depth).
	ErrTooLarge = errors.New("input too large")
	// ErrInvalidInput: not well-formed XML, not valid UTF-8, or it has a DTD.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotXDatenfelder: well-formed XML, but not an XDatenfelder form.
	ErrNotXDatenfelder = errors.New("not an XDatenfelder form")
	// ErrUnsupportedVersion: an XDatenfelder version other than 2 and 3.
	ErrUnsupportedVersion = errors.New("unsupported XDatenfelder version")
)

// Options adjust a conversion. The zero value is the default.
type Options struct {
	// ID, if set, is the form id instead of the one derived from the FIM id.
	ID string
	// Version, if set, is the form version instead of the one derived from
	// the FIM version.
	Version int
	// MaxBytes bounds the input (default DefaultMaxBytes).
	MaxBytes int64
}

// Convert reads an XDatenfelder 2 or 3 document and returns the Rathaus form
// definition with a report of what was mapped, approximated and left out.
//
// An input that cannot be read as an XDatenfelder form is an error, with no
// form and no report. A form whose definition does not compile with
// formschema.Compile is returned for inspection together with the report,
// whose Invalid holds the *formschema.DefinitionError, and the same error.
func Convert(r io.Reader, opts Options) (*api.Form, *Report, error) {
	root, err := parseXML(r, opts.MaxBytes)
	if err != nil {
		return nil, nil, err
	}
	s, err := readDocument(root)
	if err != nil {
		return nil, nil, err
	}
	c := newConverter(s, opts)
	def := c.convert()
	if _, err := formschema.Compile(def); err != nil {
		c.rep.Invalid = err
		return def, c.rep, fmt.Errorf("the converted definition does not compile: %w", err)
	}
	return def, c.rep, nil
}
