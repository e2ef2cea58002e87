package photo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"io"
	"math"
	"testing"

	"rathaus/app/citizen"
	"rathaus/app/photo"
)

var orders = []struct {
	name  string
	order byteOrder
}{{"big-endian", binary.BigEndian}, {"little-endian", binary.LittleEndian}}

func downscale(t *testing.T, src []byte, opt photo.Options) photo.Result {
	t.Helper()
	res, err := photo.Downscale(src, opt)
	if err != nil {
		t.Fatalf("Downscale: %v", err)
	}
	got, err := jpeg.DecodeConfig(bytes.NewReader(res.JPEG))
	if err != nil {
		t.Fatalf("the output is no JPEG: %v", err)
	}
	if got.Width != res.Width || got.Height != res.Height {
		t.Fatalf("the output is %dx%d, Result says %dx%d", got.Width, got.Height, res.Width, res.Height)
	}
	return res
}

func decode(t *testing.T, j []byte) image.Image {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// near reports whether two colours differ by at most tol in every channel.
func near(a, b color.Color, tol int) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) bool { return math.Abs(float64(x>>8)-float64(y>>8)) <= float64(tol) }
	return d(r1, r2) && d(g1, g2) && d(b1, b2)
}

// checkQuadrants checks that m shows the upright quadrant scene.
func checkQuadrants(t *testing.T, m image.Image) {
	t.Helper()
	b := m.Bounds()
	for _, q := range []struct {
		name string
		x, y int
		want color.RGBA
	}{
		{"top left", b.Dx() / 4, b.Dy() / 4, red},
		{"top right", 3 * b.Dx() / 4, b.Dy() / 4, green},
		{"bottom left", b.Dx() / 4, 3 * b.Dy() / 4, blue},
		{"bottom right", 3 * b.Dx() / 4, 3 * b.Dy() / 4, white},
	} {
		if got := m.At(b.Min.X+q.x, b.Min.Y+q.y); !near(got, q.want, 24) {
			t.Errorf("%s is %v, want %v", q.name, got, q.want)
		}
	}
}

func TestOrientation(t *testing.T) {
	for o := 1; o <= 8; o++ {
		for _, bo := range orders {
			t.Run(fmt.Sprintf("%d/%s", o, bo.name), func(t *testing.T) {
				stored := storedScene(400, 300, o)
				ifd0 := append(cameraFields(), orientationField(bo.order, uint16(o)))
				src := withExif(encodeJPEG(t, stored, 95), tiffOf(bo.order, ifd0, nil))

				res := downscale(t, src, photo.Options{MaxSide: 200})
				if res.Width != 200 || res.Height != 150 {
					t.Fatalf("got %dx%d, want 200x150", res.Width, res.Height)
				}
				checkQuadrants(t, decode(t, res.JPEG))
			})
		}
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		name                string
		w, h, orientation   int
		maxSide             int
		wantW, wantH        int
		wantUnchangedPixels bool
	}{
		{"12 MP landscape, defaults", 4000, 3000, 1, 0, 2000, 1500, false},
		{"12 MP turned by orientation 6", 4000, 3000, 6, 2000, 1500, 2000, false},
		{"12 MP portrait stored, orientation 8", 3000, 4000, 8, 2000, 2000, 1500, false},
		{"4032x3024, a factor just above 2", 4032, 3024, 1, 2000, 2000, 1500, false},
		{"4:3 at a factor of 2.6", 1040, 780, 1, 400, 400, 300, false},
		{"small: never upscaled", 300, 200, 1, 2000, 300, 200, true},
		{"small and turned: never upscaled", 300, 200, 6, 2000, 200, 300, false},
		{"exactly at the limit", 2000, 10, 1, 2000, 2000, 10, true},
		{"a thin strip keeps at least one pixel", 5000, 3, 1, 2000, 2000, 1, false},
		{"one pixel", 1, 1, 1, 2000, 1, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := gradient(tc.w, tc.h)
			src := encodeJPEG(t, m, 85)
			if tc.orientation != 1 {
				src = withExif(src, tiffOf(binary.BigEndian, []field{orientationField(binary.BigEndian, uint16(tc.orientation))}, nil))
			}
			res := downscale(t, src, photo.Options{MaxSide: tc.maxSide})
			if res.Width != tc.wantW || res.Height != tc.wantH {
				t.Fatalf("got %dx%d, want %dx%d", res.Width, res.Height, tc.wantW, tc.wantH)
			}
			if tc.wantUnchangedPixels {
				// Same size: each pixel is the decoded input pixel again (up to
				// a second JPEG round trip).
				in, out := decode(t, src), decode(t, res.JPEG)
				for _, p := range []image.Point{{0, 0}, {tc.w - 1, tc.h - 1}, {tc.w / 2, tc.h / 2}} {
					if got, want := out.At(p.X, p.Y), in.At(p.X, p.Y); !near(got, want, 12) {
						t.Errorf("pixel %v is %v, want %v", p, got, want)
					}
				}
			}
		})
	}
}

func TestQuality(t *testing.T) {
	src := encodeJPEG(t, photoLike(800, 600, 1), 95)
	var last int
	for _, q := range []int{20, 50, 80, 100} {
		t.Run(fmt.Sprint(q), func(t *testing.T) {
			res := downscale(t, src, photo.Options{Quality: q})
			if got := len(res.JPEG); got <= last {
				t.Errorf("%d bytes at quality %d, want more than %d at the quality below", got, q, last)
			}
			last = len(res.JPEG)
		})
	}
	def := downscale(t, src, photo.Options{})
	q80 := downscale(t, src, photo.Options{Quality: 80})
	if !bytes.Equal(def.JPEG, q80.JPEG) {
		t.Error("the default quality is not 80")
	}
}

// metadataSegments returns the APPn and COM segments of j.
func metadataSegments(t *testing.T, j []byte) []segment {
	t.Helper()
	var out []segment
	for _, s := range segments(t, j) {
		if s.marker >= 0xE0 && s.marker <= 0xEF || s.marker == 0xFE {
			out = append(out, s)
		}
	}
	return out
}

func TestMetadataRemoved(t *testing.T) {
	secrets := []string{"Exif\x00\x00", "SecretPhone", "Model X-Private", "FUSED-SECRET", "2024:05:01", "GPS", "xmp", "Photoshop", "comment"}
	for _, bo := range orders {
		for _, keep := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/keep location %v", bo.name, keep), func(t *testing.T) {
				src := encodeJPEG(t, photoLike(640, 480, 2), 90)
				src = withSegment(src, 0xFE, []byte("a comment SecretPhone"))
				src = withSegment(src, 0xED, []byte("Photoshop 3.0\x00 8BIM SecretPhone"))
				src = withSegment(src, 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>52,29.1N</exif:GPSLatitude></x:xmpmeta>"))
				gps := gpsFields(bo.order)
				if keep {
					gps = nil // the EXIF has no position, so nothing may be kept
				}
				src = withExif(src, tiffOf(bo.order, append(cameraFields(), orientationField(bo.order, 1)), gps))

				res := downscale(t, src, photo.Options{KeepLocation: keep})
				if res.LocationKept || res.Location != nil {
					t.Errorf("LocationKept = %v, Location = %v, want false, nil", res.LocationKept, res.Location)
				}
				if segs := metadataSegments(t, res.JPEG); len(segs) != 0 {
					t.Errorf("the output has %d metadata segments, the first 0xFF%02X %q", len(segs), segs[0].marker, segs[0].payload)
				}
				if bytes.Contains(res.JPEG, []byte("Exif\x00\x00")) {
					t.Error(`the output contains "Exif\0\0"`)
				}
				var head []byte // all but the entropy-coded data
				for _, s := range segments(t, res.JPEG) {
					head = append(head, s.payload...)
				}
				for _, s := range secrets {
					if bytes.Contains(head, []byte(s)) {
						t.Errorf("the output's segments contain %q", s)
					}
				}
			})
		}
	}
}

func TestKeepLocation(t *testing.T) {
	for _, bo := range orders {
		for _, o := range []int{1, 6} {
			t.Run(fmt.Sprintf("%s/orientation %d", bo.name, o), func(t *testing.T) {
				gps := gpsFields(bo.order)
				src := encodeJPEG(t, storedScene(400, 300, o), 90)
				src = withExif(src, tiffOf(bo.order, append(cameraFields(), orientationField(bo.order, uint16(o))), gps))

				without := downscale(t, src, photo.Options{MaxSide: 200})
				if without.LocationKept || without.Location != nil || len(metadataSegments(t, without.JPEG)) != 0 {
					t.Fatal("the location was kept without KeepLocation")
				}

				res := downscale(t, src, photo.Options{MaxSide: 200, KeepLocation: true})
				if !res.LocationKept || res.Location == nil {
					t.Fatalf("LocationKept = %v, Location = %v, want true and a location", res.LocationKept, res.Location)
				}
				if got := *res.Location; math.Abs(got.Latitude-testLat) > 1e-9 || math.Abs(got.Longitude-testLon) > 1e-9 {
					t.Errorf("Location = %v, want %v, %v", got, testLat, testLon)
				}
				checkQuadrants(t, decode(t, res.JPEG))

				segs := metadataSegments(t, res.JPEG)
				if len(segs) != 1 || segs[0].marker != 0xE1 {
					t.Fatalf("want exactly one APP1 segment, got %d metadata segments", len(segs))
				}
				app1 := segs[0].payload
				wantHead := "Exif\x00\x00MM"
				if bo.order == binary.LittleEndian {
					wantHead = "Exif\x00\x00II"
				}
				if got := string(app1[:8]); got != wantHead {
					t.Errorf("APP1 starts with %q, want %q", got, wantHead)
				}
				for _, f := range gps {
					kept := bytes.Contains(app1, f.value)
					switch f.tag {
					case 0x02, 0x04, 0x06: // latitude, longitude, altitude
						if !kept {
							t.Errorf("GPS tag 0x%02X is not in the output", f.tag)
						}
					case 0x07, 0x0D, 0x1B, 0x1D: // time, speed, processing method, date
						if kept {
							t.Errorf("GPS tag 0x%02X is in the output", f.tag)
						}
					}
				}
				for _, s := range []string{"SecretPhone", "Model X-Private", "14:03:59"} {
					if bytes.Contains(app1, []byte(s)) {
						t.Errorf("the output's EXIF contains %q", s)
					}
				}

				// The output reads back as upright (orientation 1: no turn)
				// with the same position.
				again := downscale(t, res.JPEG, photo.Options{MaxSide: 200, KeepLocation: true})
				if again.Width != 200 || again.Height != 150 || !again.LocationKept || *again.Location != *res.Location {
					t.Errorf("read back: %dx%d, location %v, want 200x150 at %v", again.Width, again.Height, again.Location, *res.Location)
				}
			})
		}
	}
}

func TestLocationSouthWest(t *testing.T) {
	var o byteOrder = binary.LittleEndian
	gps := []field{
		asciiField(0x01, "S"), rationalField(o, 0x02, 22, 1, 54, 1, 0, 1),
		asciiField(0x03, "W"), rationalField(o, 0x04, 43, 1, 12, 1, 30, 1),
	}
	src := withExif(encodeJPEG(t, gradient(64, 48), 90), tiffOf(o, nil, gps))
	res := downscale(t, src, photo.Options{KeepLocation: true})
	want := photo.Location{Latitude: -(22 + 54.0/60), Longitude: -(43 + 12.0/60 + 30.0/3600)}
	if !res.LocationKept || math.Abs(res.Location.Latitude-want.Latitude) > 1e-9 || math.Abs(res.Location.Longitude-want.Longitude) > 1e-9 {
		t.Errorf("got %v, %v, want true, %v", res.LocationKept, res.Location, want)
	}
}

// TestMalformedExif: damaged EXIF never fails the photo; what cannot be
// read counts as orientation 1 and no location.
func TestMalformedExif(t *testing.T) {
	var bo byteOrder = binary.BigEndian
	good := tiffOf(bo, []field{orientationField(bo, 6)}, gpsFields(bo))
	patch := func(b []byte, at int, v ...byte) []byte {
		b = append([]byte{}, b...)
		copy(b[at:], v)
		return b
	}
	// Offsets in good: IFD0 at 8 (count 2: orientation, GPS pointer), GPS IFD at 38.
	const gpsEntry0 = 38 + 2
	for _, tc := range []struct {
		name       string
		tiff       []byte
		turned     bool // orientation 6 still read
		wantKeepOK bool // the position still read
	}{
		{"intact", good, true, true},
		{"empty", nil, false, false},
		{"header only", good[:8], false, false},
		{"truncated after the orientation", good[:22], true, false},
		{"truncated in the orientation", good[:21], false, false},
		{"truncated in the GPS IFD", good[:gpsEntry0+30], true, false},
		{"truncated in the latitude's value", good[:190], true, false},
		{"truncated after the longitude's value", good[:224], true, true},
		{"unknown byte order", patch(good, 0, 'X', 'X'), false, false},
		{"wrong magic", patch(good, 2, 0, 43), false, false},
		{"IFD0 beyond the end", patch(good, 4, 0x7F, 0xFF, 0xFF, 0xFF), false, false},
		{"IFD0 inside the header", patch(good, 4, 0, 0, 0, 2), false, false},
		{"IFD0 claims 65535 entries", patch(good, 8, 0xFF, 0xFF), true, true},
		{"GPS IFD points to itself", tiffOf(bo, []field{orientationField(bo, 6), {tag: 0x8825, typ: 4, count: 1, raw: u32p(8)}}, nil), true, false},
		{"next-IFD links loop", patch(good, 8+2+24, 0, 0, 0, 8), true, true},
		{"GPS IFD beyond the end", tiffOf(bo, []field{orientationField(bo, 6), {tag: 0x8825, typ: 4, count: 1, raw: u32p(0xFFFFFFF0)}}, nil), true, false},
		{"huge count on the latitude", tiffOf(bo, []field{orientationField(bo, 6)}, append(gpsFields(bo)[:2],
			field{tag: 0x02, typ: 5, count: 0xFFFFFFFF, raw: u32p(8)})), true, false},
		{"latitude offset beyond the end", tiffOf(bo, []field{orientationField(bo, 6)}, append(gpsFields(bo)[:2],
			field{tag: 0x02, typ: 5, count: 3, raw: u32p(0xFFFFFFFF)})), true, false},
		{"zero denominators", tiffOf(bo, nil, []field{asciiField(0x01, "N"), rationalField(bo, 0x02, 1, 0, 2, 0, 3, 0),
			asciiField(0x03, "E"), rationalField(bo, 0x04, 1, 1, 2, 1, 3, 1)}), false, false},
		{"latitude over 90°", tiffOf(bo, nil, []field{asciiField(0x01, "N"), rationalField(bo, 0x02, 91, 1, 0, 1, 0, 1),
			asciiField(0x03, "E"), rationalField(bo, 0x04, 1, 1, 2, 1, 3, 1)}), false, false},
		{"no fix (0°, 0°)", tiffOf(bo, nil, []field{asciiField(0x01, "N"), rationalField(bo, 0x02, 0, 1, 0, 1, 0, 1),
			asciiField(0x03, "E"), rationalField(bo, 0x04, 0, 1, 0, 1, 0, 1)}), false, false},
		{"reference neither N nor S", tiffOf(bo, nil, []field{asciiField(0x01, "Q"), rationalField(bo, 0x02, 1, 1, 0, 1, 0, 1),
			asciiField(0x03, "E"), rationalField(bo, 0x04, 1, 1, 2, 1, 3, 1)}), false, false},
		{"latitude as two rationals", tiffOf(bo, nil, []field{asciiField(0x01, "N"), rationalField(bo, 0x02, 1, 1, 0, 1),
			asciiField(0x03, "E"), rationalField(bo, 0x04, 1, 1, 2, 1, 3, 1)}), false, false},
		{"orientation 0", tiffOf(bo, []field{orientationField(bo, 0)}, nil), false, false},
		{"orientation 9", tiffOf(bo, []field{orientationField(bo, 9)}, nil), false, false},
		{"orientation 65535", tiffOf(bo, []field{orientationField(bo, 0xFFFF)}, nil), false, false},
		{"orientation as a LONG", tiffOf(bo, []field{{tag: 0x0112, typ: 4, count: 1, value: bo.AppendUint32(nil, 6)}}, nil), false, false},
		{"orientation with an unknown type", tiffOf(bo, []field{{tag: 0x0112, typ: 99, count: 1, value: bo.AppendUint16(nil, 6)}}, nil), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := withExif(encodeJPEG(t, gradient(64, 48), 90), tc.tiff)
			res := downscale(t, src, photo.Options{KeepLocation: true})
			wantW, wantH := 64, 48
			if tc.turned {
				wantW, wantH = 48, 64
			}
			if res.Width != wantW || res.Height != wantH {
				t.Errorf("got %dx%d, want %dx%d", res.Width, res.Height, wantW, wantH)
			}
			if res.LocationKept != tc.wantKeepOK {
				t.Errorf("LocationKept = %v, want %v", res.LocationKept, tc.wantKeepOK)
			}
			if n := len(metadataSegments(t, res.JPEG)); !res.LocationKept && n != 0 {
				t.Errorf("no location, yet %d metadata segments", n)
			}
		})
	}
}

// webpRed is an 8x6 red lossless WebP (made with ImageMagick:
// convert -size 8x6 xc:red -define webp:lossless=true).
var webpRed = []byte("RIFF\x20\x00\x00\x00WEBPVP8L\x14\x00\x00\x00\x2f\x07\x40\x01\x00\x07\x10\xfd\x8f\xfe\x07\x00\x82\xf0\xbf\x6d\x22\xa2\xff\x21")

// webpWithExif wraps the image of webpRed in an extended (VP8X) WebP with
// an EXIF chunk holding t, after the image as cameras write it.
func webpWithExif(t []byte) []byte {
	vp8x := []byte("VP8X\x0a\x00\x00\x00\x08\x00\x00\x00\x07\x00\x00\x05\x00\x00") // EXIF flag, 8x6
	body := append(append([]byte("WEBP"), vp8x...), webpRed[12:]...)
	body = append(body, "EXIF"...)
	body = binary.LittleEndian.AppendUint32(body, uint32(len(t)))
	body = append(body, t...)
	if len(t)%2 == 1 {
		body = append(body, 0)
	}
	return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

func TestFormats(t *testing.T) {
	// A PNG with a transparent right half, which must come out white.
	half := image.NewNRGBA(image.Rect(0, 0, 400, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 200; x++ {
			half.SetNRGBA(x, y, color.NRGBA{0, 0, 200, 255})
		}
	}
	// A PNG that the camera stored turned, with an eXIf chunk saying so.
	turnedPNG := withPNGChunk(encodePNG(t, storedScene(400, 300, 6)), "eXIf",
		tiffOf(binary.LittleEndian, []field{orientationField(binary.LittleEndian, 6)}, nil))
	var gifBuf bytes.Buffer
	paletted := image.NewPaletted(image.Rect(0, 0, 400, 300), color.Palette{red, green, blue, white})
	draw.Draw(paletted, paletted.Rect, storedScene(400, 300, 1), image.Point{}, draw.Src)
	if err := gif.Encode(&gifBuf, paletted, nil); err != nil {
		t.Fatal(err)
	}
	gray := image.NewGray(image.Rect(0, 0, 3000, 2000))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	deep := image.NewNRGBA64(image.Rect(0, 0, 400, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			deep.Set(x, y, quadrant(x, y, 400, 300))
		}
	}

	for _, tc := range []struct {
		name         string
		src          []byte
		wantW, wantH int
		check        func(t *testing.T, m image.Image)
	}{
		{"PNG", encodePNG(t, storedScene(400, 300, 1)), 400, 300, checkQuadrants},
		{"PNG with eXIf orientation 6", turnedPNG, 400, 300, checkQuadrants},
		{"PNG, transparent on white", encodePNG(t, half), 400, 300, func(t *testing.T, m image.Image) {
			if got := m.At(300, 150); !near(got, color.White, 8) {
				t.Errorf("a transparent pixel is %v, want white", got)
			}
			if got := m.At(100, 150); !near(got, color.RGBA{0, 0, 200, 255}, 24) {
				t.Errorf("an opaque pixel is %v, want blue", got)
			}
		}},
		{"PNG, 16 bits a channel", encodePNG(t, deep), 400, 300, checkQuadrants},
		{"grey JPEG", encodeJPEG(t, gray, 85), 2000, 1333, nil},
		{"GIF", gifBuf.Bytes(), 400, 300, checkQuadrants},
		{"WebP", webpRed, 8, 6, func(t *testing.T, m image.Image) {
			if got := m.At(4, 3); !near(got, color.RGBA{255, 0, 0, 255}, 24) {
				t.Errorf("got %v, want red", got)
			}
		}},
		{"WebP with EXIF orientation 6", webpWithExif(tiffOf(binary.LittleEndian, []field{orientationField(binary.LittleEndian, 6)}, nil)), 6, 8, nil},
		{"WebP with EXIF orientation 8 behind an APP1 identifier", webpWithExif(append([]byte("Exif\x00\x00"),
			tiffOf(binary.BigEndian, []field{orientationField(binary.BigEndian, 8)}, nil)...)), 6, 8, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := downscale(t, tc.src, photo.Options{})
			if res.Width != tc.wantW || res.Height != tc.wantH {
				t.Fatalf("got %dx%d, want %dx%d", res.Width, res.Height, tc.wantW, tc.wantH)
			}
			if tc.check != nil {
				tc.check(t, decode(t, res.JPEG))
			}
		})
	}
}

// pngHeader returns the signature and IHDR of a PNG without image data.
func pngHeader(w, h uint32, depth, colorType, interlace byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, interlace)
	p := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
	p = append(p, ihdr...)
	p = binary.BigEndian.AppendUint32(p, crc32OfChunk("IHDR", ihdr))
	return p
}

// pngChunk appends a chunk to the PNG p.
func pngChunk(p []byte, typ string, data []byte) []byte {
	p = binary.BigEndian.AppendUint32(p, uint32(len(data)))
	p = append(append(p, typ...), data...)
	return binary.BigEndian.AppendUint32(p, crc32OfChunk(typ, data))
}

// jpegHeader returns SOI, a frame header, a start of scan too short to be
// read, and EOI: a JPEG without data.
func jpegHeader(sof byte, w, h uint16, sampling ...byte) []byte {
	seg := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(sampling))}
	for i, s := range sampling {
		seg = append(seg, byte(i+1), s, 0)
	}
	return withSegment([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x03, 0x01, 0xFF, 0xD9}, sof, seg)
}

// adobeAfterScan puts an Adobe APP14 segment saying "RGB" after the start
// of scan of j, where image/jpeg still reads it.
func adobeAfterScan(j []byte) []byte {
	eoi := len(j) - 2
	out := append([]byte{}, j[:eoi]...)
	out = append(out, 0xFF, 0xEE, 0x00, 0x0E)
	out = append(out, "Adobe\x00\x64\x00\x00\x00\x00\x00"...)
	return append(out, j[eoi:]...)
}

func TestErrors(t *testing.T) {
	small := encodeJPEG(t, gradient(64, 48), 90)
	full := encodeJPEG(t, gradient(200, 100), 90)
	tooBig := make([]byte, photo.DefaultMaxBytes+1)
	copy(tooBig, small)
	for _, tc := range []struct {
		name    string
		src     []byte
		opt     photo.Options
		want    error
		message string
	}{
		{"empty", nil, photo.Options{}, photo.ErrNotPhoto, "This file is not a photo (JPEG or PNG)."},
		{"text", []byte("Sehr geehrte Damen und Herren,"), photo.Options{}, photo.ErrNotPhoto, "This file is not a photo (JPEG or PNG)."},
		{"PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), photo.Options{}, photo.ErrNotPhoto, "This file is not a photo (JPEG or PNG)."},
		{"HEIC", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), photo.Options{}, photo.ErrNotPhoto, "This file is not a photo (JPEG or PNG)."},
		{"BMP", []byte("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00"), photo.Options{}, photo.ErrNotPhoto, "This file is not a photo (JPEG or PNG)."},
		{"SOI only", []byte{0xFF, 0xD8, 0xFF}, photo.Options{}, photo.ErrDamaged, "This photo is damaged and cannot be read."},
		{"truncated JPEG", full[:len(full)/2], photo.Options{}, photo.ErrDamaged, "This photo is damaged and cannot be read."},
		{"PNG with a bad checksum", append(pngHeader(10, 10, 8, 6, 0)[:29], 0, 0, 0, 0), photo.Options{}, photo.ErrDamaged, "This photo is damaged and cannot be read."},
		{"larger than 30 MiB", tooBig, photo.Options{}, photo.ErrFileTooLarge, "The photo file is too large."},
		{"larger than MaxBytes", small, photo.Options{MaxBytes: int64(len(small) - 1)}, photo.ErrFileTooLarge, ""},
		{"PNG bomb: 100000x100000", pngHeader(100000, 100000, 8, 6, 0), photo.Options{}, photo.ErrTooManyPixels, "The photo has too many pixels."},
		{"JPEG bomb: 65535x65535", jpegHeader(0xC0, 65535, 65535, 0x22, 0x11, 0x11), photo.Options{}, photo.ErrTooManyPixels, "The photo has too many pixels."},
		{"PNG, 16-bit RGBA, 30 MP", pngHeader(6000, 5000, 16, 6, 0), photo.Options{}, photo.ErrTooManyPixels, ""},
		{"PNG, interlaced RGBA, 30 MP", pngHeader(6000, 5000, 8, 6, 1), photo.Options{}, photo.ErrTooManyPixels, ""},
		{"PNG, 16-bit grey with tRNS, 30 MP", pngChunk(pngHeader(6000, 5000, 16, 0, 0), "tRNS", []byte{0, 0}), photo.Options{}, photo.ErrTooManyPixels, ""},
		{"progressive JPEG 4:4:4, 20 MP", jpegHeader(0xC2, 5000, 4000, 0x11, 0x11, 0x11), photo.Options{}, photo.ErrTooManyPixels, ""},
		{"progressive JPEG 4:4:4, 20 MP, behind extraneous bytes", append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x03, 'x', 0x00, 0x42}, jpegHeader(0xC2, 5000, 4000, 0x11, 0x11, 0x11)[2:]...), photo.Options{}, photo.ErrTooManyPixels, ""},
		{"RGB JPEG (Adobe after the scan), 45 MP", adobeAfterScan(jpegHeader(0xC0, 7500, 6000, 0x11, 0x11, 0x11)), photo.Options{}, photo.ErrTooManyPixels, ""},
		{"RGB JPEG, 45 MP", withSegment(jpegHeader(0xC0, 7500, 6000, 0x11, 0x11, 0x11), 0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00")), photo.Options{}, photo.ErrTooManyPixels, ""},
		{"over MaxPixels", small, photo.Options{MaxPixels: 64*48 - 1}, photo.ErrTooManyPixels, ""},
		// Within the limits, so the decoder runs and finds no data.
		{"baseline JPEG 4:2:0, 49 MP, no data", jpegHeader(0xC0, 7000, 7000, 0x22, 0x11, 0x11), photo.Options{}, photo.ErrDamaged, ""},
		{"PNG RGBA, 49 MP, no data", pngHeader(7000, 7000, 8, 6, 0), photo.Options{}, photo.ErrDamaged, ""},
		{"PNG, 16-bit grey, 30 MP, no data", pngHeader(6000, 5000, 16, 0, 0), photo.Options{}, photo.ErrDamaged, ""},
		{"PNG, 0x0", pngHeader(0, 0, 8, 6, 0), photo.Options{}, photo.ErrDamaged, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := photo.Downscale(tc.src, tc.opt)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if got := citizen.ErrorCode(err); got != citizen.EINVALID {
				t.Errorf("code = %q, want %q", got, citizen.EINVALID)
			}
			if got := citizen.ErrorMessage(err); tc.message != "" && got != tc.message {
				t.Errorf("message = %q, want %q", got, tc.message)
			}
			if res.JPEG != nil {
				t.Error("an error came with a photo")
			}
		})
	}
}

// countingReader yields zeros after a JPEG's first bytes, forever, and
// counts what was read.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	if r.n == 0 && len(p) >= 3 {
		copy(p, []byte{0xFF, 0xD8, 0xFF})
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestDownscaleReader(t *testing.T) {
	t.Run("a photo", func(t *testing.T) {
		res, err := photo.DownscaleReader(bytes.NewReader(encodeJPEG(t, gradient(300, 200), 90)), photo.Options{MaxSide: 150})
		if err != nil || res.Width != 150 || res.Height != 100 {
			t.Fatalf("got %dx%d, %v, want 150x100", res.Width, res.Height, err)
		}
	})
	t.Run("an endless file stops at MaxBytes", func(t *testing.T) {
		r := &countingReader{}
		_, err := photo.DownscaleReader(r, photo.Options{MaxBytes: 1 << 20})
		if !errors.Is(err, photo.ErrFileTooLarge) {
			t.Fatalf("err = %v, want ErrFileTooLarge", err)
		}
		if r.n > 2<<20 {
			t.Errorf("read %d bytes for a limit of 1 MiB", r.n)
		}
	})
	t.Run("a failing reader", func(t *testing.T) {
		_, err := photo.DownscaleReader(io.MultiReader(bytes.NewReader([]byte{0xFF, 0xD8}), errReader{}), photo.Options{})
		if got := citizen.ErrorCode(err); got != citizen.ESTORAGE {
			t.Errorf("code = %q (%v), want %q", got, err, citizen.ESTORAGE)
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("I/O error") }
