// Command psnkit-titles is bench/compare's psnkit client: it logs in with the
// NPSSO in PSN_NPSSO against the simulator at PSN_ENDPOINT and makes N
// getUserTitles calls (Trophies.Titles, 100 titles a page) through a
// refreshing token source, with client-side rate limiting off.
//
// It prints one line: "calls=N titles=T checksum=C" so the driver can check
// that every client did the same work.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/bench/internal/work"
)

func main() {
	calls := flag.Int("n", 1000, "number of getUserTitles calls")
	flag.Parse()
	if err := run(context.Background(), *calls); err != nil {
		fmt.Fprintln(os.Stderr, "psnkit-titles:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n int) error {
	url, npsso := os.Getenv("PSN_ENDPOINT"), os.Getenv("PSN_NPSSO")
	if url == "" || npsso == "" {
		return fmt.Errorf("set PSN_ENDPOINT and PSN_NPSSO")
	}
	c := psn.NewClient(psn.WithEndpoint(url), psn.WithLimiter(nil))
	tok, err := c.Login(ctx, psn.Secret(npsso))
	if err != nil {
		return err
	}
	src := psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, ""))
	api := c.WithTokenSource(src)

	var sum work.Sum
	for range n {
		page, err := api.Trophies.Titles(ctx, "me", &psn.TitlesOptions{ListOptions: psn.ListOptions{Limit: work.PageSize}})
		if err != nil {
			return err
		}
		sum.Add(page)
	}
	fmt.Println(sum.String(n))
	return nil
}
