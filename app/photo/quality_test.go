package photo_test

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"testing"

	"rathaus/app/photo"
)

// zonePlate returns a w×h grey image of cos(k·r²): rings whose frequency
// grows from the centre up to the Nyquist frequency at the edges, so that
// a filter that lets high frequencies through shows aliased rings.
func zonePlate(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	rMax := math.Hypot(float64(w)/2, float64(h)/2)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-float64(w)/2, float64(y)-float64(h)/2
			m.Pix[y*m.Stride+x] = clamp8(127.5 + 127.5*math.Cos(math.Pi/2*(dx*dx+dy*dy)/rMax))
		}
	}
	return m
}

// lanczos scales the grey image m to w×h with a Lanczos-3 kernel stretched
// by the scale factor, in float64: the reference the filters are held to.
func lanczos(m *image.Gray, w, h int) []float64 {
	sw, sh := m.Rect.Dx(), m.Rect.Dy()
	kernel := func(x float64) float64 {
		switch {
		case x == 0:
			return 1
		case math.Abs(x) >= 3:
			return 0
		}
		return 3 * math.Sin(math.Pi*x) * math.Sin(math.Pi*x/3) / (math.Pi * math.Pi * x * x)
	}
	// pass resamples n samples (read by get) to dn.
	pass := func(n, dn int, get func(i int) float64) []float64 {
		scale := float64(n) / float64(dn)
		out := make([]float64, dn)
		for d := range out {
			c := (float64(d)+0.5)*scale - 0.5
			var sum, wsum float64
			for i := int(math.Floor(c - 3*scale)); i <= int(math.Ceil(c+3*scale)); i++ {
				wt := kernel((float64(i) - c) / scale)
				sum += wt * get(min(max(i, 0), n-1))
				wsum += wt
			}
			out[d] = sum / wsum
		}
		return out
	}
	tmp := make([][]float64, sh)
	for y := range tmp {
		tmp[y] = pass(sw, w, func(i int) float64 { return float64(m.Pix[y*m.Stride+i]) })
	}
	out := make([]float64, w*h)
	for x := 0; x < w; x++ {
		col := pass(sh, h, func(i int) float64 { return tmp[i][x] })
		for y := range col {
			out[y*w+x] = col[y]
		}
	}
	return out
}

// psnr returns the peak signal-to-noise ratio of the red channel of got
// against want, in dB.
func psnr(got *image.RGBA, want []float64) float64 {
	var se float64
	for i, v := range want {
		d := float64(got.Pix[4*i]) - math.Max(0, math.Min(255, v))
		se += d * d
	}
	return 10 * math.Log10(255*255/(se/float64(len(want))))
}

// TestFilterQuality holds the default filter to a Lanczos-3 reference on a
// zone plate and a photo-like image at the scale factors phones produce.
// With -v it prints the figures of every filter.
func TestFilterQuality(t *testing.T) {
	zone := zonePlate(1200, 900)
	photoGrey := image.NewGray(image.Rect(0, 0, 1200, 900))
	p := photoLike(1200, 900, 3)
	for i := range photoGrey.Pix {
		photoGrey.Pix[i] = p.Pix[4*i+1]
	}
	for _, tc := range []struct {
		name    string
		src     *image.Gray
		w, h    int
		minPSNR float64 // for the default filter
	}{
		{"zone plate, factor 1.6", zone, 750, 563, 28},
		{"zone plate, factor 2", zone, 600, 450, 28},
		{"zone plate, factor 2.016", zone, 595, 446, 28},
		{"zone plate, factor 2.5", zone, 480, 360, 28},
		{"zone plate, factor 3", zone, 400, 300, 28},
		{"zone plate, factor 4.08", zone, 294, 221, 28},
		{"photo, factor 2.016", photoGrey, 595, 446, 48},
		{"photo, factor 3", photoGrey, 400, 300, 48},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := lanczos(tc.src, tc.w, tc.h)
			for _, f := range photo.Filters {
				got := psnr(photo.Resize(tc.src, tc.w, tc.h, f), want)
				t.Logf("%-20v %5.1f dB", f, got)
				if f.Name == photo.FilterCatmullRomStrips.Name && got < tc.minPSNR {
					t.Errorf("%v: %.1f dB against Lanczos-3, want at least %.0f", f, got, tc.minPSNR)
				}
			}
		})
	}
}

// TestStripsAreCatmullRom checks that the strips compute the one-call
// CatmullRom, up to the rounding of the intermediate to 8 bits, with no
// seams at the strip edges, and that Downscale uses them.
func TestStripsAreCatmullRom(t *testing.T) {
	src := photoLike(1000, 700, 4)
	for _, size := range []image.Point{{500, 350}, {397, 278}, {999, 699}, {64, 1}, {1, 40}} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			got := photo.Resize(src, size.X, size.Y, photo.FilterCatmullRomStrips)
			want := photo.Resize(src, size.X, size.Y, photo.FilterCatmullRom)
			worst := 0
			for i := range got.Pix {
				worst = max(worst, int(got.Pix[i])-int(want.Pix[i]), int(want.Pix[i])-int(got.Pix[i]))
			}
			if worst > 2 {
				t.Errorf("the strips differ from CatmullRom by up to %d levels, want at most 2", worst)
			}
		})
	}
	j := encodeJPEG(t, src, 90)
	def, err := photo.Downscale(j, photo.Options{MaxSide: 500})
	if err != nil {
		t.Fatal(err)
	}
	strips, err := photo.DownscaleWith(j, photo.Options{MaxSide: 500}, photo.FilterCatmullRomStrips)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(def.JPEG, strips.JPEG) {
		t.Error("Downscale does not use the CatmullRom strips")
	}
}
