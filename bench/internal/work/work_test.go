package work

import (
	"testing"

	"github.com/psnkit/psn"
)

func TestSumCountsTitlesAndChecksum(t *testing.T) {
	var s Sum
	s.Add(&psn.TrophyTitlesPage{TrophyTitles: []psn.TrophyTitle{
		{NpCommunicationID: "NPWR00001_00", Progress: 50, EarnedTrophies: psn.TrophyCounts{Bronze: 3, Silver: 2, Gold: 1, Platinum: 0}},
		{NpCommunicationID: "NPWR00002_00", Progress: 100, EarnedTrophies: psn.TrophyCounts{Bronze: 1, Platinum: 1}},
	}})
	// 50+3+2+1+0+12 = 68, 100+1+0+0+1+12 = 114
	if got, want := s.String(1), "calls=1 titles=2 checksum=182"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
