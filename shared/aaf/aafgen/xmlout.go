package aafgen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fileHeader starts every file, as in the ministry's exports (AAF-VE1301).
// The DTD it names is not written: readers must never fetch it.
const fileHeader = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">
<ficAlimMENESR>
<!-- versionAF="AAF-VE1301" -->
<!-- Fictional feed written by Cartable's aafgen: every name, date and identifier is invented. -->
`

const fileFooter = "</ficAlimMENESR>\n"

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;")

// typeWriter writes the records of one file type, starting a new file
// (_0000, _0001, ...) every perFile records. Write errors are not checked
// one by one: bufio.Writer keeps the first one and Flush returns it when
// the file is closed.
type typeWriter struct {
	dir, prefix, date, typ string
	category, categoryAttr string
	perFile                int

	records int
	part    int
	f       *os.File
	w       *bufio.Writer
	files   []string
	bytes   int64
}

func newTypeWriter(dir string, cfg Config, typ, categoryAttr, category string) *typeWriter {
	return &typeWriter{dir: dir, prefix: cfg.Prefix, date: cfg.Date, typ: typ,
		categoryAttr: categoryAttr, category: category, perFile: cfg.RecordsPerFile}
}

// begin starts an addRequest record with identifier id, opening the next
// file when the current one is full.
func (t *typeWriter) begin(id string) error {
	if t.f == nil || t.records%t.perFile == 0 && t.records > 0 {
		if err := t.rotate(); err != nil {
			return err
		}
	}
	t.records++
	t.w.WriteString("\n<addRequest>\n<operationalAttributes><attr name=\"")
	t.w.WriteString(t.categoryAttr)
	t.w.WriteString("\"><value>")
	t.w.WriteString(t.category)
	t.w.WriteString("</value></attr></operationalAttributes>\n<identifier><id>")
	t.w.WriteString(xmlEscaper.Replace(id))
	t.w.WriteString("</id></identifier>\n<attributes>\n")
	return nil
}

// attr writes an attribute with its values; no value writes <value/>, as
// the exports do for an empty attribute.
func (t *typeWriter) attr(name string, values ...string) {
	t.w.WriteString(`<attr name="`)
	t.w.WriteString(name)
	t.w.WriteString(`">`)
	if len(values) == 0 {
		t.w.WriteString("<value/>")
	}
	for _, v := range values {
		t.w.WriteString("<value>")
		t.w.WriteString(xmlEscaper.Replace(v))
		t.w.WriteString("</value>")
	}
	t.w.WriteString("</attr>\n")
}

// end closes the record.
func (t *typeWriter) end() {
	t.w.WriteString("</attributes>\n</addRequest>\n")
}

func (t *typeWriter) rotate() error {
	if err := t.closeFile(); err != nil {
		return err
	}
	name := fmt.Sprintf("%s_Complet_%s_%s_%04d.xml", t.prefix, t.date, t.typ, t.part)
	t.part++
	f, err := os.Create(filepath.Join(t.dir, name))
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	t.f = f
	t.w = bufio.NewWriterSize(f, 256<<10)
	t.files = append(t.files, name)
	t.w.WriteString(fileHeader)
	return nil
}

func (t *typeWriter) closeFile() error {
	if t.f == nil {
		return nil
	}
	t.w.WriteString(fileFooter)
	err := t.w.Flush()
	if info, serr := t.f.Stat(); serr == nil {
		t.bytes += info.Size()
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	t.f, t.w = nil, nil
	if err != nil {
		return fmt.Errorf("write %s: %w", t.files[len(t.files)-1], err)
	}
	return nil
}

// close ends the last file. A type with no record still gets one file
// with no request, so that the feed covers it.
func (t *typeWriter) close() error {
	if t.f == nil && t.records == 0 {
		if err := t.rotate(); err != nil {
			return err
		}
	}
	return t.closeFile()
}
