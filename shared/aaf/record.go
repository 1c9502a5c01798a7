package aaf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// attribute is one <attr> of an addRequest or one <modification> of a
// modifyRequest.
type attribute struct {
	name string
	// op is the operation of a modification as written ("replace", "add",
	// "delete"); empty for an <attr>.
	op string
	// noOp is set for a <modification> without operation attribute.
	noOp   bool
	values []string // trimmed, empty values left out
	line   int
}

// record is one decoded request.
type record struct {
	kind     requestKind
	line     int
	category string // value of the operational attribute
	catAttr  string // name of the operational attribute
	id       string // <identifier><id>
	attrs    []attribute
}

// get returns the attribute named name, or nil.
func (r *record) get(name string) *attribute {
	for i := range r.attrs {
		if r.attrs[i].name == name {
			return &r.attrs[i]
		}
	}
	return nil
}

// first returns the first value of the attribute named name, or "".
func (r *record) first(name string) string {
	if a := r.get(name); a != nil && len(a.values) > 0 {
		return a.values[0]
	}
	return ""
}

// syntaxError is a well-formedness error of a record, at an absolute line.
type syntaxError struct {
	line int
	err  error
}

func (e *syntaxError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *syntaxError) Unwrap() error { return e.err }

// errRecordEnd reports a record that ends before its root element closes.
var errRecordEnd = errors.New("unexpected end of record")

// decodeRecord decodes the text of one request. startLine is the line of
// its first byte in the file, so that errors carry absolute lines. strict
// false lets encoding/xml accept a bare "&", unknown entities and end tags
// that do not match their start tag.
func decodeRecord(kind requestKind, data []byte, startLine int, strict bool) (*record, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = strict
	d.Entity = xml.HTMLEntity
	rec := &record{kind: kind, line: startLine}

	var (
		stack       []string
		cur         *attribute
		operational bool // cur is the operational attribute
		inValue     bool
		inID        bool
		text        strings.Builder
	)
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = errRecordEnd
			}
			line, _ := d.InputPos()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			return nil, &syntaxError{line: startLine + line - 1, err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			name := t.Name.Local
			stack = append(stack, name)
			line, _ := d.InputPos()
			switch {
			case name == "attr" && (parent == "attributes" || parent == "operationalAttributes"):
				cur = &attribute{name: xmlAttr(t, "name"), line: startLine + line - 1}
				operational = parent == "operationalAttributes"
			case name == "modification" && parent == "modifications":
				cur = &attribute{name: xmlAttr(t, "name"), line: startLine + line - 1}
				cur.op = strings.ToLower(strings.TrimSpace(xmlAttr(t, "operation")))
				cur.noOp = cur.op == ""
				operational = false
			case name == "value" && cur != nil:
				inValue = true
				text.Reset()
			case name == "id" && parent == "identifier":
				inID = true
				text.Reset()
			}
		case xml.CharData:
			if inValue || inID {
				text.Write(t)
			}
		case xml.EndElement:
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch {
			case name == "value" && inValue:
				inValue = false
				if v := strings.TrimSpace(text.String()); v != "" && cur != nil {
					cur.values = append(cur.values, v)
				}
			case name == "id" && inID:
				inID = false
				rec.id = strings.TrimSpace(text.String())
			case (name == "attr" || name == "modification") && cur != nil:
				if operational {
					rec.catAttr = cur.name
					if len(cur.values) > 0 {
						rec.category = cur.values[0]
					}
				} else {
					rec.attrs = append(rec.attrs, *cur)
				}
				cur, operational = nil, false
			}
			if len(stack) == 0 {
				return rec, nil
			}
		}
	}
}

// xmlAttr returns the value of an XML attribute of a start tag.
func xmlAttr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// tagRepair is an end tag that repairTags rewrote.
type tagRepair struct {
	line     int
	was, now string
}

// repairTags rewrites the end tags </attr> that close a <modification>, and
// </modification> that close an <attr>, to match their start tags. It
// returns data unchanged and no repairs when there is nothing to rewrite.
func repairTags(data []byte, startLine int) ([]byte, []tagRepair) {
	var (
		out     []byte
		repairs []tagRepair
		stack   []string
		copied  int // bytes of data already copied to out
		line    = startLine
		counted int // bytes of data whose line ends are in line
	)
	for i := 0; i < len(data); i++ {
		if data[i] != '<' {
			continue
		}
		rest := data[i+1:]
		switch {
		case bytes.HasPrefix(rest, []byte("!--")):
			if end := bytes.Index(rest, []byte("-->")); end >= 0 {
				i += end + 3
			}
			continue
		case bytes.HasPrefix(rest, []byte("![CDATA[")):
			if end := bytes.Index(rest, []byte("]]>")); end >= 0 {
				i += end + 3
			}
			continue
		case bytes.HasPrefix(rest, []byte("!")), bytes.HasPrefix(rest, []byte("?")):
			continue
		}
		end := tagEnd(rest)
		if end <= 0 {
			continue
		}
		if rest[0] != '/' {
			if rest[end-1] != '/' {
				stack = append(stack, string(tagName(rest)))
			}
			continue
		}
		name := string(tagName(rest[1:]))
		if len(stack) == 0 {
			continue
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if name == top || !((name == "attr" && top == "modification") || (name == "modification" && top == "attr")) {
			continue
		}
		out = append(out, data[copied:i]...)
		out = append(out, "</"+top+">"...)
		copied = i + 1 + end + 1
		line += bytes.Count(data[counted:i], []byte{'\n'})
		counted = i
		repairs = append(repairs, tagRepair{line: line, was: name, now: top})
	}
	if len(repairs) == 0 {
		return data, nil
	}
	return append(out, data[copied:]...), repairs
}

// tagEnd returns the index in b of the ">" that ends the tag b starts,
// skipping quoted attribute values, or -1.
func tagEnd(b []byte) int {
	var quote byte
	for i, c := range b {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		case c == '<':
			return -1
		}
	}
	return -1
}

// stripControls removes the control characters that XML 1.0 forbids
// (U+0000-U+001F except tab, line feed and carriage return). It reports
// whether it removed any.
func stripControls(data []byte) ([]byte, bool) {
	clean := true
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			clean = false
			break
		}
	}
	if clean {
		return data, false
	}
	out := make([]byte, 0, len(data))
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			continue
		}
		out = append(out, c)
	}
	return out, true
}
