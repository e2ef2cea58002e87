package formschema

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"

	"rathaus/api"
)

// checkCondition checks one condition (recursively) and records the fields
// it depends on for the cycle check.
func (c *compiler) checkCondition(cond *api.Condition, s condSite, where string) {
	if cond == nil {
		c.add("%s: empty condition", where)
		return
	}
	tests := 0
	if cond.Equals != nil {
		tests++
	}
	if cond.In != nil {
		tests++
	}
	if cond.NotEmpty {
		tests++
	}
	combos := 0
	if cond.All != nil {
		combos++
	}
	if cond.Any != nil {
		combos++
	}
	if combos > 0 {
		if cond.Field != "" || tests > 0 || combos > 1 {
			c.add("%s: a condition either tests a field or combines conditions with all or any, not both", where)
		}
		for i, sub := range cond.All {
			c.checkCondition(sub, s, fmt.Sprintf("%s.all[%d]", where, i))
		}
		for i, sub := range cond.Any {
			c.checkCondition(sub, s, fmt.Sprintf("%s.any[%d]", where, i))
		}
		if len(cond.All)+len(cond.Any) == 0 {
			c.add("%s: all or any lists no conditions", where)
		}
		return
	}
	if cond.Field == "" {
		c.add("%s: the condition names no field", where)
		return
	}
	if tests != 1 {
		c.add("%s: the condition on %q needs exactly one test (equals, in or notEmpty), has %d", where, cond.Field, tests)
	}
	if cond.In != nil && len(cond.In) == 0 {
		c.add("%s: in lists no values", where)
	}
	target, problem := c.resolve(cond.Field, s.scope)
	if problem != "" {
		c.add("%s: %s", where, problem)
		return
	}
	c.deps = append(c.deps, dep{from: s.self, step: s.step, to: target})
	values := cond.In
	if cond.Equals != nil {
		values = append([]any{cond.Equals}, values...)
	}
	for _, v := range values {
		switch target.field.Widget {
		case api.WidgetChoice:
			s, ok := v.(string)
			if !ok || !slices.ContainsFunc(target.field.Options, func(o api.Option) bool { return o.Value == s }) {
				c.add("%s: %v is not an option of %s", where, v, target.pointer)
			}
		case api.WidgetBoolean:
			if _, ok := v.(bool); !ok {
				c.add("%s: %s is a yes/no field, compare it with true or false, not %v", where, target.pointer, v)
			}
		}
	}
}

// resolve finds the field a condition's pointer names: absolute from the
// data's root, else relative to scope. It may pass through groups and
// addresses, not through a repeat (which field of which item?).
func (c *compiler) resolve(p string, scope *node) (*node, string) {
	cur := scope
	rel := p
	if strings.HasPrefix(p, "/") {
		cur, rel = c.f.root, p[1:]
	}
	tokens, _ := splitPointer("/" + rel)
	for i, t := range tokens {
		n := cur.byKey[t]
		if n == nil {
			where := "the form"
			if cur != c.f.root {
				where = cur.pointer
			}
			return nil, fmt.Sprintf("field %q is not in %s", p, where)
		}
		if i < len(tokens)-1 {
			switch n.field.Widget {
			case api.WidgetGroup, api.WidgetAddress:
			case api.WidgetRepeat:
				return nil, fmt.Sprintf("field %q lies inside the repeat %s; a condition inside its items names it relative to the item", p, n.pointer)
			default:
				return nil, fmt.Sprintf("field %q is not in the form (%s holds no fields)", p, n.pointer)
			}
		}
		cur = n
	}
	return cur, ""
}

// dep records that the visibility of a field (from), or of every field of
// a step (from == nil), depends on the value of another field.
type dep struct {
	from *node
	step int
	to   *node
}

// checkCycles reports fields whose visibility depends, through conditions,
// on their own: once hidden they could never be shown again.
func (c *compiler) checkCycles() {
	own := map[*node][]*node{}
	byStep := map[int][]*node{}
	for _, d := range c.deps {
		if d.from != nil {
			own[d.from] = append(own[d.from], d.to)
		} else {
			byStep[d.step] = append(byStep[d.step], d.to)
		}
	}
	// depends lists what a field's visibility depends on directly: the
	// fields its condition tests, the group or repeat around it, or (at
	// the top) the fields its step's condition tests.
	depends := func(n *node) []*node {
		out := own[n]
		if n.parent.field != nil {
			return append(out[:len(out):len(out)], n.parent)
		}
		return append(out[:len(out):len(out)], byStep[n.step]...)
	}
	const (
		white = iota
		grey
		black
	)
	color := map[*node]int{}
	var path []*node
	reported := false
	var visit func(n *node)
	visit = func(n *node) {
		color[n] = grey
		path = append(path, n)
		for _, m := range depends(n) {
			switch color[m] {
			case white:
				visit(m)
			case grey:
				if !reported {
					i := slices.Index(path, m)
					var names []string
					for _, p := range path[i:] {
						names = append(names, p.pointer)
					}
					c.add("conditions go round in a circle: %s -> %s (a field hidden by them could never be shown again)", strings.Join(names, " -> "), m.pointer)
					reported = true
				}
			}
		}
		path = path[:len(path)-1]
		color[n] = black
	}
	for _, n := range c.nodes {
		if color[n] == white {
			visit(n)
		}
	}
}

// Holds reports whether a condition holds for the data. base is the
// instance pointer of the object that holds the condition's field ("" for
// the data itself, "/members/2" inside the third item of a repeat), from
// which relative pointers start. A nil condition holds. Numbers compare by
// value whatever their Go type (1, 1.0 and json.Number("1") are equal).
func Holds(c *api.Condition, data map[string]any, base string) bool {
	if c == nil {
		return true
	}
	ok := true
	if c.Field != "" || c.Equals != nil || c.In != nil || c.NotEmpty {
		ok = holdsTest(c, data, base)
	}
	if c.All != nil {
		for _, sub := range c.All {
			ok = ok && Holds(sub, data, base)
		}
	}
	if c.Any != nil {
		anyHolds := false
		for _, sub := range c.Any {
			anyHolds = anyHolds || Holds(sub, data, base)
		}
		ok = ok && anyHolds
	}
	return ok
}

func holdsTest(c *api.Condition, data map[string]any, base string) bool {
	p := c.Field
	switch {
	case p == "":
		p = base
	case !strings.HasPrefix(p, "/"):
		p = base + "/" + p
	}
	v, ok := lookup(data, p)
	if !ok {
		return false
	}
	if c.Equals != nil && !equal(v, c.Equals) {
		return false
	}
	if c.In != nil && !slices.ContainsFunc(c.In, func(x any) bool { return equal(v, x) }) {
		return false
	}
	if c.NotEmpty || (c.Equals == nil && c.In == nil) {
		return !empty(v)
	}
	return true
}

// empty reports whether a value counts as not given: null, "", false, []
// or {}.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	}
	if l, ok := asList(v); ok {
		return len(l) == 0
	}
	if m, ok := asMap(v); ok {
		return len(m) == 0
	}
	return false
}

// equal compares two values decoded from JSON (or built by the app):
// numbers by value, lists and objects element by element.
func equal(a, b any) bool {
	if ra, ok := number(a); ok {
		rb, ok := number(b)
		return ok && ra.Cmp(rb) == 0
	}
	if _, ok := number(b); ok {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	if la, ok := asList(a); ok {
		lb, ok := asList(b)
		if !ok || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !equal(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	if ma, ok := asMap(a); ok {
		mb, ok := asMap(b)
		if !ok || len(ma) != len(mb) {
			return false
		}
		for k, va := range ma {
			vb, ok := mb[k]
			if !ok || !equal(va, vb) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// number returns a numeric value as an exact rational.
func number(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case json.Number:
		return new(big.Rat).SetString(x.String())
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case float32:
		return number(float64(x))
	case int:
		return big.NewRat(int64(x), 1), true
	case int8, int16, int32, int64:
		return big.NewRat(reflect.ValueOf(x).Int(), 1), true
	case uint, uint8, uint16, uint32, uint64:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(reflect.ValueOf(x).Uint())), true
	}
	return nil, false
}

func asList(v any) ([]any, bool) {
	if l, ok := v.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func asMap(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	out := make(map[string]any, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		out[it.Key().String()] = it.Value().Interface()
	}
	return out, true
}

// StepShown reports whether step i is shown for the data: its condition
// holds, judged on the values that are sent (Prune), so that a value the
// citizen can no longer see does not show anything. It is false for an
// index out of range.
func (f *Form) StepShown(i int, data map[string]any) bool {
	return f.Visible(data).StepShown(i)
}

// FieldShown reports whether the field an instance pointer concerns is
// shown for the data: its step's condition, its own and those of the groups
// and repeats around it hold, judged on the values that are sent (Prune).
// It is false for a pointer that names no field.
func (f *Form) FieldShown(pointer string, data map[string]any) bool {
	return f.Visible(data).FieldShown(pointer)
}

// Visible is form data as it is sent (Prune's result), made once for many
// questions about what is shown: a screen asks about each of its fields
// and every step after each change, and each question on its own would
// copy and prune the data again.
type Visible struct {
	f    *Form
	data map[string]any
}

// Visible prunes data once; the result answers for data as it is now.
func (f *Form) Visible(data map[string]any) Visible {
	return Visible{f: f, data: f.Prune(data)}
}

// Data is what is sent: the values of the shown fields. It is the
// Visible's own copy: read it, do not change it.
func (v Visible) Data() map[string]any { return v.data }

// StepShown is Form.StepShown for the data v was made of.
func (v Visible) StepShown(i int) bool {
	if i < 0 || i >= len(v.f.Def.Steps) {
		return false
	}
	return Holds(v.f.Def.Steps[i].ShowWhen, v.data, "")
}

// FieldShown is Form.FieldShown for the data v was made of.
func (v Visible) FieldShown(pointer string) bool {
	w := v.f.walk(pointer)
	if w.unknown || len(w.hops) == 0 {
		return false
	}
	return v.f.shown(w, v.data)
}

func (f *Form) shown(w walked, pruned map[string]any) bool {
	if !Holds(f.Def.Steps[w.hops[0].n.step].ShowWhen, pruned, "") {
		return false
	}
	for _, h := range w.hops {
		if !Holds(h.n.field.ShowWhen, pruned, h.base) {
			return false
		}
	}
	return true
}

// Prune returns a deep copy of data without the values of hidden steps and
// fields: what the app sends (the draft keeps everything, so that a value
// comes back when its field is shown again). Conditions are judged on the
// pruned values, so a field that depends on a hidden one is hidden too.
// Keys that are no field of the form are kept (the validator reports them).
func (f *Form) Prune(data map[string]any) map[string]any {
	out, _ := Copy(data).(map[string]any)
	if out == nil {
		return nil
	}
	// Removing a value can only hide more (no condition tests for
	// absence), so this ends after at most one pass per field.
	for f.prunePass(out) {
	}
	return out
}

func (f *Form) prunePass(root map[string]any) bool {
	changed := false
	steps := make([]bool, len(f.Def.Steps))
	for i := range f.Def.Steps {
		steps[i] = Holds(f.Def.Steps[i].ShowWhen, root, "")
	}
	var pruneObject func(obj map[string]any, parent *node, base string)
	pruneObject = func(obj map[string]any, parent *node, base string) {
		for _, n := range parent.children {
			v, ok := obj[n.field.Key]
			if !ok {
				continue
			}
			if (parent == f.root && !steps[n.step]) || !Holds(n.field.ShowWhen, root, base) {
				delete(obj, n.field.Key)
				changed = true
				continue
			}
			at := join(base, n.field.Key)
			switch n.field.Widget {
			case api.WidgetGroup, api.WidgetAddress:
				if m, ok := v.(map[string]any); ok {
					pruneObject(m, n, at)
				}
			case api.WidgetRepeat:
				if l, ok := v.([]any); ok {
					for i, item := range l {
						if m, ok := item.(map[string]any); ok {
							pruneObject(m, n, fmt.Sprintf("%s/%d", at, i))
						}
					}
				}
			}
		}
	}
	pruneObject(root, f.root, "")
	return changed
}
