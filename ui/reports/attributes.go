package reports

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/ui/kit"
)

// attrInput is the input of one attribute of a category: its answer as
// Open311 takes it (a list of value keys, or one text).
type attrInput struct {
	attr   api.ReportAttribute
	view   fyne.CanvasObject
	values func() []string
}

// attributeInputs builds an input per attribute, in their order.
func attributeInputs(attrs []api.ReportAttribute) []*attrInput {
	var out []*attrInput
	for _, a := range attrs {
		in := &attrInput{attr: a}
		label := a.Description.In(kit.Lang())
		if a.Required && a.Variable {
			label += " *"
		}
		switch {
		case !a.Variable:
			l := kit.Wrapped(label)
			l.Importance = widget.WarningImportance
			in.view, in.values = l, func() []string { return nil }
		case a.Datatype == api.DatatypeSingleValueList:
			names, keys := valueNames(a)
			sel := kit.NewRadioList(names, nil)
			in.view = container.NewVBox(kit.Heading(label), sel)
			in.values = func() []string {
				for i, n := range names {
					if n == sel.Selected {
						return []string{keys[i]}
					}
				}
				return nil
			}
		case a.Datatype == api.DatatypeMultiValueList:
			names, keys := valueNames(a)
			cl := kit.NewCheckList(names, nil)
			in.view = container.NewVBox(kit.Heading(label), cl)
			in.values = func() []string {
				var out []string
				for i, n := range names {
					for _, s := range cl.Selected {
						if s == n {
							out = append(out, keys[i])
						}
					}
				}
				return out
			}
		default:
			e := kit.NewEntry()
			if a.Datatype == api.DatatypeText {
				e = kit.NewMultiLineEntry()
				e.Wrapping = fyne.TextWrapWord
			}
			e.SetPlaceHolder(a.DatatypeDescription.In(kit.Lang()))
			in.view = container.NewVBox(kit.Heading(label), e)
			in.values = func() []string {
				if v := strings.TrimSpace(e.Text); v != "" {
					return []string{v}
				}
				return nil
			}
		}
		out = append(out, in)
	}
	return out
}

func valueNames(a api.ReportAttribute) (names, keys []string) {
	for _, v := range a.Values {
		names = append(names, v.Name.In(kit.Lang()))
		keys = append(keys, v.Key)
	}
	return names, keys
}
