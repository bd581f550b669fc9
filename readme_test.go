package psn_test

import (
	"context"
	"fmt"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
)

// The README's library example, line for line (TestREADMEGoBlocksAreExamples
// keeps the two the same): log in, keep the token fresh, read data.
func Example_readme() {
	srv := psntest.NewServer(psntest.Config{Seed: 1}) // an offline PSN; for Sony's, drop it and WithEndpoint
	defer srv.Close()
	pasted := srv.Sim.Users()[0].NPSSO // in a real program: what the user pasted
	ctx := context.Background()

	c := psn.NewClient(psn.WithEndpoint(srv.URL)) // psn.NewClient() talks to Sony's real hosts
	npsso, err := psn.ParseNPSSO(pasted)          // the 64 characters, or Sony's {"npsso":"…"} JSON
	if err != nil {
		log.Fatal(err) // psn.ErrMalformedNPSSO
	}
	tok, err := c.Login(ctx, npsso) // NPSSO → code → tokens, expiry as absolute instants
	if err != nil {
		log.Fatal(err) // psn.ErrNPSSORejected: fetch a new NPSSO
	}

	src := psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, npsso), // keeps the NPSSO for the fallback
		psn.OnRefreshExpiring(func(ctx context.Context, at time.Time, npssoKept bool) {
			log.Printf("log in again before %s (NPSSO kept: %v)", at, npssoKept) // tell a human
		}))
	defer src.Close(ctx) // waits for a refresh in flight to be saved
	api := c.WithTokenSource(src)

	sum, err := api.Trophies.Summary(ctx, "me")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trophy level", sum.TrophyLevel)

	titles, completed := 0, 0
	for title, err := range api.Trophies.TitlesAll(ctx, "me", nil) { // every page, fetched as the loop goes
		if err != nil {
			log.Fatal(err)
		}
		titles++
		if title.Progress == 100 {
			completed++
		}
	}
	fmt.Println(titles, "titles,", completed, "completed")
	// Output:
	// trophy level 353
	// 195 titles, 29 completed
}

// TestREADMEGoBlocksAreExamples fails when a Go code block of README.md is
// not, modulo white space, part of the body of an Example function that
// go test runs (one with an output comment): the README's code then
// compiles and runs against psntest with every go test, and cannot drift.
func TestREADMEGoBlocksAreExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(readme))
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```go block; this test would prove nothing")
	}
	bodies := exampleBodies(t, ".")
	for i, b := range blocks {
		if !mirrored(b, bodies) {
			t.Errorf("README.md's Go block %d (starting %q) is not the body, or part of the body, of any Example function with an output comment; "+
				"the closest example first differs at the block's line %q; change the README and its Example (readme_test.go) together",
				i+1, firstLine(b), firstDifference(b, bodies))
		}
	}
}

// TestMirroredCatchesDrift checks the matcher itself: indentation and
// alignment do not matter, a changed token does.
func TestMirroredCatchesDrift(t *testing.T) {
	body := "\tx := f(1)   // one\n\n\tif x > 0 {\n\t\tg(x)\n\t}\n\th()\n"
	bodies := map[string]string{"Example": body}
	for _, tc := range []struct {
		block string
		want  bool
	}{
		{"x := f(1) // one\nif x > 0 {\n    g(x)\n}", true},
		{"if x > 0 {\n\tg(x)\n}\nh()", true},
		{"x := f(2) // one\nif x > 0 {", false},    // a changed argument
		{"x := f(1) // one\nh()", false},           // lines skipped in between
		{"if x > 0 {\n\tg(x)\n}\nh()\nk()", false}, // a line the example lacks
		{"f(1)", false}, // part of a line only
	} {
		if got := mirrored(tc.block, bodies); got != tc.want {
			t.Errorf("mirrored(%q) = %v, want %v", tc.block, got, tc.want)
		}
	}
}

// goBlocks returns the contents of the ```go fenced blocks of a Markdown text.
func goBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		fence := strings.TrimSpace(line)
		switch {
		case !in && fence == "```go":
			in, cur = true, nil
		case in && fence == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// exampleBodies returns, by name, the source of the body of every Example
// function that go test runs (it has an output comment), in every test file
// of the module rooted at root.
func exampleBodies(t *testing.T, root string) map[string]string {
	t.Helper()
	bodies := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "node_modules", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, ex := range doc.Examples(f) {
			if ex.Output == "" && !ex.EmptyOutput {
				continue // compiled but never run
			}
			from, to := fset.Position(ex.Code.Pos()).Offset, fset.Position(ex.Code.End()).Offset
			bodies[path+": Example"+ex.Name] = string(src[from:to])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bodies
}

// mirrored reports whether block, with white space normalised and blank
// lines dropped, is a run of whole consecutive lines of one of bodies.
func mirrored(block string, bodies map[string]string) bool {
	want := normLines(block)
	if len(want) == 0 {
		return false
	}
	for _, body := range bodies {
		have := normLines(body)
		for i := 0; i+len(want) <= len(have); i++ {
			if equalLines(have[i:i+len(want)], want) {
				return true
			}
		}
	}
	return false
}

// normLines splits s into lines with runs of white space folded to one
// space and the ends trimmed, leaving out blank lines.
func normLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if l := strings.Join(strings.Fields(line), " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func equalLines(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// firstDifference returns the first line of block that no example
// continues with, after the longest run of block's lines some example has.
func firstDifference(block string, bodies map[string]string) string {
	want := normLines(block)
	best := 0
	for _, body := range bodies {
		have := normLines(body)
		for i := range have {
			n := 0
			for n < len(want) && i+n < len(have) && have[i+n] == want[n] {
				n++
			}
			best = max(best, n)
		}
	}
	if best < len(want) {
		return want[best]
	}
	return ""
}

func firstLine(s string) string {
	if l := normLines(s); len(l) > 0 {
		return l[0]
	}
	return ""
}
