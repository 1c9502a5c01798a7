package letters

import (
	"fmt"
	"io"
	"testing"
)

// countingWriter counts the bytes written to it and drops them.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// schoolLetters returns n letters with distinct logins and codes, cycling
// through the roles and names of testLetters.
func schoolLetters(n int) []Letter {
	base := testLetters()
	letters := make([]Letter, n)
	for i := range letters {
		l := base[i%len(base)]
		l.Login = fmt.Sprintf("%s.%d", l.Login, i)
		l.Code = fmt.Sprintf("ABCD-EFGH-%04d", i)
		letters[i] = l
	}
	return letters
}

// BenchmarkWritePDF prints 1,000 letters, half a large school, and reports
// the output size per letter.
func BenchmarkWritePDF(b *testing.B) {
	const n = 1000
	letters := schoolLetters(n)
	opt := testOptions()
	var out countingWriter
	b.ReportAllocs()
	for b.Loop() {
		out.n = 0
		if err := WritePDF(&out, letters, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.n)/n, "outB/letter")
}

// BenchmarkWriteCSV writes the same 1,000 letters as a spreadsheet.
func BenchmarkWriteCSV(b *testing.B) {
	letters := schoolLetters(1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, letters, LangFrench); err != nil {
			b.Fatal(err)
		}
	}
}
