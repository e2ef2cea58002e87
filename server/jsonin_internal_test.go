package server

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

func TestParseJSONCanonicalNumbers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"-0.0e5", "0"},
		{"0e99999", "0"},
		{"-0e-99999", "0"},
		{"20", "20"},
		{"2e1", "20"},
		{"2E+1", "20"},
		{"20.0", "20"},
		{"200e-1", "20"},
		{"3.50", "3.5"},
		{"35e-1", "3.5"},
		{"0.05", "0.05"},
		{"5e-2", "0.05"},
		{"-1.25", "-1.25"},
		{"1e21", "1000000000000000000000"},
		{"123456789012345678901234567890", "123456789012345678901234567890"},
		{"0.1000", "0.1"},
		{"1e63", "1" + strings.Repeat("0", 63)},
		{"-1e62", "-1" + strings.Repeat("0", 62)},
		{"1e-62", "0." + strings.Repeat("0", 61) + "1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, errs, err := parseJSON([]byte(tt.in))
			if err != nil || len(errs) > 0 {
				t.Fatalf("parseJSON(%s) = %v, %v", tt.in, errs, err)
			}
			if got := v.(json.Number).String(); got != tt.want {
				t.Errorf("parseJSON(%s) = %s, want %s", tt.in, got, tt.want)
			}
			checkSameNumber(t, tt.in, tt.want)
		})
	}
}

// checkSameNumber holds the canonical form to the literal's exact value.
func checkSameNumber(t *testing.T, literal, canonical string) {
	t.Helper()
	a, ok1 := new(big.Rat).SetString(literal)
	b, ok2 := new(big.Rat).SetString(canonical)
	if !ok1 || !ok2 || a.Cmp(b) != 0 {
		t.Errorf("%s and %s are not the same number", literal, canonical)
	}
}

func TestParseJSONRefusesValues(t *testing.T) {
	tests := []struct {
		name, in, pointer, code string
	}{
		{"huge exponent", `{"volume_m3":1e1000001}`, "/volume_m3", codeNumberTooLong},
		{"tiny exponent", `{"x":1e-1000001}`, "/x", codeNumberTooLong},
		{"65 digits", `{"x":` + strings.Repeat("9", 65) + `}`, "/x", codeNumberTooLong},
		{"65 digits written out", `{"x":1e64}`, "/x", codeNumberTooLong},
		{"a million digits", `{"x":[` + strings.Repeat("7", 1_040_000) + `]}`, "/x/0", codeNumberTooLong},
		{"long literal, short value", `{"x":0.1` + strings.Repeat("0", 70) + `}`, "/x", codeNumberTooLong},
		{"NUL escaped", `{"a":{"b":"x\u0000y"}}`, "/a/b", codeInvalidText},
		{"bell escaped", `{"a":"\u0007"}`, "/a", codeInvalidText},
		{"backspace escape", `{"a":"\b"}`, "/a", codeInvalidText},
		{"DEL raw", "{\"a\":\"x\x7fy\"}", "/a", codeInvalidText},
		{"C1 control", `{"a":"\u0085"}`, "/a", codeInvalidText},
		{"lone high surrogate", `{"a":"\ud800"}`, "/a", codeInvalidText},
		{"lone high surrogate before text", `{"a":"\ud800x"}`, "/a", codeInvalidText},
		{"lone low surrogate", `{"a":"\udc00"}`, "/a", codeInvalidText},
		{"high surrogate twice", `{"a":"\ud800\ud800"}`, "/a", codeInvalidText},
		{"invalid UTF-8", "{\"a\":[\"ok\",\"x\xff\"]}", "/a/1", codeInvalidText},
		{"UTF-8 encoded surrogate", "{\"a\":\"\xed\xa0\x80\"}", "/a", codeInvalidText},
		{"NUL in a key", `{"a\u0000":1}`, "", codeInvalidText},
		{"duplicate key", `{"a":1,"b":2,"a":3}`, "/a", codeDuplicateKey},
		{"pointer escapes", `{"a/b":{"c~d":"\u0000"}}`, "/a~1b/c~0d", codeInvalidText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, err := parseJSON([]byte(tt.in))
			if err != nil {
				t.Fatalf("syntax error %v, want a value refused", err)
			}
			if len(errs) != 1 || errs[0].pointer != tt.pointer || errs[0].code != tt.code {
				t.Errorf("errors = %+v, want one %s at %q", errs, tt.code, tt.pointer)
			}
		})
	}
}

func TestParseJSONAcceptsText(t *testing.T) {
	in := `{"t":"tab\there\nline\r\n","u":"\u00fc\ud83d\ude00 \"q\" \\ \/","raw":"Grüße 😀 ` + "\uFFFD" + `"}`
	v, errs, err := parseJSON([]byte(in))
	if err != nil || len(errs) > 0 {
		t.Fatalf("parseJSON = %v, %v", errs, err)
	}
	var want any
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("parseJSON = %#v, want %#v", v, want)
	}
}

func TestParseJSONSyntax(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"space", "  \n"},
		{"garbage", "not json"},
		{"two values", `{} {}`},
		{"trailing comma", `{"a":1,}`},
		{"leading zero", `{"a":01}`},
		{"plus", `{"a":+1}`},
		{"bare point", `{"a":.5}`},
		{"point without digits", `{"a":1.}`},
		{"exponent without digits", `{"a":1e}`},
		{"raw control in string", "{\"a\":\"x\ny\"}"},
		{"bad escape", `{"a":"\x"}`},
		{"short unicode escape", `{"a":"\u12"}`},
		{"unclosed string", `{"a":"x`},
		{"unclosed object", `{"a":1`},
		{"single quotes", `{'a':1}`},
		{"NaN", `{"a":NaN}`},
		{"truth", `{"a":tru}`},
		{"deep", strings.Repeat("[", 100000) + strings.Repeat("]", 100000)},
		{"65 levels", strings.Repeat("[", 65) + strings.Repeat("]", 65)},
		{"a value error, then garbage", `{"a":"\u0000"} x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, errs, err := parseJSON([]byte(tt.in)); err == nil {
				t.Errorf("parseJSON(%.40q) = no syntax error (value errors %v)", tt.in, errs)
			}
		})
	}
	if _, _, err := parseJSON([]byte(strings.Repeat("[", 64) + strings.Repeat("]", 64))); err != nil {
		t.Errorf("64 levels: %v, want them accepted", err)
	}
}

// FuzzParseJSON holds the parser to encoding/json: what it accepts
// without refusals is valid JSON with the same values (numbers equal in
// value), and what encoding/json rejects it rejects.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,-0,"x\u00fc"],"b":{"c":null,"d":true}}`, `"\ud83d\ude00"`,
		`[1e400]`, `{"a":1,"a":2}`, `"\u0000"`, "\"\xff\"", `[[[]]]`, ` 0.000001 `, `{"":""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, errs, err := parseJSON(b)
		valid := json.Valid(b)
		if err == nil && !valid {
			t.Fatalf("parseJSON accepted %q, which encoding/json rejects", b)
		}
		if err != nil || len(errs) > 0 {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if !sameValue(v, want) {
			t.Fatalf("parseJSON(%q) = %#v, encoding/json %#v", b, v, want)
		}
	})
}

// zeroMantissa reports whether a JSON number's digits before its exponent
// are all zeros.
func zeroMantissa(n string) bool {
	m, _, _ := strings.Cut(strings.ToLower(n), "e")
	return strings.Trim(m, "-+0.") == ""
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		p, ok1 := new(big.Rat).SetString(x.String())
		q, ok2 := new(big.Rat).SetString(y.String())
		if ok1 && !ok2 && zeroMantissa(y.String()) {
			// big.Rat refuses an exponent beyond int32 ("0e11111111111111111111"),
			// but a zero is zero whatever its exponent.
			q, ok2 = new(big.Rat), true
		}
		return ok1 && ok2 && p.Cmp(q) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, e := range x {
			if !sameValue(e, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// BenchmarkParseJSON: a demo submission, and a 1 MB body with one
// 1,040,000-digit integer (refused after a linear scan).
func BenchmarkParseJSON(b *testing.B) {
	demo := []byte(`{"service":"sperrmuell","form":{"id":"sperrmuell","version":1},"data":{"items":[{"kind":"wardrobe","count":1},` +
		`{"kind":"mattress","count":2}],"volume_m3":3.5,"preferred_date":"2026-12-09","given_name":"Peter","family_name":"Krause",` +
		`"address":{"street":"Rosenweg 4","postcode":"51147","city":"Musterstadt"},"email":"peter.krause@example.org"}}`)
	huge := []byte(`{"service":"sperrmuell","data":{"volume_m3":` + strings.Repeat("7", 1_040_000) + `}}`)
	for _, bb := range []struct {
		name string
		body []byte
	}{{"demo", demo}, {"1MB-number", huge}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				if _, _, err := parseJSON(bb.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
