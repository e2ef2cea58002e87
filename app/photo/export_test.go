package photo

import (
	"image"
	stddraw "image/draw"

	"golang.org/x/image/draw"
)

// Hooks for the tests of package photo_test.

// Filter is a way to scale down, named, so that tests and benchmarks can
// compare the one Downscale uses with the others that were measured.
type Filter struct {
	Name string
	f    filter
}

var (
	// FilterCatmullRomStrips is the one Downscale uses.
	FilterCatmullRomStrips = Filter{"catmullrom-strips", catmullRomStrips}
	// FilterCatmullRom is x/image/draw's CatmullRom in one call: it keeps
	// a [4]float64 for each pixel of output width × input height.
	FilterCatmullRom = Filter{"catmullrom", func(dst *image.RGBA, src image.Image) {
		draw.CatmullRom.Scale(dst, dst.Rect, src, src.Bounds(), draw.Src, nil)
	}}
	// FilterApproxBiLinear is x/image/draw's ApproxBiLinear: 2×2 input
	// pixels for each output pixel, whatever the factor.
	FilterApproxBiLinear = Filter{"approxbilinear", func(dst *image.RGBA, src image.Image) {
		draw.ApproxBiLinear.Scale(dst, dst.Rect, src, src.Bounds(), draw.Src, nil)
	}}
	// FilterBoxBiLinear averages k×k blocks, k the integer part of the
	// factor, then goes the rest of the way with ApproxBiLinear.
	FilterBoxBiLinear = Filter{"box+approxbilinear", boxBiLinear}

	Filters = []Filter{FilterCatmullRomStrips, FilterCatmullRom, FilterBoxBiLinear, FilterApproxBiLinear}
)

func (f Filter) String() string { return f.Name }

// DownscaleWith is Downscale with filter f.
func DownscaleWith(src []byte, opt Options, f Filter) (Result, error) {
	return downscale(src, opt, f.f)
}

// Resize is the scaling step of Downscale alone.
func Resize(src image.Image, w, h int, f Filter) *image.RGBA {
	return resize(src, w, h, f.f)
}

func boxBiLinear(dst *image.RGBA, src image.Image) {
	sr := src.Bounds()
	if k := min(sr.Dx()/dst.Rect.Dx(), sr.Dy()/dst.Rect.Dy(), maxBox); k >= 2 {
		src = boxShrink(src, k)
	}
	draw.ApproxBiLinear.Scale(dst, dst.Rect, src, src.Bounds(), draw.Src, nil)
}

// maxBox bounds the block size of boxShrink so that its sums fit in 32
// bits (255 × 255² < 2³²); beyond it, ApproxBiLinear does the rest.
const maxBox = 255

// boxShrink averages each k×k block of src into one pixel; the blocks at
// the right and bottom edges may be smaller. It converts src one row at a
// time, so it needs memory for one input row and the output only.
func boxShrink(src image.Image, k int) *image.RGBA {
	sr := src.Bounds()
	sw, sh := sr.Dx(), sr.Dy()
	ow, oh := (sw+k-1)/k, (sh+k-1)/k
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	sums := make([]uint32, 4*ow)
	for oy := 0; oy < oh; oy++ {
		clear(sums)
		y0 := sr.Min.Y + oy*k
		y1 := min(y0+k, sr.Max.Y)
		for y := y0; y < y1; y++ {
			stddraw.Draw(row, row.Rect, src, image.Pt(sr.Min.X, y), stddraw.Src)
			p := row.Pix
			for ox := 0; ox < ow; ox++ {
				var r, g, b, a uint32
				q := p[4*ox*k : 4*min(ox*k+k, sw)]
				for i := 0; i+3 < len(q); i += 4 {
					r += uint32(q[i])
					g += uint32(q[i+1])
					b += uint32(q[i+2])
					a += uint32(q[i+3])
				}
				s := sums[4*ox : 4*ox+4 : 4*ox+4]
				s[0] += r
				s[1] += g
				s[2] += b
				s[3] += a
			}
		}
		rows := uint32(y1 - y0)
		o := out.Pix[oy*out.Stride:]
		for ox := 0; ox < ow; ox++ {
			n := rows * uint32(min(ox*k+k, sw)-ox*k)
			for c := 0; c < 4; c++ {
				o[4*ox+c] = uint8((sums[4*ox+c] + n/2) / n)
			}
		}
	}
	return out
}
