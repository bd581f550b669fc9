package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/itchyny/gojq"
)

// table is the table/csv form of a result. header labels the table's
// columns for people; keys names the same columns in CSV: the JSON key of
// each value (a dotted path for nested ones, as jq writes it), so that CSV
// and JSON speak one vocabulary.
type table struct {
	header []string
	keys   []string
	rows   [][]string
}

// csvHeader is the CSV header row: the keys, when the table names them.
func (t table) csvHeader() []string {
	if len(t.keys) == len(t.header) && len(t.keys) > 0 {
		return t.keys
	}
	return t.header
}

// emit writes v as JSON (filtered by --jq when given), or t as an aligned
// table or CSV, per -o.
func (a *App) emit(v any, t table) error {
	if a.jqCode != nil {
		return a.emitJQ(v)
	}
	switch a.output {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "csv":
		w := csv.NewWriter(a.stdout)
		if err := w.Write(t.csvHeader()); err != nil {
			return err
		}
		if err := w.WriteAll(t.rows); err != nil {
			return err
		}
		w.Flush()
		return w.Error()
	case "table", "":
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		line := func(cells []string) {
			for i, c := range cells {
				if i > 0 {
					fmt.Fprint(tw, "\t")
				}
				fmt.Fprint(tw, c)
			}
			fmt.Fprintln(tw)
		}
		line(t.header)
		for _, r := range t.rows {
			line(r)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown output format %q: use table, json or csv", a.output)
}

// compileJQ parses and compiles --jq EXPR, so that a mistake in it fails
// before any request is sent.
func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, &userError{what: fmt.Sprintf("--jq %s is not a jq expression: %v", quoteExpr(expr), err)}
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, &userError{what: fmt.Sprintf("--jq %s does not compile: %v", quoteExpr(expr), err)}
	}
	return code, nil
}

// emitJQ runs --jq over v's JSON and prints each result on its own line,
// as gh does: strings as they are, every other value as compact JSON.
func (a *App) emitJQ(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var in any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return err
	}
	iter := a.jqCode.Run(normalizeNumbers(in))
	for {
		out, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := out.(error); ok {
			if h, ok := err.(*gojq.HaltError); ok && h.Value() == nil {
				return nil
			}
			return &userError{what: fmt.Sprintf("--jq %s failed: %v", quoteExpr(a.jq), err)}
		}
		if s, ok := out.(string); ok {
			if _, err := fmt.Fprintln(a.stdout, s); err != nil {
				return err
			}
			continue
		}
		line, err := gojq.Marshal(out)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(a.stdout, "%s\n", line); err != nil {
			return err
		}
	}
}

// normalizeNumbers turns json.Numbers into the int or float64 gojq
// computes with (ints stay exact, however large: gojq keeps *big.Int).
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}

// withFields is v's JSON object with fields added in front — those v does
// not hold already — so that -o json carries every field the table shows
// (me's onlineId, profile's accountId) whatever JSON v's type writes.
type withFields struct {
	v      any
	fields []field
}

// field is one key and value withFields adds.
type field struct {
	key string
	val any
}

// MarshalJSON splices the fields into v's object.
func (w withFields) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(w.v)
	if err != nil {
		return nil, err
	}
	var have map[string]json.RawMessage
	if err := json.Unmarshal(b, &have); err != nil {
		return nil, fmt.Errorf("withFields: %T is not a JSON object: %w", w.v, err)
	}
	var out bytes.Buffer
	out.WriteByte('{')
	n := 0
	for _, f := range w.fields {
		if _, ok := have[f.key]; ok {
			continue
		}
		k, _ := json.Marshal(f.key)
		v, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out.WriteByte(',')
		}
		out.Write(k)
		out.WriteByte(':')
		out.Write(v)
		n++
	}
	rest := bytes.TrimSpace(b)[1:]
	if n > 0 && !bytes.Equal(bytes.TrimSpace(rest), []byte("}")) {
		out.WriteByte(',')
	}
	out.Write(rest)
	return out.Bytes(), nil
}

// quoteExpr quotes a --jq expression for an error message. A filter is
// never a secret, so it is shown even when long (quoteArg hides long
// arguments), cut at 120 characters.
func quoteExpr(expr string) string {
	if r := []rune(expr); len(r) > 120 {
		expr = string(r[:119]) + "…"
	}
	return strconv.Quote(expr)
}
