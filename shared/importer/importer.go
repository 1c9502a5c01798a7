// Package importer is the directory import engine: it reads a feed through a
// feed.Reader and brings the directory in the table in line with it.
package importer

import (
	"context"
	"errors"
)

// Options tune one import.
type Options struct {
	// Academy overrides the academy a feed declares; needed for AAF deltas
	// that carry no structure file.
	Academy string
	// Year is the school year the feed builds (2025 for 2025-2026); zero
	// means the year of the feed's date, from 1 August on.
	Year int
	// LeavingThreshold is the share of a school's people (0 to 1) above
	// which a full feed's leavers wait for an admin's confirmation. Zero
	// means the default, 0.2.
	LeavingThreshold float64
	// Concurrency bounds the parallel batch writes; zero means the default.
	Concurrency int
}

// Report is what an import did, per kind of item.
type Report struct {
	ID string `json:"id"`
}

// ImportPaths imports the feed made of paths (files, folders or .zip
// archives) into the directory.
func ImportPaths(ctx context.Context, paths []string, opts Options) (*Report, error) {
	return nil, errors.New("not implemented yet")
}
