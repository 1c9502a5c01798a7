package aaf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// prologSize is how many bytes are searched for the XML declaration.
const prologSize = 1024

// declarationPattern finds the encoding of an XML declaration.
var declarationPattern = regexp.MustCompile(`^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// charset is the decoder that turns a file's bytes into UTF-8.
type charset struct {
	label string            // for messages
	enc   encoding.Encoding // nil for UTF-8
	bom   int               // bytes of UTF-8 byte-order mark to skip
}

// detectCharset reads the byte-order mark and the XML declaration at the
// start of prolog. A file without declaration is UTF-8, as XML 1.0
// specifies.
func detectCharset(prolog []byte) (charset, error) {
	switch {
	case bytes.HasPrefix(prolog, []byte{0xEF, 0xBB, 0xBF}):
		return charset{label: "UTF-8", bom: 3}, nil
	case bytes.HasPrefix(prolog, []byte{0xFE, 0xFF}), bytes.HasPrefix(prolog, []byte{0xFF, 0xFE}):
		// The BOM gives the byte order. The declaration, in UTF-16 too, is not read.
		return charset{label: "UTF-16", enc: unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)}, nil
	}
	m := declarationPattern.FindSubmatch(prolog)
	if m == nil {
		return charset{label: "UTF-8"}, nil
	}
	return lookupCharset(string(m[1]))
}

// lookupCharset maps a declared encoding name to a decoder.
func lookupCharset(name string) (charset, error) {
	switch strings.ToLower(name) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return charset{label: "UTF-8"}, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
		"windows-1252", "cp1252", "x-cp1252":
		// ISO-8859-1 is read as windows-1252 (see the package documentation).
		return charset{label: name, enc: charmap.Windows1252}, nil
	case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", "l9":
		return charset{label: name, enc: charmap.ISO8859_15}, nil
	case "utf-16", "utf16":
		return charset{label: name, enc: unicode.UTF16(unicode.BigEndian, unicode.UseBOM)}, nil
	}
	return charset{}, fmt.Errorf("unsupported encoding %q: %w", name, errUnsupportedEncoding)
}

// errUnsupportedEncoding is wrapped by the errors for a declared encoding
// that the reader cannot decode.
var errUnsupportedEncoding = errors.New("supported encodings are UTF-8, ISO-8859-1, ISO-8859-15 and windows-1252")

// utf8Reader returns a reader of r's text in UTF-8, after its declaration
// has been looked up, and the charset it found.
func utf8Reader(r io.Reader) (io.Reader, charset, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	prolog, err := br.Peek(prologSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, charset{}, err
	}
	cs, err := detectCharset(prolog)
	if err != nil {
		return nil, charset{}, err
	}
	if cs.bom > 0 {
		if _, err := br.Discard(cs.bom); err != nil {
			return nil, charset{}, err
		}
	}
	if cs.enc == nil {
		return br, cs, nil
	}
	return cs.enc.NewDecoder().Reader(br), cs, nil
}

// windows1252ToUTF8 decodes b as windows-1252, for a record whose bytes are
// not valid UTF-8.
func windows1252ToUTF8(b []byte) []byte {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		// Every byte has a windows-1252 mapping or becomes U+FFFD: no error
		// is expected, but keep the record readable if one comes.
		return bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return out
}
