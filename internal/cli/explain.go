package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
	"github.com/spf13/pflag"
)

// exitInterrupted is the exit code after Ctrl-C (128 + SIGINT), as shells
// report it.
const exitInterrupted = 130

// userError is an error written for a person: what failed, in the user's
// terms; what to do about it; and the technical cause, shown last.
type userError struct {
	what string // one sentence, no trailing period
	hint string // what to do; "" when there is nothing to say
	err  error  // the cause (matched by errors.Is/As); may be nil
	// quiet leaves the cause off the screen: it would only repeat what.
	quiet bool
}

// Error is what and the cause on one line (for logs and wrapping).
func (e *userError) Error() string {
	if e.err == nil || e.quiet {
		return e.what
	}
	return e.what + ": " + trimPSN(e.err.Error())
}

// Unwrap exposes the cause.
func (e *userError) Unwrap() error { return e.err }

// usageError is a mistake on the command line, found before any request.
func usageError(format string, args ...any) error {
	return &userError{what: fmt.Sprintf(format, args...)}
}

// trimPSN removes the "psn: " that the library's errors start with, and
// the same prefix repeated inside wrapped messages, so that the screen
// never shows "psn: psn:".
func trimPSN(s string) string {
	s = strings.TrimPrefix(s, "psn: ")
	return strings.ReplaceAll(s, ": psn: ", ": ")
}

// render writes err for a person and returns the exit code: what failed
// (after "psn: "), what to do, then the cause.
func (a *App) render(err error) (string, int) {
	code := exitError
	if errors.Is(err, psn.ErrLoginRequired) || errors.Is(err, errNotLoggedIn) {
		code = exitLoginRequired
	}
	ue := a.explain(err)
	var b strings.Builder
	b.WriteString(a.name + ": " + ue.what + "\n")
	if ue.hint != "" {
		b.WriteString(ue.hint + "\n")
	}
	if ue.err != nil && !ue.quiet {
		if c := trimPSN(ue.err.Error()); c != ue.what {
			b.WriteString("Cause: " + c + "\n")
		}
	}
	return b.String(), code
}

// errNotLoggedIn marks the failure of a command that needs the selected
// account's token and found none stored: exit 3, login required. The
// command decides it by what the user asked, never by the store's error
// alone: store.ErrNotFound is psn.ErrNoToken (one error per condition),
// and a record missing elsewhere (an account to delete, a meta value, an
// account deleted during a key reseal) is no reason to log in.
var errNotLoggedIn = errors.New("account not logged in")

// notLoggedIn is the error of a command that found no stored token for
// the selected account: cause is the store's not-found error.
func (a *App) notLoggedIn(cause error) *userError {
	if !errors.Is(cause, errNotLoggedIn) {
		cause = fmt.Errorf("%w: %w", errNotLoggedIn, cause)
	}
	return &userError{what: fmt.Sprintf("account %q is not logged in", a.account), hint: a.loginHint(), err: cause, quiet: true}
}

// loginHint says how to log the selected account in.
func (a *App) loginHint() string {
	return fmt.Sprintf("Run `psn login --account %s`.", a.account)
}

// explain turns any error into a userError. Errors the commands already
// wrote for a person pass through; the library's typed errors get words.
func (a *App) explain(err error) *userError {
	if ue, ok := errors.AsType[*userError](err); ok && ue.what != "" {
		return ue
	}
	is := func(target error) bool { return errors.Is(err, target) }
	switch {
	case is(psn.ErrLoginRequired):
		return &userError{what: fmt.Sprintf("account %q must log in again: PSN no longer accepts its stored secrets", a.account),
			hint: a.loginHint(), err: err}
	case is(errNotLoggedIn):
		return a.notLoggedIn(err)
	case is(psn.ErrMalformedNPSSO):
		return &userError{what: "the NPSSO is malformed",
			hint: `Paste the 64-character value, or the whole {"npsso":"…"} JSON, from https://ca.account.sony.com/api/v1/ssocookie.`}
	case is(psn.ErrNPSSORejected):
		return &userError{what: "PSN refused the NPSSO: it is invalid, expired or replaced by a newer one",
			hint: "Sign in at https://www.playstation.com (accept the new terms of service there if Sony asks: until then PSN refuses every NPSSO),\n" +
				"then fetch a fresh NPSSO from https://ca.account.sony.com/api/v1/ssocookie and run `psn login` again.",
			err: err}
	case is(seal.ErrWrongKey):
		return &userError{what: "wrong key: the key given does not open this store's key ring",
			hint: "Use the PSN_KEY, PSN_KEY_FILE or PSN_PASSPHRASE the store was created with (or none, for the default key file).", err: err}
	case is(seal.ErrBadKey):
		return &userError{what: "the key material is unusable", hint: "PSN_KEY must be the base64 of exactly 32 bytes (make one with: head -c 32 /dev/urandom | base64).", err: err}
	case is(seal.ErrKeyFile):
		return &userError{what: "the key file is unusable",
			hint: "PSN_KEY_FILE names a file of exactly 32 raw bytes; base64 key material goes in PSN_KEY instead.", err: err}
	case is(seal.ErrTampered), is(seal.ErrMalformed), is(seal.ErrUnknownKey):
		return &userError{what: fmt.Sprintf("the stored secrets of account %q cannot be opened: they were altered, damaged or sealed with a retired key", a.account),
			hint: a.loginHint() + " It replaces them.", err: err}
	case is(vault.ErrKeyInUse):
		return &userError{what: "the key still seals accounts", hint: "Run `psn keys reseal` first.", err: err}
	case is(store.ErrCorrupt):
		return &userError{what: "cannot open the token store",
			hint: "Choose another --store path, or move the file aside and log in again.", err: err}
	case is(store.ErrUnavailable):
		return &userError{what: "cannot open the token store", err: err}
	case isUnreachable(err):
		where := "PSN"
		if ep := a.endpointValue(); ep != "" {
			where = "PSN at " + ep
		}
		return &userError{what: "cannot reach " + where,
			hint: "Check --endpoint or PSN_ENDPOINT (a simulator must be running there); without either, psn talks to Sony's servers.", err: err}
	case is(psn.ErrEdgeBlocked):
		return &userError{what: "PSN's edge (Akamai) refused the request", hint: "This usually passes after a few minutes: try again later.", err: err}
	case is(psn.ErrRateLimited):
		what := "PSN's rate limit holds requests back"
		if rl, ok := errors.AsType[*psn.RateLimitError](err); ok && !rl.NextAvailable.IsZero() {
			what += " until " + rl.NextAvailable.Local().Format("15:04:05")
		}
		return &userError{what: what, hint: "PSN allows " + rateLimitText + " per account; run the command again then.", err: err}
	case is(psn.ErrForbidden):
		return &userError{what: "PSN refused access (forbidden): the user's privacy settings may not allow it", err: err}
	case is(psn.ErrInvalidID):
		return &userError{what: trimPSN(err.Error())}
	case is(psn.ErrNotFound):
		return &userError{what: "PSN has no such item (not found)", hint: "Check the id.", err: err}
	case is(psn.ErrBadRequest):
		return &userError{what: "PSN refused the request (bad request): an id or option is wrong", err: err}
	case is(psn.ErrServer):
		return &userError{what: "PSN answered with a server error", hint: "Try again later.", err: err}
	case is(psn.ErrUnexpectedResponse):
		return &userError{what: "PSN's answer could not be understood", err: err}
	case is(context.DeadlineExceeded):
		return &userError{what: "PSN did not answer in time", hint: "Try again; check your network.", err: err}
	}
	if fe, ok := errors.AsType[*pflag.InvalidValueError](err); ok {
		return flagValueError(fe)
	}
	return &userError{what: trimPSN(err.Error())}
}

// flagValueError says what a flag wants instead of strconv's words.
func flagValueError(fe *pflag.InvalidValueError) *userError {
	f := fe.GetFlag()
	want := "a valid " + f.Value.Type()
	switch f.Value.Type() {
	case "int", "int64", "int32", "uint", "uint64":
		want = "a whole number, such as 50"
	case "duration":
		want = "a duration, such as 90s, 15m or 2h"
	case "bool":
		want = "true or false"
	}
	return &userError{what: fmt.Sprintf("--%s %s: not %s", f.Name, quoteArg(fe.GetValue()), want)}
}

// quoteArg quotes a short value and hides a long one (describeArg).
func quoteArg(s string) string { return describeArg(s) }

// isUnreachable reports a failure to connect: refused, no route, DNS.
func isUnreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		return true
	}
	return false
}
