package photo_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"
)

// The upright test scene: four quadrants, a different colour each, so
// that each of the 8 orientations puts a different colour in each corner.
var (
	red   = color.RGBA{220, 30, 30, 255}
	green = color.RGBA{30, 200, 30, 255}
	blue  = color.RGBA{30, 30, 220, 255}
	white = color.RGBA{240, 240, 240, 255}
)

func quadrant(x, y, w, h int) color.RGBA {
	switch {
	case y < h/2 && x < w/2:
		return red
	case y < h/2:
		return green
	case x < w/2:
		return blue
	}
	return white
}

// exifSides is the table of Exif 2.32 for tag 0x0112: for each value, the
// side of the upright image that row 0 of the stored image lies along, and
// the side that column 0 lies along.
var exifSides = map[int][2]string{
	1: {"top", "left"}, 2: {"top", "right"}, 3: {"bottom", "right"}, 4: {"bottom", "left"},
	5: {"left", "top"}, 6: {"right", "top"}, 7: {"right", "bottom"}, 8: {"left", "bottom"},
}

// storedScene returns the image a camera stores, with orientation o, for
// the upright W×H quadrant scene; it follows exifSides pixel by pixel.
func storedScene(W, H, o int) *image.RGBA {
	w, h := W, H
	if o >= 5 {
		w, h = H, W
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rowSide, colSide := exifSides[o][0], exifSides[o][1]
	for r := 0; r < h; r++ { // r: distance from the side row 0 lies along
		for c := 0; c < w; c++ { // c: distance from the side column 0 lies along
			var x, y int
			switch rowSide {
			case "top":
				y = r
			case "bottom":
				y = H - 1 - r
			case "left":
				x = r
			case "right":
				x = W - 1 - r
			}
			switch colSide {
			case "left":
				x = c
			case "right":
				x = W - 1 - c
			case "top":
				y = c
			case "bottom":
				y = H - 1 - c
			}
			m.SetRGBA(c, r, quadrant(x, y, W, H))
		}
	}
	return m
}

// photoLike returns a w×h image that compresses like a photo: smooth
// colour fields, a few hard-edged shapes, and per-pixel sensor noise.
func photoLike(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	type disc struct{ x, y, r2 float64 }
	var discs []disc
	for range 12 {
		r := float64(h) * (0.03 + 0.12*rng.Float64())
		discs = append(discs, disc{rng.Float64() * float64(w), rng.Float64() * float64(h), r * r})
	}
	for y := 0; y < h; y++ {
		fy := float64(y) / float64(h)
		for x := 0; x < w; x++ {
			fx := float64(x) / float64(w)
			r := 120 + 80*math.Sin(3*fx+1) + 30*math.Sin(17*fy)
			g := 110 + 70*math.Sin(2*fy+4*fx) + 20*math.Cos(23*fx)
			b := 100 + 90*fy + 25*math.Sin(29*fx*fy)
			for i, d := range discs {
				if dx, dy := float64(x)-d.x, float64(y)-d.y; dx*dx+dy*dy < d.r2 {
					k := float64(i%3) * 60
					r, g, b = 200-k, 60+k, 90+k/2
				}
			}
			n := rng.NormFloat64() * 7
			m.Pix[m.PixOffset(x, y)+0] = clamp8(r + n + rng.NormFloat64()*3)
			m.Pix[m.PixOffset(x, y)+1] = clamp8(g + n + rng.NormFloat64()*3)
			m.Pix[m.PixOffset(x, y)+2] = clamp8(b + n + rng.NormFloat64()*3)
			m.Pix[m.PixOffset(x, y)+3] = 255
		}
	}
	return m
}

func clamp8(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

// gradient returns a cheap w×h image for tests that only look at sizes.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = uint8(x), uint8(y), uint8(x+y), 255
		}
	}
	return m
}

func encodeJPEG(tb testing.TB, m image.Image, quality int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// withSegment inserts a marker segment right after the SOI of j.
func withSegment(j []byte, marker byte, payload []byte) []byte {
	n := len(payload) + 2
	out := append([]byte{0xFF, 0xD8, 0xFF, marker, byte(n >> 8), byte(n)}, payload...)
	return append(out, j[2:]...)
}

// withExif puts an APP1 "Exif" segment holding the TIFF structure t into j.
func withExif(j, t []byte) []byte {
	return withSegment(j, 0xE1, append([]byte("Exif\x00\x00"), t...))
}

// withPNGChunk inserts a chunk right after the IHDR chunk of p.
func withPNGChunk(p []byte, typ string, data []byte) []byte {
	const afterIHDR = 8 + 8 + 13 + 4
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, typ...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append([]byte{}, p[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, p[afterIHDR:]...)
}

func crc32OfChunk(typ string, data []byte) uint32 {
	return crc32.ChecksumIEEE(append([]byte(typ), data...))
}

// segment is a marker segment of a JPEG before its first scan.
type segment struct {
	marker  byte
	payload []byte
}

// segments lists the marker segments of j up to the start of scan.
func segments(tb testing.TB, j []byte) []segment {
	tb.Helper()
	var out []segment
	for i := 2; ; {
		if i+4 > len(j) || j[i] != 0xFF {
			tb.Fatalf("no start of scan in %d bytes", len(j))
		}
		m := j[i+1]
		n := int(binary.BigEndian.Uint16(j[i+2:]))
		out = append(out, segment{m, j[i+4 : i+2+n]})
		if m == 0xDA {
			return out
		}
		i += 2 + n
	}
}

// byteOrder is binary.BigEndian or binary.LittleEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// field is a TIFF field for the test's own EXIF writer; value is already
// in the writer's byte order. With raw set, the 4-byte value field holds
// *raw whatever the value, and no value bytes are written.
type field struct {
	tag, typ uint16
	count    uint32
	value    []byte
	raw      *uint32
}

func u32p(v uint32) *uint32 { return &v }

// tiffOf writes a TIFF structure: the header, IFD0 with fields ifd0 (and a
// pointer to the GPS IFD when gps is not nil), then the GPS IFD, then the
// values that do not fit in 4 bytes.
func tiffOf(order byteOrder, ifd0, gps []field) []byte {
	if gps != nil {
		ifd0 = append(ifd0, field{tag: 0x8825, typ: 4, count: 1})
	}
	ifd0At := 8
	gpsAt := ifd0At + 2 + 12*len(ifd0) + 4
	dataAt := gpsAt
	if gps != nil {
		dataAt += 2 + 12*len(gps) + 4
	}
	b := make([]byte, dataAt)
	if order == binary.LittleEndian {
		copy(b, "II")
	} else {
		copy(b, "MM")
	}
	order.PutUint16(b[2:], 42)
	order.PutUint32(b[4:], uint32(ifd0At))
	writeIFD := func(at int, fields []field) {
		order.PutUint16(b[at:], uint16(len(fields)))
		for i, f := range fields {
			e := at + 2 + 12*i
			order.PutUint16(b[e:], f.tag)
			order.PutUint16(b[e+2:], f.typ)
			order.PutUint32(b[e+4:], f.count)
			switch {
			case f.tag == 0x8825 && f.raw == nil:
				order.PutUint32(b[e+8:], uint32(gpsAt))
			case f.raw != nil:
				order.PutUint32(b[e+8:], *f.raw)
			case len(f.value) <= 4:
				copy(b[e+8:e+12], f.value)
			default:
				order.PutUint32(b[e+8:], uint32(len(b)))
				b = append(b, f.value...)
				if len(b)%2 == 1 {
					b = append(b, 0)
				}
			}
		}
	}
	writeIFD(ifd0At, ifd0)
	if gps != nil {
		writeIFD(gpsAt, gps)
	}
	return b
}

func orientationField(order byteOrder, o uint16) field {
	return field{tag: 0x0112, typ: 3, count: 1, value: order.AppendUint16(nil, o)}
}

func asciiField(tag uint16, s string) field {
	return field{tag: tag, typ: 2, count: uint32(len(s) + 1), value: append([]byte(s), 0)}
}

func rationalField(order byteOrder, tag uint16, v ...uint32) field {
	var b []byte
	for _, x := range v {
		b = order.AppendUint32(b, x)
	}
	return field{tag: tag, typ: 5, count: uint32(len(v) / 2), value: b}
}

// The position in the test GPS IFD: Rathaus Schöneberg, Berlin,
// 52° 29' 6.12" N, 13° 20' 39.6" E.
const (
	testLat = 52 + 29.0/60 + 6.12/3600
	testLon = 13 + 20.0/60 + 39.6/3600
)

// gpsFields is a GPS IFD as a phone writes it: the position and, besides,
// the time of the fix, the speed and a processing method, which must not
// survive.
func gpsFields(order byteOrder) []field {
	return []field{
		{tag: 0x00, typ: 1, count: 4, value: []byte{2, 3, 0, 0}},
		asciiField(0x01, "N"),
		rationalField(order, 0x02, 52, 1, 29, 1, 612, 100),
		asciiField(0x03, "E"),
		rationalField(order, 0x04, 13, 1, 20, 1, 3960, 100),
		{tag: 0x05, typ: 1, count: 1, value: []byte{0}},
		rationalField(order, 0x06, 34500, 1000),
		rationalField(order, 0x07, 14, 1, 3, 1, 59, 1), // GPSTimeStamp 14:03:59
		rationalField(order, 0x0D, 4200, 1000),         // GPSSpeed
		asciiField(0x1B, "ASCII\x00\x00\x00FUSED-SECRET"),
		asciiField(0x1D, "2024:05:01"), // GPSDateStamp
	}
}

// cameraFields is an IFD0 as a phone writes it, besides the orientation.
func cameraFields() []field {
	return []field{
		asciiField(0x010F, "SecretPhoneMaker"), // Make
		asciiField(0x0110, "Model X-Private"),  // Model
		asciiField(0x0132, "2024:05:01 14:03:59"),
	}
}
