package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/fileutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/text"
)

// ImportOptions are the inputs of `agent import`.
type ImportOptions struct {
	F           *cmdutil.Factory
	File        string // path, or "-" for stdin
	Format      bulk.Format
	DryRun      bool
	OnExisting  bulk.OnExisting
	Concurrency int
	// ConcurrencySet is true when --concurrency was given; otherwise the
	// workers are sized from the account's rate and the round trip.
	ConcurrencySet       bool
	Rate                 float64
	Report               string
	Failed               string
	ContinueOnError      bool
	IgnoreUnknownColumns bool
	// PlanOut writes the plan as a saved plan for `ladmin apply` (implies DryRun).
	PlanOut string
	Yes     bool
	// Prune offboards the active agents the file does not list.
	Prune      bool
	Protect    []string
	MaxDeletes int

	// Abandon replaces the second-Ctrl-C watcher (tests).
	Abandon <-chan struct{}
}

// NewCmdImport is `ladmin agent import`.
func NewCmdImport(f *cmdutil.Factory, runF func(context.Context, *ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{F: f}
	var format, onExisting string
	cmd := &cobra.Command{
		Use:   "import [-f FILE|-] [--dry-run] [--on-existing skip|update|fail]",
		Short: "Invite, update and restore many agents from a CSV, JSON or YAML roster",
		Long: `Onboard agents in bulk from a roster: CSV (a header row, then one agent per row), a
JSON array, NDJSON (one object per line) or a YAML list. The format comes from
--format, else the file extension, else the content (stdin: CSV when the first line
is a header, JSON for "[", NDJSON for "{").

Columns (CSV headers, or JSON/YAML keys; case-insensitive):
  email        required; identifies the agent
  name         required for new agents
  role         owner, admin, agent or a custom role's name (default agent for new agents)
  gender       M, F or X
  departments  names or ids, ";"-separated (JSON/YAML: a list or a ";" string)
  id, role_id, status   written by 'agent export' for audits; read back, not acted on
                        (rows with status X are skipped: import never deletes)
An empty cell asks for nothing: it never blanks a field or resets a role. Other
columns are an error unless --ignore-unknown-columns.

The whole file is checked before anything is sent: every invalid row is listed as
FILE:LINE: column "X": problem (the first 20 on the screen, all of them in --report),
and the import stops with exit 2; rows that your key
may not apply (an admin cannot create owners; an agent cannot import) stop it with
exit 4. Then the account is read once and each row is planned:
  create    no agent has this email
  update    it exists and differs in role, name, gender or departments (--on-existing update)
  restore   a deleted agent has this email (--on-existing update; updated too if needed)
  skip      already as wanted, or it exists and --on-existing is skip (the default)
  error     it exists and --on-existing is fail: nothing is applied (exit 6)
--dry-run prints the plan, its summary and an estimate of the requests and time
at the account's rate limit, and changes nothing (--report then holds the plan,
outcome "planned").

Rows are applied by --concurrency workers under the account's rate limit (its
X-RateLimit-Limit hints, slowing down on 429s; --rate caps it). A create whose
answer is lost is looked up by email before any retry, so nothing is ever created
twice. A row whose request may or may not have been applied (the server could not
be asked afterwards) ends "unknown"; running the import again resolves it. Without
--continue-on-error the first failed or unknown row stops new rows from starting
(rows in flight finish); with it every row is attempted.

--report FILE writes one CSV row per input row (line, email, action, outcome,
agent_id, error), flushed as each row ends. --failed FILE writes the rows that did
not end as planned (failed, or not attempted because the run stopped) as CSV with
the input's own columns, ready to be imported again; it appears only when the run
ends, so after a crash or kill -9 there is no --failed file rather than a short one.
Cells that a spreadsheet would run as formulas (starting with =, +, -, @) get a
leading ' in both files and in agent export; import strips it again. A row whose
create finds the agent already there (made since the plan, e.g. by another import)
counts as skipped. A report that cannot be written after rows were applied is exit 1.

Ctrl-C (or SIGTERM, or SIGHUP when the session drops) stops starting new rows, lets
the requests in flight finish and exits 130 (a second one abandons them). Running the same file again only does what is
still missing. Exit codes: 0 every row as planned, 1 some rows failed, are unknown
or were not attempted, 2 invalid file, 4 not allowed for this key, 6 existing agents with
--on-existing fail, 130 interrupted.`,
		Example: `  ladmin agent import -f roster.csv --dry-run
  ladmin agent import -f roster.csv --report report.csv --failed failed.csv
  ladmin agent import -f failed.csv --report report-2.csv          # retry what failed
  ladmin agent import -f roster.yaml --on-existing update
  hr-export | ladmin agent import -f - --format ndjson -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Format, err = bulk.ParseFormat(format); err != nil {
				return cmdutil.Usagef("%s", err.Error())
			}
			if opts.OnExisting, err = bulk.ParseOnExisting(onExisting); err != nil {
				return cmdutil.Usagef("%s", err.Error())
			}
			if err := cmdutil.CheckConcurrency(opts.Concurrency); err != nil {
				return err
			}
			opts.ConcurrencySet = cmd.Flags().Changed("concurrency")
			if err := checkRate(opts.Rate); err != nil {
				return err
			}
			if opts.File == "" {
				if f.IOStreams.IsStdinTTY() {
					return cmdutil.Usagef("no roster: pass -f FILE, or -f - and pipe it on stdin")
				}
				opts.File = "-"
			}
			if err := cmdutil.CheckOutputs([]cmdutil.File{{Flag: "--report", Path: opts.Report}, {Flag: "--failed", Path: opts.Failed},
				{Flag: "--plan-out", Path: opts.PlanOut}}, []cmdutil.File{{Flag: "-f", Path: opts.File}}); err != nil {
				return err
			}
			if opts.PlanOut != "" {
				opts.DryRun = true
			}
			if !opts.Prune && (len(opts.Protect) > 0 || cmd.Flags().Changed("max-deletes")) {
				return cmdutil.Usagef("--protect and --max-deletes only apply with --prune")
			}
			if opts.MaxDeletes < 0 {
				return cmdutil.Usagef("invalid --max-deletes %d: use 0 or more", opts.MaxDeletes)
			}
			if err := bulk.CheckProtect(opts.Protect); err != nil {
				return cmdutil.Usagef("%s", err.Error())
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return importRun(cmdutil.Context(cmd.Context()), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", `roster to import, or "-" for stdin`)
	fl.StringVar(&format, "format", "", "csv, json, ndjson or yaml (default: from the extension, else the content)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check everything, print the plan and an estimate, change nothing")
	fl.StringVar(&onExisting, "on-existing", string(bulk.OnExistingSkip), "for agents that exist: skip, update (and restore deleted ones) or fail")
	_ = cmd.RegisterFlagCompletionFunc("format", cmdutil.CompleteWords("csv", "json", "ndjson", "yaml"))
	_ = cmd.RegisterFlagCompletionFunc("on-existing", cmdutil.CompleteWords("skip", "update", "fail"))
	fl.IntVar(&opts.Concurrency, "concurrency", bulk.DefaultConcurrency, "rows in flight at once (default: sized from the account's rate limit and the round trip)")
	fl.Float64Var(&opts.Rate, "rate", 0, "at most this many requests per second (default: as fast as the account allows)")
	fl.StringVar(&opts.Report, "report", "", "write a CSV report of every row to this file (line, email, action, outcome, agent_id, error)")
	fl.StringVar(&opts.Failed, "failed", "", "write the rows that did not end as planned to this file, in the input's columns (CSV)")
	fl.BoolVar(&opts.ContinueOnError, "continue-on-error", false, "attempt every row even after one fails")
	fl.BoolVar(&opts.IgnoreUnknownColumns, "ignore-unknown-columns", false, "skip columns import does not know instead of refusing the file")
	fl.StringVar(&opts.PlanOut, "plan-out", "", "write the plan to this file for `ladmin apply` instead of applying it (implies --dry-run)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask before pruning")
	fl.BoolVar(&opts.Prune, "prune", false, "the file is the whole truth: offboard active agents it does not list (never you, owners or --protect)")
	fl.StringArrayVar(&opts.Protect, "protect", nil, "with --prune: never prune agents whose email matches this glob, e.g. *@partner.com (repeatable)")
	fl.IntVar(&opts.MaxDeletes, "max-deletes", bulk.DefaultMaxDeletes, "with --prune: refuse a plan that would offboard more agents than this")
	return cmd
}

// The range of --rate, in requests per second. Below the minimum a run
// would crawl for hours (0.0000001 is one request every 16 weeks, and even
// a dry run's lookups would wait on it); above the maximum no account
// answers that fast, and the value is surely a typo.
const (
	minRate = 0.1
	maxRate = 10000
)

// checkRate refuses --rate values that make no sense: NaN, infinities,
// negatives and values outside [minRate, maxRate]. 0 is the default: as
// fast as the account allows.
func checkRate(rate float64) error {
	if rate == 0 {
		return nil
	}
	if math.IsNaN(rate) || math.IsInf(rate, 0) || rate < minRate || rate > maxRate {
		return cmdutil.Usagef("invalid --rate %v: use %v to %v requests per second, or 0 (the default) for as fast as the account allows",
			rate, minRate, maxRate)
	}
	return nil
}

func importRun(ctx context.Context, opts *ImportOptions) error {
	f := opts.F
	ios := f.IOStreams
	o, err := f.Output()
	if err != nil {
		return err
	}
	if opts.File == "-" && ios.IsStdinTTY() {
		f.Notef("reading the roster from the terminal: end it with Ctrl-D, or press Ctrl-C to cancel")
	}
	data, err := readRoster(opts.File, ios.InContext(ctx))
	if err != nil {
		return err
	}
	name := bulk.DisplayName(opts.File)
	cmdutil.HoldingRoster(f.Getenv, len(data))
	file, problems, fatal := bulk.Parse(data, bulk.ParseOptions{Name: name, Format: opts.Format,
		IgnoreUnknownColumns: opts.IgnoreUnknownColumns})
	if opts.Prune && (file == nil || len(file.Records) == 0) {
		// Before anything else: an empty or truncated file must never wipe an account.
		return cmdutil.Usagef("%s", (&bulk.ErrPruneEmpty{File: name}).Error())
	}
	if fatal {
		problems = append(problems, bulk.ValidateLocal(file)...)
		return importInvalid(opts, name, problems.Sorted())
	}

	conns := opts.Concurrency
	if !opts.ConcurrencySet {
		conns = bulk.MaxConcurrency // see sizeWorkers
	}
	client, observer, err := bulkClient(f, opts.Rate, conns)
	if err != nil {
		return err
	}
	acct, err := bulk.LoadAccount(ctx, client)
	if err != nil {
		return err
	}
	plan, planProblems := bulk.MakePlan(file, acct, bulk.PlanOptions{OnExisting: opts.OnExisting})
	if all := append(problems, planProblems...); len(all) > 0 {
		return importInvalid(opts, name, all.Sorted())
	}
	if unsupported, summary := bulk.Unsupported(plan, acct); len(unsupported) > 0 {
		printProblems(ios, unsupported, opts.Report)
		return cmdutil.Exit(cmdutil.ExitUnsupported, "%s", summary)
	}
	var pruneKept []string
	if opts.Prune {
		keys, off, err := LeaverKeys(ctx, f, client, acct)
		if err != nil {
			return err
		}
		if pruneKept, err = bulk.Prune(plan, acct, keys, off, bulk.PruneOptions{Protect: opts.Protect, MaxDeletes: opts.MaxDeletes}); err != nil {
			return cmdutil.Usagef("%s", err.Error())
		}
		if denied := bulk.AuthorizeOffboard(plan, acct, off); len(denied) > 0 {
			printProblems(ios, denied, "")
			return cmdutil.Exit(cmdutil.ExitForbidden, "your key may not prune %s; nothing was changed",
				text.Count(len(denied), "agent", "agents"))
		}
	}
	if denied := bulk.Authorize(plan, acct); len(denied) > 0 {
		printProblems(ios, denied, moreIn(opts.Report))
		if len(denied) == 1 && denied[0].Line == 0 {
			return cmdutil.Exit(cmdutil.ExitForbidden, "your key may not import agents; nothing was changed")
		}
		return cmdutil.Exit(cmdutil.ExitForbidden, "your key may not apply %s of %s; nothing was changed",
			text.Count(len(denied), "row", "rows"), name)
	}
	conflicts := plan.Errors()
	sizeWorkers(opts, observer)

	if opts.DryRun {
		for _, k := range pruneKept {
			f.Notef("%s", k)
		}
		if opts.PlanOut != "" && len(conflicts) == 0 {
			sp := bulk.Save(plan, client.BaseURL(), f.CommandLine, acct.Me.Email, time.Now())
			if err := WritePlanFile(opts.PlanOut, sp); err != nil {
				return err
			}
			defer f.Notef("The plan (%s) is in %s: review it, then run `ladmin apply %s`.",
				text.Count(len(sp.Steps), "step", "steps"), opts.PlanOut, opts.PlanOut)
		}
		if opts.Report != "" {
			if err := writePlanReport(opts.Report, plan); err != nil {
				return err
			}
		}
		if opts.Failed != "" {
			f.Notef("--failed %s is written only when the import is applied; the dry run did not touch it.", opts.Failed)
		}
		if err := printPlan(f, o, plan, observer, opts); err != nil {
			return err
		}
		if len(conflicts) > 0 {
			printProblems(ios, conflicts, moreIn(opts.Report))
			return cmdutil.Exit(cmdutil.ExitConflict, "%s already in the account (--on-existing fail); nothing would be applied",
				text.Count(len(conflicts), "agent is", "agents are"))
		}
		return nil
	}
	if len(conflicts) > 0 {
		printProblems(ios, conflicts, moreIn(opts.Report))
		return cmdutil.Exit(cmdutil.ExitConflict, "%s already in the account (--on-existing fail); nothing was changed",
			text.Count(len(conflicts), "agent is", "agents are"))
	}
	if n := plan.Counts().Offboard; n > 0 && !opts.Yes {
		if !ios.CanPrompt() {
			return cmdutil.Usagef("refusing to prune %s without --yes when not running on a terminal; nothing was changed (--dry-run lists them)",
				text.Count(n, "agent", "agents"))
		}
		var names []string
		for _, s := range plan.Steps {
			if s.Action == bulk.ActionOffboard {
				names = append(names, s.Record.Email)
			}
		}
		ok, err := ios.Confirm(fmt.Sprintf("Offboard %s not in %s: %s?", text.Count(n, "agent", "agents"), name, strings.Join(names, ", ")))
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Exit(cmdutil.ExitUsage, "cancelled: nothing was changed")
		}
	}
	return applyPlan(ctx, f, o, plan, client, opts)
}

// sizeWorkers sets the rows in flight, unless --concurrency was given, from
// what the account read taught: the rate the account allows (its
// X-RateLimit-Limit, or --rate when lower) times the round trip (see
// bulk.Workers). A fixed 8 workers at 50 ms cap an import near 150 rows/s
// whatever the account allows.
func sizeWorkers(opts *ImportOptions, observer *bulk.Observer) {
	if opts.ConcurrencySet {
		return
	}
	rate := bulk.AccountRate(float64(observer.RateLimitHint()), opts.Rate)
	opts.Concurrency = bulk.Workers(rate, observer.MeanRoundTrip())
}

// readRoster reads the whole input: a file, or stdin for "-".
func readRoster(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		fh, err := os.Open(path)
		if err != nil {
			return nil, cmdutil.Usagef("cannot read the roster: %s", pathError(err))
		}
		defer fh.Close()
		r = fh
	}
	data, err := io.ReadAll(io.LimitReader(r, bulk.MaxInputSize+1))
	if errors.Is(err, context.Canceled) {
		return nil, err // Ctrl-C while reading stdin: exit 130
	}
	if err != nil {
		return nil, cmdutil.Usagef("cannot read the roster %s: %v", bulk.DisplayName(path), err)
	}
	if len(data) > bulk.MaxInputSize {
		return nil, cmdutil.Usagef("the roster %s is larger than %d MiB; split it", bulk.DisplayName(path), bulk.MaxInputSize>>20)
	}
	return data, nil
}

func pathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Sprintf("%s: %v", pe.Path, pe.Err)
	}
	return err.Error()
}

// bulkClient builds the client of a bulk command (import, offboard): one
// shared Limiter for every worker (rate > 0 caps it; the Factory's
// NewLimiter hook is used otherwise), and an Observer that notes the
// account's rate-limit hint for estimates.
func bulkClient(f *cmdutil.Factory, rate float64, concurrency int) (*liveagent.Client, *bulk.Observer, error) {
	cfg, err := f.ClientConfig()
	if err != nil {
		return nil, nil, err
	}
	if rate > 0 || cfg.Limiter == nil {
		cfg.Limiter = liveagent.NewLimiter(rate)
	}
	observer := bulk.NewObserver(cfg.Transport, concurrency)
	cfg.Transport = observer
	c, err := liveagent.New(cfg)
	if err != nil {
		if liveagent.KindOf(err) == liveagent.KindInvalid {
			return nil, nil, cmdutil.Usagef("%s", err.Error())
		}
		return nil, nil, err
	}
	return c, observer, nil
}

// invalid lists every problem of the file and ends with exit 2.
// where says where the problems a screen leaves out can be read ("" for
// nowhere). It ends with exit 2.
func invalid(f *cmdutil.Factory, name string, problems bulk.Problems, where string) error {
	printProblems(f.IOStreams, problems, where)
	return cmdutil.Exit(cmdutil.ExitUsage, "%s is not valid: %s; nothing was changed", name, text.Count(len(problems), "problem", "problems"))
}

// importInvalid is invalid for import: with --report, every problem is also
// written there (the screen shows at most a screenful).
func importInvalid(opts *ImportOptions, name string, problems bulk.Problems) error {
	report := opts.Report
	if report != "" {
		if err := writeProblemsReport(report, problems); err != nil {
			opts.F.Warnf("%s", err.Error())
			report = ""
		}
	}
	return invalid(opts.F, name, problems, moreIn(report))
}

// moreIn is where import's problems beyond a screenful can be read.
func moreIn(report string) string {
	if report != "" {
		return "all of them in " + report
	}
	return "all of them with --report FILE"
}

// printProblems lists at most a screenful of problems (bulk.MaxListed), then
// how many more there are and where (when not "") to read them all.
func printProblems(ios *iostreams.IOStreams, problems bulk.Problems, where string) {
	cmdutil.PrintLines(ios, problems.ScreenLines(where))
}

// printPlan is --dry-run: the plan (a table, or a list for programs), its
// summary and the estimate.
func printPlan(f *cmdutil.Factory, o output.Options, plan *bulk.Plan, observer *bulk.Observer, opts *ImportOptions) error {
	ios := f.IOStreams
	// The table reads the steps themselves: a copy of every row as a
	// PlanRow is what the machine formats print, and at 200,000 rows it was
	// 16 MB of the dry run's peak.
	var rows any = plan.StepRefs()
	if cmdutil.IsStructured(o) {
		rows = plan.Rows()
	}
	cols := []output.Column{
		{Header: "LINE", Fit: output.Keep, Value: func(i any) string {
			if l := i.(*bulk.Step).Record.Line; l > 0 {
				return strconv.Itoa(l)
			}
			return "-" // a pruned agent: not in the file
		}},
		{Header: "EMAIL", Fit: output.Keep, Value: func(i any) string { return i.(*bulk.Step).Record.Email }},
		{Header: "ACTION", Value: func(i any) string { return string(i.(*bulk.Step).Action) }},
		{Header: "DETAILS", Fit: output.Wrap, Value: func(i any) string { return i.(*bulk.Step).Details }},
	}
	if len(plan.Steps) > 0 || cmdutil.IsStructured(o) {
		if err := output.PrintList(ios.Out, o, rows, cols); err != nil {
			return err
		}
	}
	est := bulk.EstimatePlan(plan, bulk.EstimateOptions{Hint: float64(observer.RateLimitHint()), ClientRate: opts.Rate,
		Concurrency: opts.Concurrency, RoundTrip: observer.MeanRoundTrip()})
	lines := []string{
		fmt.Sprintf("Plan for %s: %s.", plan.File.Name, plan.Counts()),
		capitalize(est.String()) + ".",
		"Dry run: nothing was changed.",
	}
	if opts.Report != "" {
		lines = append(lines, fmt.Sprintf("The plan of every row is in %s (outcome planned).", opts.Report))
	}
	printPlanSummary(f, o, lines, len(plan.Steps) > 0)
	return nil
}

// printPlanSummary ends a dry run's plan: its lines under the table, after
// a blank line when a table was printed; with -o json or yaml on stderr, so
// stdout stays the document.
func printPlanSummary(f *cmdutil.Factory, o output.Options, lines []string, afterTable bool) {
	if cmdutil.IsStructured(o) {
		for _, l := range lines {
			f.Notef("%s", l)
		}
		return
	}
	if afterTable {
		fmt.Fprintln(f.IOStreams.Out)
	}
	for _, l := range lines {
		_ = cmdutil.PrintLine(f.IOStreams, l)
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// RunPlan applies a plan made by another command (apply, undo) exactly as
// import applies its own: concurrently under the rate limit, a line per step,
// the summary, and import's exit codes.
func RunPlan(ctx context.Context, f *cmdutil.Factory, o output.Options, plan *bulk.Plan, client bulk.API, concurrency int) error {
	return applyPlan(ctx, f, o, plan, client, &ImportOptions{F: f, Concurrency: concurrency})
}

// WritePlanFile writes a saved plan (--plan-out) as indented JSON.
func WritePlanFile(path string, sp *bulk.SavedPlan) error {
	data, err := json.MarshalIndent(sp, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return cmdutil.Usagef("cannot write the plan: %s", pathError(err))
	}
	return nil
}

// applyPlan runs the plan and reports: a line per applied row (or the list
// of results for programs), errors on stderr, the bar on a terminal, the
// report files, the summary, and the exit code.
func applyPlan(ctx context.Context, f *cmdutil.Factory, o output.Options, plan *bulk.Plan, client bulk.API, opts *ImportOptions) error {
	ios := f.IOStreams
	var report *bulk.ReportWriter
	var failed *bulk.FailedWriter
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	if opts.Report != "" {
		fh, err := os.Create(opts.Report)
		if err != nil {
			return cmdutil.Usagef("cannot write the report: %s", pathError(err))
		}
		closers = append(closers, fh)
		report = bulk.NewReportWriter(fh)
	}
	var failedFile *fileutil.Atomic
	if opts.Failed != "" {
		// --failed must never say less than the truth: an empty file means
		// every row went through. So it is written under a temporary name and
		// appears only when the run has ended (interrupted included); after
		// kill -9 or a crash there is no --failed file at all, never a short
		// one. A --failed file of an earlier run is removed now for the same
		// reason.
		if fi, err := os.Lstat(opts.Failed); err == nil && fi.Mode().IsRegular() {
			if err := os.Remove(opts.Failed); err != nil {
				return cmdutil.Usagef("cannot replace the failed rows file: %s", pathError(err))
			}
		}
		fh, err := fileutil.CreateAtomic(opts.Failed)
		if err != nil {
			return cmdutil.Usagef("cannot write the failed rows: %s", pathError(err))
		}
		closers = append(closers, fh)
		failedFile = fh
		failed = bulk.NewFailedWriter(fh, plan.File)
	}

	toApply := plan.Requests()
	var bar *bulk.Progress
	if ios.IsStderrTTY() && !f.Quiet() && toApply > 0 {
		bar = bulk.NewProgress(ios.ErrOut, len(plan.Steps)-plan.Counts().Skip, "importing")
	}
	out := ios.Out
	if ios.IsStdoutTTY() {
		out = bar.Writer(out) // same screen: print above the bar
	}
	errOut := bar.Writer(ios.ErrOut)

	abandon, stopWatching := watchSecondInterrupt(ctx, opts.Abandon, func() {
		if !f.Quiet() {
			fmt.Fprintln(errOut, "interrupted: no new rows start; finishing the requests in flight (press Ctrl-C again to abandon them)")
		}
	})
	defer stopWatching()

	structured := cmdutil.IsStructured(o)
	var results []bulk.Result
	// One line per row, in the file's order, whatever order the workers end
	// them in; the report, --failed and the bar follow rows as they end.
	printRow, flushRows := bulk.InFileOrder(plan, func(r bulk.Result) {
		line := bulk.Line(r)
		switch {
		case line == "":
		case r.Outcome == bulk.OutcomeOK:
			fmt.Fprintln(out, line)
		default:
			fmt.Fprintf(errOut, "error: %s:%d: %s\n", text.Safe(plan.File.Name), r.Step.Record.Line, line)
		}
	})
	sum := bulk.Apply(ctx, client, plan, bulk.ApplyOptions{
		Concurrency:     opts.Concurrency,
		ContinueOnError: opts.ContinueOnError,
		Abandon:         abandon,
		OnResult: func(r bulk.Result) {
			if report != nil {
				report.Add(r)
			}
			if failed != nil {
				failed.Add(r)
			}
			if r.Step.Action != bulk.ActionSkip && r.Outcome != bulk.OutcomeNotAttempted {
				bar.Increment()
			}
			if structured {
				results = append(results, r)
				if r.Outcome == bulk.OutcomeFailed || r.Outcome == bulk.OutcomeUnknown {
					fmt.Fprintf(errOut, "error: %s:%d: %s\n", text.Safe(plan.File.Name), r.Step.Record.Line, bulk.Line(r))
				}
				return
			}
			printRow(r)
		},
	})
	flushRows()
	bar.Finish()

	// A write that fails after rows were applied is exit 1 with a sentence
	// saying what was applied, never exit 0 or 2 (spec/cli.md).
	var writeErrs []string
	if report != nil {
		if err := report.Err(); err != nil {
			writeErrs = append(writeErrs, fmt.Sprintf("the report %s could not be written (%v)", opts.Report, err))
		}
	}
	if failed != nil {
		err := failed.Err()
		if err == nil {
			err = failedFile.Commit()
		}
		if err != nil {
			writeErrs = append(writeErrs, fmt.Sprintf("the failed rows %s could not be written (%v)", opts.Failed, err))
		}
	}

	summary := fmt.Sprintf("%s: %s.", plan.File.Name, sum)
	if report != nil && report.Err() == nil {
		summary = fmt.Sprintf("%s: %s; the outcome of every row is in %s.", plan.File.Name, sum, opts.Report)
	}
	if structured {
		slices.SortStableFunc(results, func(a, b bulk.Result) int { return a.Step.Record.Line - b.Step.Record.Line })
		rows := make([]bulk.ResultRow, len(results))
		for i, r := range results {
			rows[i] = r.Row()
		}
		if err := output.PrintList(ios.Out, o, rows, nil); err != nil {
			writeErrs = append(writeErrs, fmt.Sprintf("the results could not be written (%v)", err))
		}
		f.Notef("%s", summary)
	} else if _, err := io.WriteString(ios.Out, output.Paragraph(text.Safe(summary), ios.TerminalWidth())); err != nil {
		writeErrs = append(writeErrs, fmt.Sprintf("the summary could not be written (%v)", err))
	}
	if failed != nil && failed.Count() > 0 {
		f.Notef("The %s that did not end as planned %s in %s: fix %s and import that file again.",
			text.Count(failed.Count(), "row", "rows"), pick(failed.Count(), "is", "are"), opts.Failed, pick(failed.Count(), "it", "them"))
	}

	if sum.Interrupted {
		for _, e := range writeErrs {
			f.Warnf("%s", e)
		}
	}
	switch {
	case len(writeErrs) > 0 && !sum.Interrupted:
		return cmdutil.Exit(cmdutil.ExitNotClean, "%s was imported (%s), but %s", plan.File.Name, sum, strings.Join(writeErrs, "; "))
	case sum.Interrupted:
		return cmdutil.Exit(cmdutil.ExitInterrupted, "interrupted: %s not attempted%s; run the same import again to finish (it only does what is still missing)",
			text.Count(sum.NotAttempted, "row", "rows"), unknownNote(sum))
	case sum.Failed > 0 || sum.NotAttempted > 0 || sum.Unknown > 0:
		return cmdutil.Exit(cmdutil.ExitNotClean, "%s", notCleanMessage(sum))
	}
	return nil
}

func unknownNote(s bulk.Summary) string {
	if s.Unknown == 0 {
		return ""
	}
	return fmt.Sprintf(" and %s whose outcome is unknown (%s)", text.Count(s.Unknown, "row", "rows"),
		pick(s.Unknown, "it may or may not have been applied", "they may or may not have been applied"))
}

// notCleanMessage says how a run that was not interrupted fell short:
// "1 of 5 rows failed, 1 has an unknown outcome (...) and 2 were not attempted (...)".
func notCleanMessage(s bulk.Summary) string {
	type part struct {
		n    int
		text string
	}
	var parts []part
	if s.Failed > 0 {
		parts = append(parts, part{s.Failed, "failed"})
	}
	if s.Unknown > 0 {
		parts = append(parts, part{s.Unknown, pick(s.Unknown,
			"has an unknown outcome (it may or may not have been applied; running the same import again resolves it)",
			"have an unknown outcome (they may or may not have been applied; running the same import again resolves them)")})
	}
	if s.NotAttempted > 0 {
		text := pick(s.NotAttempted, "was not attempted", "were not attempted")
		if s.Stopped {
			text += " (the first failure stopped the import; --continue-on-error attempts every row)"
		}
		parts = append(parts, part{s.NotAttempted, text})
	}
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i == 0:
			fmt.Fprintf(&b, "%d of %s %s", p.n, text.Count(s.Rows(), "row", "rows"), p.text)
			continue
		case i == len(parts)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", p.n, p.text)
	}
	return b.String()
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writePlanReport is --report with --dry-run: one row per input row, as
// applying would report it, with outcome planned (and no new agent ids:
// nothing was created).
func writePlanReport(path string, plan *bulk.Plan) error {
	return writePlannedReport(path, plan, bulk.NewReportWriter)
}

// writePlannedReport writes a dry run's --report: a row per planned step, in
// the report format newWriter makes (import's or offboard's).
func writePlannedReport(path string, plan *bulk.Plan, newWriter func(io.Writer) *bulk.ReportWriter) error {
	err := writeReport(path, newWriter, func(rw *bulk.ReportWriter) {
		for i := range plan.Steps {
			rw.Add(plan.Steps[i].Planned())
		}
	})
	if err != nil {
		return cmdutil.Usagef("%s", err.Error())
	}
	return nil
}

// writeProblemsReport writes --report for a file that is not valid: one row
// per problem (action error, outcome not-attempted), since nothing was sent.
func writeProblemsReport(path string, problems bulk.Problems) error {
	return writeReport(path, bulk.NewReportWriter, func(rw *bulk.ReportWriter) {
		for _, p := range problems {
			rw.AddProblem(p)
		}
	})
}

// writeReport writes a --report file: the writer's header, then the rows
// fill adds. Its errors name the file.
func writeReport(path string, newWriter func(io.Writer) *bulk.ReportWriter, fill func(*bulk.ReportWriter)) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot write the report: %s", pathError(err))
	}
	rw := newWriter(fh)
	fill(rw)
	err = rw.Err()
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write the report %s: %v", path, err)
	}
	return nil
}

// watchSecondInterrupt returns a channel closed by a second Ctrl-C (or
// SIGTERM or SIGHUP) after ctx is canceled by the first, so that requests in flight
// can be abandoned by someone who will not wait. given replaces the signal
// watcher (tests).
func watchSecondInterrupt(ctx context.Context, given <-chan struct{}, onFirst func()) (<-chan struct{}, func()) {
	if given != nil {
		return given, func() {}
	}
	abandon := make(chan struct{})
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		select {
		case <-done:
			return // the run ended as the interrupt came
		default:
		}
		onFirst()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, cmdutil.InterruptSignals...)
		defer signal.Stop(sig)
		select {
		case <-sig:
			close(abandon)
		case <-done:
		}
	}()
	return abandon, func() { close(done); wg.Wait() }
}
