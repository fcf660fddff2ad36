// Package sandboxcmd holds `ladmin sandbox`: the local help desk server.
package sandboxcmd

import (
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/sandbox"
)

// NewCmdSandbox is `ladmin sandbox`.
func NewCmdSandbox(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox <command>",
		Short: "Run a local help desk that speaks the same API",
		Long: `Run a local server that implements the help desk API and enforces the same rules,
backed by SQLite. Use it to try ladmin without an account, and to test onboarding
scripts in CI before they touch the real account.

A new database is seeded with departments support, sales and billing, and three
agents with the API keys sandbox-owner-key, sandbox-admin-key and sandbox-agent-key.`,
		Example: `  ladmin sandbox serve
  ladmin sandbox serve --addr 127.0.0.1:0 --db :memory: --latency 50ms --rate-limit 100`,
	}
	cmd.AddCommand(newCmdServe(f))
	return cmd
}

func newCmdServe(f *cmdutil.Factory) *cobra.Command {
	var (
		addr string
		opts sandbox.Options
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sandbox until interrupted",
		Long: `Serve the sandbox API at http://ADDR/api/v3 until SIGINT or SIGTERM, then shut down
gracefully. When ready it prints one line: "sandbox listening on http://HOST:PORT".

Point ladmin at it with --url (or LADMIN_URL) and one of the seeded keys:
  LADMIN_URL=http://127.0.0.1:8085 LADMIN_API_KEY=sandbox-owner-key ladmin whoami

Faults for honest client tests: --latency delays every response, --rate-limit N
answers 429 (with Retry-After) beyond N requests per second per key, and --fault-rate P
fails a fraction P of mutating requests with a 500 or a dropped connection, half of
them after the change was committed.

--api published shows the face of most real accounts: only LiveAgent's published API,
every ladmin extension (GET /agents/me, POST /agents, /roles, /permissions) a plain 404,
and the departments field of agent bodies ignored.`,
		Example: `  ladmin sandbox serve
  ladmin sandbox serve --db :memory: --addr 127.0.0.1:0
  ladmin sandbox serve --api published --addr 127.0.0.1:0
  ladmin sandbox serve --latency 50ms --rate-limit 100 --fault-rate 0.2 --seed-agents 20000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.FaultRate < 0 || opts.FaultRate > 1 {
				return cmdutil.Usagef("invalid --fault-rate %v: use a fraction between 0 and 1", opts.FaultRate)
			}
			if opts.RateLimit < 0 || opts.SeedAgents < 0 || opts.Latency < 0 {
				return cmdutil.Usagef("--rate-limit, --seed-agents and --latency cannot be negative")
			}
			if opts.API != sandbox.APIExtended && opts.API != sandbox.APIPublished {
				return cmdutil.Usagef("invalid --api %q: use extended or published", opts.API)
			}
			if opts.DB == "" {
				opts.DB = sandbox.DefaultDBPath()
			}
			if f.Viper.GetBool("debug") {
				opts.Logger = slog.New(slog.NewTextHandler(f.IOStreams.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			opts.Warnings = f.IOStreams.ErrOut
			srv, err := sandbox.New(opts)
			if err != nil {
				return err // it names the database and what went wrong
			}
			defer srv.Close()
			return srv.Serve(cmd.Context(), addr, f.IOStreams.Out)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "127.0.0.1:8085", "address to listen on (port 0 picks a free port)")
	fl.StringVar(&opts.DB, "db", "", "SQLite database file, or :memory: (default $XDG_DATA_HOME/ladmin/sandbox.db)")
	fl.DurationVar(&opts.Latency, "latency", 0, "delay every response by this much, e.g. 50ms")
	fl.IntVar(&opts.RateLimit, "rate-limit", 0, "requests per second allowed per API key (0: unlimited)")
	fl.Float64Var(&opts.FaultRate, "fault-rate", 0, "fraction of mutating requests that fail (0 to 1)")
	fl.IntVar(&opts.SeedAgents, "seed-agents", 0, "add N generated agents to a new database (load tests)")
	fl.StringVar(&opts.API, "api", sandbox.APIExtended, "which API to show: extended (every endpoint ladmin knows) or published (LiveAgent's published API only, like most real accounts)")
	return cmd
}
