package aaf

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/feed"
)

// countingHandler counts what it receives and keeps nothing, so that the
// benchmark measures the reader alone.
type countingHandler struct{ persons, issues int }

func (c *countingHandler) Structure(context.Context, feed.Structure) error { return nil }
func (c *countingHandler) Subject(context.Context, feed.Subject) error     { return nil }
func (c *countingHandler) MEF(context.Context, feed.MEF) error             { return nil }
func (c *countingHandler) Person(context.Context, feed.Person) error {
	c.persons++
	return nil
}
func (c *countingHandler) Warn(feed.Issue)   { c.issues++ }
func (c *countingHandler) Reject(feed.Issue) { c.issues++ }

// writePupils writes an Eleve file of n generated pupils shaped like the
// 2013 ministry records, and returns its size in bytes.
func writePupils(b *testing.B, path string, n int) int64 {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE ficAlimMENESR SYSTEM \"ficAlimMENESR.dtd\">\n<ficAlimMENESR>\n")
	for i := range n {
		id := 3000000 + i
		fmt.Fprintf(&sb, `<addRequest>
<operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
<identifier><id>%[1]d</id></identifier>
<attributes>
<attr name="ENTPersonJointure"><value>%[1]d</value></attr>
<attr name="ENTEleveINE"><value>%09[1]dAB</value></attr>
<attr name="ENTPersonDateNaissance"><value>%02[2]d/03/2012</value></attr>
<attr name="ENTPersonNomPatro"><value>NOM%[1]d</value></attr>
<attr name="sn"><value>NOM%[1]d</value></attr>
<attr name="givenName"><value>Prénom</value></attr>
<attr name="ENTPersonAutresPrenoms"><value>Élise</value><value>Zoé</value></attr>
<attr name="personalTitle"><value>Mlle</value></attr>
<attr name="ENTEleveAutoriteParentale"><value>%[3]d</value><value>%[4]d</value></attr>
<attr name="ENTElevePersRelEleve"><value>%[3]d$10$1$1$0$0</value><value>%[4]d$20$0$2$0$0</value><value>%[5]d$90$0$0$1$0</value></attr>
<attr name="ENTEleveBoursier"><value>N</value></attr>
<attr name="ENTEleveRegime"><value>DEMI-PENSIONNAIRE DANS L&apos;ETABLISSEMENT</value></attr>
<attr name="ENTEleveMEF"><value>10010012110</value></attr>
<attr name="ENTEleveLibelleMEF"><value>6EME</value></attr>
<attr name="ENTEleveEnseignements"><value>FRANCAIS</value><value>MATHEMATIQUES</value><value>ANGLAIS LV1</value><value>HISTOIRE &amp; GEOGRAPHIE</value></attr>
<attr name="ENTEleveCodeEnseignements"><value>020700</value><value>061300</value><value>030201</value><value>043100</value></attr>
<attr name="ENTPersonStructRattach"><value>%[6]d</value></attr>
<attr name="ENTEleveClasses"><value>%[6]d$6%[7]c</value></attr>
<attr name="ENTEleveGroupes"><value>%[6]d$LATIN</value><value>%[6]d$6%[7]cGR1</value></attr>
</attributes>
</addRequest>
`, id, 1+i%28, 4000000+2*i, 4000001+2*i, 5000000+i, 9000+i%50, 'A'+rune(i%6))
	}
	sb.WriteString("</ficAlimMENESR>\n")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return int64(sb.Len())
}

// BenchmarkReadPupils reads a generated Eleve file of 2,000 pupils (about
// 5 MB) from a temporary folder, as Read(feed.PhasePupils) does.
func BenchmarkReadPupils(b *testing.B) {
	const pupils = 2000
	dir := b.TempDir()
	size := writePupils(b, filepath.Join(dir, "BENCH_Complet_20240902_Eleve_0000.xml"), pupils)
	r, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		h := &countingHandler{}
		if err := r.Read(context.Background(), feed.PhasePupils, h); err != nil {
			b.Fatal(err)
		}
		if h.persons != pupils || h.issues != 0 {
			b.Fatalf("got %d pupils and %d issues, want %d and 0", h.persons, h.issues, pupils)
		}
	}
}
