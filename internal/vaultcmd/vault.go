package vaultcmd

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/internal/cli"
	"github.com/psnkit/psn/vault/server"
	"github.com/spf13/cobra"
)

// serveCommand is `psn-vault serve`.
func (a *vc) serveCommand() *cobra.Command {
	var (
		addr, auditLog  string
		tlsCert, tlsKey string
		pagesNeedKey    bool
		hooks           []string
		cfg             server.ServiceConfig
	)
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the vault HTTP API; prints one JSON line with its URL on stdout",
		Long: `Serve the token vault: a scheduler refreshes every account of --store ahead of
expiry (one process per account at a time, through the store's leases, so
several "psn-vault serve" may share one PostgreSQL store), and an HTTP API
hands out access tokens valid for at least a minute:

  POST   /v1/accounts                {"name":…,"npsso":…,"keepNpsso":true}
  GET    /v1/accounts                health of every account
  GET    /v1/accounts/{name}         health of one
  GET    /v1/accounts/{name}/token   {"accessToken":…,"expiry":…}
  DELETE /v1/accounts/{name}
  GET    /healthz   GET /metrics (Prometheus)   GET / (status page)

/v1/* needs "Authorization: Bearer <api key>" (psn-vault apikey create NAME
--admin, or --accounts a,b for a key that reads those accounts only).
/healthz is open. /metrics and / are open on a loopback address; on any other
they need an API key (a bearer for /metrics, a sign-in form for the page).
--tls-cert/--tls-key serve HTTPS; plain HTTP off loopback is warned about.
On start it prints one JSON line to stdout: {"url":"http://127.0.0.1:PORT"}. SIGINT/SIGTERM stop it gracefully:
requests and refreshes in flight finish first. See docs/vault.md.`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			ctx := cmd.Context()
			level := slog.LevelInfo
			if a.Verbose() {
				level = slog.LevelDebug
			}
			cfg.Logger = slog.New(slog.NewTextHandler(a.Stderr(), &slog.HandlerOptions{Level: level}))
			// Every flag and the address are checked before the store is
			// opened: a mistake must not create or migrate a store first.
			if cfg.Webhooks, err = a.webhookConfig(hooks); err != nil {
				return err
			}
			vl, err := listenVault(addr, tlsCert, tlsKey, cfg.Logger)
			if err != nil {
				return err
			}
			defer func() {
				if err != nil {
					vl.ln.Close()
				}
			}()
			audit, closeAudit, err := a.serveAudit(auditLog)
			if err != nil {
				return err
			}
			defer closeAudit()
			cfg.Audit = audit
			st, err := a.OpenStore(ctx)
			if err != nil {
				return err
			}
			keys, err := a.OpenKeys(ctx)
			if err != nil {
				return err
			}
			cfg.Store, cfg.Keys = st, keys
			cfg.ClientOptions = []psn.Option{psn.WithEndpoint(a.Endpoint())}
			cfg.Owner = cli.Owner()
			svc, err := server.NewService(cfg)
			if err != nil {
				return err
			}
			apiKeys := server.NewAPIKeys(st)
			ln, url := vl.ln, vl.url
			line, _ := json.Marshal(map[string]string{"url": url})
			if _, err := fmt.Fprintf(a.Stdout(), "%s\n", line); err != nil {
				return err
			}
			if vl.plainOffLoopback {
				fmt.Fprintf(a.Stderr(), "psn-vault: serving on %s (Ctrl-C to stop) WITHOUT TLS on a non-loopback address: see the warning above\n", url)
			} else {
				fmt.Fprintf(a.Stderr(), "psn-vault: serving on %s (Ctrl-C to stop)\n", url)
			}
			if list, err := apiKeys.List(ctx); err == nil && len(list) == 0 {
				fmt.Fprintln(a.Stderr(), "psn-vault: no API key yet: /v1/* answers 401 until you run `psn-vault apikey create NAME --admin`")
			}
			var hopts []server.HandlerOption
			if pagesNeedKey {
				hopts = append(hopts, server.PagesNeedKey())
			}
			return svc.Serve(ctx, ln, server.NewHandler(svc, apiKeys, hopts...))
		},
	}
	f := serve.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8788", "listen address (port 0 picks a free port)")
	f.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	f.StringVar(&tlsKey, "tls-key", "", "the PEM private key file of --tls-cert (keep it 0600)")
	f.BoolVar(&pagesNeedKey, "pages-need-key", false, "ask for an API key on / and /metrics on loopback too (behind a reverse proxy on the same host)")
	f.StringVar(&auditLog, "audit-log", "", "append the audit trail (JSON lines: accounts added and deleted, tokens handed out, refusals) to FILE, mode 0600; default stderr")
	f.DurationVar(&cfg.Interval, "interval", server.DefaultInterval, "how often the scheduler looks for accounts due for a refresh")
	f.IntVar(&cfg.Concurrency, "concurrency", server.DefaultConcurrency, "refreshes the scheduler runs at once")
	f.IntVar(&cfg.BatchSize, "batch", server.DefaultBatchSize, "due accounts claimed per scheduler pass")
	f.DurationVar(&cfg.WarnBefore, "warn-before", server.DefaultWarnBefore, "warn this long before a refresh token expires")
	f.IntVar(&cfg.MaxSources, "max-sources", server.DefaultMaxSources, "accounts whose token source (client and cached token) stays in memory at most; the least recently used go first")
	f.DurationVar(&cfg.SourceIdle, "source-idle", server.DefaultSourceIdle, "drop an account's token source from memory after this long unused")
	f.StringArrayVar(&hooks, "webhook", nil, "POST signed events (login_required, refresh_expiring, …) to this URL; repeatable; a URL that carries a credential goes in PSN_WEBHOOK_URLS instead; the secret is PSN_WEBHOOK_SECRET")
	return serve
}
