// Command floor-titles is bench/compare's floor: the least a Go program can
// do for the same getUserTitles calls — one net/http client, a GET with a
// bearer token (PSN_ACCESS_TOKEN), encoding/json (v1) into the struct psnkit
// decodes into: work.PlainTitlesPage, psn.TrophyTitlesPage field for field
// without psn's lossless JSON methods. No retries, limits or token handling.
//
// It prints one line: "calls=N titles=T checksum=C".
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/psnkit/psn/bench/internal/work"
)

func main() {
	calls := flag.Int("n", 1000, "number of getUserTitles calls")
	flag.Parse()
	if err := run(context.Background(), *calls); err != nil {
		fmt.Fprintln(os.Stderr, "floor-titles:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n int) error {
	base, token := os.Getenv("PSN_ENDPOINT"), os.Getenv("PSN_ACCESS_TOKEN")
	if base == "" || token == "" {
		return fmt.Errorf("set PSN_ENDPOINT and PSN_ACCESS_TOKEN")
	}
	url := base + "/api/trophy/v1/users/me/trophyTitles?limit=" + strconv.Itoa(work.PageSize)
	client := &http.Client{}
	var sum work.Sum
	for range n {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		// ReadAll+Unmarshal: cheaper here than json.NewDecoder on the body
		// (which measured ~20% more CPU), so it is the floor.
		var page work.PlainTitlesPage
		if err := json.Unmarshal(data, &page); err != nil {
			return err
		}
		sum.AddPlain(&page)
	}
	fmt.Println(sum.String(n))
	return nil
}
