package fill

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"rathaus/api"
)

// Parse turns what the citizen typed into a field of widget w into the
// field's JSON value; "" (or only spaces) is no value (nil). Text that is
// no number, or no date, stays text, so that nothing typed is lost and
// validation names the mistake.
func Parse(w api.Widget, s string) any {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil
	}
	switch w {
	case api.WidgetInteger:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return n
		}
		return s
	case api.WidgetDecimal, api.WidgetMoney:
		if f, ok := parseDecimal(t); ok {
			return f
		}
		return s
	case api.WidgetIBAN:
		// The bank writes it in capitals without spaces; people type
		// it any way.
		return strings.ToUpper(strings.Join(strings.Fields(t), ""))
	case api.WidgetDate:
		return ParseDate(t)
	case api.WidgetPostcode, api.WidgetEmail, api.WidgetPhone:
		return t
	}
	return s
}

// parseDecimal reads "1234,5", "1.234,50", "1234.5" or "1,234.50".
func parseDecimal(t string) (float64, bool) {
	t = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "€"))
	comma, dot := strings.LastIndex(t, ","), strings.LastIndex(t, ".")
	switch {
	case comma > dot: // German: dots group thousands
		t = strings.ReplaceAll(t, ".", "")
		t = strings.Replace(t, ",", ".", 1)
	case dot > comma && comma >= 0: // English with thousands
		t = strings.ReplaceAll(t, ",", "")
	}
	f, err := strconv.ParseFloat(t, 64)
	return f, err == nil
}

// Format shows a stored value in a text entry of widget w in language lng.
func Format(w api.Widget, v any, lng string) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		switch w {
		case api.WidgetIBAN:
			return groupIBAN(v)
		case api.WidgetDate:
			return FormatDate(v, lng)
		}
		return v
	case float64:
		if w == api.WidgetMoney {
			return FormatNumber(v, 2, lng)
		}
		return FormatNumber(v, -1, lng)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return fmt.Sprint(v)
}

// groupIBAN writes an IBAN in blocks of four, as printed on bank cards,
// however it was spaced before.
func groupIBAN(s string) string {
	var b strings.Builder
	for i, r := range []rune(strings.Join(strings.Fields(s), "")) {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dateLayouts are the ways a date is written in a language, day first in
// all: 31.12.2026 in German, Turkish and Ukrainian, 31/12/2026 in British
// English (the English of a German town hall's app).
var dateLayouts = map[string]string{"de": "02.01.2006", "en": "02/01/2006", "tr": "02.01.2006", "uk": "02.01.2006"}

// decimalPoint is the languages that write 2.5; the others (German,
// Turkish, Ukrainian, and any not listed) write 2,5.
var decimalPoint = map[string]bool{"en": true}

// FormatNumber writes f the way lng writes numbers, with decimals places
// (-1: as many as needed): 2,5 in German, 2.5 in English. No thousands
// separator, so that what is shown reads back the same (Parse).
func FormatNumber(f float64, decimals int, lng string) string {
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	if !decimalPoint[lng] {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// DayMonthLayout is the Go time layout of a day without its year in
// language lng (31.12. in German, 31/12 in English).
func DayMonthLayout(lng string) string {
	switch l := DateLayout(lng); l {
	case "02/01/2006":
		return "02/01"
	default:
		return l[:len("02.01.")]
	}
}

// DateLayout is the Go time layout of dates in language lng.
func DateLayout(lng string) string {
	if l, ok := dateLayouts[lng]; ok {
		return l
	}
	return dateLayouts["de"]
}

// FormatDate writes a stored date (2026-12-31) the way lng writes dates;
// anything else (what the citizen typed that is no date) stays as it is.
func FormatDate(v, lng string) string {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return v
	}
	return t.Format(DateLayout(lng))
}

// dayFirst is a date written day, month, year: 31.12.2026, 1.2.2026,
// 31/12/2026 or 31-12-2026.
var dayFirst = regexp.MustCompile(`^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$`)

// ParseDate reads a date typed day first (31.12.2026, 31/12/2026, 1.2.2026)
// or as stored (2026-12-31) and returns it as stored. A date that does not
// exist (31.02.2026) or text that is no date is returned as typed, for
// validation to name; "" is no value (nil).
func ParseDate(s string) any {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, t); err == nil {
		return t
	}
	m := dayFirst.FindStringSubmatch(t)
	if m == nil {
		return t
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	year, _ := strconv.Atoi(m[3])
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if d.Day() != day || int(d.Month()) != month || d.Year() != year {
		return t // time.Date would roll 31.02. over into March
	}
	return d.Format(time.DateOnly)
}

// ToValue turns a value of the api package (an attachment, a signature)
// into the shape form data has.
func ToValue(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// FromValue reads form data into a value of the api package.
func FromValue(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
