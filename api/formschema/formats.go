package formschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"rathaus/api"
)

// customFormats are registered on every compiler, so that the app and the
// backend check them alike. Like the built-in formats, each ignores values
// of other JSON types (the schema's "type" rejects those). "date" replaces
// the built-in check (the same RFC 3339 full-date) to say why a date fails.
var customFormats = []*jsonschema.Format{
	{Name: "iban", Validate: validateIBAN},
	{Name: "date", Validate: validateDate},
	{Name: "attachment", Validate: validateAttachment},
	{Name: "signature", Validate: validateSignature},
}

// MaxSignaturePoints bounds the points of all strokes of one signature.
const MaxSignaturePoints = 10000

// ibanLengths are the IBAN lengths of the countries in the SWIFT IBAN
// registry; an IBAN of another country does not exist.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
	"NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// Why an IBAN fails, in IBANError.Reason; each has its message for people.
const (
	IBANLength   = "length"   // not the length of its country's IBANs (or not 15 to 34)
	IBANCountry  = "country"  // does not start with two letters
	IBANUnknown  = "unknown"  // starts with letters that are no IBAN country
	IBANChars    = "chars"    // holds something other than letters and digits
	IBANChecksum = "checksum" // the check digits do not match
)

// IBANError says why CheckIBAN refused an IBAN.
type IBANError struct {
	Reason  string // one of the IBAN... constants
	Country string // the first two characters, when they are letters
	Want    int    // the length of the country's IBANs (0 when unknown)
	Got     int    // the length without spaces
	detail  string
}

func (e *IBANError) Error() string { return e.detail }

// params are what the messages fill in.
func (e *IBANError) params() map[string]any {
	return map[string]any{"reason": e.Reason, "cc": e.Country, "n": e.Want, "got": e.Got}
}

// CheckIBAN checks an IBAN as the "iban" format does: spaces are ignored;
// then two capital letters (a country of the IBAN registry), two check
// digits and up to 30 capital letters and digits, as many as the country's
// IBANs have (15 to 34), whose ISO 7064 mod-97 remainder is 1. Lower case
// is refused on the wire: the app writes what the citizen types in
// capitals before it stores it. A refusal is an *IBANError.
func CheckIBAN(s string) error {
	s = strings.ReplaceAll(s, " ", "")
	e := &IBANError{Got: len(s)}
	if len(s) >= 2 && isUpper(s[0]) && isUpper(s[1]) {
		e.Country = s[:2]
		e.Want = ibanLengths[e.Country]
	}
	fail := func(reason, format string, args ...any) error {
		e.Reason, e.detail = reason, fmt.Sprintf(format, args...)
		return e
	}
	if len(s) < 15 || len(s) > 34 {
		return fail(IBANLength, "has %d characters, want 15 to 34", len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < 2 && !isUpper(c):
			return fail(IBANCountry, "does not start with a country code in capitals")
		case i >= 2 && i < 4 && (c < '0' || c > '9'):
			return fail(IBANChecksum, "has no check digits after the country code")
		case (c < '0' || c > '9') && !isUpper(c):
			return fail(IBANChars, "holds %q; only capital letters and digits are allowed", c)
		}
	}
	if e.Want == 0 {
		return fail(IBANUnknown, "%s is no country of the IBAN registry", e.Country)
	}
	if len(s) != e.Want {
		return fail(IBANLength, "has %d characters, a %s IBAN has %d", len(s), e.Country, e.Want)
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
		return fail(IBANChecksum, "check digits do not match")
	}
	return nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// Why a date fails, in DateError.Reason.
const (
	DateForm = "form" // not written as a date
	DateDay  = "day"  // written as a date, but that day does not exist (31.02.)
)

// DateError says why CheckDate refused a date.
type DateError struct {
	Reason string // DateForm or DateDay
	detail string
}

func (e *DateError) Error() string { return e.detail }

// shapedLikeDate is a date written year first (as the data holds it) or
// day first (as people write it): the numbers are there, the day may not be.
var shapedLikeDate = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$`)

// CheckDate checks a date as the "date" format does: an RFC 3339 full-date
// (2026-12-31). A refusal is a *DateError that tells a date that does not
// exist (2026-02-31, or 31.02.2026 as typed) from text that is no date.
func CheckDate(s string) error {
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return nil
	}
	m := shapedLikeDate.FindStringSubmatch(s)
	if m == nil {
		return &DateError{Reason: DateForm, detail: "is not a date (YYYY-MM-DD)"}
	}
	y, mo, d := m[1], m[2], m[3]
	if y == "" {
		y, mo, d = m[6], m[5], m[4]
	}
	year, _ := strconv.Atoi(y)
	month, _ := strconv.Atoi(mo)
	day, _ := strconv.Atoi(d)
	if month < 1 || month > 12 || day < 1 || day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return &DateError{Reason: DateDay, detail: "names a day that does not exist"}
	}
	return &DateError{Reason: DateForm, detail: "is not a date in the form YYYY-MM-DD"}
}

func validateDate(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return CheckDate(s)
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
// at least two points on the canvas, at most MaxSignaturePoints in all; or
// a typed name alone (two to api.MaxTypedSignature characters, not only
// spaces).
func CheckSignature(v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for k := range obj {
		if k != "width" && k != "height" && k != "strokes" && k != "typed" {
			return fmt.Errorf("unknown property %q", k)
		}
	}
	if typed, ok := obj["typed"]; ok {
		return checkTyped(obj, typed)
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

// checkTyped checks a typed signature: a name, and nothing drawn beside it.
func checkTyped(obj map[string]any, typed any) error {
	if len(obj) != 1 {
		return errors.New("a typed signature has nothing drawn beside it")
	}
	name, ok := typed.(string)
	if !ok {
		return errors.New("typed must be a string")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(name)); n < 2 || utf8.RuneCountInString(name) > api.MaxTypedSignature {
		return fmt.Errorf("a typed signature has 2 to %d characters", api.MaxTypedSignature)
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
