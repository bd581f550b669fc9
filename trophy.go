package psn

import (
	"context"
	"iter"
	"strings"
	"time"
)

// TrophyCounts counts trophies by grade.
type TrophyCounts struct {
	Bronze   int `json:"bronze"`
	Silver   int `json:"silver"`
	Gold     int `json:"gold"`
	Platinum int `json:"platinum"`
}

// Total is the number of trophies of every grade.
func (c TrophyCounts) Total() int { return c.Bronze + c.Silver + c.Gold + c.Platinum }

// TrophySummary is an account's overall trophy standing
// (psn-api getUserTrophyProfileSummary).
type TrophySummary struct {
	AccountID string `json:"accountId"`
	// TrophyLevel is the overall trophy level (1–999).
	TrophyLevel int `json:"trophyLevel"`
	// TrophyPoint is the account's trophy points.
	TrophyPoint int `json:"trophyPoint"`
	// TrophyLevelBasePoint is the points at which the current level began.
	TrophyLevelBasePoint int `json:"trophyLevelBasePoint"`
	// TrophyLevelNextPoint is the points at which the next level begins.
	TrophyLevelNextPoint int `json:"trophyLevelNextPoint"`
	// Progress is the percentage towards the next level.
	Progress int `json:"progress"`
	// Tier is the level's tier, 1–10 (see TierForLevel). PSN sends it;
	// when it does not, Summary computes it from TrophyLevel.
	Tier           int          `json:"tier"`
	EarnedTrophies TrophyCounts `json:"earnedTrophies"`
}

// TierForLevel returns the tier of a trophy level as psn-api documents it
// (the 2020 level scheme): 1–3 bronze (1–99, 100–199, 200–299), 4–6 silver
// (300–399, 400–499, 500–599), 7–9 gold (600–699, 700–799, 800–998) and 10
// platinum (999). Levels below 1 are tier 1.
func TierForLevel(level int) int {
	switch {
	case level >= 999:
		return 10
	case level >= 800:
		return 9
	case level < 100:
		return 1
	default:
		return level/100 + 1
	}
}

// TrophyTitle is one title in an account's trophy list (trophyTitles, and
// the per-title lookup by npTitleIds, which adds RarestTrophies and
// NotEarnedTrophyIDs).
type TrophyTitle struct {
	// NpServiceName is "trophy" (PS3, PS4, Vita) or "trophy2" (PS5, PC).
	NpServiceName string `json:"npServiceName"`
	// NpCommunicationID identifies the trophy set ("NPWR12345_00").
	NpCommunicationID string `json:"npCommunicationId"`
	TrophySetVersion  string `json:"trophySetVersion,omitempty"`
	TrophyTitleName   string `json:"trophyTitleName"`
	// TrophyTitleDetail is a description (mostly PS3/PS4/Vita titles).
	TrophyTitleDetail  string `json:"trophyTitleDetail,omitempty"`
	TrophyTitleIconURL string `json:"trophyTitleIconUrl"`
	// TrophyTitlePlatform is comma-separated: "PS5", "PS4,PSVITA", "PS5,PSPC".
	TrophyTitlePlatform string `json:"trophyTitlePlatform,omitempty"`
	// HasTrophyGroups is true when the title has groups beyond "default".
	HasTrophyGroups  bool         `json:"hasTrophyGroups"`
	TrophyGroupCount int          `json:"trophyGroupCount,omitempty"`
	DefinedTrophies  TrophyCounts `json:"definedTrophies"`
	// Progress is the percentage of the title's trophies earned.
	Progress       int          `json:"progress"`
	EarnedTrophies TrophyCounts `json:"earnedTrophies"`
	// HiddenFlag is true when the owner hid the title in their list.
	HiddenFlag bool `json:"hiddenFlag"`
	// LastUpdatedDateTime is when a trophy of the title was last earned.
	LastUpdatedDateTime time.Time `json:"lastUpdatedDateTime,omitzero"`
	// RarestTrophies are the rarest earned trophies (npTitleIds lookup).
	RarestTrophies []Trophy `json:"rarestTrophies,omitempty"`
	// NotEarnedTrophyIDs lists the trophies not yet earned (npTitleIds
	// lookup with includeNotEarnedTrophyIds=true).
	NotEarnedTrophyIDs []int `json:"notEarnedTrophyIds,omitempty"`
}

// ServiceName returns the npServiceName to use for this title's trophy
// calls: its own NpServiceName, else one derived from its platform.
func (t TrophyTitle) ServiceName() string {
	if t.NpServiceName != "" {
		return t.NpServiceName
	}
	return ServiceNameForPlatform(t.TrophyTitlePlatform)
}

// TrophyTitlesPage is one page of an account's trophy titles.
type TrophyTitlesPage struct {
	TrophyTitles []TrophyTitle `json:"trophyTitles"`
	Page
}

// TitlesOptions selects a page of trophy titles. The zero value (or nil)
// asks for PSN's default page.
type TitlesOptions struct {
	// Limit is the page size. PSN accepts up to MaxTrophyTitlesPageSize;
	// TitlesAll uses that when Limit is 0.
	Limit int
	// Offset is where the page (or TitlesAll) starts.
	Offset int
}

// Summary returns an account's trophy level, points, tier and earned
// counts ("me" for the token's owner). psn-api: getUserTrophyProfileSummary.
func (s *TrophyService) Summary(ctx context.Context, accountID string, opts ...CallOption) (*TrophySummary, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var out TrophySummary
	if err := s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/trophySummary", nil, &out, opts); err != nil {
		return nil, err
	}
	if out.Tier == 0 && out.TrophyLevel > 0 {
		out.Tier = TierForLevel(out.TrophyLevel)
	}
	return &out, nil
}

// Titles returns one page of an account's trophy titles, most recently
// updated first ("me" for the token's owner). opt may be nil.
// psn-api: getUserTitles.
func (s *TrophyService) Titles(ctx context.Context, accountID string, opt *TitlesOptions, opts ...CallOption) (*TrophyTitlesPage, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var o TitlesOptions
	if opt != nil {
		o = *opt
	}
	var out TrophyTitlesPage
	if err := s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/trophyTitles", pageQuery(o.Limit, o.Offset), &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// TitlesAll walks every page of an account's trophy titles, fetching
// pages of opt.Limit (default MaxTrophyTitlesPageSize) from opt.Offset. It
// stops at the last page, when the loop body breaks, or at the first
// error, which it yields. opt may be nil.
func (s *TrophyService) TitlesAll(ctx context.Context, accountID string, opt *TitlesOptions, opts ...CallOption) iter.Seq2[TrophyTitle, error] {
	var o TitlesOptions
	if opt != nil {
		o = *opt
	}
	if o.Limit <= 0 {
		o.Limit = MaxTrophyTitlesPageSize
	}
	return paginate(ctx, TrophyBaseURL+"/v1/users/{accountId}/trophyTitles", o.Offset, func(ctx context.Context, offset int) ([]TrophyTitle, Page, error) {
		p, err := s.Titles(ctx, accountID, &TitlesOptions{Limit: o.Limit, Offset: offset}, opts...)
		if err != nil {
			return nil, Page{}, err
		}
		return p.TrophyTitles, p.Page, nil
	})
}

// Trophy is one trophy: its definition (title trophies), the account's
// earned state (user trophies), or both merged (TrophiesWithEarned). PS5
// titles add Progress, ProgressRate and ProgressedDateTime for trophies
// that track progress.
type Trophy struct {
	// TrophyID is unique within the title (not only the group).
	TrophyID int `json:"trophyId"`
	// TrophyHidden is true for a secret trophy.
	TrophyHidden bool `json:"trophyHidden"`
	// TrophyType is "bronze", "silver", "gold" or "platinum".
	TrophyType string `json:"trophyType"`
	// TrophyName, TrophyDetail and TrophyIconURL describe the trophy.
	TrophyName    string `json:"trophyName,omitempty"`
	TrophyDetail  string `json:"trophyDetail,omitempty"`
	TrophyIconURL string `json:"trophyIconUrl,omitempty"`
	// TrophyGroupID is "default" for the base game, "001", "002", … for DLC.
	TrophyGroupID string `json:"trophyGroupId,omitempty"`
	// TrophyProgressTargetValue is the total a progress-tracking PS5
	// trophy needs (PSN sends it as a string).
	TrophyProgressTargetValue string `json:"trophyProgressTargetValue,omitempty"`
	// TrophyRewardName and TrophyRewardImageURL describe a PS5 reward.
	TrophyRewardName     string `json:"trophyRewardName,omitempty"`
	TrophyRewardImageURL string `json:"trophyRewardImageUrl,omitempty"`
	// Earned is true when the account earned the trophy.
	Earned bool `json:"earned,omitempty"`
	// EarnedDateTime is when it was earned (zero when not earned).
	EarnedDateTime time.Time `json:"earnedDateTime,omitzero"`
	// TrophyEarnedRate is the percentage of players who earned it
	// ("12.3"; PSN sends a string).
	TrophyEarnedRate string `json:"trophyEarnedRate,omitempty"`
	// TrophyRare is the rarity: 0 ultra rare, 1 very rare, 2 rare, 3 common.
	TrophyRare int `json:"trophyRare,omitempty"`
	// Progress is the account's progress towards TrophyProgressTargetValue
	// (PS5; PSN sends a string).
	Progress string `json:"progress,omitempty"`
	// ProgressRate is that progress as a percentage (PS5).
	ProgressRate int `json:"progressRate,omitempty"`
	// ProgressedDateTime is when the progress last changed (PS5).
	ProgressedDateTime time.Time `json:"progressedDateTime,omitzero"`
}

// Trophy service names (the npServiceName parameter).
const (
	ServiceTrophy  = "trophy"  // PS3, PS4 and Vita titles
	ServiceTrophy2 = "trophy2" // PS5 and PC titles
)

// ServiceNameForPlatform returns "trophy2" when a trophyTitlePlatform
// string contains PS5 ("PS5", "PS5,PSPC"), else "trophy".
func ServiceNameForPlatform(platform string) string {
	if strings.Contains(strings.ToUpper(platform), "PS5") {
		return ServiceTrophy2
	}
	return ServiceTrophy
}
