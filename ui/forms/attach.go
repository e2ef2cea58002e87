package forms

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/fill"
	"rathaus/app/photo"
	"rathaus/ui/kit"
)

// renderAttachment shows a file or photo field: what is attached, and
// buttons to choose a file and to remove it. A photo is downscaled on the
// device before it is stored (and later sent); its location goes along
// only when the citizen ticks the box.
func (fs *FormScreen) renderAttachment(fd *api.Field, p string) *fieldInput {
	current := kit.Wrapped("")
	var keepLocation *kit.Check
	var locationView fyne.CanvasObject
	chooseText := lang.L("Choose a file…")
	if fd.Widget == api.WidgetPhoto {
		chooseText = lang.L("Choose a photo…")
		var view fyne.CanvasObject
		keepLocation, view = kit.NewCheck(lang.L("Send the place where the photo was taken"), false, nil)
		locationView = view
	}
	remove := kit.NewButton(lang.L("Remove"), theme.DeleteIcon(), nil)
	remove.Importance = widget.LowImportance
	var fi *fieldInput
	choose := kit.NewButton(chooseText, theme.FolderOpenIcon(), func() { fs.onChooseFile(fd, fi) })

	show := func() {
		var a api.Attachment
		v, ok := fs.state.Value(p)
		if ok && fill.FromValue(v, &a) == nil && a.Name != "" {
			current.SetText(fmt.Sprintf("%s (%s)", a.Name, sizeText(a.Size)))
			remove.Show()
			return
		}
		current.SetText(lang.L("Nothing attached yet."))
		remove.Hide()
	}
	view := container.NewVBox(current, container.NewHBox(choose, remove))
	if keepLocation != nil {
		view.Add(locationView)
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
		_ = fs.flush() // the file is gone: so must its mention be
		show()
	}
	show()
	return fi
}

// onChooseFile opens the platform's file dialog for a field.
func (fs *FormScreen) onChooseFile(fd *api.Field, fi *fieldInput) {
	limit := maxSize(fd)
	d := kit.NewFileOpen(func(r fyne.URIReadCloser, err error) {
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
	}, fs.area.Window)
	if exts := extensions(fd); len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.Show()
}

// attach checks a picked file against the field, downscales a photo,
// stores it sealed with the draft and puts its description in the data
// (replacing, and deleting, what was attached before).
func (fs *FormScreen) attach(fd *api.Field, p, name string, data []byte, keepLocation bool) error {
	mediaType := http.DetectContentType(data)
	if i := strings.IndexByte(mediaType, ';'); i >= 0 {
		mediaType = mediaType[:i]
	}
	if fd.Widget == api.WidgetPhoto {
		res, err := photo.Downscale(data, photo.Options{KeepLocation: keepLocation})
		if err != nil {
			return errorFor(err)
		}
		data, mediaType = res.JPEG, "image/jpeg"
		name = strings.TrimSuffix(name, path.Ext(name)) + ".jpg"
	}
	if int64(len(data)) > maxSize(fd) {
		return textError(lang.L("The file is larger than the {{.Size}} allowed here.", map[string]any{"Size": sizeText(maxSize(fd))}))
	}
	if !accepted(mediaType, fd.Accept) {
		return textError(lang.L("This kind of file is not accepted here. Allowed: {{.Types}}.", map[string]any{"Types": strings.Join(fd.Accept, ", ")}))
	}
	ctx, cancel := fs.area.ctx()
	defer cancel()
	a, err := fs.area.Store.AddAttachment(ctx, fs.state.Draft().ID, name, mediaType, data)
	if err != nil {
		return errorFor(err)
	}
	fs.detach(p)
	fs.onChange(p, fill.ToValue(a))
	_ = fs.flush() // the old file is gone, the new one stored: so must the draft say
	return nil
}

// detach deletes the file the field held, if any.
func (fs *FormScreen) detach(p string) {
	var old api.Attachment
	if v, ok := fs.state.Value(p); ok && fill.FromValue(v, &old) == nil && old.ID != "" {
		ctx, cancel := fs.area.ctx()
		defer cancel()
		_ = fs.area.Store.DeleteAttachment(ctx, old.ID) // a leftover file only costs space
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
		return kit.Number(float64(n)/(1<<20), 1) + " MB"
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
