package reports

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"rathaus/app/photo"
)

// withGPS puts an EXIF segment with a GPS position (degrees, minutes,
// seconds; north and east) into a JPEG, as a phone's camera does.
func withGPS(t *testing.T, jpg []byte, lat, long float64) []byte {
	t.Helper()
	le := binary.LittleEndian
	tiff := make([]byte, 128)
	copy(tiff, "II")
	le.PutUint16(tiff[2:], 42)
	le.PutUint32(tiff[4:], 8)
	entry := func(at int, tag, typ uint16, count, value uint32) {
		le.PutUint16(tiff[at:], tag)
		le.PutUint16(tiff[at+2:], typ)
		le.PutUint32(tiff[at+4:], count)
		le.PutUint32(tiff[at+8:], value)
	}
	le.PutUint16(tiff[8:], 1)
	entry(10, 0x8825, 4, 1, 26) // IFD0: the GPS IFD at 26
	le.PutUint16(tiff[26:], 4)
	entry(28, 0x0001, 2, 2, uint32('N'))
	entry(40, 0x0002, 5, 3, 80)
	entry(52, 0x0003, 2, 2, uint32('E'))
	entry(64, 0x0004, 5, 3, 104)
	dms := func(at int, deg float64) {
		d := math.Floor(deg)
		m := math.Floor((deg - d) * 60)
		sec := ((deg-d)*60 - m) * 60
		for i, v := range [][2]uint32{{uint32(d), 1}, {uint32(m), 1}, {uint32(math.Round(sec * 1000)), 1000}} {
			le.PutUint32(tiff[at+8*i:], v[0])
			le.PutUint32(tiff[at+8*i+4:], v[1])
		}
	}
	dms(80, lat)
	dms(104, long)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(app1)+2))
	out := append([]byte{}, jpg[:2]...) // SOI
	out = append(out, seg...)
	out = append(out, app1...)
	return append(out, jpg[2:]...)
}

// TestPhotoPosition: with the citizen's leave, a photo's position becomes
// the place; the photo kept for the report carries no position; a photo
// taken elsewhere is refused as a place.
func TestPhotoPosition(t *testing.T) {
	r := newRig(t)
	s := r.screen
	jpg := withGPS(t, jpegPhoto(t), 50.9413, 6.9583)
	if res, err := photo.Downscale(jpg, photo.Options{KeepLocation: true}); err != nil || res.Location == nil {
		t.Fatalf("the test's photo has no position: %v", err)
	}

	s.AddPhoto(jpg) // not allowed: the place stays open
	if s.where != nil {
		t.Errorf("the photo's position was used without leave")
	}
	s.useExif.SetChecked(true)
	s.AddPhoto(jpg)
	if s.where == nil || math.Abs(s.where.lat-50.9413) > 1e-4 || math.Abs(s.where.long-6.9583) > 1e-4 ||
		!strings.Contains(s.placeMsg.Text, "(from the photo)") {
		t.Fatalf("place = %+v, %q", s.where, s.placeMsg.Text)
	}
	for i, p := range s.photos {
		if res, err := photo.Downscale(p.Data, photo.Options{KeepLocation: true}); err != nil || res.Location != nil {
			t.Errorf("photo %d kept for the report carries a position (%v)", i, err)
		}
	}
	s.AddPhoto(withGPS(t, jpegPhoto(t), 52.5163, 13.3777)) // Berlin
	if s.where != nil || !strings.Contains(s.placeMsg.Text, "outside Musterstadt") {
		t.Errorf("a photo from Berlin: place %+v, %q", s.where, s.placeMsg.Text)
	}
}
