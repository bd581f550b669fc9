package work

import (
	"time"

	"github.com/psnkit/psn"
)

// The floor's types: psn.TrophyTitlesPage field for field, with the same
// JSON tags, but without the psn types' own JSON methods, so that the floor
// decodes with encoding/json v1 alone (psn's result types decode
// themselves through encoding/json/v2 whichever package calls them).
// TestPlainTypesMirrorPSN keeps them in step with package psn.

// PlainTitlesPage mirrors psn.TrophyTitlesPage.
type PlainTitlesPage struct {
	TrophyTitles []PlainTitle `json:"trophyTitles"`
	psn.Page
}

// PlainTitle mirrors psn.TrophyTitle.
type PlainTitle struct {
	NpServiceName       string        `json:"npServiceName"`
	NpCommunicationID   string        `json:"npCommunicationId"`
	TrophySetVersion    string        `json:"trophySetVersion,omitempty"`
	TrophyTitleName     string        `json:"trophyTitleName"`
	TrophyTitleDetail   string        `json:"trophyTitleDetail,omitempty"`
	TrophyTitleIconURL  string        `json:"trophyTitleIconUrl"`
	TrophyTitlePlatform string        `json:"trophyTitlePlatform,omitempty"`
	HasTrophyGroups     bool          `json:"hasTrophyGroups"`
	TrophyGroupCount    int           `json:"trophyGroupCount,omitempty"`
	DefinedTrophies     PlainCounts   `json:"definedTrophies"`
	Progress            int           `json:"progress"`
	EarnedTrophies      PlainCounts   `json:"earnedTrophies"`
	HiddenFlag          bool          `json:"hiddenFlag"`
	LastUpdatedDateTime time.Time     `json:"lastUpdatedDateTime,omitzero"`
	RarestTrophies      []PlainTrophy `json:"rarestTrophies,omitempty"`
	NotEarnedTrophyIDs  []int         `json:"notEarnedTrophyIds,omitempty"`
}

// PlainCounts mirrors psn.TrophyCounts.
type PlainCounts struct {
	Bronze   int `json:"bronze"`
	Silver   int `json:"silver"`
	Gold     int `json:"gold"`
	Platinum int `json:"platinum"`
}

// PlainTrophy mirrors psn.Trophy.
type PlainTrophy struct {
	TrophyID                  int       `json:"trophyId"`
	TrophyHidden              bool      `json:"trophyHidden"`
	TrophyType                string    `json:"trophyType"`
	TrophyName                string    `json:"trophyName,omitempty"`
	TrophyDetail              string    `json:"trophyDetail,omitempty"`
	TrophyIconURL             string    `json:"trophyIconUrl,omitempty"`
	TrophyGroupID             string    `json:"trophyGroupId,omitempty"`
	TrophyProgressTargetValue string    `json:"trophyProgressTargetValue,omitempty"`
	TrophyRewardName          string    `json:"trophyRewardName,omitempty"`
	TrophyRewardImageURL      string    `json:"trophyRewardImageUrl,omitempty"`
	Earned                    bool      `json:"earned,omitempty"`
	EarnedDateTime            time.Time `json:"earnedDateTime,omitzero"`
	TrophyEarnedRate          string    `json:"trophyEarnedRate,omitempty"`
	TrophyRare                int       `json:"trophyRare,omitempty"`
	Progress                  string    `json:"progress,omitempty"`
	ProgressRate              int       `json:"progressRate,omitempty"`
	ProgressedDateTime        time.Time `json:"progressedDateTime,omitzero"`
}

// AddPlain counts one page the floor decoded, as Add counts psnkit's.
func (s *Sum) AddPlain(p *PlainTitlesPage) {
	for _, t := range p.TrophyTitles {
		s.Titles++
		e := t.EarnedTrophies
		s.Checksum += int64(t.Progress + e.Bronze + e.Silver + e.Gold + e.Platinum + len(t.NpCommunicationID))
	}
}
