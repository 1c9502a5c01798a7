// Package importer is the directory import engine. It reads a feed through
// a feed.Reader, whatever its format, and brings the directory stored in
// the table in line with it.
//
// The engine:
//
//   - reads the feed in phases (structures, reference tables, staff, pupils,
//     related persons), so that composite values and guardian links resolve
//     without loading a whole file;
//   - resolves every value that names a structure or a person through the
//     feed's own structures first, then through what earlier imports stored.
//     A value naming something neither has is a warning: the link is dropped
//     and counted, and the record is kept;
//   - reads each person's partition once and writes only the items that
//     changed, so the same feed twice changes no directory item the second
//     time (only its report is stored);
//   - ends memberships, never deletes them: a membership leaves when a full
//     feed that covers its school and role lacks it, or when a record
//     deletes or disables its person; a person with no membership left is
//     marked for the purge job after the grace period;
//   - holds back the leavers of a school when a full feed would mark more
//     than a configurable share of its people as leaving, until an admin
//     confirms;
//   - writes in batches of 25, in parallel, retrying unprocessed items and
//     throttling until done, and checks at the end that DynamoDB
//     acknowledged every request it queued.
package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/feed"
)

// Defaults of Options.
const (
	DefaultLeavingThreshold = 0.2
	DefaultConcurrency      = 8
	DefaultGraceDays        = 45
)

// personChunk is how many person records are read from the table together
// (one BatchGetItem takes 100 keys). Tests lower it.
var personChunk = 100

// ErrUnknownAcademy is returned when a feed does not say which academy it
// comes from and the directory cannot tell either.
var ErrUnknownAcademy = errors.New("unknown academy")

// Options tune one import.
type Options struct {
	// Academy overrides the academy a feed declares; needed for an AAF
	// delta that carries no structure file when the directory holds feeds
	// of several academies.
	Academy string
	// Year is the school year the feed builds (2025 for 2025-2026). Zero
	// means the year the feed names, else the year of its date (from 1
	// August on, the year that starts that September), else today's.
	Year int
	// LeavingThreshold is the share of a school's people (0 to 1) above
	// which a full feed's leavers wait for an admin's confirmation. Zero
	// means DefaultLeavingThreshold.
	LeavingThreshold float64
	// GraceDays is how long a person with no membership left keeps their
	// data before the purge job may delete it. Zero means DefaultGraceDays.
	GraceDays int
	// Concurrency bounds the parallel batch writes and the parallel reads
	// of person partitions. Zero means DefaultConcurrency.
	Concurrency int
	// Deadline, when set, makes Run stop at the next safe point after it
	// and return a checkpoint (for a Lambda function that must end before
	// its timeout).
	Deadline time.Time
	// Progress, when set, is called after each chunk of records with the
	// phase's French name and the number of records read so far in it.
	Progress func(phase string, records int)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.LeavingThreshold == 0 {
		o.LeavingThreshold = DefaultLeavingThreshold
	}
	if o.GraceDays == 0 {
		o.GraceDays = DefaultGraceDays
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Engine imports feeds into one store.
type Engine struct {
	store *dynamo.Store
	opts  Options
}

// New returns an engine that writes to store.
func New(store *dynamo.Store, opts Options) *Engine {
	return &Engine{store: store, opts: opts.withDefaults()}
}

// run is the state of one import.
type run struct {
	e       *Engine
	store   *dynamo.Store
	opts    Options
	info    feed.Info
	source  string
	academy string
	year    int
	today   string
	report  *Report
	w       *dynamo.Writer
	queued  atomic.Int64

	mu sync.Mutex
	// orgs maps a feed's org ids to school ids; "" caches a miss.
	orgs map[string]string
	// feedSchools holds the schools the feed's structure files list: the
	// scope of absence in a full feed.
	feedSchools map[string]string // school id → name
	// groups holds the classes and groups declared or referenced.
	groups   map[groupRef]directory.Group
	declared map[groupRef]bool // groups a structure file declares
	// seen holds the active memberships the feed confirms (see seenKey).
	seen map[uint64]struct{}
	// pupils and refs remember what related persons need from the pupils
	// phase (see relatives.go).
	pupils []pupilInfo
	refs   map[string][]relRef
	// codes and schools intern the relation codes and pupils' schools
	// that refs and pupils point to.
	codes       []string
	codeIndex   map[string]uint16
	schools     []string
	schoolIndex map[string]uint16
	// relativesDone holds the related persons the relatives phase wrote.
	relativesDone map[string]bool
	// unreadable holds the people whose record the feed has but could
	// not be read: a full feed does not make them leave.
	unreadable map[string]bool
	// incomplete is true when a person record of the feed was rejected.
	incomplete bool

	// step is the index of the current step; skip the number of records
	// of that step a suspended run already applied.
	step       int
	skip       int
	progressed bool

	// fresh is true when no person of this import's source and academy
	// existed before it: people's partitions need no reading.
	fresh bool
	// newSchools holds the schools this import created. They have no
	// earlier members who could leave, and no stored classes to compare.
	newSchools map[string]bool
}

// Import reads the feed r and applies it to the directory. It returns the
// report, which is also stored in the table. Records that could not be read
// are in the report; an error means the import could not run to its end.
func (e *Engine) Import(ctx context.Context, r feed.Reader) (*Report, error) {
	rep, cp, err := e.Run(ctx, r, nil)
	if err == nil && cp != nil {
		err = fmt.Errorf("import %s: %w", rep.ID, ErrSuspended)
	}
	return rep, err
}

// Run imports the feed r like Import, resuming from cp when it is not nil.
// When Options.Deadline passes, Run stops at the next point where every
// queued write is done, and returns the partial report and a checkpoint. A
// later Run on the same feed with that checkpoint goes on from there. A
// finished import returns a nil checkpoint.
func (e *Engine) Run(ctx context.Context, r feed.Reader, cp *Checkpoint) (*Report, *Checkpoint, error) {
	info := r.Info()
	now := e.opts.Now()
	rn := &run{
		e:             e,
		store:         e.store,
		opts:          e.opts,
		info:          info,
		source:        string(info.Source),
		today:         now.Format(time.DateOnly),
		report:        newReport(),
		orgs:          map[string]string{},
		feedSchools:   map[string]string{},
		groups:        map[groupRef]directory.Group{},
		declared:      map[groupRef]bool{},
		seen:          map[uint64]struct{}{},
		codeIndex:     map[string]uint16{},
		schoolIndex:   map[string]uint16{},
		refs:          map[string][]relRef{},
		relativesDone: map[string]bool{},
		unreadable:    map[string]bool{},
		newSchools:    map[string]bool{},
	}
	rep := rn.report
	if cp != nil {
		rn.restore(cp)
		rep = rn.report
		slog.InfoContext(ctx, "import resumed", "import", rep.ID, "step", cp.Step, "skip", cp.Skip)
	} else {
		academy, err := e.academy(ctx, info)
		if err != nil {
			return nil, nil, err
		}
		rn.academy = academy
		if err := rn.registerSource(ctx); err != nil {
			return nil, nil, err
		}
		rn.year = e.opts.Year
		if rn.year == 0 {
			rn.year = info.Year
		}
		if rn.year == 0 {
			d := now
			if t, err := time.Parse(time.DateOnly, info.Date); err == nil {
				d = t
			}
			rn.year = directory.SchoolYear(d)
		}
		rep.ID = newImportID(now)
		rep.Source = rn.source
		rep.Mode = "full"
		if info.Mode == feed.Delta {
			rep.Mode = "delta"
		}
		rep.Academy = academy
		rep.Year = rn.year
		rep.FeedDate = info.Date
		rep.StartedAt = now.UTC().Format(time.RFC3339)
		rep.Files = info.Files
		slog.InfoContext(ctx, "import started", "import", rep.ID, "source", rep.Source, "mode", rep.Mode, "academy", academy, "year", rn.year, "files", len(info.Files))
	}

	rn.w = dynamo.NewWriter(ctx, e.store.DB, e.store.Table, e.opts.Concurrency)
	err := rn.apply(ctx, r)
	suspended := errors.Is(err, errSuspend)
	if suspended {
		err = nil
	}
	if ferr := rn.flush(ctx, false); err == nil {
		err = ferr
	}
	if err != nil {
		slog.ErrorContext(ctx, "import failed", "import", rep.ID, "error", err, "written", rep.ItemsWritten)
		return rep, nil, fmt.Errorf("import %s: %w", rep.ID, err)
	}
	if suspended {
		slog.InfoContext(ctx, "import suspended", "import", rep.ID, "step", rn.step, "skip", rn.skip, "written", rep.ItemsWritten)
		return rep, rn.checkpoint(), nil
	}

	rep.FinishedAt = e.opts.Now().UTC().Format(time.RFC3339)
	sortIssues(rep.Warnings)
	sortIssues(rep.Rejections)
	if err := e.store.SaveReport(ctx, rep.ID, rep.StartedAt, rep, rep.Warnings, rep.Rejections); err != nil {
		return rep, nil, fmt.Errorf("import %s: %w", rep.ID, err)
	}
	slog.InfoContext(ctx, "import finished", "import", rep.ID, "written", rep.ItemsWritten, "warnings", rep.WarningCount, "rejections", rep.RejectionCount, "pending_schools", len(rep.Pending))
	return rep, nil, nil
}

// academy returns the academy of the feed: the option, else the feed's
// own, else the only academy earlier feeds of the same source came from.
func (e *Engine) academy(ctx context.Context, info feed.Info) (string, error) {
	if a := strings.TrimSpace(e.opts.Academy); a != "" {
		return strings.ToUpper(a), nil
	}
	if info.Academy != "" {
		return strings.ToUpper(info.Academy), nil
	}
	known, err := e.store.Academies(ctx, string(info.Source))
	if err != nil {
		return "", err
	}
	if len(known) == 1 {
		if known[0] == "-" { // stored for feeds that name no academy
			return "", nil
		}
		return known[0], nil
	}
	if info.Source == feed.SourceOneRoster {
		// OneRoster sets name no academy: their ids are unique within the
		// provider, which "-" stands for.
		return "", nil
	}
	if len(known) == 0 {
		return "", fmt.Errorf("%w: l'annuaire n'en connaît encore aucune", ErrUnknownAcademy)
	}
	return "", fmt.Errorf("%w: l'annuaire en connaît plusieurs : %s", ErrUnknownAcademy, strings.Join(known, ", "))
}

// apply runs the steps of the import from rn.step on. It returns
// errSuspend when the deadline passed between two steps or inside a step
// that can stop halfway (rn.skip then counts the records applied).
func (rn *run) apply(ctx context.Context, r feed.Reader) error {
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"établissements", func(ctx context.Context) error { return rn.readStructures(ctx, r) }},
		{"matières et MEF", func(ctx context.Context) error { return rn.readReference(ctx, r) }},
		{"personnels", func(ctx context.Context) error { return rn.readPeople(ctx, r, feed.PhaseStaff, "personnels") }},
		{"élèves", func(ctx context.Context) error { return rn.readPeople(ctx, r, feed.PhasePupils, "élèves") }},
		{"personnes liées", func(ctx context.Context) error { return rn.readPeople(ctx, r, feed.PhaseRelatives, "personnes liées") }},
		{"liens restants", rn.finishRelations},
		{"classes et groupes", rn.writeGroups},
		{"départs", rn.applyLeaving},
		{"identifiants", rn.assignLogins},
	}
	for ; rn.step < len(steps); rn.step, rn.skip = rn.step+1, 0 {
		// Each run applies at least one step or chunk, so that a resumed
		// import always moves forward.
		if rn.progressed && rn.pastDeadline() {
			return errSuspend
		}
		s := steps[rn.step]
		if err := s.fn(ctx); err != nil {
			if errors.Is(err, errSuspend) {
				return err
			}
			return fmt.Errorf("%s: %w", s.name, err)
		}
		// The next step reads what this one wrote, unless nothing of this
		// academy existed before: a first import reads no person back.
		if !rn.fresh {
			if err := rn.flush(ctx, true); err != nil {
				return err
			}
		} else if err := rn.w.Err(); err != nil {
			return err
		}
		rn.progressed = true
	}
	return nil
}

// registerSource records the feed's source and academy before anything
// else is written. When the directory held no feed of them before, no
// person of this import can exist yet (their ids include source and
// academy), so an AAF import skips reading people's partitions: the first
// rentrée import then costs writes only. OneRoster is excluded because one
// user may come as several records of different kinds.
func (rn *run) registerSource(ctx context.Context) error {
	known, err := rn.store.Academies(ctx, rn.source)
	if err != nil {
		return err
	}
	if slices.Contains(known, orDash(rn.academy)) {
		return nil
	}
	rn.fresh = rn.info.Source == feed.SourceAAF
	item, err := dynamo.SourceItem(rn.source, orDash(rn.academy))
	if err != nil {
		return err
	}
	if err := rn.store.Put(ctx, item); err != nil {
		return fmt.Errorf("register feed source: %w", err)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// flush waits until DynamoDB has acknowledged every queued request and
// checks that none was lost. With again, it starts a new writer for the
// next step.
func (rn *run) flush(ctx context.Context, again bool) error {
	written, err := rn.w.Close()
	queued := rn.queued.Swap(0)
	rn.report.ItemsWritten += written
	rn.report.WriteRetries += rn.w.Retries()
	if err != nil {
		return err
	}
	// Two requests for one key in a batch become one: the first is
	// superseded, not lost.
	if got := written + rn.w.Superseded(); got != queued {
		return fmt.Errorf("wrote %d items (%d superseded) but queued %d", written, rn.w.Superseded(), queued)
	}
	if again {
		rn.w = dynamo.NewWriter(ctx, rn.store.DB, rn.store.Table, rn.opts.Concurrency)
	}
	return nil
}

// put queues an item write.
func (rn *run) put(item dynamo.Item) error {
	rn.queued.Add(1)
	return rn.w.Put(item)
}

// putIfChanged queues item unless the stored item has the same hash.
func (rn *run) putIfChanged(item dynamo.Item, storedHash string) error {
	if storedHash != "" && storedHash == dynamo.HashOf(item) {
		return nil
	}
	return rn.put(item)
}

// delete queues the deletion of the item with the key of item.
func (rn *run) delete(item dynamo.Item) error {
	rn.queued.Add(1)
	return rn.w.Delete(dynamo.KeyOf(item))
}

func (rn *run) warn(ref feed.Ref, format string, args ...any) {
	rn.report.warn(Issue{File: ref.File, Line: ref.Line, Record: ref.ID, Message: fmt.Sprintf(format, args...)})
}

// handler adapts the run to feed.Handler for one phase.
type handler struct {
	rn       *run
	ctx      context.Context
	kind     string // report kind for rejections
	onPerson func(context.Context, feed.Person) error
	onStruct func(context.Context, feed.Structure) error
	onSubj   func(context.Context, feed.Subject) error
	onMEF    func(context.Context, feed.MEF) error
	// quiet, when set and true, drops the reader's issues.
	quiet func() bool
}

func (h *handler) Structure(ctx context.Context, s feed.Structure) error {
	if h.onStruct == nil {
		return nil
	}
	return h.onStruct(ctx, s)
}

func (h *handler) Subject(ctx context.Context, s feed.Subject) error {
	if h.onSubj == nil {
		return nil
	}
	return h.onSubj(ctx, s)
}

func (h *handler) MEF(ctx context.Context, m feed.MEF) error {
	if h.onMEF == nil {
		return nil
	}
	return h.onMEF(ctx, m)
}

func (h *handler) Person(ctx context.Context, p feed.Person) error {
	if h.onPerson == nil {
		return nil
	}
	return h.onPerson(ctx, p)
}

func (h *handler) Warn(i feed.Issue) {
	if h.quiet == nil || !h.quiet() {
		h.rn.report.warn(issueOf(i))
	}
}

func (h *handler) Reject(i feed.Issue) {
	if h.quiet == nil || !h.quiet() {
		h.rn.report.reject(h.kind, issueOf(i))
	}
	// A person whose record could not be read is not absent from the
	// feed, and a file cut short hides the records after the cut: in a
	// full feed, departures by absence then wait for confirmation.
	if h.onPerson != nil {
		h.rn.mu.Lock()
		h.rn.incomplete = true
		if id := strings.TrimSpace(i.Ref.ID); id != "" {
			h.rn.unreadable[directory.PersonID(h.rn.source, h.rn.academy, id)] = true
		}
		h.rn.mu.Unlock()
	}
}

func newImportID(now time.Time) string {
	return now.UTC().Format("20060102T150405Z") + "-" + randomSuffix()
}

// ErrSuspended is returned by Import when Options.Deadline stopped the
// import: use Run to get the checkpoint.
var ErrSuspended = errors.New("import suspended at its deadline")

// errSuspend stops the steps of a run at the deadline.
var errSuspend = errors.New("deadline reached")

func (rn *run) pastDeadline() bool {
	return !rn.opts.Deadline.IsZero() && rn.opts.Now().After(rn.opts.Deadline)
}

// ErrNothingPending is returned when an import holds back no leavers.
var ErrNothingPending = errors.New("no pending leavers")
