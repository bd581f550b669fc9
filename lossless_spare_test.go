package psn

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// MarshalJSONTo encodes from spare copies shared by all callers of a
// type: values encoded at once from many goroutines, and results nested in
// lists of the same codec's values (a page of titles, each holding
// trophies), each come out as decoded, and a value is left as it was.
func TestEncodeFromSpareCopies(t *testing.T) {
	const n = 64
	bodies := make([]string, n)
	pages := make([]TrophyTitlesPage, n)
	for i := range pages {
		bodies[i] = fmt.Sprintf(`{"trophyTitles":[{"npCommunicationId":"NPWR%05d_00","rarestTrophies":[{"trophyId":%d,"x":%d},{"trophyId":%d}],"y":"%d"},{"npCommunicationId":"NPWR%05d_01"}],"totalItemCount":%d}`, i, i, i, i+1, i, i, i)
		if err := json.Unmarshal([]byte(bodies[i]), &pages[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range pages {
		wg.Go(func() {
			for range 50 {
				b, err := json.Marshal(pages[i])
				if err != nil || string(b) != bodies[i] {
					errs[i] = fmt.Errorf("page %d: %s, %v", i, b, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		if pages[i].TrophyTitles[0].NpCommunicationID != fmt.Sprintf("NPWR%05d_00", i) || pages[i].TrophyTitles[0].RarestTrophies[1].TrophyID != i+1 {
			t.Fatalf("page %d changed by encoding: %+v", i, pages[i])
		}
	}
}
