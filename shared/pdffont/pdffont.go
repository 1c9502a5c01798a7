// Package pdffont embeds the Unicode TrueType fonts that Cartable's PDF
// documents (activation letters, report cards) print with: DejaVu 2.37 as
// Debian's fonts-dejavu-core ships it, licence in fonts/LICENSE. They
// cover the Latin scripts of pupils' names (Vietnamese, Polish, Turkish,
// Romanian, Icelandic…), Greek and Cyrillic.
//
// The fonts are embedded once, whichever documents a binary prints. The
// returned slices must not be modified.
package pdffont

import _ "embed"

var (
	//go:embed fonts/DejaVuSans.ttf
	sans []byte

	//go:embed fonts/DejaVuSans-Bold.ttf
	sansBold []byte

	//go:embed fonts/DejaVuSansMono-Bold.ttf
	monoBold []byte
)

// Sans returns DejaVu Sans, regular.
func Sans() []byte { return sans }

// SansBold returns DejaVu Sans, bold.
func SansBold() []byte { return sansBold }

// MonoBold returns DejaVu Sans Mono, bold.
func MonoBold() []byte { return monoBold }
