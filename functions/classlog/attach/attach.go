// Package attach keeps the class log's attachments in S3, under the prefix
// "classlog/" of the documents bucket.
//
// An attachment travels in three steps, and the Lambda never carries its
// bytes:
//
//  1. The teacher declares the file (name, type, size). Check validates the
//     declaration and UploadURL returns a presigned PUT URL that signs the
//     exact Content-Length and Content-Type.
//  2. The teacher's browser sends the file straight to S3 with that URL.
//  3. Confirm reads the object's metadata (HeadObject). It deletes an object
//     whose size or type differs from the declaration.
//
// Readers then get a presigned GET URL from DownloadURL, which makes the
// browser save the file under its original name rather than display it.
//
// Object keys hold no user text: "classlog/<school>/<attachment id>". The
// file's name lives in the table only.
package attach

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cartable-ent/cartable/shared/classlog"
)

// Prefix is the start of every key this package writes, reads or deletes.
const Prefix = "classlog/"

// MaxSize is the largest attachment, in bytes (20 MiB). It fits a scanned
// worksheet of a dozen pages, a slide deck with pictures, or about twenty
// minutes of MP3 audio at 128 kbit/s. Longer videos belong on a video
// platform, linked from the lesson's text. A single presigned PUT can take
// up to 5 GB, so this is a product limit, not an S3 one.
const MaxSize = 20 << 20

// MaxNameBytes is the longest file name, in bytes of UTF-8: the limit of
// most file systems (ext4, NTFS, APFS) for one path component.
const MaxNameBytes = 255

// Allowed maps each allowed extension (lower case, with its dot) to the
// only media type an upload with that extension may declare. It keeps the
// formats teachers exchange: PDF, pictures, plain text, OpenDocument and
// Office Open XML documents, audio and short videos. It leaves out:
//
//   - executables and scripts (.exe, .msi, .bat, .js, .sh, ...);
//   - formats a browser runs when opened from a link (.html, .svg, .xml),
//     because they can carry scripts;
//   - the legacy binary Office formats (.doc, .xls, .ppt) and the
//     macro-enabled ones (.docm, .xlsm, .pptm), which are the usual
//     carriers of Office macros (their users can save as .docx or .odt);
//   - archives (.zip, .rar, .7z), whose content the server cannot inspect.
var Allowed = map[string]string{
	".pdf":  "application/pdf",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
	".txt":  "text/plain",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".mp3":  "audio/mpeg",
	".m4a":  "audio/mp4",
	".mp4":  "video/mp4",
}

// Check validates a declared upload before any URL is signed. The last
// extension of name decides the type: it must be in Allowed, and
// contentType must be exactly the type Allowed gives for it. Browsers
// report some types differently (audio/x-m4a for .m4a, for instance), so
// clients should send the type of the extension rather than the
// browser's. size must be in (0, MaxSize].
//
// Check returns a *classlog.Error whose French and English messages name
// the file, or nil.
func Check(name, contentType string, size int64) error {
	if err := checkName(name); err != nil {
		return err
	}

	ext := strings.ToLower(path.Ext(name))
	if ext == "" || ext == "." {
		return &classlog.Error{
			Field: "name",
			FR:    fmt.Sprintf("le fichier « %s » n'a pas d'extension : ajoutez-en une parmi %s", name, extensionList()),
			EN:    fmt.Sprintf("file %q has no extension: add one of %s", name, extensionList()),
		}
	}
	want, ok := Allowed[ext]
	if !ok {
		return &classlog.Error{
			Field: "name",
			FR:    fmt.Sprintf("le fichier « %s » est refusé : les fichiers %s ne sont pas acceptés (extensions acceptées : %s)", name, ext, extensionList()),
			EN:    fmt.Sprintf("file %q is rejected: %s files are not allowed (allowed extensions: %s)", name, ext, extensionList()),
		}
	}
	if contentType != want {
		return &classlog.Error{
			Field: "type",
			FR:    fmt.Sprintf("le type déclaré pour « %s » est %q, mais un fichier %s doit être déclaré %q", name, contentType, ext, want),
			EN:    fmt.Sprintf("file %q is declared as %q, but a %s file must be declared as %q", name, contentType, ext, want),
		}
	}

	switch {
	case size <= 0:
		return &classlog.Error{
			Field: "size",
			FR:    fmt.Sprintf("le fichier « %s » est vide", name),
			EN:    fmt.Sprintf("file %q is empty", name),
		}
	case size > MaxSize:
		return &classlog.Error{
			Field: "size",
			FR:    fmt.Sprintf("le fichier « %s » fait %s : la taille maximale est de %s", name, sizeFR(size), sizeFR(MaxSize)),
			EN:    fmt.Sprintf("file %q is %d bytes: the maximum is %d bytes (%d MiB)", name, size, int64(MaxSize), MaxSize>>20),
		}
	}
	return nil
}

// checkName rejects names that no file system produces or that would not
// survive a Content-Disposition header: empty, too long, invalid UTF-8,
// control characters, path separators.
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return &classlog.Error{Field: "name", FR: "le nom du fichier est vide", EN: "the file name is empty"}
	case len(name) > MaxNameBytes:
		return &classlog.Error{
			Field: "name",
			FR:    fmt.Sprintf("le nom du fichier « %s… » est trop long : %d octets au plus", truncate(name, 40), MaxNameBytes),
			EN:    fmt.Sprintf("the file name %q is too long: at most %d bytes", truncate(name, 40)+"…", MaxNameBytes),
		}
	case !utf8.ValidString(name):
		return &classlog.Error{Field: "name", FR: "le nom du fichier n'est pas du texte UTF-8 valide", EN: "the file name is not valid UTF-8"}
	case strings.ContainsFunc(name, unicode.IsControl):
		return &classlog.Error{
			Field: "name",
			FR:    fmt.Sprintf("le nom du fichier %q contient un caractère de contrôle : renommez le fichier", name),
			EN:    fmt.Sprintf("the file name %q contains a control character: rename the file", name),
		}
	case strings.ContainsAny(name, `/\`):
		return &classlog.Error{
			Field: "name",
			FR:    fmt.Sprintf("le nom du fichier « %s » contient une barre oblique : envoyez le nom seul, sans dossier", name),
			EN:    fmt.Sprintf("the file name %q contains a slash: send the base name, without folders", name),
		}
	}
	return nil
}

// Key returns the object key of an attachment:
// "classlog/<school>/<attachment id>". Both parts come from the server (the
// school's UAI and a generated id), never from a file name. Key panics if a
// part is empty or contains a slash, because such a key could reach
// another school's prefix.
func Key(school, id string) string {
	if school == "" || id == "" || strings.Contains(school, "/") || strings.Contains(id, "/") {
		panic(fmt.Sprintf("attach.Key: invalid school %q or attachment id %q", school, id))
	}
	return Prefix + school + "/" + id
}

// extensionList returns the allowed extensions, sorted, for messages.
func extensionList() string {
	exts := make([]string, 0, len(Allowed))
	for ext := range Allowed {
		exts = append(exts, ext)
	}
	slices.Sort(exts)
	return strings.Join(exts, ", ")
}

// sizeFR formats a size in bytes the way French users read it ("20 Mio",
// "1,5 Kio", "512 octets"). It rounds up, so a file just over MaxSize never
// reads as MaxSize.
func sizeFR(n int64) string {
	switch {
	case n >= 1<<20:
		return decimalFR(n, 1<<20) + " Mio"
	case n >= 1<<10:
		return decimalFR(n, 1<<10) + " Kio"
	}
	return fmt.Sprintf("%d octets", n)
}

// decimalFR returns n/unit rounded up to one decimal, with a decimal comma
// and no ",0".
func decimalFR(n, unit int64) string {
	tenths := (n*10 + unit - 1) / unit
	if tenths%10 == 0 {
		return fmt.Sprintf("%d", tenths/10)
	}
	return fmt.Sprintf("%d,%d", tenths/10, tenths%10)
}

// truncate returns the first n runes of s.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
