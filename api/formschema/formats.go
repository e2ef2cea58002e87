package formschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"rathaus/api"
)

// customFormats are registered on every compiler, so that the app and the
// backend check them alike. Like the built-in formats, each ignores values
// of other JSON types (the schema's "type" rejects those).
var customFormats = []*jsonschema.Format{
	{Name: "iban", Validate: validateIBAN},
	{Name: "attachment", Validate: validateAttachment},
	{Name: "signature", Validate: validateSignature},
}

// MaxSignaturePoints bounds the points of all strokes of one signature.
const MaxSignaturePoints = 10000

// ibanLengths are the lengths of the IBANs of countries whose length the
// validator enforces; others need 15 to 34 characters.
var ibanLengths = map[string]int{"DE": 22}

// CheckIBAN checks an IBAN as the "iban" format does: spaces are ignored;
// then two capital letters (the country), two check digits and up to 30
// capital letters and digits, 15 to 34 characters in all (22 for a German
// IBAN), whose ISO 7064 mod-97 remainder is 1. Lower case is refused: the
// app writes what the citizen types in capitals before it stores it.
func CheckIBAN(s string) error {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 15 || len(s) > 34 {
		return fmt.Errorf("has %d characters, want 15 to 34", len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < 2 && (c < 'A' || c > 'Z'):
			return errors.New("does not start with a country code in capitals")
		case i >= 2 && i < 4 && (c < '0' || c > '9'):
			return errors.New("has no check digits after the country code")
		case (c < '0' || c > '9') && (c < 'A' || c > 'Z'):
			return fmt.Errorf("holds %q; only capital letters and digits are allowed", c)
		}
	}
	if n, ok := ibanLengths[s[:2]]; ok && len(s) != n {
		return fmt.Errorf("has %d characters, a %s IBAN has %d", len(s), s[:2], n)
	}
	// Move the first four characters to the end, read letters as 10..35,
	// and take the remainder digit by digit.
	rem := 0
	for _, c := range s[4:] + s[:4] {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	if rem != 1 {
		return errors.New("check digits do not match")
	}
	return nil
}

func validateIBAN(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return CheckIBAN(s)
}

// CheckAttachment checks the value of a file or photo field as the
// "attachment" format does; see api.Attachment.
func CheckAttachment(v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for k := range obj {
		switch k {
		case "id", "upload", "name", "type", "size", "sha256":
		default:
			return fmt.Errorf("unknown property %q", k)
		}
	}
	for _, k := range []string{"id", "upload"} {
		if x, ok := obj[k]; ok {
			if _, ok := x.(string); !ok {
				return fmt.Errorf("%s is not a string", k)
			}
		}
	}
	name, _ := obj["name"].(string)
	if strings.TrimSpace(name) == "" || len(name) > 255 {
		return errors.New("name must be 1 to 255 bytes")
	}
	typ, _ := obj["type"].(string)
	if t, sub, ok := strings.Cut(typ, "/"); !ok || !token(t) || !token(sub) || t == "*" || sub == "*" {
		return fmt.Errorf("type %q is not a media type", typ)
	}
	size, ok := toFloat(obj["size"])
	if !ok || size != math.Trunc(size) || size <= 0 || size > api.MaxUploadSize {
		return fmt.Errorf("size must be a whole number of bytes from 1 to %d", api.MaxUploadSize)
	}
	sum, _ := obj["sha256"].(string)
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return errors.New("sha256 must be 64 lower-case hex digits")
	}
	return nil
}

func validateAttachment(v any) error { return CheckAttachment(v) }

// CheckSignature checks the value of a signature field as the "signature"
// format does: a canvas of width x height > 0, at least one stroke, each of
// at least two points on the canvas, at most MaxSignaturePoints in all.
func CheckSignature(v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for k := range obj {
		if k != "width" && k != "height" && k != "strokes" {
			return fmt.Errorf("unknown property %q", k)
		}
	}
	w, okW := toFloat(obj["width"])
	h, okH := toFloat(obj["height"])
	if !okW || !okH || w <= 0 || h <= 0 {
		return errors.New("width and height must be numbers above 0")
	}
	strokes, _ := obj["strokes"].([]any)
	if len(strokes) == 0 {
		return errors.New("no strokes: not signed")
	}
	total := 0
	for i, s := range strokes {
		points, _ := s.([]any)
		if len(points) < 2 {
			return fmt.Errorf("stroke %d has fewer than 2 points", i+1)
		}
		total += len(points)
		if total > MaxSignaturePoints {
			return fmt.Errorf("more than %d points", MaxSignaturePoints)
		}
		for _, p := range points {
			xy, _ := p.([]any)
			if len(xy) != 2 {
				return fmt.Errorf("stroke %d: a point is not [x, y]", i+1)
			}
			x, okX := toFloat(xy[0])
			y, okY := toFloat(xy[1])
			if !okX || !okY || x < 0 || y < 0 || x > w || y > h {
				return fmt.Errorf("stroke %d: a point lies outside the canvas", i+1)
			}
		}
	}
	return nil
}

func validateSignature(v any) error { return CheckSignature(v) }

// toFloat reads a JSON number, as the validator (json.Number) or
// encoding/json (float64) decode it.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil && !math.IsInf(f, 0)
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}
