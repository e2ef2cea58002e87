package photo_test

import (
	"sync"
	"testing"

	"rathaus/app/photo"
)

var (
	photo12MPOnce sync.Once
	photo12MPJPEG []byte
)

// photo12MP returns a 4000x3000 photo-like JPEG at quality 90, made once.
func photo12MP(b *testing.B) []byte {
	b.Helper()
	photo12MPOnce.Do(func() { photo12MPJPEG = encodeJPEG(b, photoLike(4000, 3000, 12), 90) })
	return photo12MPJPEG
}

// BenchmarkDownscale12MP downscales a 12 MP photo with the default options
// (2000 px, quality 80, no metadata), once for each filter.
//
//	GOFLAGS=-tags=sqlite_fts5 go test -run='^$' -bench=Downscale12MP -benchmem -count=3 ./app/photo/
func BenchmarkDownscale12MP(b *testing.B) {
	src := photo12MP(b)
	for _, f := range photo.Filters {
		b.Run(f.String(), func(b *testing.B) {
			var out []byte
			for b.Loop() {
				res, err := photo.DownscaleWith(src, photo.Options{}, f)
				if err != nil {
					b.Fatal(err)
				}
				out = res.JPEG
			}
			b.ReportMetric(float64(len(src)), "in-bytes")
			b.ReportMetric(float64(len(out)), "out-bytes")
		})
	}
}
