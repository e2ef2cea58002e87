package reports

// The place of a report: the street directory searched as the citizen
// types, coordinates typed, or a photo's position; and the photos.

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/photo"
	"rathaus/app/store"
	"rathaus/ui/kit"
)

// onSearch lists the addresses the text names, as the citizen types.
func (s *Screen) onSearch(text string) {
	s.results.RemoveAll()
	if len([]rune(strings.TrimSpace(text))) < 3 {
		return
	}
	found := s.streets.Search(text)
	if len(found) == 0 {
		s.results.Add(kit.Wrapped(lang.L("No street of that name. Check the spelling, or type the coordinates.")))
	}
	for i, a := range found {
		if i == 5 {
			break
		}
		label := a.Label()
		if a.Street.District != "" {
			label += " (" + a.Street.District + ")"
		}
		s.results.Add(kit.NewWrapButton(label, nil, func() { s.onPickAddress(a) }))
	}
}

// onSearchEscape: Escape (or the back key) in the street search first
// closes the addresses listed under it, keeping what was typed; without
// them it goes to the window (back).
func (s *Screen) onSearchEscape() bool {
	if len(s.results.Objects) == 0 {
		return false
	}
	s.results.RemoveAll()
	return true
}

func (s *Screen) onPickAddress(a citizen.Address) {
	s.results.RemoveAll()
	s.search.SetText(a.Label())
	s.results.RemoveAll() // SetText searched again
	s.setPlace(&place{lat: a.Lat, long: a.Long, address: a.Label(), addressID: a.ID()}, "")
}

func (s *Screen) onUseCoordinates() {
	la, err1 := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s.lat.Text), ",", "."), 64)
	lo, err2 := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s.long.Text), ",", "."), 64)
	if err1 != nil || err2 != nil {
		s.showProblem(lang.L("Type the coordinates as decimal degrees, e.g. 50.9413 and 6.9583."))
		return
	}
	s.setPlace(&place{lat: la, long: lo}, "")
}

// setPlace takes the place if it lies in the town; else it says why not.
func (s *Screen) setPlace(p *place, from string) {
	if !s.d.Services.Area.Contains(p.lat, p.long) {
		s.where = nil
		s.placeMsg.SetText(s.outsideText())
		s.placeMsg.Importance = widget.DangerImportance
		s.placeMsg.Refresh()
		return
	}
	s.where = p
	text := p.address
	if text == "" {
		text = fmt.Sprintf("%.5f, %.5f", p.lat, p.long)
	}
	if from != "" {
		text += " " + from
	}
	s.placeMsg.SetText(lang.L("Place: {{.Place}}", map[string]any{"Place": text}))
	s.placeMsg.Importance = widget.SuccessImportance
	s.placeMsg.Refresh()
	s.hideProblem()
	s.hideDuplicates()
}

func (s *Screen) outsideText() string {
	return lang.L("This place lies outside {{.Town}}. Reports can only be made for places in the town.", map[string]any{"Town": s.d.Streets.Town})
}

// onChoosePhoto opens the platform's file dialog for a photo.
func (s *Screen) onChoosePhoto() {
	d := kit.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, photo.DefaultMaxBytes+1))
		if err != nil {
			s.showProblem(lang.L("The file could not be read."))
			return
		}
		s.AddPhoto(data)
	}, s.d.Window)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".webp", ".gif"}))
	d.Show()
}

// AddPhoto downscales a photo and keeps it for the report; with the
// citizen's leave, its position becomes the place. The photo is kept
// without its position: it is public once the town publishes the report.
func (s *Screen) AddPhoto(data []byte) {
	if len(s.photos) >= api.MaxReportPhotos {
		s.showProblem(lang.L("A report takes at most 3 photos."))
		return
	}
	res, err := photo.Downscale(data, photo.Options{})
	if err != nil {
		s.showProblem(kit.ErrorText(err))
		return
	}
	s.photos = append(s.photos, store.NewReportPhoto{Type: "image/jpeg", Data: res.JPEG})
	s.showPhotos()
	s.hideProblem()
	if !s.useExif.Checked {
		return
	}
	withPos, err := photo.Downscale(data, photo.Options{KeepLocation: true, MaxSide: 64})
	if err != nil || withPos.Location == nil {
		s.placeMsg.SetText(lang.L("The photo has no position. Search the street or type the coordinates."))
		s.placeMsg.Importance = widget.WarningImportance
		s.placeMsg.Refresh()
		return
	}
	s.setPlace(&place{lat: withPos.Location.Latitude, long: withPos.Location.Longitude}, lang.L("(from the photo)"))
}

func (s *Screen) showPhotos() {
	if len(s.photos) == 0 {
		s.photoList.SetText(lang.L("No photo."))
	} else {
		s.photoList.SetText(lang.L("Photos added: {{.Count}}", map[string]any{"Count": len(s.photos)}))
	}
	if len(s.photos) >= api.MaxReportPhotos {
		s.addPhoto.Disable()
	} else {
		s.addPhoto.Enable()
	}
}
