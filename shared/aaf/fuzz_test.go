package aaf

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzReadStream feeds arbitrary bytes to the whole pipeline of one file:
// charset, splitter, record decoding, repairs and mapping. It must never
// panic nor fail, and every issue must point inside the input.
func FuzzReadStream(f *testing.F) {
	for _, dir := range []string{"testdata/full", "testdata/delta", "testdata/encoding", "testdata/doctype"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			n, _ := parseFileName(filepath.Base(name))
			f.Add(data, uint8(n.typ))
		}
	}
	f.Add([]byte("<modifyRequest><modifications><modification name=\"sn\"><value>x</attr></modifications></modifyRequest>"), uint8(typePupil))

	f.Fuzz(func(t *testing.T, data []byte, typ uint8) {
		ft := fileType(int(typ) % (int(typeRelative) + 1))
		rec := &recorder{}
		err := readStream(t.Context(), "fuzz.xml", ft, bytes.NewReader(data), rec)
		if err != nil {
			// Only an unsupported declared encoding may stop a file.
			if _, cerr := detectCharset(data[:min(len(data), prologSize)]); cerr == nil {
				t.Fatalf("readStream error %v on a supported encoding", err)
			}
			return
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for _, issue := range slices.Concat(rec.warnings, rec.rejects) {
			if issue.Ref.Line < 0 || issue.Ref.Line > lines {
				t.Fatalf("issue at line %d outside the %d lines of the input: %s", issue.Ref.Line, lines, issue.Message)
			}
		}
	})
}
