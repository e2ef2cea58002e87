package formschema_test

import (
	"errors"
	"strings"
	"testing"

	"rathaus/api/formschema"
)

func nestedDef() map[string]any { return decode(nestedFormJSON) }

// fieldIn returns a field of a definition by step index and position
// path: fieldIn(d, 1, 0, 3) is the fourth child of the first field of the
// second step.
func fieldIn(def map[string]any, step int, path ...int) map[string]any {
	fs := def["steps"].([]any)[step].(map[string]any)["fields"].([]any)
	var f map[string]any
	for i, p := range path {
		f = fs[p].(map[string]any)
		if i < len(path)-1 {
			fs = f["fields"].([]any)
		}
	}
	return f
}

// prop returns a property schema of a definition by keys, through the
// items of arrays.
func prop(def map[string]any, keys ...string) map[string]any {
	cur := def["schema"].(map[string]any)
	for _, k := range keys {
		if items, ok := cur["items"].(map[string]any); ok {
			cur = items
		}
		cur = cur["properties"].(map[string]any)[k].(map[string]any)
	}
	return cur
}

func TestCompileNestedProblems(t *testing.T) {
	tests := []struct {
		name string
		edit func(d map[string]any)
		want []string // substrings, each of which some problem must contain
	}{
		// widgets against their schema
		{"money without multipleOf", func(d map[string]any) { delete(prop(d, "amount"), "multipleOf") },
			[]string{`step "one" field 1 (/amount): widget "money" needs multipleOf 0.01`}},
		{"money with another multipleOf", func(d map[string]any) { prop(d, "amount")["multipleOf"] = 0.1 },
			[]string{`(/amount): widget "money" needs multipleOf 0.01`}},
		{"money on a string", func(d map[string]any) { prop(d, "amount")["type"] = "string"; delete(prop(d, "amount"), "multipleOf") },
			[]string{`(/amount): widget "money" needs a schema of type "number"`}},
		{"multi without items", func(d map[string]any) { delete(prop(d, "topics"), "items") },
			[]string{`(/topics): multi "topics" needs an enum in the schema`}},
		{"multi on a string", func(d map[string]any) { prop(d, "topics")["type"] = "string" },
			[]string{`(/topics): widget "multi" needs a schema of type "array"`}},
		{"multi option not in enum", func(d map[string]any) {
			f := fieldIn(d, 0, 1)
			f["options"] = append(f["options"].([]any), map[string]any{"value": "d", "label": map[string]any{"de": "D"}})
		}, []string{`(/topics): option "d" is not in the schema's enum`}},
		{"multi enum value without option", func(d map[string]any) {
			f := fieldIn(d, 0, 1)
			f["options"] = f["options"].([]any)[:2]
		}, []string{`(/topics): enum value "c" has no option`}},
		{"choice option twice", func(d map[string]any) {
			f := fieldIn(d, 1, 0, 2)
			f["options"] = append(f["options"].([]any), f["options"].([]any)[0])
		}, []string{`step "two" field 1.3 (/kids/stage): option "kita" is listed twice`}},
		{"choice enum with a number", func(d map[string]any) { prop(d, "kids", "stage")["enum"] = []any{"kita", "school", 3} },
			[]string{`(/kids/stage): enum value 3 is not a string`}},
		{"iban without format", func(d map[string]any) { delete(prop(d, "iban"), "format") },
			[]string{`(/iban): widget "iban" needs format "iban", has ""`}},
		{"email with format date", func(d map[string]any) { prop(d, "applicant", "contact", "email")["format"] = "date" },
			[]string{`step "one" field 5.2.1 (/applicant/contact/email): widget "email" needs format "email", has "date"`}},
		{"postcode without pattern", func(d map[string]any) { delete(prop(d, "home", "postcode"), "pattern") },
			[]string{`(/home/postcode): widget "postcode" needs a pattern`}},
		{"integer on a number", func(d map[string]any) { prop(d, "kids", "age")["type"] = "number" },
			[]string{`(/kids/age): widget "integer" needs a schema of type "integer"`}},
		{"boolean on a string", func(d map[string]any) { prop(d, "abroad")["type"] = "string" },
			[]string{`(/abroad): widget "boolean" needs a schema of type "boolean"`}},
		{"group on an array", func(d map[string]any) { prop(d, "applicant")["type"] = "array" },
			[]string{`(/applicant): widget "group" needs a schema of type "object"`}},
		{"repeat items not objects", func(d map[string]any) { prop(d, "kids")["items"] = map[string]any{"type": "string"} },
			[]string{`(/kids): widget "repeat" needs items of type "object"`}},
		{"file without format", func(d map[string]any) { delete(prop(d, "doc"), "format") },
			[]string{`(/doc): widget "file" needs format "attachment", has ""`}},
		{"photo with format signature", func(d map[string]any) { prop(d, "pic")["format"] = "signature" },
			[]string{`(/pic): widget "photo" needs format "attachment", has "signature"`}},
		{"signature without format", func(d map[string]any) { delete(prop(d, "sig"), "format") },
			[]string{`(/sig): widget "signature" needs format "signature"`}},
		{"property by $ref only", func(d map[string]any) {
			s := d["schema"].(map[string]any)
			s["$defs"] = map[string]any{"money": map[string]any{"type": "number", "multipleOf": 0.01}}
			s["properties"].(map[string]any)["amount"] = map[string]any{"$ref": "#/$defs/money"}
		}, []string{`(/amount): widget "money" needs a schema of type "number"`}},
		{"property schema true", func(d map[string]any) { d["schema"].(map[string]any)["properties"].(map[string]any)["iban"] = true },
			[]string{`step "one" field 3: the schema of "iban" must be an object that states its type`}},
		// the layout of groups, addresses and repeats
		{"address without a default property", func(d map[string]any) { delete(prop(d, "home")["properties"].(map[string]any), "city") },
			[]string{`step "one" field 4.3: key "city" is not a property of /home in the schema`}},
		{"group child not in the schema", func(d map[string]any) {
			f := fieldIn(d, 0, 4, 1)
			f["fields"] = append(f["fields"].([]any), map[string]any{"key": "fax", "widget": "phone", "label": map[string]any{"de": "Fax"}})
		}, []string{`step "one" field 5.2.3: key "fax" is not a property of /applicant/contact in the schema`}},
		{"repeat child not in the items", func(d map[string]any) {
			delete(prop(d, "kids")["items"].(map[string]any)["properties"].(map[string]any), "age")
		},
			[]string{`step "two" field 1.2: key "age" is not a property of /kids in the schema`}},
		{"key twice in a group", func(d map[string]any) {
			f := fieldIn(d, 0, 4)
			f["fields"] = append(f["fields"].([]any), map[string]any{"key": "name", "widget": "text", "label": map[string]any{"de": "Name"}})
		}, []string{`step "one" field 5.3: key "name" is placed twice`}},
		{"repeat without fields", func(d map[string]any) { delete(fieldIn(d, 1, 0), "fields") },
			[]string{`step "two" field 1: repeat "kids" has no fields`}},
		{"group without fields", func(d map[string]any) { delete(fieldIn(d, 0, 4, 1), "fields") },
			[]string{`step "one" field 5.2: group "contact" has no fields`}},
		{"fields on a text field", func(d map[string]any) {
			fieldIn(d, 0, 2)["fields"] = []any{map[string]any{"key": "x", "widget": "text"}}
		},
			[]string{`step "one" field 3: only group, repeat and address fields hold fields`}},
		{"child without label", func(d map[string]any) { delete(fieldIn(d, 1, 0, 1), "label") },
			[]string{`step "two" field 1.2: label is missing`}},
		{"child with unknown widget", func(d map[string]any) { fieldIn(d, 1, 0, 1)["widget"] = "slider" },
			[]string{`step "two" field 1.2: unknown widget "slider"`}},
		{"options on a text field", func(d map[string]any) { fieldIn(d, 0, 2)["options"] = []any{map[string]any{"value": "x"}} },
			[]string{`(/iban): options are for choice and multi fields only`}},
		{"maxSize above the upload limit", func(d map[string]any) { fieldIn(d, 1, 1)["maxSize"] = 20 << 20 },
			[]string{`step "two" field 2: maxSize 20971520 must be between 0 and 10485760 bytes`}},
		{"accept on a text field", func(d map[string]any) { fieldIn(d, 0, 2)["accept"] = []any{"image/*"} },
			[]string{`step "one" field 3: accept and maxSize are for file and photo fields only`}},
		{"accept not a media type", func(d map[string]any) { fieldIn(d, 1, 1)["accept"] = []any{"pdf", "*/pdf"} },
			[]string{`accept "pdf" is not a media type`, `accept "*/pdf" is not a media type`}},
		{"step without title", func(d map[string]any) { delete(d["steps"].([]any)[1].(map[string]any), "title") },
			[]string{`step "two": title is missing`}},
		// conditions
		{"condition on an unknown field", func(d map[string]any) {
			fieldIn(d, 0, 2)["showWhen"] = map[string]any{"field": "/nope", "notEmpty": true}
		},
			[]string{`step "one" field 3: showWhen: field "/nope" is not in the form`}},
		{"relative condition outside its object", func(d map[string]any) {
			fieldIn(d, 0, 4, 0)["showWhen"] = map[string]any{"field": "amount", "notEmpty": true}
		},
			[]string{`step "one" field 5.1: showWhen: field "amount" is not in /applicant`}},
		{"absolute condition into a repeat", func(d map[string]any) {
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/kids/stage", "equals": "school"}
		}, []string{`field "/kids/stage" lies inside the repeat /kids`}},
		{"absolute condition into a text", func(d map[string]any) {
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/iban/x", "notEmpty": true}
		},
			[]string{`field "/iban/x" is not in the form (/iban holds no fields)`}},
		{"condition with two tests", func(d map[string]any) {
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/abroad", "equals": true, "notEmpty": true}
		}, []string{`step "two" field 2: showWhen: the condition on "/abroad" needs exactly one test (equals, in or notEmpty), has 2`}},
		{"condition without a test", func(d map[string]any) { fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/abroad"} },
			[]string{`needs exactly one test (equals, in or notEmpty), has 0`}},
		{"condition without a field", func(d map[string]any) { fieldIn(d, 1, 1)["showWhen"] = map[string]any{"equals": true} },
			[]string{`step "two" field 2: showWhen: the condition names no field`}},
		{"condition with a field and all", func(d map[string]any) {
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/abroad", "equals": true, "all": []any{map[string]any{"field": "/abroad", "equals": true}}}
		}, []string{`a condition either tests a field or combines conditions with all or any, not both`}},
		{"condition with all and any", func(d map[string]any) {
			c := map[string]any{"field": "/abroad", "equals": true}
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"all": []any{c}, "any": []any{c}}
		}, []string{`not both`}},
		{"empty all", func(d map[string]any) { fieldIn(d, 1, 1)["showWhen"] = map[string]any{"all": []any{}} },
			[]string{`all or any lists no conditions`}},
		{"null inside any", func(d map[string]any) { fieldIn(d, 1, 1)["showWhen"] = map[string]any{"any": []any{nil}} },
			[]string{`step "two" field 2: showWhen.any[0]: empty condition`}},
		{"problem inside all", func(d map[string]any) {
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"all": []any{
				map[string]any{"field": "/abroad", "equals": true}, map[string]any{"field": "/nix", "notEmpty": true}}}
		}, []string{`step "two" field 2: showWhen.all[1]: field "/nix" is not in the form`}},
		{"empty in", func(d map[string]any) { fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/iban", "in": []any{}} },
			[]string{`in lists no values`}},
		{"equals a value that is no option", func(d map[string]any) {
			fieldIn(d, 1, 0, 3)["showWhen"] = map[string]any{"field": "stage", "equals": "uni"}
		}, []string{`step "two" field 1.4: showWhen: uni is not an option of /kids/stage`}},
		{"in a value that is no option", func(d map[string]any) {
			fieldIn(d, 1, 0, 3)["showWhen"] = map[string]any{"field": "stage", "in": []any{"school", 2}}
		}, []string{`2 is not an option of /kids/stage`}},
		{"yes/no compared with text", func(d map[string]any) {
			d["steps"].([]any)[3].(map[string]any)["showWhen"] = map[string]any{"field": "/abroad", "equals": "yes"}
		},
			[]string{`step "four": showWhen: /abroad is a yes/no field, compare it with true or false, not yes`}},
		{"condition on itself", func(d map[string]any) {
			fieldIn(d, 0, 2)["showWhen"] = map[string]any{"field": "/iban", "notEmpty": true}
		},
			[]string{`conditions go round in a circle: /iban -> /iban`}},
		{"group shown by its own child", func(d map[string]any) {
			fieldIn(d, 0, 4, 1)["showWhen"] = map[string]any{"field": "contact/email", "notEmpty": true}
		}, []string{`conditions go round in a circle: /applicant/contact -> /applicant/contact/email -> /applicant/contact`}},
		{"two fields showing each other", func(d map[string]any) {
			fieldIn(d, 0, 2)["showWhen"] = map[string]any{"field": "/doc", "notEmpty": true}
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/iban", "notEmpty": true}
		}, []string{`conditions go round in a circle: /iban -> /doc -> /iban`}},
		{"step shown by a field on it", func(d map[string]any) {
			d["steps"].([]any)[3].(map[string]any)["showWhen"] = map[string]any{"field": "/country", "notEmpty": true}
		},
			[]string{`conditions go round in a circle: /country -> /country`}},
		{"conditional field always required", func(d map[string]any) {
			fieldIn(d, 0, 0)["showWhen"] = map[string]any{"field": "/abroad", "equals": true}
		},
			[]string{`step "one" field 1: field "amount" is shown only under a condition, but the schema always requires it`}},
		{"conditional step field always required", func(d map[string]any) {
			s := d["schema"].(map[string]any)
			s["required"] = append(s["required"].([]any), "country")
		}, []string{`step "four": field "country" is on a step shown only under a condition, but the schema always requires it`}},
		{"condition on an info text", func(d map[string]any) {
			fs := d["steps"].([]any)[2].(map[string]any)
			fs["fields"] = append(fs["fields"].([]any), map[string]any{"widget": "info", "label": map[string]any{"de": "Hinweis"},
				"showWhen": map[string]any{"field": "/nope", "notEmpty": true}})
		}, []string{`step "three" field 3: showWhen: field "/nope" is not in the form`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := nestedDef()
			tt.edit(d)
			f, err := formschema.Parse(encode(t, d))
			if f != nil {
				t.Errorf("Parse() form = %v, want nil", f.Def.ID)
			}
			var de *formschema.DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("Parse() error = %v (%T), want *formschema.DefinitionError", err, err)
			}
			for _, w := range tt.want {
				if !anyContains(de.Problems, w) {
					t.Errorf("Problems = %q, want one containing %q", de.Problems, w)
				}
			}
		})
	}
}

// TestCompileReportsAllProblemsAtOnce: problems of the layout, the schema
// match and the conditions come together in one DefinitionError.
func TestCompileReportsAllProblemsAtOnce(t *testing.T) {
	d := nestedDef()
	delete(prop(d, "amount"), "multipleOf")
	delete(fieldIn(d, 1, 0, 1), "label")
	fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/nope", "notEmpty": true}
	d["steps"].([]any)[3].(map[string]any)["showWhen"] = map[string]any{"field": "/abroad"}
	_, err := formschema.Parse(encode(t, d))
	var de *formschema.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("Parse() error = %v (%T), want *formschema.DefinitionError", err, err)
	}
	want := []string{`needs multipleOf 0.01`, `field 1.2: label is missing`, `field "/nope" is not in the form`, `has 0`}
	for _, w := range want {
		if !anyContains(de.Problems, w) {
			t.Errorf("Problems = %q, want one containing %q", de.Problems, w)
		}
	}
	if got := len(de.Problems); got != len(want) {
		t.Errorf("len(Problems) = %d (%q), want %d", got, de.Problems, len(want))
	}
}

// TestCompileAcceptsConditions: the condition forms that are allowed
// compile.
func TestCompileAcceptsConditions(t *testing.T) {
	tests := []struct {
		name string
		edit func(d map[string]any)
	}{
		{"in on a choice inside the item", func(d map[string]any) {
			fieldIn(d, 1, 0, 3)["showWhen"] = map[string]any{"field": "stage", "in": []any{"school"}}
		}},
		{"absolute pointer into nested groups", func(d map[string]any) {
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/applicant/contact/email", "notEmpty": true}
		}},
		{"relative pointer into a group", func(d map[string]any) {
			fieldIn(d, 0, 2)["showWhen"] = map[string]any{"field": "applicant/name", "notEmpty": true}
		}},
		{"absolute pointer from inside an item", func(d map[string]any) {
			fieldIn(d, 1, 0, 3)["showWhen"] = map[string]any{"all": []any{
				map[string]any{"field": "stage", "equals": "school"},
				map[string]any{"any": []any{map[string]any{"field": "/abroad", "equals": false}, map[string]any{"field": "/amount", "in": []any{1, 2.5}}}},
			}}
		}},
		{"the repeat itself", func(d map[string]any) {
			fieldIn(d, 1, 1)["showWhen"] = map[string]any{"field": "/kids", "notEmpty": true}
		}},
		{"equals false", func(d map[string]any) {
			d["steps"].([]any)[3].(map[string]any)["showWhen"] = map[string]any{"field": "/abroad", "equals": false}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := nestedDef()
			tt.edit(d)
			if _, err := formschema.Parse(encode(t, d)); err != nil {
				t.Errorf("Parse() error = %v, want nil", err)
			}
		})
	}
}

func TestCompileProblemsMentionTheField(t *testing.T) {
	d := nestedDef()
	prop(d, "kids", "age")["type"] = "string"
	_, err := formschema.Parse(encode(t, d))
	if err == nil || !strings.Contains(err.Error(), "/kids/age") {
		t.Errorf("Parse() error = %v, want it to name /kids/age", err)
	}
}
