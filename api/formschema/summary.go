package formschema

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"rathaus/api"
)

// SummaryEntry is one line of the summary page the citizen checks before
// sending: a field with its value, or the heading of a group, a repeat or
// one item of a repeat (Text empty, Field the group or repeat).
type SummaryEntry struct {
	// Pointer is the instance pointer of the value ("/members/1/name";
	// "/members/1" for the heading of an item).
	Pointer string
	Field   *api.Field
	// Step is the index of the step that holds the field, for an "edit"
	// button.
	Step int
	// Depth is 0 for the fields of a step, one more inside each group and
	// two more inside the item of a repeat (the item's heading is one
	// more than the repeat).
	Depth int
	Label string
	// Text is the value as people read it in the language: option labels,
	// yes/no, dates, amounts and numbers in the language's notation, a
	// file's name and size. Empty for headings.
	Text string
}

// words the summary uses, by language (German for any language without
// its own, as api.Text.In does).
var words = map[string]api.Text{
	"yes":    {"de": "Ja", "en": "Yes", "tr": "Evet", "uk": "Так"},
	"no":     {"de": "Nein", "en": "No", "tr": "Hayır", "uk": "Ні"},
	"signed": {"de": "unterschrieben", "en": "signed", "tr": "imzalandı", "uk": "підписано"},
	"item":   {"de": "Eintrag {n}", "en": "Entry {n}", "tr": "Giriş {n}", "uk": "Запис {n}"},
	"none":   {"de": "keine Einträge", "en": "no entries", "tr": "giriş yok", "uk": "немає записів"},
	"bytes":  {"de": "{n} Bytes", "en": "{n} bytes", "tr": "{n} bayt", "uk": "{n} байтів"},
}

func word(key, lang string) string { return words[key].In(lang) }

// Summary lists the shown fields that have a value (not "", [] or {}; a
// repeat without items is listed as such), in form order, with the values
// formatted for people in lang. It judges conditions as Prune
// does, so it shows exactly what is sent.
func (f *Form) Summary(data map[string]any, lang string) []SummaryEntry {
	pruned := f.Prune(data)
	if pruned == nil {
		return nil
	}
	steps := make([]bool, len(f.Def.Steps))
	for i := range f.Def.Steps {
		steps[i] = Holds(f.Def.Steps[i].ShowWhen, pruned, "")
	}
	var out []SummaryEntry
	for _, n := range f.root.children {
		if steps[n.step] {
			out = f.summarize(out, n, pruned, "", 0, lang)
		}
	}
	return out
}

// summarize appends the entries of field n inside the object obj at base.
func (f *Form) summarize(out []SummaryEntry, n *node, obj map[string]any, base string, depth int, lang string) []SummaryEntry {
	v, ok := obj[n.field.Key]
	if !ok {
		return out
	}
	at := join(base, n.field.Key)
	e := SummaryEntry{Pointer: at, Field: n.field, Step: n.step, Depth: depth, Label: n.field.Label.In(lang)}
	switch n.field.Widget {
	case api.WidgetGroup:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		var inner []SummaryEntry
		for _, c := range n.children {
			inner = f.summarize(inner, c, m, at, depth+1, lang)
		}
		if len(inner) == 0 {
			return out
		}
		return append(append(out, e), inner...)
	case api.WidgetRepeat:
		l, ok := v.([]any)
		if !ok {
			break
		}
		if len(l) == 0 {
			e.Text = word("none", lang)
		}
		out = append(out, e)
		for i, item := range l {
			itemAt := at + "/" + strconv.Itoa(i)
			out = append(out, SummaryEntry{Pointer: itemAt, Field: n.field, Step: n.step, Depth: depth + 1,
				Label: strings.ReplaceAll(word("item", lang), "{n}", strconv.Itoa(i+1))})
			if m, ok := item.(map[string]any); ok {
				for _, c := range n.children {
					out = f.summarize(out, c, m, itemAt, depth+2, lang)
				}
			}
		}
		return out
	case api.WidgetAddress:
		if m, ok := v.(map[string]any); ok {
			e.Text = formatAddress(n, m, lang)
			return append(out, e)
		}
	}
	if _, ok := v.(bool); !ok && empty(v) {
		return out // "", [], {} or null: nothing to show
	}
	e.Text = FormatValue(n.field, v, lang)
	return append(out, e)
}

// formatAddress writes an address on one line: "Lindenallee 42, 51147
// Musterstadt" (a postcode, by widget or by the key postcode or
// postal_code, is followed by the next part with a space, and so is a
// street by the key house_number).
func formatAddress(n *node, m map[string]any, lang string) string {
	var b strings.Builder
	sep := ""
	for _, c := range n.children {
		v, ok := m[c.field.Key]
		if !ok || empty(v) {
			continue
		}
		if c.field.Key == "house_number" {
			sep = " "
		}
		b.WriteString(sep)
		b.WriteString(FormatValue(c.field, v, lang))
		sep = ", "
		if c.field.Widget == api.WidgetPostcode || c.field.Key == "postcode" || c.field.Key == "postal_code" {
			sep = " "
		}
	}
	return b.String()
}

// FormatValue writes a field's value for people in lang (German notation
// for any language but English): option labels for choice and multi,
// Ja/Nein or Yes/No, dates as 16.11.2026 or 16/11/2026, amounts as
// 1.234,50 € or €1,234.50, an IBAN in groups of four, a file as
// "name (123 KB)", a signature as "unterschrieben" or "signed". A value of
// an unexpected type is written as JSON.
func FormatValue(fd *api.Field, v any, lang string) string {
	en := lang == "en"
	switch fd.Widget {
	case api.WidgetBoolean:
		if b, ok := v.(bool); ok {
			if b {
				return word("yes", lang)
			}
			return word("no", lang)
		}
	case api.WidgetChoice:
		if s, ok := v.(string); ok {
			return optionLabel(fd, s, lang)
		}
	case api.WidgetMulti:
		if l, ok := asList(v); ok {
			parts := make([]string, len(l))
			for i, x := range l {
				s, ok := x.(string)
				if !ok {
					s = rawText(x)
				}
				parts[i] = optionLabel(fd, s, lang)
			}
			return strings.Join(parts, ", ")
		}
	case api.WidgetDate:
		if s, ok := v.(string); ok {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return s
			}
			if en { // as the app's date fields write it (British, day first)
				return t.Format("02/01/2006")
			}
			return t.Format("02.01.2006")
		}
	case api.WidgetInteger, api.WidgetDecimal:
		if x, ok := toFloat(v); ok {
			s := strconv.FormatFloat(x, 'f', -1, 64)
			if whole, _, _ := strings.Cut(strings.TrimPrefix(s, "-"), "."); len(whole) < 5 {
				// 1980 kg, a year: group from five digits on only.
				return formatNumber(s, en)
			}
			return groupNumber(s, en)
		}
	case api.WidgetMoney:
		if x, ok := toFloat(v); ok {
			s := groupNumber(strconv.FormatFloat(x, 'f', 2, 64), en)
			if en {
				if strings.HasPrefix(s, "-") {
					return "-€" + s[1:]
				}
				return "€" + s
			}
			return s + " €"
		}
	case api.WidgetIBAN:
		if s, ok := v.(string); ok {
			s = strings.ReplaceAll(s, " ", "")
			var b strings.Builder
			for i := 0; i < len(s); i += 4 {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s[i:min(i+4, len(s))])
			}
			return b.String()
		}
	case api.WidgetFile, api.WidgetPhoto:
		if m, ok := v.(map[string]any); ok {
			name, _ := m["name"].(string)
			if size, ok := toFloat(m["size"]); ok {
				return fmt.Sprintf("%s (%s)", name, formatSize(size, lang))
			}
			return name
		}
	case api.WidgetSignature:
		if m, ok := v.(map[string]any); ok && !empty(m["strokes"]) {
			return word("signed", lang)
		}
		if m, ok := v.(map[string]any); ok {
			if name, _ := m["typed"].(string); name != "" {
				return word("signed", lang) + ": " + name
			}
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	return rawText(v)
}

func optionLabel(fd *api.Field, value, lang string) string {
	for _, o := range fd.Options {
		if o.Value == value {
			if l := o.Label.In(lang); l != "" {
				return l
			}
		}
	}
	return value
}

func rawText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// formatNumber writes a plain decimal number ("-1234.5") in English
// (-1234.5) or German (-1234,5) notation, without grouping.
func formatNumber(s string, en bool) string {
	if en {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}

// groupNumber groups the digits of a plain decimal number ("-1234.5") in
// thousands, in English (1,234.5) or German (1.234,5) notation.
func groupNumber(s string, en bool) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	thousands, point := ".", ","
	if en {
		thousands, point = ",", "."
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// formatSize writes a file size in bytes, KB or MB (powers of 1000, as
// phones show them).
func formatSize(n float64, lang string) string {
	en := lang == "en"
	switch {
	case n < 1000:
		return strings.ReplaceAll(word("bytes", lang), "{n}", strconv.FormatFloat(n, 'f', 0, 64))
	case n < 1000*1000:
		return groupNumber(strconv.FormatFloat(float64(int64(n+500)/1000), 'f', 0, 64), en) + " KB"
	default:
		return groupNumber(strconv.FormatFloat(float64(int64(n/1000/100+0.5))/10, 'f', 1, 64), en) + " MB"
	}
}
