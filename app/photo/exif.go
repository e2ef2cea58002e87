package photo

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
)

// TIFF tags and field types used here (TIFF 6.0, Exif 2.32).
const (
	tagOrientation = 0x0112
	tagGPSIFD      = 0x8825

	typeByte     = 1
	typeASCII    = 2
	typeShort    = 3
	typeLong     = 4
	typeRational = 5
	typeIFD      = 13
)

// typeSizes gives the size in bytes of one value of each TIFF field type;
// 0 for unknown types.
var typeSizes = [...]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

// exifMeta is what Downscale takes from an EXIF block.
type exifMeta struct {
	order       binary.ByteOrder
	orientation int        // 1 to 8; 1 when absent or unreadable
	gps         []ifdEntry // the kept GPS fields, sorted by tag; nil without a usable position
	location    *Location  // set exactly when gps is
}

// ifdEntry is one field of an IFD with its raw value bytes, in the byte
// order of the TIFF structure it came from.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	value    []byte
}

// tiff reads a TIFF structure. Every read is bounds-checked: a damaged
// structure yields zeros and false, never a panic.
type tiff struct {
	b     []byte
	order binary.ByteOrder
}

func (t tiff) u16(off uint64) (uint16, bool) {
	if off+2 > uint64(len(t.b)) {
		return 0, false
	}
	return t.order.Uint16(t.b[off:]), true
}

func (t tiff) u32(off uint64) (uint32, bool) {
	if off+4 > uint64(len(t.b)) {
		return 0, false
	}
	return t.order.Uint32(t.b[off:]), true
}

// ifd returns the entries of the IFD at off that lie wholly inside the
// structure, with their values; entries with an unknown type or a value
// outside the structure are left out.
func (t tiff) ifd(off uint64) []ifdEntry {
	n, ok := t.u16(off)
	if !ok || off < 8 {
		return nil
	}
	var out []ifdEntry
	for i := uint64(0); i < uint64(n); i++ {
		e := off + 2 + 12*i
		if e+12 > uint64(len(t.b)) {
			break
		}
		tag, typ, count := t.order.Uint16(t.b[e:]), t.order.Uint16(t.b[e+2:]), t.order.Uint32(t.b[e+4:])
		if int(typ) >= len(typeSizes) || typeSizes[typ] == 0 {
			continue
		}
		size := uint64(count) * typeSizes[typ] // at most 2^32 × 8: no overflow
		valueAt := e + 8
		if size > 4 {
			valueAt = uint64(t.order.Uint32(t.b[e+8:]))
		}
		if valueAt+size > uint64(len(t.b)) {
			continue
		}
		out = append(out, ifdEntry{tag: tag, typ: typ, count: count, value: t.b[valueAt : valueAt+size]})
	}
	return out
}

// parseExif reads the orientation and the GPS position from b, a TIFF
// structure (the payload of an APP1 "Exif" segment after its identifier).
// It follows exactly one pointer, from IFD0 to the GPS IFD, and never the
// next-IFD links, so offsets that point back cannot make it loop.
func parseExif(b []byte) exifMeta {
	m := exifMeta{orientation: 1, order: binary.BigEndian}
	if len(b) < 8 {
		return m
	}
	switch string(b[:2]) {
	case "II":
		m.order = binary.LittleEndian
	case "MM":
	default:
		return m
	}
	t := tiff{b: b, order: m.order}
	if magic, _ := t.u16(2); magic != 42 {
		return m
	}
	ifd0, _ := t.u32(4)
	var gpsAt uint64
	seenOrientation, seenGPS := false, false // the first field of a tag counts
	for _, e := range t.ifd(uint64(ifd0)) {
		switch {
		case e.tag == tagOrientation && !seenOrientation:
			seenOrientation = true
			if e.typ == typeShort && e.count == 1 {
				if o := int(m.order.Uint16(e.value)); o >= 1 && o <= 8 {
					m.orientation = o
				}
			}
		case e.tag == tagGPSIFD && !seenGPS:
			seenGPS = true
			if (e.typ == typeLong || e.typ == typeIFD) && e.count == 1 {
				gpsAt = uint64(m.order.Uint32(e.value))
			}
		}
	}
	if gpsAt == 0 {
		return m
	}
	var kept []ifdEntry
	for _, e := range t.ifd(gpsAt) {
		if gpsKeep(e) && !slices.ContainsFunc(kept, func(k ifdEntry) bool { return k.tag == e.tag }) {
			kept = append(kept, e)
		}
	}
	if loc := gpsLocation(kept, m.order); loc != nil {
		slices.SortFunc(kept, func(a, b ifdEntry) int { return cmp.Compare(a.tag, b.tag) })
		m.gps, m.location = kept, loc
	}
	return m
}

// gpsKeep reports whether e is one of the GPS fields that describe the
// position, with the type and count Exif 2.32 gives it.
func gpsKeep(e ifdEntry) bool {
	is := func(typ uint16, count uint32) bool { return e.typ == typ && e.count == count }
	ascii := func(maxLen uint32) bool { return e.typ == typeASCII && e.count >= 1 && e.count <= maxLen }
	switch e.tag {
	case 0x00: // GPSVersionID
		return is(typeByte, 4)
	case 0x01, 0x03, 0x10: // GPSLatitudeRef, GPSLongitudeRef, GPSImgDirectionRef
		return ascii(2)
	case 0x02, 0x04: // GPSLatitude, GPSLongitude
		return is(typeRational, 3)
	case 0x05: // GPSAltitudeRef
		return is(typeByte, 1)
	case 0x06, 0x0B, 0x11, 0x1F: // GPSAltitude, GPSDOP, GPSImgDirection, GPSHPositioningError
		return is(typeRational, 1)
	case 0x12: // GPSMapDatum
		return ascii(64)
	}
	return false
}

// gpsLocation returns the position the fields describe, or nil when they do
// not hold a usable one.
func gpsLocation(fields []ifdEntry, order binary.ByteOrder) *Location {
	get := func(tag uint16) []byte {
		for _, e := range fields {
			if e.tag == tag {
				return e.value
			}
		}
		return nil
	}
	coord := func(refTag, valTag uint16, pos, neg byte, limit float64) (float64, bool) {
		ref, v := get(refTag), get(valTag)
		if len(ref) == 0 || (ref[0] != pos && ref[0] != neg) || len(v) != 24 {
			return 0, false
		}
		var deg float64
		for i, unit := range []float64{1, 60, 3600} {
			num, den := order.Uint32(v[8*i:]), order.Uint32(v[8*i+4:])
			if den == 0 {
				return 0, false
			}
			deg += float64(num) / float64(den) / unit
		}
		if deg > limit || math.IsNaN(deg) {
			return 0, false
		}
		if ref[0] == neg {
			deg = -deg
		}
		return deg, true
	}
	lat, ok1 := coord(0x01, 0x02, 'N', 'S', 90)
	lon, ok2 := coord(0x03, 0x04, 'E', 'W', 180)
	if !ok1 || !ok2 || (lat == 0 && lon == 0) { // 0°, 0° is what some cameras write without a fix
		return nil
	}
	return &Location{Latitude: lat, Longitude: lon}
}

// buildExif returns the payload of an APP1 segment ("Exif\0\0" and a TIFF
// structure in byte order order) with IFD0 holding Orientation = 1 and a
// pointer to a GPS IFD with the given fields, sorted by tag.
func buildExif(order binary.ByteOrder, gps []ifdEntry) []byte {
	const (
		tiffAt = 6          // after "Exif\0\0"
		ifd0   = 8          // relative to the TIFF header
		gpsIFD = ifd0 + 30  // IFD0: count, 2 entries, next-IFD link
		values = gpsIFD + 6 // plus 12 bytes a GPS entry
	)
	n := tiffAt + values + 12*len(gps)
	b := make([]byte, n, n+256)
	copy(b, "Exif\x00\x00")
	t := b[tiffAt:]
	if order == binary.LittleEndian {
		copy(t, "II")
	} else {
		copy(t, "MM")
	}
	order.PutUint16(t[2:], 42)
	order.PutUint32(t[4:], ifd0)

	entry := func(at int, tag, typ uint16, count uint32) {
		order.PutUint16(t[at:], tag)
		order.PutUint16(t[at+2:], typ)
		order.PutUint32(t[at+4:], count)
	}
	order.PutUint16(t[ifd0:], 2)
	entry(ifd0+2, tagOrientation, typeShort, 1)
	order.PutUint16(t[ifd0+2+8:], 1)
	entry(ifd0+14, tagGPSIFD, typeLong, 1)
	order.PutUint32(t[ifd0+14+8:], gpsIFD)
	// the next-IFD links stay 0

	order.PutUint16(t[gpsIFD:], uint16(len(gps)))
	for i, e := range gps {
		at := gpsIFD + 2 + 12*i
		entry(at, e.tag, e.typ, e.count)
		if len(e.value) <= 4 {
			copy(t[at+8:], e.value)
			continue
		}
		off := len(b) - tiffAt
		order.PutUint32(t[at+8:], uint32(off))
		b = append(b, e.value...)
		if len(e.value)%2 == 1 { // values start on a word boundary
			b = append(b, 0)
		}
		t = b[tiffAt:]
	}
	return b
}
