package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/photo"
)

// renderAttachment shows a file or photo field: what is attached, and
// buttons to choose a file and to remove it. A photo is downscaled on the
// device before it is stored (and later sent); its location goes along
// only when the citizen ticks the box.
func (fs *formScreen) renderAttachment(fd *api.Field, p string) *fieldInput {
	current := widget.NewLabel("")
	current.Wrapping = fyne.TextWrapWord
	var keepLocation *widget.Check
	chooseText := lang.L("Choose a file…")
	if fd.Widget == api.WidgetPhoto {
		chooseText = lang.L("Choose a photo…")
		keepLocation = widget.NewCheck(lang.L("Send the place where the photo was taken"), nil)
	}
	remove := widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), nil)
	remove.Importance = widget.LowImportance
	var fi *fieldInput
	choose := widget.NewButtonWithIcon(chooseText, theme.FolderOpenIcon(), func() { fs.onChooseFile(fd, fi) })

	show := func() {
		var a api.Attachment
		v, ok := formschema.Get(fs.draft.Values, p)
		if ok && fromMap(v, &a) == nil && a.Name != "" {
			current.SetText(fmt.Sprintf("%s (%s)", a.Name, sizeText(a.Size)))
			remove.Show()
			return
		}
		current.SetText(lang.L("Nothing attached yet."))
		remove.Hide()
	}
	view := container.NewVBox(current, container.NewHBox(choose, remove))
	if keepLocation != nil {
		view.Add(keepLocation)
	}
	fi = frame(fd, p, fs.form.Required(fd), fs.lang, choose, view)
	fi.choose = func(name string, data []byte) {
		keep := keepLocation != nil && keepLocation.Checked
		if err := fs.attach(fd, p, name, data, keep); err != nil {
			fi.setError(err.Error())
			return
		}
		show()
	}
	remove.OnTapped = func() {
		fs.detach(p)
		fs.onChange(p, nil)
		show()
	}
	show()
	return fi
}

// onChooseFile opens the platform's file dialog for a field.
func (fs *formScreen) onChooseFile(fd *api.Field, fi *fieldInput) {
	limit := maxSize(fd)
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, limit+1<<20)) // photos shrink: allow some above the limit
		if err != nil {
			fi.setError(lang.L("The file could not be read."))
			return
		}
		fi.choose(r.URI().Name(), data)
	}, fs.ui.win)
	if exts := extensions(fd); len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.Show()
}

// attach checks a picked file against the field, downscales a photo,
// stores it sealed with the draft and puts its description in the data
// (replacing, and deleting, what was attached before).
func (fs *formScreen) attach(fd *api.Field, p, name string, data []byte, keepLocation bool) error {
	mediaType := http.DetectContentType(data)
	if i := strings.IndexByte(mediaType, ';'); i >= 0 {
		mediaType = mediaType[:i]
	}
	if fd.Widget == api.WidgetPhoto {
		res, err := photo.Downscale(data, photo.Options{KeepLocation: keepLocation})
		if err != nil {
			return fmt.Errorf("%s", errorText(err))
		}
		data, mediaType = res.JPEG, "image/jpeg"
		name = strings.TrimSuffix(name, path.Ext(name)) + ".jpg"
	}
	if int64(len(data)) > maxSize(fd) {
		return fmt.Errorf("%s", lang.L("The file is larger than the {{.Size}} allowed here.", map[string]any{"Size": sizeText(maxSize(fd))}))
	}
	if !accepted(mediaType, fd.Accept) {
		return fmt.Errorf("%s", lang.L("This kind of file is not accepted here. Allowed: {{.Types}}.", map[string]any{"Types": strings.Join(fd.Accept, ", ")}))
	}
	ctx, cancel := fs.ui.ctx()
	defer cancel()
	a, err := fs.ui.store.AddAttachment(ctx, fs.draft.ID, name, mediaType, data)
	if err != nil {
		return fmt.Errorf("%s", errorText(err))
	}
	fs.detach(p)
	fs.onChange(p, toMap(a))
	return nil
}

// detach deletes the file the field held, if any.
func (fs *formScreen) detach(p string) {
	var old api.Attachment
	if v, ok := formschema.Get(fs.draft.Values, p); ok && fromMap(v, &old) == nil && old.ID != "" {
		ctx, cancel := fs.ui.ctx()
		defer cancel()
		_ = fs.ui.store.DeleteAttachment(ctx, old.ID) // a leftover file only costs space
	}
}

func maxSize(fd *api.Field) int64 {
	if fd.MaxSize > 0 {
		return fd.MaxSize
	}
	return api.MaxUploadSize
}

// accepted reports whether a media type matches one of the ranges
// ("image/*", "application/pdf"); no ranges accept anything.
func accepted(mediaType string, ranges []string) bool {
	if len(ranges) == 0 {
		return true
	}
	for _, r := range ranges {
		if r == mediaType || strings.HasSuffix(r, "/*") && strings.HasPrefix(mediaType, strings.TrimSuffix(r, "*")) {
			return true
		}
	}
	return false
}

// extensions lists the file name endings of a field's media types, for the
// file dialog's filter.
func extensions(fd *api.Field) []string {
	ranges := fd.Accept
	if fd.Widget == api.WidgetPhoto && len(ranges) == 0 {
		ranges = []string{"image/*"}
	}
	var out []string
	for _, r := range ranges {
		switch r {
		case "image/*":
			out = append(out, ".jpg", ".jpeg", ".png", ".gif", ".webp")
		case "image/jpeg":
			out = append(out, ".jpg", ".jpeg")
		default:
			exts, _ := mime.ExtensionsByType(r)
			out = append(out, exts...)
		}
	}
	return out
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// toMap turns a value of the api package into the shape form data has.
func toMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// fromMap reads form data into a value of the api package.
func fromMap(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
