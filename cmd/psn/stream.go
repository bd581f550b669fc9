package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"
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
func emitAll[T any](a *app, seq iter.Seq2[T, error], tab func([]T) table) error {
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
// Each item goes out in one Write as soon as it arrives; its bytes are
// those json.MarshalIndent gives (an Encoder with the same indentation
// runs the same code), made in buffers reused from item to item, which
// keeps the garbage of a long --all small (docs/benchmarks.md, "psn titles
// heap").
func streamJSON[T any](w io.Writer, seq iter.Seq2[T, error]) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
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
		if err := enc.Encode(v); err != nil {
			return err
		}
		if _, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil { // Encode ends the item with a newline
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
