// Package photo prepares a photo the citizen attaches for a weak link: it
// decodes it, turns it upright by its EXIF orientation, scales it down so
// that its longest side is at most Options.MaxSide and encodes it as a JPEG
// without any metadata, unless the citizen allows the location to travel
// with it. It knows neither Fyne nor SQL.
//
// # What comes in
//
// JPEG, PNG, GIF (its first frame) and WebP, recognised by their first
// bytes, never by a file name. Anything else is ErrNotPhoto. An input larger
// than Options.MaxBytes is ErrFileTooLarge; an image with more pixels than
// Options.MaxPixels, or one whose decoder would need more than 4 bytes a
// pixel times MaxPixels of memory (16-bit PNGs, progressive JPEGs), is
// ErrTooManyPixels. Both limits are checked from the headers before anything
// is decoded, so a decompression bomb is refused without allocating it.
//
// The EXIF orientation (tag 0x0112, values 1 to 8) is read from a JPEG's
// APP1 segment, a PNG's eXIf chunk or a WebP's EXIF chunk. Damaged EXIF
// never fails a photo: whatever cannot be read counts as "upright"
// (orientation 1) and "no location".
//
// # What goes out
//
// A baseline JPEG (4:2:0) at Options.Quality. By default it carries no
// metadata at all: no EXIF, no XMP, no ICC profile, no comment, no
// thumbnail; the only segments are the ones the Go JPEG encoder writes for
// the pixels. Transparent pixels are flattened onto white.
//
// With Options.KeepLocation, and only when the original holds a usable
// position (latitude and longitude with their N/S and E/W references, in
// range, not exactly 0°, 0°), the output gets one APP1 "Exif" segment with
// exactly this, in the byte order of the original:
//
//   - IFD0: Orientation (0x0112) = 1 and the GPS IFD pointer (0x8825),
//     nothing else;
//   - GPS IFD, copied byte for byte when the type and count are the ones the
//     Exif 2.32 standard gives: GPSVersionID (0x00), GPSLatitudeRef (0x01),
//     GPSLatitude (0x02), GPSLongitudeRef (0x03), GPSLongitude (0x04),
//     GPSAltitudeRef (0x05), GPSAltitude (0x06), GPSDOP (0x0B),
//     GPSImgDirectionRef (0x10), GPSImgDirection (0x11), GPSMapDatum (0x12,
//     at most 64 bytes) and GPSHPositioningError (0x1F).
//
// Everything else of the GPS IFD is dropped, notably the time of the fix
// (GPSTimeStamp, GPSDateStamp), speed and track, the destination tags and
// the free-text GPSProcessingMethod and GPSAreaInformation: the citizen
// allowed the place, not the time or the way they moved. No other IFD (Exif,
// Interoperability, the thumbnail's IFD1) is written.
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"rathaus/app/citizen"
)

// Defaults for the zero Options.
const (
	DefaultMaxSide   = 2000
	DefaultQuality   = 80
	DefaultMaxBytes  = 30 << 20   // 30 MiB
	DefaultMaxPixels = 50_000_000 // 50 megapixels
)

// Options tune Downscale. The zero value gives the defaults and strips all
// metadata.
type Options struct {
	// MaxSide bounds the longest side of the output in pixels (0:
	// DefaultMaxSide). Smaller photos keep their size: nothing is upscaled.
	MaxSide int
	// Quality is the JPEG quality, 1 to 100 (0: DefaultQuality; values
	// out of range are clamped).
	Quality int
	// KeepLocation keeps the GPS position of the original, and nothing
	// else, in a minimal EXIF segment (see the package documentation).
	KeepLocation bool
	// MaxBytes bounds the size of the input (0: DefaultMaxBytes).
	MaxBytes int64
	// MaxPixels bounds width × height of the input and, at 4 bytes a
	// pixel, the memory its decoder may need (0: DefaultMaxPixels).
	MaxPixels int64
}

// Location is a position in decimal degrees as the camera recorded it
// (in practice WGS 84); south and west are negative.
type Location struct {
	Latitude, Longitude float64
}

// Result is a downscaled photo.
type Result struct {
	JPEG          []byte // the encoded photo
	Width, Height int    // its size in pixels, upright
	// LocationKept reports whether JPEG carries the original's position;
	// it is true only with Options.KeepLocation and a usable position.
	LocationKept bool
	// Location is that position when LocationKept, nil otherwise.
	Location *Location
}

// Causes of the errors Downscale returns; test with errors.Is. The errors
// themselves are *citizen.Error with code citizen.EINVALID and a message for
// people (the UI translates it). Besides, DownscaleReader returns ESTORAGE
// when the reader fails, and an encoding failure is EINTERNAL.
var (
	ErrNotPhoto      = errors.New("photo: not a JPEG, PNG, GIF or WebP image")
	ErrDamaged       = errors.New("photo: damaged image")
	ErrFileTooLarge  = errors.New("photo: file too large")
	ErrTooManyPixels = errors.New("photo: too many pixels")
)

func invalid(cause error, message, detail string) error {
	return &citizen.Error{Code: citizen.EINVALID, Message: message, Err: fmt.Errorf("%w: %s", cause, detail)}
}

// Downscale decodes the photo in src, turns it upright, scales it so that
// its longest side is at most opt.MaxSide and encodes it as a JPEG. It is
// safe for concurrent use.
func Downscale(src []byte, opt Options) (Result, error) {
	return downscale(src, opt, defaultFilter)
}

// DownscaleReader is Downscale for a file being read: it reads at most
// opt.MaxBytes+1 bytes of r, so that a huge file is refused without reading
// it whole.
func DownscaleReader(r io.Reader, opt Options) (Result, error) {
	opt = opt.withDefaults()
	src, err := io.ReadAll(io.LimitReader(r, opt.MaxBytes+1))
	if err != nil {
		return Result{}, &citizen.Error{Code: citizen.ESTORAGE, Message: "The photo could not be read.", Err: err}
	}
	return downscale(src, opt, defaultFilter)
}

func (o Options) withDefaults() Options {
	if o.MaxSide <= 0 {
		o.MaxSide = DefaultMaxSide
	}
	if o.Quality <= 0 {
		o.Quality = DefaultQuality
	}
	o.Quality = min(o.Quality, 100)
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	return o
}

func downscale(src []byte, opt Options, f filter) (Result, error) {
	opt = opt.withDefaults()
	if int64(len(src)) > opt.MaxBytes {
		return Result{}, invalid(ErrFileTooLarge, "The photo file is too large.",
			fmt.Sprintf("%d bytes, at most %d", len(src), opt.MaxBytes))
	}
	h := sniff(src)
	if h.format == formatUnknown {
		return Result{}, invalid(ErrNotPhoto, "This file is not a photo (JPEG or PNG).", "unknown format")
	}
	cfg, err := h.decodeConfig(src)
	if err != nil {
		return Result{}, invalid(ErrDamaged, "This photo is damaged and cannot be read.", err.Error())
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Result{}, invalid(ErrDamaged, "This photo is damaged and cannot be read.", "empty image")
	}
	if need := h.decodeBytes(cfg); pixels > opt.MaxPixels || need > 4*opt.MaxPixels {
		return Result{}, invalid(ErrTooManyPixels, "The photo has too many pixels.",
			fmt.Sprintf("%dx%d needs about %d MB to decode, at most %d megapixels or %d MB",
				cfg.Width, cfg.Height, need>>20, opt.MaxPixels/1_000_000, (4*opt.MaxPixels)>>20))
	}
	img, err := h.decode(src)
	if err != nil {
		return Result{}, invalid(ErrDamaged, "This photo is damaged and cannot be read.", err.Error())
	}
	meta := parseExif(h.exif)

	w, hgt := fitSize(img.Bounds().Dx(), img.Bounds().Dy(), meta.orientation, opt.MaxSide)
	out := orient(resize(img, w, hgt, f), meta.orientation)
	flatten(out)

	var buf bytes.Buffer
	buf.Grow(out.Rect.Dx() * out.Rect.Dy() / 4)
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: opt.Quality}); err != nil {
		return Result{}, &citizen.Error{Code: citizen.EINTERNAL, Message: "The photo could not be prepared.", Err: err}
	}
	res := Result{JPEG: buf.Bytes(), Width: out.Rect.Dx(), Height: out.Rect.Dy()}
	if opt.KeepLocation && meta.location != nil {
		res.JPEG = insertAPP1(res.JPEG, buildExif(meta.order, meta.gps))
		res.LocationKept = true
		res.Location = meta.location
	}
	return res, nil
}

// fitSize returns the size to scale the stored w×h image to, before it is
// turned by orientation o, so that the upright result's longest side is at
// most maxSide. It never returns more than w×h.
func fitSize(w, h, o, maxSide int) (int, int) {
	if o >= 5 { // the upright image is h×w
		h2, w2 := fitSize(h, w, 1, maxSide)
		return w2, h2
	}
	long := max(w, h)
	if long <= maxSide {
		return w, h
	}
	scale := func(n int) int { return max(1, int((int64(n)*int64(maxSide)+int64(long)/2)/int64(long))) }
	return scale(w), scale(h)
}

// insertAPP1 puts an APP1 segment with payload right after the SOI marker
// of the JPEG j, where the Exif standard wants it.
func insertAPP1(j, payload []byte) []byte {
	n := len(payload) + 2
	out := make([]byte, 0, len(j)+n+2)
	out = append(out, j[:2]...)
	out = append(out, 0xFF, 0xE1, byte(n>>8), byte(n))
	out = append(out, payload...)
	return append(out, j[2:]...)
}

// decoders by format; DecodeConfig is called first, Decode only for images
// within the limits.
var decoders = [...]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	formatJPEG: {jpeg.DecodeConfig, jpeg.Decode},
	formatPNG:  {png.DecodeConfig, png.Decode},
	formatGIF:  {gif.DecodeConfig, gif.Decode},
	formatWebP: {webp.DecodeConfig, webp.Decode},
}

func (h header) decodeConfig(src []byte) (image.Config, error) {
	return decoders[h.format].config(bytes.NewReader(src))
}

func (h header) decode(src []byte) (image.Image, error) {
	return decoders[h.format].decode(bytes.NewReader(src))
}
