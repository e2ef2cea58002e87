package xdatenfelder

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"rathaus/api"
)

// FIM rules (Regeln) are free text for people plus, sometimes, a script in
// an unspecified JavaScript dialect. Only the common activation pattern of
// the free text is mapped, sentence by sentence, all or nothing:
//
//	WENN Datenfeld F00000003445 "Abweichende Ausgabestelle" = JA,
//	DANN aktiviere Datenfeldgruppe G00000002211 "Sitz der Ausgabestelle".
//
// The target gets a showWhen condition; if it was required, its
// required-ness moves into an if/then of the schema, so that a hidden
// target does not block sending. Every other rule is reported, not mapped.

const quoted = `(?:"[^"]*"|'[^']*'|„[^“”]*[“”]|“[^”]*”|‚[^‘’]*[‘’])`

var (
	reWenn   = regexp.MustCompile(`(?i)\bwenn\b`)
	reClause = regexp.MustCompile(`(?is)^wenn\s+(?:das\s+)?datenfeld\s+(F[0-9]+)\s*(?:` + quoted + `\s*)?=\s*(` + quoted + `|[^\s,]+)\s*(` + quoted + `)?\s*,?\s*dann\s+(.*)$`)
	reAction = regexp.MustCompile(`(?i)\b(aktiviere|deaktiviere)\s+(?:(?:das|die|den)\s+)?(datenfeldgruppe|datenfeld)\s+([FG][0-9]+)\s*(?:` + quoted + `)?`)
	reFiller = regexp.MustCompile(`(?i)\bund\b|[\s,.;]`)
)

type clause struct {
	source    string
	value     string // the value token, unquoted
	valueName string // the quoted name after the value, unquoted
	actions   []action
}

type action struct {
	activate bool
	target   string
}

var errNotActivation = errors.New("the text is not in the form the importer maps: WENN Datenfeld F… = value, DANN (de)aktiviere Datenfeld[gruppe] …")

// parseActivation parses a rule text made only of activation sentences.
func parseActivation(text string) ([]clause, error) {
	text = strings.TrimSpace(text)
	locs := reWenn.FindAllStringIndex(text, -1)
	if len(locs) == 0 || strings.TrimSpace(text[:locs[0][0]]) != "" {
		return nil, errNotActivation
	}
	var out []clause
	for i, loc := range locs {
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		m := reClause.FindStringSubmatch(strings.TrimSpace(text[loc[0]:end]))
		if m == nil {
			return nil, errNotActivation
		}
		cl := clause{source: m[1], value: unquote(m[2]), valueName: unquote(m[3])}
		rest := m[4]
		for _, a := range reAction.FindAllStringSubmatch(rest, -1) {
			cl.actions = append(cl.actions, action{activate: strings.EqualFold(a[1], "aktiviere"), target: strings.ToUpper(a[3])})
		}
		if len(cl.actions) == 0 || reFiller.ReplaceAllString(reAction.ReplaceAllString(rest, ""), "") != "" {
			return nil, errNotActivation
		}
		out = append(out, cl)
	}
	return out, nil
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	for _, q := range []string{`""`, `''`, `„“`, `„”`, `“”`, `‚‘`, `‚’`} {
		open, close := string([]rune(q)[0]), string([]rune(q)[1])
		if strings.HasPrefix(s, open) && strings.HasSuffix(s, close) && len(s) >= len(open)+len(close) {
			return strings.TrimSpace(s[len(open) : len(s)-len(close)])
		}
	}
	return s
}

// allRules returns the rules in document order, each once (a group used
// twice carries its rules twice).
func (c *converter) allRules() []*rule {
	var out []*rule
	seen := map[string]bool{}
	add := func(rs []*rule) {
		for _, r := range rs {
			k := r.id + "@" + r.version
			if r.id != "" && seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, r)
		}
	}
	add(c.s.rules)
	var walk func([]*element)
	walk = func(es []*element) {
		for _, e := range es {
			add(e.rules)
			walk(e.children)
		}
	}
	walk(c.s.children)
	return out
}

func (c *converter) applyRules() {
	for _, r := range c.allRules() {
		where := r.path
		if r.id != "" {
			where += "/" + r.id
		}
		title := fmt.Sprintf("rule %q", abbreviate(firstNonEmpty(r.name, r.id, "(unnamed)"), 60))
		plan, err := c.planRule(r)
		if err != nil {
			why := err.Error()
			if scripted(r.script) {
				why += "; its script is not run"
			}
			what := title
			if r.text != "" {
				what += ": " + abbreviate(r.text, 200)
			}
			c.rep.add(NotMapped, where, "", what, why)
			continue
		}
		for _, step := range plan {
			step.apply()
			c.rep.add(Mapped, where, step.pointer, title+" -> "+step.describe, "")
		}
	}
}

// scripted reports whether a rule's script does something (FIM 2 exports
// often carry an empty "function script() {}").
func scripted(s string) bool {
	t := strings.Join(strings.Fields(s), "")
	return t != "" && t != "functionscript(){}"
}

// ruleStep is one target's condition, ready to apply.
type ruleStep struct {
	pointer  string
	describe string
	apply    func()
}

// planRule checks that the rule maps completely and returns what to do; it
// changes nothing.
func (c *converter) planRule(r *rule) ([]ruleStep, error) {
	if r.text == "" {
		return nil, errors.New("the rule has no free text")
	}
	clauses, err := parseActivation(r.text)
	if err != nil {
		return nil, err
	}
	srcID := clauses[0].source
	for _, cl := range clauses {
		if cl.source != srcID {
			return nil, errors.New("its sentences test different fields")
		}
	}
	src, err := c.unique(srcID)
	if err != nil {
		return nil, err
	}
	if src.key == "" {
		return nil, fmt.Errorf("the condition's field %s has no value", srcID)
	}
	var domain []any
	switch src.widget {
	case api.WidgetBoolean:
		domain = []any{true, false}
	case api.WidgetChoice:
		for _, v := range src.enum {
			domain = append(domain, v)
		}
	case api.WidgetMulti:
		return nil, fmt.Errorf("the condition's field %s allows several choices (multi); a condition on it cannot be expressed", srcID)
	default:
		return nil, fmt.Errorf("the condition's field %s is a %s, not yes/no or a choice with known values", srcID, src.widget)
	}
	// Per target: the values that show it, and those that hide it.
	type sets struct{ on, off []any }
	targets := map[string]*sets{}
	var order []string
	for _, cl := range clauses {
		v, ok := c.value(src, cl)
		if !ok {
			return nil, fmt.Errorf("the value %q is not one of %s's values", cl.value, srcID)
		}
		for _, a := range cl.actions {
			t := targets[a.target]
			if t == nil {
				t = &sets{}
				targets[a.target] = t
				order = append(order, a.target)
			}
			if a.activate {
				t.on = appendUnique(t.on, v)
			} else {
				t.off = appendUnique(t.off, v)
			}
		}
	}

	var plan []ruleStep
	for _, tid := range order {
		t := targets[tid]
		var show []any
		if len(t.on) > 0 {
			for _, v := range t.on {
				if !containsAny(t.off, v) {
					show = append(show, v)
				}
			}
		} else {
			for _, v := range domain {
				if !containsAny(t.off, v) {
					show = append(show, v)
				}
			}
		}
		if len(show) == 0 {
			return nil, fmt.Errorf("%s would never be shown", tid)
		}
		tgt, err := c.unique(tid)
		if err != nil {
			return nil, err
		}
		if tgt == src || strings.HasPrefix(src.el.path+"/", tgt.el.path+"/") {
			return nil, fmt.Errorf("%s is the condition's field or holds it", tid)
		}
		step, err := c.planTarget(src, tgt, show)
		if err != nil {
			return nil, err
		}
		plan = append(plan, step)
	}
	return plan, nil
}

// unique finds the one place an element landed.
func (c *converter) unique(id string) (*placed, error) {
	ps := c.byID[id]
	switch len(ps) {
	case 0:
		return nil, fmt.Errorf("%s is not in the form (unknown or not mapped)", id)
	case 1:
		return ps[0], nil
	}
	return nil, fmt.Errorf("%s occurs %d times in the schema, so the rule is ambiguous", id, len(ps))
}

func (c *converter) value(src *placed, cl clause) (any, bool) {
	if src.widget == api.WidgetBoolean {
		switch strings.ToLower(cl.value) {
		case "ja", "true", "wahr", "1":
			return true, true
		case "nein", "false", "falsch", "0":
			return false, true
		}
		return nil, false
	}
	for _, code := range src.enum {
		if code == cl.value {
			return code, true
		}
	}
	// "= 'Bestellung'": a value given by its name.
	for _, o := range src.fn.f.Options {
		if o.Label.In("de") == cl.value {
			return o.Value, true
		}
	}
	return nil, false
}

// planTarget prepares the condition on one target.
func (c *converter) planTarget(src, tgt *placed, show []any) (ruleStep, error) {
	cond := &api.Condition{}
	if len(show) == 1 {
		cond.Equals = show[0]
	} else {
		cond.In = show
	}
	// Which required keys the condition must release, and in which object.
	type req struct {
		obj *object
		key string
	}
	var reqs []req
	var pointer string
	var attach func()
	if tgt.step != nil {
		if hasArray(src.obj.path) {
			return ruleStep{}, fmt.Errorf("the step %q would depend on a field inside a repeat", tgt.step.id)
		}
		cond.Field = src.obj.pointer(src.key)
		pointer = "step " + tgt.step.id
		st := tgt.step
		attach = func() { st.showWhen = append(st.showWhen, cond) }
		if tgt.flat != nil || tgt.key == "" {
			for _, ch := range tgt.flat {
				if ch.required && ch.key != "" {
					reqs = append(reqs, req{ch.obj, ch.key})
				}
			}
		} else if tgt.required {
			reqs = append(reqs, req{tgt.obj, tgt.key})
		}
	} else {
		switch {
		case src.obj == tgt.obj:
			cond.Field = src.key
		case !hasArray(src.obj.path):
			cond.Field = src.obj.pointer(src.key)
		default:
			return ruleStep{}, fmt.Errorf("%s is inside a repeat, out of reach of %s", src.el.id, tgt.el.id)
		}
		pointer = tgt.obj.pointer(tgt.key)
		if tgt.key == "" {
			pointer = tgt.obj.pointer("(info)")
		}
		fn := tgt.fn
		attach = func() { fn.showWhen = append(fn.showWhen, cond) }
		if tgt.required {
			reqs = append(reqs, req{tgt.obj, tgt.key})
		}
	}
	// The if/then clauses live in the nearest object that holds both the
	// condition's field and the target, reached without crossing a repeat.
	var clauses []func()
	for _, rq := range reqs {
		lca, toSrc, toTgt := commonObject(src.obj, rq.obj)
		if lca == nil || hasArray(toSrc) || hasArray(toTgt) {
			return ruleStep{}, fmt.Errorf("the required field %s is out of reach of %s for a conditional requirement", rq.obj.pointer(rq.key), src.el.id)
		}
		rq := rq
		ifs := nest(toSrc, newOmap("properties", newOmap(src.key, constraint(show)), "required", []string{src.key}), true)
		then := nest(toTgt, newOmap("required", []string{rq.key}), false)
		clauses = append(clauses, func() {
			rq.obj.unrequire(rq.key)
			lca.allOf = append(lca.allOf, newOmap("if", ifs, "then", then))
		})
	}
	describe := fmt.Sprintf("shown when %s %s", cond.Field, condText(show))
	if len(reqs) > 0 {
		describe += fmt.Sprintf("; %d required field(s) required only then", len(reqs))
	}
	return ruleStep{pointer: pointer, describe: describe, apply: func() {
		attach()
		for _, f := range clauses {
			f()
		}
	}}, nil
}

func constraint(show []any) *omap {
	if len(show) == 1 {
		return newOmap("const", show[0])
	}
	return newOmap("enum", show)
}

func condText(show []any) string {
	if len(show) == 1 {
		return fmt.Sprintf("= %v", show[0])
	}
	parts := make([]string, len(show))
	for i, v := range show {
		parts[i] = fmt.Sprint(v)
	}
	return "in [" + strings.Join(parts, ", ") + "]"
}

// nest wraps a schema so that it applies at path below the current object.
func nest(path []string, inner *omap, require bool) *omap {
	for i := len(path) - 1; i >= 0; i-- {
		m := newOmap("properties", newOmap(path[i], inner))
		if require {
			m.set("required", []string{path[i]})
		}
		inner = m
	}
	return inner
}

// commonObject finds the nearest object holding both a and b, and the key
// paths from it down to each.
func commonObject(a, b *object) (*object, []string, []string) {
	n := 0
	for n < len(a.path) && n < len(b.path) && a.path[n] == b.path[n] {
		n++
	}
	lca := a
	for lca != nil && len(lca.path) > n {
		lca = lca.parent
	}
	if lca == nil || len(lca.path) != n {
		return nil, nil, nil
	}
	return lca, a.path[n:], b.path[n:]
}

func hasArray(path []string) bool {
	for _, s := range path {
		if s == "*" {
			return true
		}
	}
	return false
}

func appendUnique(vs []any, v any) []any {
	if containsAny(vs, v) {
		return vs
	}
	return append(vs, v)
}

func containsAny(vs []any, v any) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
