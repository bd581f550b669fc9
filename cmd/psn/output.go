package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"text/tabwriter"
)

// table is the table/csv form of a result.
type table struct {
	header []string
	rows   [][]string
}

// emit writes v as JSON, or t as an aligned table or CSV, per -o.
func (a *app) emit(v any, t table) error {
	switch a.output {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "csv":
		w := csv.NewWriter(a.stdout)
		if err := w.Write(t.header); err != nil {
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
