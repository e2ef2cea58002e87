package photo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"testing"

	"rathaus/app/citizen"
	"rathaus/app/photo"
)

// FuzzDownscale feeds Downscale small photos with EXIF, intact and damaged,
// and whatever the fuzzer makes of them: it must never panic, and what it
// returns must hold together.
//
//	GOFLAGS=-tags=sqlite_fts5 go test -run='^$' -fuzz=FuzzDownscale -fuzztime=60s ./app/photo/
func FuzzDownscale(f *testing.F) {
	small := encodeJPEG(f, storedScene(24, 16, 1), 75)
	for o := 1; o <= 8; o++ {
		for _, bo := range orders {
			ifd0 := []field{orientationField(bo.order, uint16(o))}
			var gps []field
			if o%2 == 0 {
				gps = gpsFields(bo.order)
			}
			f.Add(withExif(small, tiffOf(bo.order, ifd0, gps)), o%3 == 0)
		}
	}
	good := tiffOf(binary.LittleEndian, []field{orientationField(binary.LittleEndian, 6)}, gpsFields(binary.LittleEndian))
	f.Add(withExif(small, good[:len(good)/2]), true)
	f.Add(withExif(small, tiffOf(binary.BigEndian, []field{{tag: 0x8825, typ: 4, count: 1, raw: u32p(8)}}, nil)), true)
	f.Add(withPNGChunk(encodePNG(f, storedScene(12, 8, 1)), "eXIf", good), true)
	f.Add(webpRed, false)
	f.Add(webpWithExif(good), true)
	f.Add(pngHeader(100000, 100000, 8, 6, 0), false)
	f.Add([]byte("not a photo"), false)

	opt := photo.Options{MaxSide: 16, MaxPixels: 1 << 20}
	causes := []error{photo.ErrNotPhoto, photo.ErrDamaged, photo.ErrFileTooLarge, photo.ErrTooManyPixels}
	f.Fuzz(func(t *testing.T, src []byte, keep bool) {
		opt := opt
		opt.KeepLocation = keep
		res, err := photo.Downscale(src, opt)
		if err != nil {
			known := false
			for _, c := range causes {
				known = known || errors.Is(err, c)
			}
			if !known || citizen.ErrorCode(err) != citizen.EINVALID {
				t.Fatalf("an error of no known cause: %v", err)
			}
			return
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(res.JPEG))
		if err != nil {
			t.Fatalf("the output is no JPEG: %v", err)
		}
		if cfg.Width != res.Width || cfg.Height != res.Height || max(res.Width, res.Height) > opt.MaxSide || min(res.Width, res.Height) < 1 {
			t.Fatalf("output %dx%d, Result %dx%d, MaxSide %d", cfg.Width, cfg.Height, res.Width, res.Height, opt.MaxSide)
		}
		hasExif := bytes.Contains(res.JPEG[:min(len(res.JPEG), 600)], []byte("Exif\x00\x00"))
		if hasExif != res.LocationKept || (res.LocationKept && (!keep || res.Location == nil)) {
			t.Fatalf("EXIF in the output: %v, LocationKept %v, Location %v, KeepLocation %v", hasExif, res.LocationKept, res.Location, keep)
		}
		if res.LocationKept {
			again, err := photo.Downscale(res.JPEG, opt)
			if err != nil || !again.LocationKept || *again.Location != *res.Location || again.Width != res.Width || again.Height != res.Height {
				t.Fatalf("the output does not read back: %v, %v, %v", err, again.Location, res.Location)
			}
		}
	})
}
