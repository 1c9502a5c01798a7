package importer

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cartable-ent/cartable/shared/aaf"
	"github.com/cartable-ent/cartable/shared/feed"
	"github.com/cartable-ent/cartable/shared/oneroster"
)

// OpenFeed opens the feed made of paths (files, folders or .zip archives)
// in the format its files show: OneRoster when there are CSV files, AAF
// otherwise. Error messages are French, for the admin who gave the paths.
func OpenFeed(paths []string) (feed.Reader, error) {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("chemin introuvable : %s", p)
		}
	}
	if isOneRoster(paths) {
		r, err := oneroster.Open(paths...)
		if err != nil {
			return nil, fmt.Errorf("flux OneRoster illisible (%w)", err)
		}
		return r, nil
	}
	r, err := aaf.Open(paths...)
	if err != nil {
		return nil, fmt.Errorf("aucun flux AAF (fichiers nommés comme ENT_..._Complet_AAAAMMJJ_Eleve_0000.xml) "+
			"ni OneRoster (manifest.csv et fichiers CSV) lisible dans %s (%w)", strings.Join(paths, ", "), err)
	}
	return r, nil
}

func isOneRoster(paths []string) bool {
	for _, p := range paths {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".csv":
			return true
		case ".zip":
			z, err := zip.OpenReader(p)
			if err != nil {
				continue
			}
			for _, f := range z.File {
				if strings.EqualFold(filepath.Ext(f.Name), ".csv") {
					z.Close()
					return true
				}
			}
			z.Close()
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
				return true
			}
		}
	}
	return false
}
