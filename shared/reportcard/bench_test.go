package reportcard

import "testing"

// countingWriter counts the bytes written to it and drops them.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// BenchmarkWrite prints the fixture card (6 subjects, one page) and
// reports the size of the PDF.
func BenchmarkWrite(b *testing.B) {
	benchmarkWrite(b, testCard(b))
}

// BenchmarkWrite_20Subjects prints a card of 20 subjects with long
// comments, on more than one page.
func BenchmarkWrite_20Subjects(b *testing.B) {
	benchmarkWrite(b, longCard(b, 20))
}

func benchmarkWrite(b *testing.B, c Card) {
	var out countingWriter
	b.ReportAllocs()
	for b.Loop() {
		out.n = 0
		if err := Write(&out, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.n), "outB/card")
}
