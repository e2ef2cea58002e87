package photo

import (
	"image"
	stddraw "image/draw"

	"golang.org/x/image/draw"
)

// filter scales src into dst, which is not larger.
type filter func(dst *image.RGBA, src image.Image)

// defaultFilter is x/image/draw's CatmullRom, in strips. It was measured
// against ApproxBiLinear (alone and after a box pre-shrink) and the one-call
// CatmullRom (quality_test.go, bench_test.go): on a zone plate CatmullRom
// is 6 to 23 dB closer to a Lanczos-3 reference than the bilinear ones,
// which alias beyond a factor of 2; in strips it is as good as in one
// call, somewhat faster, with less than a third of the memory.
var defaultFilter filter = catmullRomStrips

// resize returns src scaled to w×h (never larger than src) as an RGBA
// image with premultiplied alpha, its origin at 0,0.
func resize(src image.Image, w, h int, f filter) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if sr := src.Bounds(); sr.Dx() == w && sr.Dy() == h {
		stddraw.Draw(dst, dst.Rect, src, sr.Min, stddraw.Src)
	} else {
		f(dst, src)
	}
	return dst
}

// Strip sizes of catmullRomStrips: the kernel's buffer holds
// 32 bytes × output width × stripRows in the first pass and
// 32 bytes × stripCols × input height in the second (2 MB and 6 MB for a
// 12 MP photo scaled to 2000 px); the first pass also converts stripRows
// input rows to RGBA (0.5 MB).
const (
	stripRows = 32
	stripCols = 64
)

// catmullRomStrips scales src into dst with x/image/draw's CatmullRom in two
// passes: horizontally, in strips of stripRows rows, into an RGBA image of
// dst's width and src's height; then vertically, in strips of stripCols
// columns. A pass at 1:1 in one direction weighs the centre pixel 1 and its
// neighbours 0 there, so each strip is exactly the part of the
// one-dimensional scaling it covers, and the two passes are the separable
// kernel the one-call Scale computes, with the intermediate rounded to 8
// bits. The one-call Scale instead keeps a [4]float64 for each pixel of
// output width × input height.
func catmullRomStrips(dst *image.RGBA, src image.Image) {
	sr, dr := src.Bounds(), dst.Rect
	sw, sh, dw, dh := sr.Dx(), sr.Dy(), dr.Dx(), dr.Dy()
	mid := image.NewRGBA(image.Rect(0, 0, dw, sh))
	// Each strip is converted to RGBA first: the kernel would otherwise
	// convert a YCbCr pixel once for each output pixel it contributes to.
	strip := image.NewRGBA(image.Rect(0, 0, sw, stripRows))
	full := draw.CatmullRom.NewScaler(dw, stripRows, sw, stripRows) // reuses its buffer
	for y := 0; y < sh; y += stripRows {
		n := min(stripRows, sh-y)
		in, s := strip, draw.Scaler(full)
		if n < stripRows { // the last strip
			in, s = strip.SubImage(image.Rect(0, 0, sw, n)).(*image.RGBA), draw.CatmullRom
		}
		stddraw.Draw(in, in.Rect, src, image.Pt(sr.Min.X, sr.Min.Y+y), stddraw.Src)
		s.Scale(mid, image.Rect(0, y, dw, y+n), in, in.Rect, draw.Src, nil)
	}
	full = draw.CatmullRom.NewScaler(stripCols, dh, stripCols, sh)
	for x := 0; x < dw; x += stripCols {
		s := draw.Scaler(full)
		if x+stripCols > dw { // the last strip
			s = draw.CatmullRom
		}
		x1 := min(x+stripCols, dw)
		s.Scale(dst, image.Rect(x, 0, x1, dh), mid, image.Rect(x, 0, x1, sh), draw.Src, nil)
	}
}

// orient returns m turned upright for EXIF orientation o: m itself for 1
// (or an unknown value), otherwise a new image.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h, s := m.Rect.Dx(), m.Rect.Dy(), m.Stride
	W, H := w, h
	if o >= 5 {
		W, H = h, w
	}
	// The input pixel for output pixel (x, y) is at start + x·dx + y·dy.
	var start, dx, dy int
	right, bottom := 4*(w-1), s*(h-1)
	switch o {
	case 2: // mirrored left-right
		start, dx, dy = right, -4, s
	case 3: // turned 180°
		start, dx, dy = right+bottom, -4, -s
	case 4: // mirrored top-bottom
		start, dx, dy = bottom, 4, -s
	case 5: // mirrored along the main diagonal
		start, dx, dy = 0, s, 4
	case 6: // needs a quarter turn clockwise
		start, dx, dy = bottom, -s, 4
	case 7: // mirrored along the anti-diagonal
		start, dx, dy = right+bottom, -s, -4
	case 8: // needs a quarter turn anticlockwise
		start, dx, dy = right, s, -4
	}
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	for y := 0; y < H; y++ {
		i := start + y*dy
		d := out.Pix[y*out.Stride : y*out.Stride+4*W]
		for x := 0; x < len(d); x += 4 {
			copy(d[x:x+4], m.Pix[i:i+4])
			i += dx
		}
	}
	return out
}

// flatten puts the premultiplied pixels of m onto a white background, as
// JPEG has no transparency.
func flatten(m *image.RGBA) {
	p := m.Pix
	for i := 0; i+3 < len(p); i += 4 {
		if a := p[i+3]; a != 0xFF {
			t := 0xFF - uint(a)
			for c := i; c < i+3; c++ {
				p[c] = uint8(min(0xFF, uint(p[c])+t)) // a kernel's ringing may leave a colour above its alpha
			}
			p[i+3] = 0xFF
		}
	}
}
