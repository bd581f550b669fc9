// Package psn is a client for the PlayStation Network web API with a token
// lifecycle done right.
//
// An NPSSO cookie is exchanged for an authorization code (Client.Authorize),
// the code for an access token and a refresh token (Client.ExchangeCode;
// Client.Login does both), and the refresh token for new access tokens
// (Client.Refresh). A RefreshingSource runs that lifecycle for you: it
// converts lifetimes to absolute instants, refreshes ahead of expiry exactly
// once however many goroutines ask, saves each new token before handing it
// out, falls back to a stored NPSSO when the refresh token dies, and warns
// before a human must log in again.
//
// Data calls are grouped by area on the Client (Trophies, Users, Games,
// Search, Groups), take a context first, return typed results and typed
// errors (errors.Is with ErrNotFound, ErrForbidden, ErrRateLimited, …), and
// paginate with iter.Seq2 iterators.
//
// The shape of a data call, as in google/go-github:
//
//   - ctx first, then the ids the call is about, then at most one options
//     argument, a pointer to the call's options struct (XOptions); nil
//     means PSN's defaults. A call with nothing to adjust takes none.
//   - A call that reads a page embeds ListOptions (Limit, Offset) in its
//     options; its …All twin takes the same arguments and returns an
//     iter.Seq2[T, error] that walks every page from Offset, Limit items
//     a page (the largest PSN allows when Limit is 0).
//   - Settings of the client (language, extra headers, limiter, …) are
//     Options; to change them for some calls only, make a copy with
//     Client.With, e.g. c.With(WithLanguage("ja-JP")).Trophies.Summary(ctx, "me").
//
// Results are lossless: json.Marshal of a decoded result (with
// encoding/json or encoding/json/v2) gives back every member PSN sent, with
// PSN's keys and values — members no field names (a field PSN adds
// tomorrow), false, 0, "" and null as sent — and leaves out what PSN left
// out. A result built in code encodes as its field tags say. Because a
// decoded result remembers its wire form in an unexported field, compare
// results field by field rather than with ==. The calls decode with
// github.com/go-json-experiment/json (the encoding/json/v2 API), several
// times faster than encoding/json; Client.Call decodes the caller's own
// types with encoding/json.
//
// Secrets never print: Secret and Token redact themselves under fmt and
// log/slog, and no error string holds a token, code or NPSSO.
//
// The psntest package is an offline PSN simulator; WithEndpoint points a
// Client at it.
package psn
