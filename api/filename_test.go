package api

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFilename(t *testing.T) {
	long := strings.Repeat("ä", 200) + ".jpeg" // 405 bytes
	tests := []struct {
		name    string
		in      string
		refused bool
		safe    string // what SafeFilename makes of it
	}{
		{"plain", "foto.jpg", false, "foto.jpg"},
		{"umlauts and spaces", "Rechnung für März 2026.pdf", false, "Rechnung für März 2026.pdf"},
		{"emoji", "🐕 Bello.heic", false, "🐕 Bello.heic"},
		{"dots inside", "..foto..jpg", false, "..foto..jpg"},
		{"255 bytes", strings.Repeat("x", 251) + ".jpg", false, strings.Repeat("x", 251) + ".jpg"},
		{"path traversal", "../../../etc/passwd", true, "passwd"},
		{"absolute path", "/home/erika/foto.jpg", true, "foto.jpg"},
		{"Windows path", `C:\x`, true, "x"},
		{"Windows drive only", "C:x", true, "C_x"},
		{"NTFS stream", "foto.jpg:zone", true, "foto.jpg_zone"},
		{"NUL", "foto\x00.jpg", true, "foto_.jpg"},
		{"line break", "foto\n.jpg", true, "foto_.jpg"},
		{"DEL", "foto\x7f.jpg", true, "foto_.jpg"},
		{"C1 control", "foto\u0085.jpg", true, "foto_.jpg"},
		{"right-to-left override", "rechnung\u202egpj.exe", true, "rechnung_gpj.exe"},
		{"isolate", "a\u2066b.pdf", true, "a_b.pdf"},
		{"invalid UTF-8", "foto\xff.jpg", true, "foto_.jpg"},
		{"empty", "", true, "file"},
		{"dot", ".", true, "file"},
		{"dot dot", "..", true, "file"},
		{"ends in a slash", "fotos/", true, "file"},
		{"256 bytes", strings.Repeat("x", 252) + ".jpg", true, strings.Repeat("x", 251) + ".jpg"},
		{"overlong, in two-byte characters", long, true, strings.Repeat("ä", 125) + ".jpeg"},
		{"overlong, no extension", strings.Repeat("x", 300), true, strings.Repeat("x", 255)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FilenameProblem(tt.in); (got != "") != tt.refused {
				t.Errorf("FilenameProblem(%q) = %q, want refused %v", tt.in, got, tt.refused)
			}
			got := SafeFilename(tt.in)
			if got != tt.safe {
				t.Errorf("SafeFilename(%q) = %q, want %q", tt.in, got, tt.safe)
			}
			if p := FilenameProblem(got); p != "" {
				t.Errorf("SafeFilename(%q) = %q is refused: %s", tt.in, got, p)
			}
		})
	}
}

// FuzzSafeFilename: whatever name a device has, the name it sends is
// accepted, and a name that is accepted is sent as it is.
func FuzzSafeFilename(f *testing.F) {
	for _, s := range []string{"foto.jpg", "../../../etc/passwd", `C:\x`, "a\x00b", "\xff\xfe", "\u202e", strings.Repeat("ä", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		safe := SafeFilename(name)
		if p := FilenameProblem(safe); p != "" {
			t.Fatalf("SafeFilename(%q) = %q, refused: %s", name, safe, p)
		}
		if !utf8.ValidString(safe) || len(safe) > MaxFilenameBytes {
			t.Fatalf("SafeFilename(%q) = %q", name, safe)
		}
		if FilenameProblem(name) == "" && safe != name {
			t.Fatalf("SafeFilename(%q) = %q, but the name was fine", name, safe)
		}
	})
}
