package xdatenfelder

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Bounds on the input. A FIM export of a large form is well under 1 MiB and
// a few thousand elements; the bounds leave room for far larger ones while
// keeping memory and time proportional and small.
const (
	// DefaultMaxBytes bounds the XML document read.
	DefaultMaxBytes = 20 << 20
	// maxDepth bounds the nesting of XML elements (each FIM group level
	// takes three: struktur, enthaelt, datenfeldgruppe).
	maxDepth = 200
	// maxElements bounds the number of XML elements in the document.
	maxElements = 500_000
)

// node is one XML element, namespace-resolved.
type node struct {
	space, local string
	attrs        []xml.Attr
	children     []*node
	text         strings.Builder
	line         int
}

// child returns the first child element with the local name, or nil.
func (n *node) child(local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.local == local {
			return c
		}
	}
	return nil
}

// all returns the child elements with the local name.
func (n *node) all(local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.local == local {
			out = append(out, c)
		}
	}
	return out
}

// str returns the text of the first child element with the local name.
func (n *node) str(local string) string {
	c := n.child(local)
	if c == nil {
		return ""
	}
	return c.text.String()
}

// code returns the code of a code-typed child (<x><code>v</code></x>), or
// its text when it has no <code> child.
func (n *node) code(local string) string {
	c := n.child(local)
	if c == nil {
		return ""
	}
	if cc := c.child("code"); cc != nil {
		return strings.TrimSpace(cc.text.String())
	}
	return strings.TrimSpace(c.text.String())
}

// attr returns the value of the attribute with the local name.
func (n *node) attr(local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// parseXML reads a whole XML document into a tree. It refuses DTDs (and so
// any entity declaration), input larger than maxBytes, deeper than maxDepth
// or with more than maxElements elements, and input that is not valid in its
// declared encoding.
func parseXML(r io.Reader, maxBytes int64) (*node, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotXDatenfelder)
	}
	if t := bytes.TrimSpace(data); t[0] != '<' {
		return nil, fmt.Errorf("%w: not XML (it does not start with '<')", ErrInvalidInput)
	}
	enc := declaredEncoding(data)
	if enc == "" || enc == "utf-8" || enc == "utf8" || enc == "us-ascii" {
		if !utf8.Valid(data) {
			return nil, fmt.Errorf("%w: not valid UTF-8 (first bad byte at offset %d)", ErrInvalidInput, firstInvalidUTF8(data))
		}
	}

	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	var root *node
	var stack []*node
	elements := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalidInput, xmlErrorText(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			elements++
			if elements > maxElements {
				return nil, fmt.Errorf("%w: more than %d XML elements", ErrTooLarge, maxElements)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("%w: XML nested deeper than %d elements", ErrTooLarge, maxDepth)
			}
			line, _ := d.InputPos()
			n := &node{space: t.Name.Space, local: t.Name.Local, attrs: t.Attr, line: line}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("%w: more than one root element", ErrInvalidInput)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("%w: text outside the root element", ErrInvalidInput)
			}
		case xml.Directive:
			// <!DOCTYPE ...>: FIM documents have none, and a DTD is where
			// entity expansion attacks live. Refuse it outright.
			return nil, fmt.Errorf("%w: the document has a DTD (<!%s>), which XDatenfelder files never have", ErrInvalidInput, firstWord(string(t)))
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", ErrNotXDatenfelder)
	}
	return root, nil
}

// declaredEncoding returns the lower-case encoding of the XML declaration,
// or "".
func declaredEncoding(data []byte) string {
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(data[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	rest = rest[1:]
	j := strings.IndexByte(rest, q)
	if j < 0 {
		return ""
	}
	return strings.ToLower(rest[:j])
}

// charsetReader decodes the 8-bit encodings German authorities' older tools
// write; anything else is refused with a clear error.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "l1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "iso-8859-15", "latin9", "latin-9":
		return charmap.ISO8859_15.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", label)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func xmlErrorText(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("XML syntax error on line %d: %s", se.Line, se.Msg)
	}
	return err.Error()
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t\r\n["); i >= 0 {
		s = s[:i]
	}
	if len(s) > 20 {
		s = s[:20]
	}
	return s
}
