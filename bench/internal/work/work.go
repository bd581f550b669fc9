// Package work holds what bench/compare's Go clients share: the page size
// and a checksum proving that each client decoded the same data.
package work

import (
	"fmt"

	"github.com/psnkit/psn"
)

// PageSize is the number of titles asked for per getUserTitles call.
const PageSize = 100

// Sum accumulates the titles decoded and a checksum over them.
type Sum struct {
	Titles   int
	Checksum int64
}

// Add counts one page: every title's progress and earned trophy counts.
func (s *Sum) Add(p *psn.TrophyTitlesPage) {
	for _, t := range p.TrophyTitles {
		s.Titles++
		e := t.EarnedTrophies
		s.Checksum += int64(t.Progress + e.Bronze + e.Silver + e.Gold + e.Platinum + len(t.NpCommunicationID))
	}
}

// String is the line a client prints after n calls; psnapi.mjs prints the
// same, computed the same way.
func (s *Sum) String(n int) string {
	return fmt.Sprintf("calls=%d titles=%d checksum=%d", n, s.Titles, s.Checksum)
}
