package cli

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/psntest"
)

// update rewrites the golden files: go test ./internal/cli -run TestGolden -update
var update = flag.Bool("update", false, "rewrite internal/cli/testdata/*.golden from the current output")

// TestGolden pins every data command's output in each format for the
// simulator's seed 1, so that any change of output is a visible diff in
// testdata/*.golden. Times are shown in UTC here.
func TestGolden(t *testing.T) {
	local := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = local })

	e := newTestEnv(t, psntest.Config{Seed: 1}, 0)
	other := e.sim.Users()[1]
	titles := simTitles(t, e)
	np := titles[0].NpCommunicationID
	cmds := []struct {
		name string
		args []string
	}{
		{"me", []string{"me"}},
		{"summary", []string{"summary", other.OnlineID}},
		{"titles", []string{"titles", "--limit", "3"}},
		{"friends-all", []string{"friends", "--all"}},
		{"trophies", []string{"trophies", np, "--limit", "4"}},
		{"groups", []string{"groups", np}},
		{"profile", []string{"profile", other.OnlineID}},
		{"friends", []string{"friends", "--limit", "3"}},
		{"presence", []string{"presence"}},
		{"region", []string{"region", other.OnlineID}},
		{"devices", []string{"devices"}},
		{"search", []string{"search", other.OnlineID}},
		{"played", []string{"played", "--limit", "3"}},
	}
	for _, c := range cmds {
		for _, format := range []string{"table", "json", "csv"} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				code, stdout, stderr := e.run(context.Background(), append(c.args, "-o", format)...)
				if code != exitOK {
					t.Fatalf("psn %v -o %s: exit %d\n%s", c.args, format, code, stderr)
				}
				golden(t, filepath.Join("testdata", c.name+"."+format+".golden"), stdout)
			})
		}
	}
}

// golden compares got with the file at path (or rewrites it with -update).
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run TestGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (if the change is intended, run go test ./internal/cli -run TestGolden -update and review the diff):\n%s",
			path, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)) && len(out) < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			out = append(out, "- "+wl, "+ "+gl)
		}
	}
	return strings.Join(out, "\n")
}
