package aaf

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// requestKind is the kind of an AAF request element.
type requestKind int

// Request kinds.
const (
	requestAdd requestKind = iota
	requestModify
	requestDelete
)

// requestTags are the element names of the request kinds, by kind.
var requestTags = [...]string{"addRequest", "modifyRequest", "deleteRequest"}

// requestKindOf returns the request kind an element name starts.
func requestKindOf(name []byte) (requestKind, bool) {
	for k, tag := range requestTags {
		if string(name) == tag {
			return requestKind(k), true
		}
	}
	return 0, false
}

// maxRecordSize bounds the bytes of one request. A real record is a few
// kilobytes; the bound keeps memory small when an end tag is missing.
const maxRecordSize = 4 << 20

// cutProblem is the reason why a record could not be cut out whole.
type cutProblem int

const (
	cutOK          cutProblem = iota
	cutTruncated              // the file ends inside the record
	cutInterrupted            // another request starts inside the record
	cutTooLarge               // the record exceeds maxRecordSize
)

// rawRecord is the text of one request, as the splitter cut it.
type rawRecord struct {
	kind requestKind
	line int    // line of the start tag, 1-based
	data []byte // from "<" of the start tag to ">" of the end tag; valid until the next call to next
	// problem is set when the record is incomplete; nextLine is then the
	// line where the interrupting request starts.
	problem  cutProblem
	nextLine int
}

// headSize is how many bytes after "<" are looked at to name a tag.
const headSize = 32

// splitter cuts a UTF-8 stream into requests, without parsing what lies
// between them, so that a malformed request does not stop the file. Memory
// stays within the bufio buffer plus one record.
type splitter struct {
	r    *bufio.Reader
	line int // line of the next byte to read, 1-based

	in       bool // inside a request
	cur      rawRecord
	buf      []byte
	overflow bool

	// pending is a request start found inside the previous request, which
	// the next call to next begins with.
	pending     bool
	pendingKind requestKind
	pendingLine int

	// sawRoot reports whether a ficAlimMENESR start tag was seen.
	sawRoot bool
}

func newSplitter(r io.Reader) *splitter {
	return &splitter{r: bufio.NewReaderSize(r, 64*1024), line: 1}
}

// next returns the next request, or io.EOF after the last one. An
// incomplete request is returned with its problem set. Other errors come
// from the underlying reader.
func (s *splitter) next() (rawRecord, error) {
	if s.pending {
		s.pending = false
		s.start(s.pendingKind, s.pendingLine)
	}
	for {
		chunk, err := s.r.ReadSlice('<')
		s.consume(chunk)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			if s.in {
				return s.finish(cutTruncated), nil
			}
			return rawRecord{}, io.EOF
		}
		if err != nil {
			return rawRecord{}, err
		}

		// A "<" was just read: look at what it opens.
		ltLine := s.line
		head, _ := s.r.Peek(headSize)
		switch {
		case bytes.HasPrefix(head, []byte("!--")):
			err = s.skipPast([]byte("-->"))
		case bytes.HasPrefix(head, []byte("![CDATA[")):
			err = s.skipPast([]byte("]]>"))
		case bytes.HasPrefix(head, []byte("!")):
			err = s.skipDeclaration()
		case bytes.HasPrefix(head, []byte("?")):
			err = s.skipPast([]byte("?>"))
		case bytes.HasPrefix(head, []byte("/")):
			if s.in && string(tagName(head[1:])) == requestTags[s.cur.kind] {
				if err := s.skipPast([]byte(">")); err != nil {
					if err == io.EOF {
						return s.finish(cutTruncated), nil
					}
					return rawRecord{}, err
				}
				return s.finish(cutOK), nil
			}
		default:
			name := tagName(head)
			if string(name) == "ficAlimMENESR" {
				s.sawRoot = true
			}
			kind, ok := requestKindOf(name)
			if !ok {
				continue
			}
			if !s.in {
				s.start(kind, ltLine)
				continue
			}
			// A request starts before the current one ends: cut the current
			// one before this "<" and start the new one on the next call.
			if !s.overflow && len(s.buf) > 0 {
				s.buf = s.buf[:len(s.buf)-1]
			}
			s.pending, s.pendingKind, s.pendingLine = true, kind, ltLine
			rec := s.finish(cutInterrupted)
			rec.nextLine = ltLine
			return rec, nil
		}
		if err == io.EOF {
			if s.in {
				return s.finish(cutTruncated), nil
			}
			return rawRecord{}, io.EOF
		}
		if err != nil {
			return rawRecord{}, err
		}
	}
}

// start begins a request whose "<" is already consumed.
func (s *splitter) start(kind requestKind, line int) {
	s.in = true
	s.overflow = false
	s.cur = rawRecord{kind: kind, line: line}
	s.buf = append(s.buf[:0], '<')
}

// finish ends the current request.
func (s *splitter) finish(problem cutProblem) rawRecord {
	rec := s.cur
	rec.data = s.buf
	rec.problem = problem
	if s.overflow {
		rec.problem = cutTooLarge
		rec.data = nil
	}
	s.in = false
	return rec
}

// consume counts the lines of b and keeps b when inside a request.
func (s *splitter) consume(b []byte) {
	s.line += bytes.Count(b, []byte{'\n'})
	if !s.in || s.overflow {
		return
	}
	if len(s.buf)+len(b) > maxRecordSize {
		s.overflow = true
		return
	}
	s.buf = append(s.buf, b...)
}

// skipPast consumes bytes up to and including term.
func (s *splitter) skipPast(term []byte) error {
	last := term[len(term)-1]
	var tail []byte
	for {
		chunk, err := s.r.ReadSlice(last)
		s.consume(chunk)
		tail = append(tail, chunk...)
		if len(tail) > len(term) {
			tail = tail[len(tail)-len(term):]
		}
		if err == nil && bytes.HasSuffix(tail, term) {
			return nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// skipDeclaration consumes a markup declaration such as <!DOCTYPE ...>,
// with its internal subset in brackets, quoted strings and comments. It
// reads nothing that the declaration points to.
func (s *splitter) skipDeclaration() error {
	var quote byte
	depth := 0
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		s.consume([]byte{b})
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '[':
			depth++
		case b == ']' && depth > 0:
			depth--
		case b == '<':
			if head, _ := s.r.Peek(3); bytes.Equal(head, []byte("!--")) {
				if err := s.skipPast([]byte("-->")); err != nil {
					return err
				}
			}
		case b == '>' && depth == 0:
			return nil
		}
	}
}

// tagName returns the element name at the start of b.
func tagName(b []byte) []byte {
	for i, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '>', '/':
			return b[:i]
		}
	}
	return b
}
