package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"runtime"
	"strings"
	"testing"

	"github.com/psnkit/psn"
)

// oldStreamJSONTo is streamJSON as it was before it reused its buffers,
// writing to w (for BenchmarkStreamJSONTitles).
func oldStreamJSONTo[T any](w io.Writer, seq iter.Seq2[T, error]) error {
	n := 0
	for v, err := range seq {
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if n == 0 {
			sep = "[\n  "
		}
		if _, err := fmt.Fprintf(w, "%s%s", sep, b); err != nil {
			return err
		}
		n++
	}
	_, err := io.WriteString(w, "\n]\n")
	return err
}

// oldStreamJSON is streamJSON as it was before it reused its buffers: one
// json.MarshalIndent per item.
func oldStreamJSON[T any](items []T) string {
	var b strings.Builder
	for i, v := range items {
		out, _ := json.MarshalIndent(v, "  ", "  ")
		sep := ",\n  "
		if i == 0 {
			sep = "[\n  "
		}
		fmt.Fprintf(&b, "%s%s", sep, out)
	}
	if len(items) == 0 {
		return "[]\n"
	}
	return b.String() + "\n]\n"
}

// streamJSON writes PSN's titles byte for byte as json.MarshalIndent did,
// with what the lossless results keep verbatim (members psnkit does not
// model, escapes as PSN sent them, a time in a non-canonical form) and the
// characters encoding/json escapes (<, >, &, U+2028).
func TestStreamJSONWritesWhatMarshalIndentWrote(t *testing.T) {
	var titles []psn.TrophyTitle
	body := `[
	 {"npServiceName":"trophy","npCommunicationId":"NPWR1_00","trophyTitleName":"Ratchet & Clank <Rift> \u2028 é \u00e9 \/","definedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0},"progress":5,"earnedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0},"hiddenFlag":false,"lastUpdatedDateTime":"2024-01-02T03:04:05+00:00","newThing":{"a":"x & \u003c y","b":[1.50,-0,1e3],"c":"\u2029","d":"\u00e9 \/ \t"}},
	 {"npCommunicationId":"NPWR2_00","trophyTitleName":"","hasTrophyGroups":true,"trophyGroupCount":2,"rarestTrophies":[]},
	 {}
	]`
	if err := json.Unmarshal([]byte(body), &titles); err != nil {
		t.Fatal(err)
	}
	for n := range len(titles) + 1 {
		var b strings.Builder
		if err := streamJSON(&b, func(yield func(psn.TrophyTitle, error) bool) {
			for _, v := range titles[:n] {
				if !yield(v, nil) {
					return
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		if want := oldStreamJSON(titles[:n]); b.String() != want {
			t.Fatalf("%d titles:\n got %s\nwant %s", n, b.String(), want)
		}
	}
}

// sameAsMarshalIndent decodes body as a list of T and fails when
// streamJSON writes other bytes than the MarshalIndent code did.
func sameAsMarshalIndent[T any](t *testing.T, body []byte) {
	var items []T
	if json.Unmarshal(body, &items) != nil {
		return
	}
	var b strings.Builder
	err := streamJSON(&b, func(yield func(T, error) bool) {
		for _, v := range items {
			if !yield(v, nil) {
				return
			}
		}
	})
	want := oldStreamJSON(items)
	if _, mErr := json.Marshal(items); (err != nil) != (mErr != nil) {
		t.Fatalf("%T: streamJSON error %v, MarshalIndent error %v", items, err, mErr)
	}
	if err == nil && b.String() != want {
		t.Fatalf("%T from %q:\n got %s\nwant %s", items, body, b.String(), want)
	}
}

// FuzzStreamJSONMatchesMarshalIndent: for each item type a psn command
// streams with --all, what streamJSON writes is what json.MarshalIndent
// wrote, whatever PSN sent.
func FuzzStreamJSONMatchesMarshalIndent(f *testing.F) {
	for _, s := range []string{
		`[{"npCommunicationId":"NPWR1_00","trophyTitleName":"A & B <c>","x":{"s":"\u00e9\/\u2028","n":[1.50,-0,1e3,1E+2]},"lastUpdatedDateTime":"2024-01-02T03:04:05.000Z"}]`,
		`[{"titleId":"CUSA1","name":"\u003cx\u003e","playDuration":"PT1H0M","concept":{"id":1,"media":{"images":[]},"x":{}}}]`,
		`[{"id":"1","type":"GAME","result":{"price":{"b":1,"a":[0.1,1e-7]},"name":"\t<&>"}}]`,
		`["a&b","\u2029"]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameAsMarshalIndent[psn.TrophyTitle](t, body)
		sameAsMarshalIndent[psn.PlayedTitle](t, body)
		sameAsMarshalIndent[psn.SearchItem](t, body)
		sameAsMarshalIndent[string](t, body)
	})
}

// BenchmarkStreamJSONTitles writes 2,053 titles as `psn titles --all -o
// json` does (issue 10), with the old one-MarshalIndent-per-item code and
// with streamJSON; B/title and allocs/title are per title written.
func BenchmarkStreamJSONTitles(b *testing.B) {
	const n = 2053
	var one psn.TrophyTitle
	if err := json.Unmarshal([]byte(`{"npServiceName":"trophy2","npCommunicationId":"NPWR90000_00","trophySetVersion":"01.20","trophyTitleName":"Lunar Dominion II","trophyTitleIconUrl":"https://psnobj.prod.dl.playstation.net/psnobj/NPWR85170_00/9439bbf3-1d99-4b16-ad8a-2846d512986e.png","trophyTitlePlatform":"PS5","hasTrophyGroups":false,"trophyGroupCount":1,"definedTrophies":{"bronze":11,"silver":3,"gold":0,"platinum":0},"progress":88,"earnedTrophies":{"bronze":9,"silver":3,"gold":0,"platinum":0},"hiddenFlag":false,"lastUpdatedDateTime":"2025-04-30T23:53:14Z"}`), &one); err != nil {
		b.Fatal(err)
	}
	seq := func(yield func(psn.TrophyTitle, error) bool) {
		for range n {
			if !yield(one, nil) {
				return
			}
		}
	}
	for _, bc := range []struct {
		name  string
		write func(io.Writer, iter.Seq2[psn.TrophyTitle, error]) error
	}{{"MarshalIndent", oldStreamJSONTo[psn.TrophyTitle]}, {"streamJSON", streamJSON[psn.TrophyTitle]}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				if err := bc.write(io.Discard, seq); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			titles := float64(b.N * n)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/titles, "B/title")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/titles, "allocs/title")
		})
	}
}
