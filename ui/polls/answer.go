package polls

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// question is one field of the answer form and how its value is read.
type question struct {
	field api.Field
	value func() (any, bool) // ok=false: not answered
}

// onAnswer shows the poll's form: its choice, multiple-choice and text
// fields (the widgets a poll uses), holding this device's earlier answer
// if there is one. The choices wrap (kit), so that long options stay on a
// phone's screen at 200 % text size.
func (s *Screen) onAnswer(p citizen.MyPoll) {
	lng := kit.Lang()
	var qs []question
	objs := []fyne.CanvasObject{s.back(), kit.Heading(p.Poll.Title.In(lng))}
	if intro := p.Poll.Form.Intro.In(lng); intro != "" {
		objs = append(objs, kit.Wrapped(intro))
	}
	for _, st := range p.Poll.Form.Steps {
		for _, f := range st.Fields {
			var w fyne.CanvasObject
			q := question{field: f}
			labels, values := optionLabels(f, lng)
			before := p.Answer[f.Key]
			switch f.Widget {
			case api.WidgetChoice:
				r := kit.NewRadioList(labels, nil)
				if v, ok := before.(string); ok {
					if i := slices.Index(values, v); i >= 0 {
						r.SetSelected(labels[i])
					}
				}
				w, q.value = r, func() (any, bool) {
					i := slices.Index(labels, r.Selected)
					return valueAt(values, i), i >= 0
				}
			case api.WidgetMulti:
				c := kit.NewCheckList(labels, nil)
				if vs := chosenValues(before); len(vs) > 0 {
					var chosen []string
					for _, v := range vs {
						if i := slices.Index(values, v); i >= 0 {
							chosen = append(chosen, labels[i])
						}
					}
					c.SetSelected(chosen)
				}
				w, q.value = c, func() (any, bool) {
					out := []any{}
					for _, l := range c.Selected {
						out = append(out, valueAt(values, slices.Index(labels, l)))
					}
					return out, len(out) > 0
				}
			case api.WidgetText, api.WidgetTextarea:
				e := kit.NewEntry()
				e.MultiLine = f.Widget == api.WidgetTextarea
				e.Wrapping = fyne.TextWrapWord
				if v, ok := before.(string); ok {
					e.SetText(v)
				}
				w, q.value = e, func() (any, bool) { return strings.TrimSpace(e.Text), strings.TrimSpace(e.Text) != "" }
			default:
				continue // no other widget in a poll
			}
			qs = append(qs, q)
			objs = append(objs, kit.Heading(f.Label.In(lng)), w)
		}
	}
	errText := kit.Wrapped("")
	errText.Importance = widget.DangerImportance
	send := kit.NewWrapButton(lang.L("Send answer"), theme.ConfirmIcon(), func() { s.onSend(p.Poll, qs, errText) })
	send.Importance = widget.HighImportance
	s.body.Objects = append(objs, errText, send)
	s.body.Refresh()
}

// chosenValues is a multiple-choice answer's values as kept (JSON: []any).
func chosenValues(v any) []string {
	var out []string
	if vs, ok := v.([]any); ok {
		for _, x := range vs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func optionLabels(f api.Field, lng string) (labels, values []string) {
	for _, o := range f.Options {
		labels = append(labels, o.Label.In(lng))
		values = append(values, o.Value)
	}
	return labels, values
}

func valueAt(values []string, i int) any {
	if i < 0 || i >= len(values) {
		return nil
	}
	return values[i]
}

// onSend checks the answer against the poll's form, as the backend will,
// and saves and queues it; nothing typed is lost when it does not fit.
func (s *Screen) onSend(p api.Poll, qs []question, errText *widget.Label) {
	data := map[string]any{}
	for _, q := range qs {
		if v, ok := q.value(); ok {
			data[q.field.Key] = v
		}
	}
	if msg := check(p, qs, data); msg != "" {
		errText.SetText(msg)
		return
	}
	if citizen.PhaseOf(p, s.d.Now()) != citizen.PollOpen {
		errText.SetText(lang.L("This poll is closed; answers are no longer taken."))
		return
	}
	ctx, cancel := ctxShort()
	defer cancel()
	if _, err := s.d.Store.AnswerPoll(ctx, p.ID, data); err != nil {
		errText.SetText(kit.ErrorText(err))
		return
	}
	s.d.Sync.Kick()
	s.setStatus(lang.L("Thank you. Your answer is saved and goes to the town hall when there is a connection. You can change it until the poll closes."))
	s.load()
	s.showList()
}

// check names the questions the answer does not fit ("" when it fits).
func check(p api.Poll, qs []question, data map[string]any) string {
	f, err := formschema.Compile(&p.Form)
	if err != nil {
		return lang.L("This poll cannot be answered in this app.")
	}
	var names []string
	for _, e := range f.Validate(data) {
		for _, q := range qs {
			if "/"+q.field.Key == e.Pointer && !slices.Contains(names, q.field.Label.In(kit.Lang())) {
				names = append(names, q.field.Label.In(kit.Lang()))
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return lang.L("Please check your answer to: {{.Questions}}", map[string]any{"Questions": strings.Join(names, "; ")})
}
