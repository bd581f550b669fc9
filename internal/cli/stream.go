package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// emitAll writes every item of seq (a command's --all). JSON and CSV are
// written item by item as PSN's pages arrive, so the first rows show at
// once and memory stays flat however many items an account has; the JSON
// is the same array emit writes. A table needs every row to align its
// columns, and --jq the whole array, so those collect first.
//
// When a page fails midway, the JSON array is left unclosed (and the
// command exits 1), so that a JSON reader fails rather than take a part
// for the whole.
func emitAll[T any](a *App, seq iter.Seq2[T, error], tab func([]T) table) error {
	switch {
	case a.jqCode != nil, a.output != "json" && a.output != "csv":
		all, err := collect(seq)
		if err != nil {
			return err
		}
		return a.emit(all, tab(all))
	case a.output == "csv":
		return streamCSV(a.stdout, seq, tab)
	}
	return streamJSON(a.stdout, seq)
}

// streamJSON writes seq as an indented JSON array, one item at a time.
// Each item goes out in one Write as soon as it arrives, as the bytes
// json.MarshalIndent gives, made in buffers reused from item to item, which
// keeps the garbage of a long --all small (docs/benchmarks.md, "psn titles
// heap"): psnkit's result types are encoded straight into an indenting
// jsontext.Encoder (v1Compatible: what encoding/json makes of their
// MarshalJSON), other types by an Encoder with MarshalIndent's indentation,
// which runs MarshalIndent's code.
func streamJSON[T any](w io.Writer, seq iter.Seq2[T, error]) error {
	var buf bytes.Buffer
	var cur T // one variable, so that handing &cur to the encoder allocates once
	var encode func() error
	if _, ok := any(&cur).(jsonv2.MarshalerTo); ok {
		enc := jsontext.NewEncoder(&buf, v1Compatible())
		encode = func() error { return jsonv2.MarshalEncode(enc, &cur) }
	} else {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("  ", "  ")
		encode = func() error { return enc.Encode(cur) }
	}
	n := 0
	for v, err := range seq {
		if err != nil {
			if n > 0 {
				fmt.Fprintln(w)
			}
			return err
		}
		buf.Reset()
		if n == 0 {
			buf.WriteString("[\n  ")
		} else {
			buf.WriteString(",\n  ")
		}
		cur = v
		if err := encode(); err != nil {
			return err
		}
		// Both encoders end a top-level value with a newline.
		if _, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
			return err
		}
		n++
	}
	end := "\n]\n"
	if n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(w, end)
	return err
}

// v1Compatible returns the options that make a jsontext.Encoder write
// what json.MarshalIndent(v, "  ", "  ") writes for psnkit's result types:
// their MarshalJSON is their MarshalJSONTo run by json/v2 with
// json.Deterministic(true) (strings, raw ones included, in v2's canonical
// form, numbers as they are), and encoding/json then escapes <, >, & and
// U+2028/U+2029 and indents with a space after each colon.
func v1Compatible() jsonv2.Options {
	return jsonv2.JoinOptions(
		jsonv2.Deterministic(true),
		jsontext.EscapeForHTML(true),
		jsontext.EscapeForJS(true),
		jsontext.WithIndentPrefix("  "),
		jsontext.WithIndent("  "),
		jsontext.SpaceAfterColon(true),
	)
}

// streamCSV writes the header, then each item's rows as it arrives.
func streamCSV[T any](w io.Writer, seq iter.Seq2[T, error], tab func([]T) table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(tab(nil).csvHeader()); err != nil {
		return err
	}
	cw.Flush()
	for v, err := range seq {
		if err != nil {
			return err
		}
		if err := cw.WriteAll(tab([]T{v}).rows); err != nil { // WriteAll flushes
			return err
		}
	}
	return cw.Error()
}
