package photo

import (
	"encoding/binary"
	"slices"
	"testing"
)

// FuzzExif feeds the EXIF reader whatever the fuzzer makes of a TIFF
// structure: it must never panic, and when it finds a position, the
// segment written from it must read back as that position, upright, with
// the same GPS fields.
//
//	GOFLAGS=-tags=sqlite_fts5 go test -run='^$' -fuzz=FuzzExif -fuzztime=60s ./app/photo/
func FuzzExif(f *testing.F) {
	for _, order := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
		lat := []ifdEntry{
			{tag: 0x01, typ: typeASCII, count: 2, value: []byte("N\x00")},
			{tag: 0x02, typ: typeRational, count: 3, value: rationals(order, 52, 1, 29, 1, 612, 100)},
			{tag: 0x03, typ: typeASCII, count: 2, value: []byte("E\x00")},
			{tag: 0x04, typ: typeRational, count: 3, value: rationals(order, 13, 1, 20, 1, 3960, 100)},
			{tag: 0x12, typ: typeASCII, count: 7, value: []byte("WGS-84\x00")},
		}
		seg := buildExif(order, lat)
		f.Add(seg[6:])
		f.Add(seg[6 : len(seg)/2])
	}
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := parseExif(b)
		if m.orientation < 1 || m.orientation > 8 {
			t.Fatalf("orientation %d", m.orientation)
		}
		if (m.location == nil) != (m.gps == nil) {
			t.Fatalf("location %v with %d GPS fields", m.location, len(m.gps))
		}
		if m.location == nil {
			return
		}
		seg := buildExif(m.order, m.gps)
		if len(seg)+2 > 0xFFFF {
			t.Fatalf("an APP1 segment of %d bytes", len(seg)+2)
		}
		again := parseExif(seg[6:])
		if again.orientation != 1 || again.location == nil || *again.location != *m.location {
			t.Fatalf("read back: orientation %d, location %v, want 1, %v", again.orientation, again.location, *m.location)
		}
		if !slices.EqualFunc(again.gps, m.gps, func(a, b ifdEntry) bool {
			return a.tag == b.tag && a.typ == b.typ && a.count == b.count && string(a.value) == string(b.value)
		}) {
			t.Fatalf("GPS fields read back as %v, want %v", again.gps, m.gps)
		}
	})
}

func rationals(order binary.ByteOrder, v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		order.PutUint32(b[4*i:], x)
	}
	return b
}
