package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/psnkit/psn"
)

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
	 {"npServiceName":"trophy","npCommunicationId":"NPWR1_00","trophyTitleName":"Ratchet & Clank <Rift> \u2028 é \u00e9 \/","definedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0},"progress":5,"earnedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0},"hiddenFlag":false,"lastUpdatedDateTime":"2024-01-02T03:04:05+00:00","newThing":{"a":"x & \u003c y","b":[1.50,-0,1e3],"c":"\u2029"}},
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
