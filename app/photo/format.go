package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
)

type format int

const (
	formatUnknown format = iota
	formatJPEG
	formatPNG
	formatGIF
	formatWebP
)

// header is what the container of an image tells before it is decoded:
// its format, its EXIF (a TIFF structure, nil when there is none) and what
// its decoder will allocate besides the pixels.
type header struct {
	format format
	exif   []byte

	// JPEG: the frame's components with their sampling factors, and
	// whether it is progressive (Go keeps all its coefficients).
	progressive bool
	comps       []jpegComp
	rgb         bool // 3 components that Go converts into an image.RGBA
	// PNG: Adam7 interlacing (Go decodes each pass into its own image),
	// and a tRNS chunk (Go then decodes grey into NRGBA or NRGBA64).
	interlaced, transparency bool
}

type jpegComp struct {
	id   byte
	h, v int
}

// sniff recognises the format by its first bytes and reads the container's
// metadata. It never fails: what it cannot read stays empty.
func sniff(b []byte) header {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return sniffJPEG(b)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return sniffPNG(b)
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return header{format: formatGIF}
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return sniffWebP(b)
	}
	return header{}
}

// sniffJPEG walks the marker segments the way image/jpeg does: extraneous
// bytes between segments are skipped, and the walk goes on after each scan,
// because an APP0 or APP14 segment anywhere decides whether the decoder
// converts the image to RGBA. It keeps the first APP1 "Exif" segment
// before the first scan and the first frame header.
func sniffJPEG(b []byte) (h header) {
	h.format = formatJPEG
	jfif, adobeRGB, scanned := false, false, false
	defer func() {
		// As image/jpeg decides it (decoder.isRGB).
		c := h.comps
		h.rgb = len(c) == 3 && !jfif && (adobeRGB || c[0].id == 'R' && c[1].id == 'G' && c[2].id == 'B')
	}()
	for i := 2; i+1 < len(b); {
		if b[i] != 0xFF {
			i++ // extraneous data
			continue
		}
		m := b[i+1]
		switch {
		case m == 0x00 || m == 0xFF: // stuffed zero, fill byte
			i++
			continue
		case m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7): // no length
			i += 2
			continue
		case m == 0xD9: // end of image
			return h
		}
		if i+4 > len(b) {
			return h
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return h
		}
		seg := b[i+4 : i+2+n]
		switch {
		case m == 0xE1 && h.exif == nil && !scanned && len(seg) >= 6 && string(seg[:5]) == "Exif\x00":
			h.exif = seg[6:]
		case m == 0xE0 && len(seg) >= 5 && string(seg[:5]) == "JFIF\x00":
			jfif = true
		case m == 0xEE && len(seg) >= 12 && string(seg[:5]) == "Adobe":
			adobeRGB = seg[11] == 0
		case (m == 0xC0 || m == 0xC1 || m == 0xC2) && h.comps == nil && len(seg) >= 6:
			h.progressive = m == 0xC2
			nc := int(seg[5])
			for c := 0; c < nc && 6+3*c+2 < len(seg); c++ {
				s := seg[6+3*c+1]
				h.comps = append(h.comps, jpegComp{id: seg[6+3*c], h: max(1, int(s>>4)), v: max(1, int(s&0x0F))})
			}
		case m == 0xDA: // start of scan: its entropy-coded data follows
			scanned = true
		}
		i += 2 + n
	}
	return h
}

// sniffPNG reads the IHDR interlace flag, whether there is a tRNS chunk,
// and the first eXIf chunk.
func sniffPNG(b []byte) header {
	h := header{format: formatPNG}
	if len(b) > 28 {
		h.interlaced = b[28] != 0
	}
	for i := 8; i+8 <= len(b); {
		n := int64(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		end := int64(i) + 8 + n
		if end > int64(len(b)) || typ == "IEND" {
			break
		}
		switch {
		case typ == "tRNS":
			h.transparency = true
		case typ == "eXIf" && h.exif == nil:
			h.exif = b[i+8 : end]
		}
		i = int(end) + 4 // CRC
	}
	return h
}

// sniffWebP reads the EXIF chunk of an extended WebP file.
func sniffWebP(b []byte) header {
	h := header{format: formatWebP}
	for i := 12; i+8 <= len(b); {
		n := int64(binary.LittleEndian.Uint32(b[i+4:]))
		end := int64(i) + 8 + n
		if end > int64(len(b)) {
			break
		}
		if string(b[i:i+4]) == "EXIF" {
			h.exif = b[i+8 : end]
			// Some writers put the JPEG APP1 identifier in front.
			if bytes.HasPrefix(h.exif, []byte("Exif\x00\x00")) {
				h.exif = h.exif[6:]
			}
			break
		}
		i = int(end + (n & 1)) // chunks are padded to an even size
	}
	return h
}

// decodeBytes estimates the memory in bytes that decoding an image of
// configuration c allocates, following what image/jpeg, image/png, image/gif
// and x/image/webp do. Measured against the decoders' allocations for
// baseline, progressive and CMYK JPEGs and for 16-bit, interlaced and
// transparent PNGs, it was within 0.5 MB of 5 to 45 MB, except for 16-bit
// grey with transparency (24 MB estimated, 26 MB allocated).
func (h header) decodeBytes(c image.Config) int64 {
	px := int64(c.Width) * int64(c.Height)
	switch h.format {
	case formatJPEG:
		comps := h.comps
		if len(comps) == 0 { // unreadable here: assume the worst
			comps = []jpegComp{{h: 1, v: 1}, {h: 1, v: 1}, {h: 1, v: 1}, {h: 1, v: 1}}
			h.progressive = true
		}
		hmax, vmax := 1, 1
		for _, c := range comps {
			hmax, vmax = max(hmax, c.h), max(vmax, c.v)
		}
		var n int64
		for _, c := range comps {
			plane := px * int64(c.h*c.v) / int64(hmax*vmax)
			n += plane // 8-bit sample plane
			if h.progressive {
				n += 4 * plane // a [64]int32 block of coefficients per 64 samples
			}
		}
		if len(comps) == 4 || h.rgb {
			n += 4 * px // the planes are converted into an image.CMYK or RGBA
		}
		return n
	case formatPNG:
		bpp := bytesPerPixel(c.ColorModel)
		if h.transparency && c.ColorModel == color.GrayModel {
			bpp = 4
		} else if h.transparency && c.ColorModel == color.Gray16Model {
			bpp = 8
		}
		n := px * int64(bpp)
		if h.interlaced {
			n *= 2
		}
		return n
	case formatGIF:
		return px
	case formatWebP:
		switch c.ColorModel {
		case color.YCbCrModel:
			return px * 3 / 2
		case color.NYCbCrAModel:
			return px * 5 / 2
		}
		return 8 * px // lossless: ARGB words, then an NRGBA image
	}
	return 8 * px
}

func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}
