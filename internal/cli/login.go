package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// readNPSSO takes the NPSSO from PSN_NPSSO, a no-echo prompt on a
// terminal, or the first line of stdin — never from the command line.
func (a *App) readNPSSO(ctx context.Context) (psn.Secret, error) {
	if v := a.getenv("PSN_NPSSO"); v != "" {
		return psn.ParseNPSSO(v)
	}
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, "NPSSO (from https://ca.account.sony.com/api/v1/ssocookie, input hidden): ")
		b, err := readPassword(ctx, int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("reading the NPSSO: %w", err)
		}
		return psn.ParseNPSSO(string(b))
	}
	r := bufio.NewReader(io.LimitReader(a.stdin, 64<<10))
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("reading the NPSSO from stdin: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", errors.New("no NPSSO: pipe it on stdin, set PSN_NPSSO, or run psn login in a terminal")
	}
	return psn.ParseNPSSO(string(b))
}

func (a *App) loginCommand() *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in with an NPSSO (prompt without echo, stdin, or PSN_NPSSO — never an argument)",
		Long: `Log in with an NPSSO and store the tokens, encrypted, under --account.

The NPSSO is read from PSN_NPSSO, else from a prompt that does not echo when
stdin is a terminal, else from stdin. It is never accepted as an argument:
command lines end up in shell histories and process lists.
With --keep-npsso the NPSSO is stored (encrypted) too, so that psnkit can log
in again by itself when the refresh token dies.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			npsso, err := a.readNPSSO(ctx)
			if err != nil {
				return err
			}
			rec, err := a.login(ctx, npsso, keep)
			if err != nil {
				return err
			}
			h := vault.HealthOf(rec, time.Now(), 7*24*time.Hour)
			fmt.Fprintf(a.stderr, "Logged in as %q (PSN account %s). Access token expires %s; refresh token on %s%s.\n",
				a.account, rec.AccountID, humanUntil(h.AccessExpiry, time.Now()),
				h.RefreshExpiry.Local().Format("2006-01-02 15:04"), map[bool]string{true: "; NPSSO kept for automatic re-login", false: ""}[keep])
			return nil
		},
	}
	cmd.Flags().BoolVar(&keep, "keep-npsso", false, "store the NPSSO (encrypted) to log in again by itself when the refresh token dies")
	return cmd
}

// readPassword is term.ReadPassword that gives up when ctx ends (Ctrl-C:
// psn catches SIGINT, so the read would otherwise go on until Enter),
// restoring the terminal's echo first.
func readPassword(ctx context.Context, fd int) ([]byte, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		term.Restore(fd, state) // the read goroutine ends with the process
		return nil, ctx.Err()
	}
}

// login exchanges the NPSSO and writes the account's record, replacing any
// previous secrets of that account.
func (a *App) login(ctx context.Context, npsso psn.Secret, keep bool) (store.Record, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return store.Record{}, err
	}
	keys, err := a.openKeys(ctx)
	if err != nil {
		return store.Record{}, err
	}
	return vault.LoginKeys(ctx, a.client(), st, keys, a.account, npsso, keep)
}

func (a *App) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Delete the account's stored tokens and NPSSO",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			if err := st.Delete(cmd.Context(), a.account); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("account %q is not logged in", a.account)
				}
				return err
			}
			fmt.Fprintf(a.stderr, "Logged out %q: its tokens are deleted.\n", a.account)
			return nil
		},
	}
}

func (a *App) tokenCommand() *cobra.Command {
	cmd := group("token", "Inspect, refresh or print the account's token")
	status := &cobra.Command{
		Use:   "status",
		Short: "Show expiry instants and the account's state in human terms",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			rec, err := st.Get(cmd.Context(), a.account)
			if errors.Is(err, store.ErrNotFound) {
				return a.notLoggedIn(err)
			}
			if err != nil {
				return err
			}
			now := time.Now()
			h := vault.HealthOf(rec, now, 7*24*time.Hour)
			if a.output == "table" || a.output == "" {
				a.printStatus(h, now)
			} else if err := a.emit(h, a.healthTable([]vault.Health{h})); err != nil {
				return err
			}
			if e := h.LoginRequired(); e != nil {
				return e // exit 3: a human must log in
			}
			return nil
		},
	}
	refresh := &cobra.Command{
		Use:   "refresh",
		Short: "Refresh the access token now (saved before it is used)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, src, err := a.session(cmd.Context())
			if err != nil {
				return err
			}
			tok, err := src.Refresh(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Refreshed %q: the access token expires %s.\n", a.account, humanUntil(tok.Expiry, time.Now()))
			return nil
		},
	}
	print := &cobra.Command{
		Use:   "print",
		Short: "Print a valid access token to stdout, for scripts (refreshed first if needed)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, src, err := a.session(cmd.Context())
			if err != nil {
				return err
			}
			tok, err := src.Token(cmd.Context())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.stdout, tok.AccessToken.Reveal())
			return err
		},
	}
	cmd.AddCommand(status, refresh, print)
	return cmd
}

func (a *App) printStatus(h vault.Health, now time.Time) {
	w := a.stdout
	fmt.Fprintf(w, "account:        %s\n", h.Account)
	if h.AccountID != "" {
		fmt.Fprintf(w, "PSN account id: %s\n", h.AccountID)
	}
	if h.OnlineID != "" {
		fmt.Fprintf(w, "online id:      %s\n", h.OnlineID)
	}
	fmt.Fprintf(w, "access token:   %s, expires %s (%s)\n", h.Access, humanUntil(h.AccessExpiry, now), h.AccessExpiry.Local().Format(time.RFC3339))
	line := fmt.Sprintf("refresh token:  %s, expires %s (%s)", h.Refresh, humanUntil(h.RefreshExpiry, now), h.RefreshExpiry.Local().Format(time.RFC3339))
	if !h.RefreshRejectedAt.IsZero() {
		line = fmt.Sprintf("refresh token:  %s, rejected by PSN %s (%s)", h.Refresh, humanUntil(h.RefreshRejectedAt, now), h.RefreshRejectedAt.Local().Format(time.RFC3339))
	}
	if h.Refresh == vault.RefreshExpiring && !h.NPSSOKept {
		line += fmt.Sprintf(" — run `psn login` before %s", h.RefreshExpiry.Local().Format("2006-01-02"))
	}
	fmt.Fprintln(w, line)
	if h.NPSSO == vault.NPSSORejected {
		fmt.Fprintf(w, "NPSSO kept:     true, rejected by PSN %s\n", humanUntil(h.NPSSORejectedAt, now))
	} else {
		fmt.Fprintf(w, "NPSSO kept:     %v\n", h.NPSSOKept)
	}
	fmt.Fprintf(w, "state:          %s\n", h.State)
	if h.State == vault.StateLoginRequired {
		msg := "log in again: psn login --account " + h.Account
		if !h.RetryAt.IsZero() {
			msg += fmt.Sprintf(" (no PSN call is made for it until then; the rejected secrets are tried once more %s)", humanUntil(h.RetryAt, now))
		}
		fmt.Fprintf(w, "action:         %s\n", msg)
	}
	if h.LastError != "" {
		fmt.Fprintf(w, "last error:     %s (%s)\n", h.LastError, humanUntil(h.LastErrorAt, now))
	}
}

// healthTable is the table (and CSV) of accounts' health: instants as
// every table shows them (a.when: local to the minute in a table, RFC 3339
// UTC in CSV).
func (a *App) healthTable(hs []vault.Health) table {
	t := table{header: []string{"ACCOUNT", "ONLINE ID", "ACCESS", "ACCESS EXPIRY", "REFRESH", "REFRESH EXPIRY", "NPSSO", "STATE"},
		keys: []string{"account", "onlineId", "access", "accessExpiry", "refresh", "refreshExpiry", "npssoKept", "state"}}
	for _, h := range hs {
		t.rows = append(t.rows, []string{h.Account, h.OnlineID, string(h.Access), a.when(h.AccessExpiry),
			string(h.Refresh), a.when(h.RefreshExpiry), fmt.Sprint(h.NPSSOKept), string(h.State)})
	}
	return t
}

// stateUnreadable is the state `psn accounts` shows for an account whose
// sealed secrets do not open (tampered, damaged, or sealed with a key the
// ring no longer has).
const stateUnreadable = "unreadable"

func (a *App) accountsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "accounts",
		Short: "List the stored accounts and their health",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			hs := []vault.Health{}
			if _, err := a.kek(); err != nil && !errors.Is(err, seal.ErrNoKey) {
				return err
			}
			if _, err := a.openStore(cmd.Context()); errors.Is(err, errNoDefaultStore) {
				return a.emit(hs, a.healthTable(hs)) // nobody logged in yet
			}
			keys, err := a.openKeys(cmd.Context()) // a wrong key fails here
			if err != nil && !errors.Is(err, vault.ErrNoRing) {
				return err
			}
			now := time.Now()
			for rec, err := range a.st.List(cmd.Context()) {
				if err != nil {
					return err
				}
				h := vault.HealthOf(rec, now, 7*24*time.Hour)
				if keys == nil { // no ring: nothing sealed here opens
					h.State, h.LastError = stateUnreadable, vault.ErrNoRing.Error()
				} else if _, _, err := vault.OpenRecord(keys.Ring, rec); err != nil {
					h.State, h.LastError = stateUnreadable, err.Error()
				}
				hs = append(hs, h)
			}
			return a.emit(hs, a.healthTable(hs))
		},
	}
}
