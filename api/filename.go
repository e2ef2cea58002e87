package api

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFilenameBytes bounds the filename of an upload (Upload-Metadata).
const MaxFilenameBytes = 255

// FilenameProblem says what is wrong with the filename of an upload, ""
// when nothing is. A filename is a name, never a path: the clerk who opens
// the file saves it under this name, on whatever system the town hall
// uses. So it is refused, not cleaned, when it holds a path separator (/
// or \), a drive or stream separator (:), is "." or "..", holds a control
// character (NUL, line breaks, C1), a character that reorders the text
// shown (bidi embeddings, overrides and isolates: "gpj.exe" shown as
// "exe.jpg"), is not UTF-8, or is empty or longer than MaxFilenameBytes.
// Clients send SafeFilename of their file's name.
func FilenameProblem(name string) string {
	switch {
	case name == "":
		return "it is empty"
	case len(name) > MaxFilenameBytes:
		return "it is longer than 255 bytes"
	case !utf8.ValidString(name):
		return "it is not UTF-8"
	case name == "." || name == "..":
		return "it is " + name
	case strings.ContainsAny(name, `/\`):
		return "it is a path (holds / or \\); send the file's name only"
	case strings.ContainsRune(name, ':'):
		return "it holds a colon"
	case strings.ContainsFunc(name, unsafeRune):
		return "it holds a control character"
	}
	return ""
}

// SafeFilename is the name to send for a file the device knows as name:
// its last path element, with every character FilenameProblem refuses
// replaced by "_", cut to MaxFilenameBytes (keeping a short extension);
// "file" when nothing is left.
func SafeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		if r == ':' || unsafeRune(r) {
			return '_'
		}
		return r
	}, name)
	if len(name) > MaxFilenameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		stem := name[:MaxFilenameBytes-len(ext)]
		for !utf8.ValidString(stem) { // cut inside a character
			stem = stem[:len(stem)-1]
		}
		name = stem + ext
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// unsafeRune reports control characters and the characters that reorder
// the text around them.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
