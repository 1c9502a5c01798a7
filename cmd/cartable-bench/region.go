package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cartable-ent/cartable/shared/aaf"
	"github.com/cartable-ent/cartable/shared/aaf/aafgen"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
	"github.com/cartable-ent/cartable/shared/importer"
	"github.com/cartable-ent/cartable/shared/table"
)

// On-demand list prices in US dollars per million request units, for
// us-east-1. Paris (eu-west-3) is dearer and its price was not found, so
// the costs printed are a floor.
const (
	priceWRU = 0.625
	priceRRU = 0.125
)

// rssLimitMB is the peak resident memory the import should stay under.
const rssLimitMB = 200

// envEndpoint is the variable that names an existing DynamoDB endpoint.
const envEndpoint = "CARTABLE_DYNAMODB_ENDPOINT"

func regionCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// Measure the import as the admin CLI runs it, with its memory limit.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}

	fs := newFlags("region")
	users := fs.Int("users", 500000, "")
	schools := fs.Int("schools", 270, "")
	seed := fs.Uint64("seed", 1, "")
	concurrency := fs.Int("concurrency", importer.DefaultConcurrency, "")
	keep := fs.Bool("keep", false, "")
	cpuProfile := fs.String("cpuprofile", "", "")
	memProfile := fs.String("memprofile", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

	// The feed.
	dir, err := os.MkdirTemp("", "cartable-bench-feed-")
	if err != nil {
		return fmt.Errorf("create feed folder: %w", err)
	}
	if *keep {
		fmt.Fprintf(stdout, "feed kept in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	stats, err := aafgen.Generate(dir, aafgen.Config{Users: *users, Schools: *schools, Seed: *seed})
	if err != nil {
		return err
	}
	printStats(stdout, stats, time.Since(start))
	generationHWM := readStatusKB("self", "VmHWM")

	// The endpoint and a fresh table.
	endpoint := os.Getenv(envEndpoint)
	var jvm *localProcess
	if endpoint == "" {
		jvm, err = startDynamoDBLocal(ctx)
		if err != nil {
			return err
		}
		defer jvm.stop()
		endpoint = jvm.endpoint
		fmt.Fprintf(stdout, "DynamoDB Local %s started in memory at %s (pid %d)\n", dynamolocal.Version, endpoint, jvm.cmd.Process.Pid)
	} else {
		fmt.Fprintf(stdout, "DynamoDB endpoint %s (from %s)\n", endpoint, envEndpoint)
	}
	m := &meter{}
	db := newClient(endpoint, m)
	tableName := "bench-region-" + time.Now().UTC().Format("20060102T150405")
	if err := table.Ensure(ctx, db, tableName); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "table %s created\n", tableName)

	// The import, with a progress line every 30 s and the profiles asked.
	r, err := aaf.Open(dir)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("create CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	progress := &progressLine{meter: m}
	stopWatch := watch(stderr, progress, *memProfile)
	runtime.GC()
	start = time.Now()
	progress.start = start
	rep, err := importer.New(dynamo.New(db, tableName), importer.Options{Concurrency: *concurrency, Progress: progress.set}).Import(ctx, r)
	wall := time.Since(start)
	stopWatch()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}

	printRegion(stdout, regionResult{
		stats: stats, report: rep, wall: wall, meter: m, concurrency: *concurrency,
		peakKB: readStatusKB("self", "VmHWM"), generationKB: generationHWM, jvm: jvm, progress: progress,
	})
	return nil
}

// newClient returns a client for a local engine, with fake credentials so
// that no real AWS credentials ever reach it, and the meter in its stack.
func newClient(endpoint string, m *meter) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       dynamolocal.Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	}, m.register)
}

// progressLine holds the import's latest progress report and when each
// phase that reports progress (staff, pupils, related persons) began.
type progressLine struct {
	mu      sync.Mutex
	phase   string
	records int
	start   time.Time
	meter   *meter
	marks   []phaseMark
	last    time.Duration // when the last progress came
}

// phaseMark is the first progress of a phase: its time since the start
// of the import and the puts DynamoDB had acknowledged by then.
type phaseMark struct {
	phase string
	at    time.Duration
	puts  int64
}

func (p *progressLine) set(phase string, records int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = time.Since(p.start)
	if phase != p.phase {
		p.meter.mu.Lock()
		puts := p.meter.puts
		p.meter.mu.Unlock()
		p.marks = append(p.marks, phaseMark{phase, p.last, puts})
	}
	p.phase, p.records = phase, records
}

func (p *progressLine) get() (string, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.phase, p.records
}

// watch prints the progress every 30 s and, when memProfile is set,
// writes a heap profile each time the resident memory reaches a new high
// by 10%, so that the file shows the heap near the peak. It returns a
// function that stops it.
func watch(w io.Writer, p *progressLine, memProfile string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	var profiled atomic.Int64
	go func() {
		defer wg.Done()
		sample := time.NewTicker(2 * time.Second)
		defer sample.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case <-sample.C:
			}
			rss := readStatusKB("self", "VmRSS")
			if memProfile != "" && rss > profiled.Load()*11/10 {
				profiled.Store(rss)
				if err := writeHeapProfile(memProfile); err != nil {
					fmt.Fprintf(w, "heap profile: %v\n", err)
				}
			}
			if time.Since(last) >= 30*time.Second {
				last = time.Now()
				phase, n := p.get()
				fmt.Fprintf(w, "  %s: %s, %d records, RSS %d MB\n", time.Since(start).Round(time.Second), phase, n, rss/1024)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}

// readStatusKB returns a "kB" field of /proc/<pid>/status, such as VmHWM
// (peak resident set size) or VmRSS, or 0 when it cannot be read (on
// systems without /proc).
func readStatusKB(pid, field string) int64 {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return n
	}
	return 0
}

type regionResult struct {
	stats        aafgen.Stats
	report       *importer.Report
	wall         time.Duration
	meter        *meter
	concurrency  int
	peakKB       int64
	generationKB int64
	jvm          *localProcess
	progress     *progressLine
}

func printRegion(w io.Writer, r regionResult) {
	rep, m := r.report, r.meter
	records := 0
	for kind, c := range rep.Counts {
		if kind != importer.KindGroup {
			records += c.Created + c.Updated + c.Unchanged + c.Skipped + c.Rejected
		}
	}
	seconds := r.wall.Seconds()

	fmt.Fprintf(w, "\nimport (concurrency %d)\n", r.concurrency)
	fmt.Fprintf(w, "  wall time          %s\n", r.wall.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  records read       %d (%.0f/s)\n", records, float64(records)/seconds)
	fmt.Fprintf(w, "  items written      %d (%.0f items/s), %d batches resent\n", rep.ItemsWritten, float64(rep.ItemsWritten)/seconds, rep.WriteRetries)
	fmt.Fprintf(w, "  warnings           %d, rejections %d\n", rep.WarningCount, rep.RejectionCount)
	for _, kind := range []string{importer.KindSchool, importer.KindGroup, importer.KindPupil, importer.KindStaff, importer.KindGuardian, importer.KindContact} {
		c := rep.Counts[kind]
		fmt.Fprintf(w, "    %-9s created %d, unchanged %d, skipped %d, rejected %d\n", kind, c.Created, c.Unchanged, c.Skipped, c.Rejected)
	}
	printTimeline(w, r.progress, r.wall)
	verdict := "under"
	if r.peakKB/1024 >= rssLimitMB {
		verdict = "OVER"
	}
	fmt.Fprintf(w, "  peak RSS (VmHWM)   %d MB, %s the %d MB target (%d MB after generating the feed)\n", r.peakKB/1024, verdict, rssLimitMB, r.generationKB/1024)
	if r.jvm != nil {
		fmt.Fprintf(w, "  DynamoDB Local     peak RSS %d MB (a separate JVM process, not counted above)\n", readStatusKB(strconv.Itoa(r.jvm.cmd.Process.Pid), "VmHWM")/1024)
	}

	avg := 0.0
	if m.puts > 0 {
		avg = float64(m.putBytes) / float64(m.puts)
	}
	totalWRU := m.tableWRU + m.gsiWRU
	fmt.Fprintf(w, "\nAWS on-demand estimate (every request the import made, its report included)\n")
	fmt.Fprintf(w, "  puts               %d in %d BatchWriteItem calls, deletes %d\n", m.puts, m.batchWriteCalls, m.deletes)
	fmt.Fprintf(w, "  item size          %.0f bytes on average, %d at most\n", avg, m.maxItemBytes)
	fmt.Fprintf(w, "  table WRU          %.0f\n", m.tableWRU)
	fmt.Fprintf(w, "  GSI1 WRU           %.0f (%d items carry GSI1 keys: each is written twice)\n", m.gsiWRU, m.gsiPuts)
	fmt.Fprintf(w, "  total WRU          %.0f\n", totalWRU)
	fmt.Fprintf(w, "  reads              %d BatchGetItem keys, %d queries, %d GetItem: %.0f RRU\n", m.batchGetKeys, m.queries, m.getItem, m.rru)
	fmt.Fprintf(w, "  calls in flight    (summed call time / wall time)\n")
	for _, op := range slices.Sorted(maps.Keys(m.calls)) {
		fmt.Fprintf(w, "    %-18s %7d calls, %6.2f in flight on average, %6.1f ms each\n", op, m.calls[op],
			m.busy[op].Seconds()/seconds, float64(m.busy[op].Milliseconds())/float64(m.calls[op]))
	}
	fmt.Fprintf(w, "  DynamoDB reported  %.0f WCU, %.0f RCU (ReturnConsumedCapacity; 0 when the engine does not report)\n", m.reportedWCU, m.reportedRCU)
	writeCost := totalWRU / 1e6 * priceWRU
	readCost := m.rru / 1e6 * priceRRU
	fmt.Fprintf(w, "  cost               $%.2f writes + $%.2f reads = $%.2f at us-east-1 list prices ($%.3f/M WRU, $%.3f/M RRU);\n",
		writeCost, readCost, writeCost+readCost, priceWRU, priceRRU)
	fmt.Fprintf(w, "                     Paris (eu-west-3) is dearer, so this is a floor\n")
}

// printTimeline prints when the phases that report progress began, and the
// puts acknowledged in each span. The span before the first mark is the
// structures and reference tables. The span after the last progress is the
// remaining links, the classes and groups, the leavers and the report.
func printTimeline(w io.Writer, p *progressLine, wall time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	type span struct {
		name     string
		from, to time.Duration
		puts     int64
	}
	var spans []span
	prevAt, prevPuts, prevName := time.Duration(0), int64(0), "structures and reference"
	for _, mk := range p.marks {
		spans = append(spans, span{prevName, prevAt, mk.at, mk.puts - prevPuts})
		prevAt, prevPuts, prevName = mk.at, mk.puts, mk.phase
	}
	spans = append(spans, span{prevName + " (to its last chunk)", prevAt, p.last, -1})
	spans = append(spans, span{"links, groups, leavers, flush", p.last, wall, -1})
	fmt.Fprintln(w, "  phases (start, duration, puts acknowledged in the span when known)")
	for _, s := range spans {
		line := fmt.Sprintf("    %-40s %8s %8s", s.name, s.from.Round(time.Second), (s.to - s.from).Round(time.Second))
		if s.puts >= 0 {
			line += fmt.Sprintf(" %9d", s.puts)
		}
		fmt.Fprintln(w, line)
	}
}

// localProcess is a DynamoDB Local this command started.
type localProcess struct {
	cmd      *exec.Cmd
	endpoint string
	output   bytes.Buffer
	exited   chan struct{}
}

// startDynamoDBLocal starts an in-memory DynamoDB Local on a free port of
// 127.0.0.1 and waits until it serves requests.
func startDynamoDBLocal(ctx context.Context) (*localProcess, error) {
	dir, err := dynamolocal.DefaultDir()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cmd, loopback, err := dynamolocal.Command(dir, dynamolocal.Options{Port: port})
	if err != nil {
		return nil, fmt.Errorf("%w (or set %s)", err, envEndpoint)
	}
	if !loopback {
		fmt.Fprintln(os.Stderr, "warning: DynamoDB Local listens on every interface: the loopback launcher is not compiled (make tools)")
	}
	p := &localProcess{cmd: cmd, endpoint: dynamolocal.Endpoint(port), exited: make(chan struct{})}
	cmd.Stdout = &p.output
	cmd.Stderr = &p.output
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()

	wait, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	go func() {
		select {
		case <-p.exited:
			cancel()
		case <-wait.Done():
		}
	}()
	if err := dynamolocal.WaitReady(wait, dynamolocal.NewClient(p.endpoint)); err != nil {
		p.stop()
		return nil, fmt.Errorf("start DynamoDB Local: %w; its output:\n%s", err, p.output.String())
	}
	return p, nil
}

// stop ends the process: SIGTERM, then SIGKILL after 5 s.
func (p *localProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
