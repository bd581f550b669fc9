package vaultcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"

	"github.com/psnkit/psn/internal/cli"
	"github.com/psnkit/psn/vault/server"
	"github.com/spf13/cobra"
)

// scopeFlags are the --admin and --accounts flags of `vault apikey create`
// and `vault apikey scope`.
type scopeFlags struct {
	admin    bool
	accounts string
}

func (s *scopeFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&s.admin, "admin", false, "the key manages accounts (adds, deletes) and reads every account's token and health")
	cmd.Flags().StringVar(&s.accounts, "accounts", "", "the key reads the tokens and health of these accounts only (comma-separated; '*' for every account)")
}

// errScopeChoice: neither or both of --admin and --accounts.
var errScopeChoice = errors.New("give the key's scope: --admin (manage accounts and read every token) or --accounts NAME,NAME (read those accounts' tokens only; '*' for all)")

// scope returns the scope the flags ask for: exactly one of the two flags
// must be given.
func (s *scopeFlags) scope(cmd *cobra.Command) (server.APIKeyScope, error) {
	admin, accounts := cmd.Flags().Changed("admin"), cmd.Flags().Changed("accounts")
	switch {
	case admin && accounts, !admin && !accounts:
		return server.APIKeyScope{}, errScopeChoice
	case admin:
		if !s.admin {
			return server.APIKeyScope{}, errScopeChoice
		}
		return server.AdminScope(), nil
	}
	names := strings.Split(s.accounts, ",")
	for i, n := range names {
		names[i] = strings.TrimSpace(n)
		if names[i] == "" {
			return server.APIKeyScope{}, fmt.Errorf("--accounts: an empty account name (a stray comma?): %w", server.ErrAPIKeyScope)
		}
	}
	return server.AccountsScope(names...)
}

// cliAudit writes the audit lines of `vault apikey` commands: one line per
// change, to --audit-log or stderr, naming the OS user and host that made
// it.
type cliAudit struct {
	path string
}

// errWriter remembers the first failed write.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// auditedKeys opens, for a command that changes API keys, the audit trail
// first (a change that cannot be audited is not made) and then the store's
// key registry; done closes the trail.
func (a *vc) auditedKeys(cmd *cobra.Command, audit *cliAudit) (keys *server.APIKeys, auditLine func(ctx context.Context, event string, info server.APIKeyInfo) error, done func(), err error) {
	auditLine, done, err = audit.open(a)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := a.OpenStore(cmd.Context())
	if cli.IsNoDefaultStore(err) {
		err = cli.Fail("there is no token store yet, so no API key", "Create a key first (psn-vault apikey create NAME --admin), or point --store or PSN_STORE at the vault's store.", nil)
	}
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	return server.NewAPIKeys(st), auditLine, done, nil
}

// open opens the audit log before a change is made, so that a change is
// not made when it cannot be audited; log reports a line it could not
// write; done closes the log.
func (c *cliAudit) open(a *vc) (log func(ctx context.Context, event string, info server.APIKeyInfo) error, done func(), err error) {
	var w io.Writer = a.Stderr()
	done = func() {}
	if c.path != "" {
		f, err := server.OpenAuditFile(c.path)
		if err != nil {
			return nil, nil, err
		}
		w, done = f, func() { f.Close() }
	}
	host, _ := os.Hostname()
	who := ""
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	ew := &errWriter{w: w}
	l := server.NewAuditLogger(ew)
	return func(ctx context.Context, event string, info server.APIKeyInfo) error {
		l.LogAttrs(ctx, slog.LevelInfo, "audit", slog.String("event", event),
			slog.String("key_id", info.ID), slog.String("key_name", info.Name), slog.String("scope", info.Scope.String()),
			slog.String("os_user", who), slog.String("host", host), slog.Int("pid", os.Getpid()))
		if ew.err != nil {
			return fmt.Errorf("writing the audit line: %w", ew.err)
		}
		return nil
	}, done, nil
}

func (a *vc) apikeyCommand() *cobra.Command {
	cmd := cli.Group("apikey", "Manage the API keys of the vault service (only their argon2id hashes are stored)")
	var audit cliAudit
	cmd.PersistentFlags().StringVar(&audit.path, "audit-log", "", "append an audit line for each key created, revoked or re-scoped to FILE (mode 0600); default stderr")
	var createScope scopeFlags
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an API key; prints it once on stdout (it cannot be shown again)",
		Long: `Create an API key and print it once on stdout; only its argon2id hash is stored.
Its scope is required: --admin keys add and delete accounts and read every
account; --accounts alice,bob keys read the tokens and health of those
accounts only ('*': of every account) and may not add or delete any.`,
		Args: cli.OneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			scope, err := createScope.scope(cmd)
			if err != nil {
				return err
			}
			keys, auditLine, done, err := a.auditedKeys(cmd, &audit)
			if err != nil {
				return err
			}
			defer done()
			key, info, err := keys.CreateScoped(cmd.Context(), args[0], scope)
			if err != nil {
				return err
			}
			// The key is stored now: audit it before printing, which may
			// fail (a full disk) and leave a key nobody holds. A key that
			// cannot be audited is taken back (it was never shown).
			if err := auditLine(cmd.Context(), server.AuditAPIKeyCreated, info); err != nil {
				if rerr := keys.Revoke(cmd.Context(), info.Name); rerr != nil {
					return fmt.Errorf("API key %q (id %s) was created but %w, and revoking it failed: %w", info.Name, info.ID, err, rerr)
				}
				return fmt.Errorf("API key %q not created: %w", info.Name, err)
			}
			if _, err := fmt.Fprintln(a.Stdout(), key.Reveal()); err != nil {
				return fmt.Errorf("API key %q (id %s) was created but could not be printed; revoke it: %w", info.Name, info.ID, err)
			}
			fmt.Fprintf(a.Stderr(), "API key %q created (id %s, scope %s). It is shown this once: only its hash is stored.\n", info.Name, info.ID, info.Scope.ShortString())
			return nil
		},
	}
	createScope.register(create)
	cli.CreatesStore(create)
	list := &cobra.Command{
		Use:   "list",
		Short: "List the API keys' names, ids, scopes and creation times (never the keys)",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			keys := []server.APIKeyInfo{}
			st, err := a.OpenStore(cmd.Context())
			switch {
			case cli.IsNoDefaultStore(err):
				// No store yet: no key, and nothing created to say so.
			case err != nil:
				return err
			default:
				if keys, err = server.NewAPIKeys(st).List(cmd.Context()); err != nil {
					return err
				}
			}
			t := cli.Table{Header: []string{"NAME", "ID", "SCOPE", "CREATED"}, Keys: []string{"name", "id", "scope", "created"}}
			for _, k := range keys {
				t.Rows = append(t.Rows, []string{k.Name, k.ID, k.Scope.ShortString(), a.When(k.Created)})
			}
			return a.Emit(keys, t)
		},
	}
	var setScope scopeFlags
	scope := &cobra.Command{
		Use:   "scope NAME",
		Short: "Change an API key's scope: every vault sharing the store applies it within 2 s",
		Long: `Change an API key's scope, keeping the key: --admin, or --accounts alice,bob
(read those accounts only; '*' for all). Every vault sharing the store
applies the new scope within 2 s.`,
		Args: cli.OneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := setScope.scope(cmd)
			if err != nil {
				return err
			}
			keys, auditLine, done, err := a.auditedKeys(cmd, &audit)
			if err != nil {
				return err
			}
			defer done()
			info, err := keys.SetScope(cmd.Context(), args[0], sc)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.Stderr(), "API key %q now has scope %s.\n", info.Name, info.Scope.ShortString())
			if err := auditLine(cmd.Context(), server.AuditAPIKeyScopeChange, info); err != nil {
				return fmt.Errorf("API key %q was re-scoped but %w", info.Name, err)
			}
			return nil
		},
	}
	setScope.register(scope)
	revoke := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke an API key: every vault sharing the store refuses it within 2 s",
		Args:  cli.OneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, auditLine, done, err := a.auditedKeys(cmd, &audit)
			if err != nil {
				return err
			}
			defer done()
			// The key's id and scope, for the audit line (the name alone
			// may have been reused).
			info := server.APIKeyInfo{Name: args[0]}
			if list, err := keys.List(cmd.Context()); err == nil {
				for _, k := range list {
					if k.Name == args[0] {
						info = k
					}
				}
			}
			if err := keys.Revoke(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.Stderr(), "API key %q revoked.\n", args[0])
			if err := auditLine(cmd.Context(), server.AuditAPIKeyRevoked, info); err != nil {
				return fmt.Errorf("API key %q was revoked but %w", args[0], err)
			}
			return nil
		},
	}
	cmd.AddCommand(create, list, scope, revoke)
	return cmd
}
