package psn

import (
	"context"
	"errors"
	"iter"
	"net/url"
	"strings"
	"time"
)

// TrophyCounts counts trophies by grade.
type TrophyCounts struct {
	Bronze   int `json:"bronze"`
	Silver   int `json:"silver"`
	Gold     int `json:"gold"`
	Platinum int `json:"platinum"`

	wire wireState
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

	wire wireState
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

	wire wireState
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

	wire wireState
}

// TitlesOptions selects a page of trophy titles. The zero value (or nil)
// asks for PSN's default page.
type TitlesOptions struct {
	// ListOptions selects the page. PSN accepts a Limit up to
	// MaxTrophyTitlesPageSize; TitlesAll uses that when Limit is 0.
	ListOptions
}

// Summary returns an account's trophy level, points, tier and earned
// counts ("me" for the token's owner). psn-api: getUserTrophyProfileSummary.
func (s *TrophyService) Summary(ctx context.Context, accountID string) (*TrophySummary, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var out TrophySummary
	if err := s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/trophySummary", nil, &out, nil); err != nil {
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
func (s *TrophyService) Titles(ctx context.Context, accountID string, opt *TitlesOptions) (*TrophyTitlesPage, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var o TitlesOptions
	if opt != nil {
		o = *opt
	}
	var out TrophyTitlesPage
	if err := s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/trophyTitles", pageQuery(o.Limit, o.Offset), &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// titlesPage is Titles for TitlesAll: the page's items are decoded into
// buf's room (buf has length 0), or into room for o.Limit of them made at
// once, instead of a slice grown title by title (some 560 KB of garbage a
// page of 800). Only the items and the page information are used, so an
// absent trophyTitles member decoding to an empty slice rather than nil
// does not matter.
func (s *TrophyService) titlesPage(ctx context.Context, accountID string, o *TitlesOptions, buf []TrophyTitle) ([]TrophyTitle, Page, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, Page{}, err
	}
	var out TrophyTitlesPage
	out.TrophyTitles = buf
	if cap(buf) == 0 && o.Limit > 0 && o.Limit <= MaxTrophyTitlesPageSize {
		out.TrophyTitles = make([]TrophyTitle, 0, o.Limit)
	}
	if err := s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/trophyTitles", pageQuery(o.Limit, o.Offset), &out, nil); err != nil {
		return nil, Page{}, err
	}
	return out.TrophyTitles, out.Page, nil
}

// TitlesAll walks every page of an account's trophy titles, fetching
// pages of opt.Limit (default MaxTrophyTitlesPageSize) from opt.Offset. It
// stops at the last page, when the loop body breaks, or at the first
// error, which it yields. opt may be nil.
func (s *TrophyService) TitlesAll(ctx context.Context, accountID string, opt *TitlesOptions) iter.Seq2[TrophyTitle, error] {
	if opt != nil { // the options as they are now, as allPages takes them
		o := *opt
		opt = &o
	}
	return func(yield func(TrophyTitle, error) bool) {
		// paginate yields copies of a page's items and asks for the
		// next page only once it has yielded them all: each page is
		// decoded into the array of the one before, so a walk holds one
		// page. buf belongs to this walk (the sequence may be ranged over
		// again, or at once from two goroutines).
		var buf []TrophyTitle
		allPages(ctx, TrophyBaseURL+"/v1/users/{accountId}/trophyTitles", opt, MaxTrophyTitlesPageSize, func(ctx context.Context, po *TitlesOptions) ([]TrophyTitle, Page, error) {
			items, page, err := s.titlesPage(ctx, accountID, po, buf[:0])
			buf = items
			return items, page, err
		})(yield)
	}
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

	wire wireState
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

// TrophyGroupAll and TrophyGroupDefault name trophy groups: "all" asks for
// every group of a title at once, "default" for the base game's trophies.
// DLC groups are "001", "002", …
const (
	TrophyGroupAll     = "all"
	TrophyGroupDefault = "default"
)

// TrophiesOptions adjusts the calls about one title's trophies and groups.
// The zero value (or nil) is fine.
type TrophiesOptions struct {
	// NpServiceName ("trophy" or "trophy2") overrides the automatic choice.
	NpServiceName string
	// Platform is the title's trophyTitlePlatform ("PS5", "PS4,PSVITA",
	// "PS5,PSPC"); when NpServiceName is empty it decides: "trophy2" if it
	// contains PS5, else "trophy". With neither set the call asks for
	// "trophy" and, on a 404, once more for "trophy2".
	Platform string
	// ListOptions selects a page of trophies (ignored by the group
	// calls). The …All iterators use Limit as their page size, default
	// MaxTrophiesPageSize.
	ListOptions
}

// TrophiesOptions returns options that pick this title's npServiceName.
func (t TrophyTitle) TrophiesOptions() *TrophiesOptions {
	return &TrophiesOptions{NpServiceName: t.NpServiceName, Platform: t.TrophyTitlePlatform}
}

// serviceName returns the npServiceName to send and whether it was a guess
// that may be retried with "trophy2".
func (o *TrophiesOptions) serviceName() (name string, guessed bool) {
	switch {
	case o == nil:
		return ServiceTrophy, true
	case o.NpServiceName != "":
		return o.NpServiceName, false
	case o.Platform != "":
		return ServiceNameForPlatform(o.Platform), false
	}
	return ServiceTrophy, true
}

// withService runs call with the chosen npServiceName; when the name was
// a guess and PSN answers 404, it tries "trophy2" once.
func withService(o *TrophiesOptions, call func(service string) error) error {
	name, guessed := o.serviceName()
	err := call(name)
	if err != nil && guessed && errors.Is(err, ErrNotFound) {
		return call(ServiceTrophy2)
	}
	return err
}

// TitleTrophiesPage is a page of a title's trophy definitions (names,
// details, icons), without any account's earned state.
type TitleTrophiesPage struct {
	TrophySetVersion string   `json:"trophySetVersion"`
	HasTrophyGroups  bool     `json:"hasTrophyGroups"`
	Trophies         []Trophy `json:"trophies"`
	Page
	service string // the npServiceName that answered

	wire wireState
}

// UserTrophiesPage is a page of an account's earned state for a title's
// trophies: earned flags and dates, rarity, PS5 progress, and the rarest
// trophies the account earned.
type UserTrophiesPage struct {
	TrophySetVersion string `json:"trophySetVersion"`
	HasTrophyGroups  bool   `json:"hasTrophyGroups"`
	// LastUpdatedDateTime is when the account last earned a trophy here.
	LastUpdatedDateTime time.Time `json:"lastUpdatedDateTime,omitzero"`
	Trophies            []Trophy  `json:"trophies"`
	// RarestTrophies are the account's rarest earned trophies.
	RarestTrophies []Trophy `json:"rarestTrophies,omitempty"`
	Page
	service string // the npServiceName that answered

	wire wireState
}

// TrophyGroup is one group's definition: "default" or a DLC group.
type TrophyGroup struct {
	TrophyGroupID      string       `json:"trophyGroupId"`
	TrophyGroupName    string       `json:"trophyGroupName"`
	TrophyGroupDetail  string       `json:"trophyGroupDetail,omitempty"`
	TrophyGroupIconURL string       `json:"trophyGroupIconUrl"`
	DefinedTrophies    TrophyCounts `json:"definedTrophies"`

	wire wireState
}

// TitleTrophyGroups is a title's trophy set with its groups
// (psn-api getTitleTrophyGroups).
type TitleTrophyGroups struct {
	NpServiceName       string        `json:"npServiceName"`
	NpCommunicationID   string        `json:"npCommunicationId,omitempty"`
	TrophySetVersion    string        `json:"trophySetVersion"`
	TrophyTitleName     string        `json:"trophyTitleName"`
	TrophyTitleDetail   string        `json:"trophyTitleDetail,omitempty"`
	TrophyTitleIconURL  string        `json:"trophyTitleIconUrl"`
	TrophyTitlePlatform string        `json:"trophyTitlePlatform"`
	DefinedTrophies     TrophyCounts  `json:"definedTrophies"`
	TrophyGroups        []TrophyGroup `json:"trophyGroups"`

	wire wireState
}

// TrophyGroupEarnings is an account's progress in one trophy group.
type TrophyGroupEarnings struct {
	TrophyGroupID       string       `json:"trophyGroupId"`
	Progress            int          `json:"progress"`
	EarnedTrophies      TrophyCounts `json:"earnedTrophies"`
	LastUpdatedDateTime time.Time    `json:"lastUpdatedDateTime,omitzero"`

	wire wireState
}

// UserTrophyGroups is an account's progress in a title, overall and per
// group (psn-api getUserTrophyGroupEarningsForTitle).
type UserTrophyGroups struct {
	TrophySetVersion    string                `json:"trophySetVersion"`
	HiddenFlag          bool                  `json:"hiddenFlag"`
	Progress            int                   `json:"progress"`
	EarnedTrophies      TrophyCounts          `json:"earnedTrophies"`
	LastUpdatedDateTime time.Time             `json:"lastUpdatedDateTime,omitzero"`
	TrophyGroups        []TrophyGroupEarnings `json:"trophyGroups"`

	wire wireState
}

// TitleTrophyTitles is the answer for one npTitleId (a CUSA…/PPSA… title
// id): the trophy sets it has, usually one.
type TitleTrophyTitles struct {
	NpTitleID    string        `json:"npTitleId"`
	TrophyTitles []TrophyTitle `json:"trophyTitles"`

	wire wireState
}

// titlesByIDResponse is the body of titles/trophyTitles.
type titlesByIDResponse struct {
	Titles []TitleTrophyTitles `json:"titles"`
}

// TitlesByIDOptions adjusts TitlesForTitleIDs.
type TitlesByIDOptions struct {
	// IncludeNotEarnedTrophyIDs asks PSN to list the trophies not yet
	// earned (TrophyTitle.NotEarnedTrophyIDs).
	IncludeNotEarnedTrophyIDs bool
}

// trophyQuery builds npServiceName plus optional limit/offset.
func trophyQuery(service string, limit, offset int) url.Values {
	q := pageQuery(limit, offset)
	if service != "" {
		q.Set("npServiceName", service)
	}
	return q
}

// groupPath escapes a trophy group id; empty means "all".
func groupPath(groupID string) string {
	if strings.TrimSpace(groupID) == "" {
		groupID = TrophyGroupAll
	}
	return url.PathEscape(groupID)
}

// TitleTrophies returns a page of a title's trophy definitions in one
// group (TrophyGroupAll, TrophyGroupDefault, "001", …; empty means all).
// psn-api: getTitleTrophies.
func (s *TrophyService) TitleTrophies(ctx context.Context, npCommunicationID, groupID string, opt *TrophiesOptions) (*TitleTrophiesPage, error) {
	id, err := pathID("npCommunicationId", npCommunicationID)
	if err != nil {
		return nil, err
	}
	var o TrophiesOptions
	if opt != nil {
		o = *opt
	}
	var out TitleTrophiesPage
	err = withService(opt, func(service string) error {
		out = TitleTrophiesPage{service: service}
		return s.client.get(ctx, TrophyBaseURL+"/v1/npCommunicationIds/"+id+"/trophyGroups/"+groupPath(groupID)+"/trophies", trophyQuery(service, o.Limit, o.Offset), &out, nil)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// TitleTrophiesAll walks every page of a title's trophy definitions.
func (s *TrophyService) TitleTrophiesAll(ctx context.Context, npCommunicationID, groupID string, opt *TrophiesOptions) iter.Seq2[Trophy, error] {
	service := opt.givenService()
	return allPages(ctx, TrophyBaseURL+"/v1/npCommunicationIds/{npCommunicationId}/trophyGroups/{groupId}/trophies", opt, MaxTrophiesPageSize, func(ctx context.Context, po *TrophiesOptions) ([]Trophy, Page, error) {
		po.NpServiceName = service
		p, err := s.TitleTrophies(ctx, npCommunicationID, groupID, po)
		if err != nil {
			return nil, Page{}, err
		}
		service = p.service // later pages ask the service that answered
		return p.Trophies, p.Page, nil
	})
}

// givenService returns the NpServiceName the caller set, "" when none or
// when o is nil.
func (o *TrophiesOptions) givenService() string {
	if o == nil {
		return ""
	}
	return o.NpServiceName
}

// TitleTrophyGroups returns a title's trophy set and its groups.
// psn-api: getTitleTrophyGroups.
func (s *TrophyService) TitleTrophyGroups(ctx context.Context, npCommunicationID string, opt *TrophiesOptions) (*TitleTrophyGroups, error) {
	id, err := pathID("npCommunicationId", npCommunicationID)
	if err != nil {
		return nil, err
	}
	var out TitleTrophyGroups
	err = withService(opt, func(service string) error {
		out = TitleTrophyGroups{}
		return s.client.get(ctx, TrophyBaseURL+"/v1/npCommunicationIds/"+id+"/trophyGroups", trophyQuery(service, 0, 0), &out, nil)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UserTrophies returns a page of an account's earned state for a title's
// trophies in one group (empty means all). PS5 titles add Progress,
// ProgressRate and ProgressedDateTime. psn-api:
// getUserTrophiesEarnedForTitle.
func (s *TrophyService) UserTrophies(ctx context.Context, accountID, npCommunicationID, groupID string, opt *TrophiesOptions) (*UserTrophiesPage, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	id, err := pathID("npCommunicationId", npCommunicationID)
	if err != nil {
		return nil, err
	}
	var o TrophiesOptions
	if opt != nil {
		o = *opt
	}
	var out UserTrophiesPage
	err = withService(opt, func(service string) error {
		out = UserTrophiesPage{service: service}
		return s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/npCommunicationIds/"+id+"/trophyGroups/"+groupPath(groupID)+"/trophies", trophyQuery(service, o.Limit, o.Offset), &out, nil)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UserTrophiesAll walks every page of an account's earned trophies for a
// title.
func (s *TrophyService) UserTrophiesAll(ctx context.Context, accountID, npCommunicationID, groupID string, opt *TrophiesOptions) iter.Seq2[Trophy, error] {
	service := opt.givenService()
	return allPages(ctx, TrophyBaseURL+"/v1/users/{accountId}/npCommunicationIds/{npCommunicationId}/trophyGroups/{groupId}/trophies", opt, MaxTrophiesPageSize, func(ctx context.Context, po *TrophiesOptions) ([]Trophy, Page, error) {
		po.NpServiceName = service
		p, err := s.UserTrophies(ctx, accountID, npCommunicationID, groupID, po)
		if err != nil {
			return nil, Page{}, err
		}
		service = p.service // later pages ask the service that answered
		return p.Trophies, p.Page, nil
	})
}

// UserTrophyGroups returns an account's progress in a title, per group.
// psn-api: getUserTrophyGroupEarningsForTitle.
func (s *TrophyService) UserTrophyGroups(ctx context.Context, accountID, npCommunicationID string, opt *TrophiesOptions) (*UserTrophyGroups, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	id, err := pathID("npCommunicationId", npCommunicationID)
	if err != nil {
		return nil, err
	}
	var out UserTrophyGroups
	err = withService(opt, func(service string) error {
		out = UserTrophyGroups{}
		return s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/npCommunicationIds/"+id+"/trophyGroups", trophyQuery(service, 0, 0), &out, nil)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// TitlesForTitleIDs returns an account's trophy sets for game title ids
// (CUSA…, PPSA…), with the account's progress and rarest trophies. PSN
// takes at most MaxNpTitleIDs ids a request; longer lists are sent in
// batches and the answers joined in order. psn-api:
// getUserTrophiesForSpecificTitle.
func (s *TrophyService) TitlesForTitleIDs(ctx context.Context, accountID string, npTitleIDs []string, opt *TitlesByIDOptions) ([]TitleTrophyTitles, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	if len(npTitleIDs) == 0 {
		return nil, &InvalidIDError{Param: "npTitleIds", Problem: "no ids"}
	}
	for _, id := range npTitleIDs {
		if strings.TrimSpace(id) == "" {
			return nil, &InvalidIDError{Param: "npTitleIds", Problem: "empty id in the list"}
		}
		if strings.Contains(id, ",") {
			return nil, &InvalidIDError{Param: "npTitleIds", Problem: "id contains a comma"}
		}
	}
	var all []TitleTrophyTitles
	for _, batch := range batches(npTitleIDs, MaxNpTitleIDs) {
		q := url.Values{"npTitleIds": {strings.Join(batch, ",")}}
		if opt != nil && opt.IncludeNotEarnedTrophyIDs {
			q.Set("includeNotEarnedTrophyIds", "true")
		}
		var out titlesByIDResponse
		if err := s.client.get(ctx, TrophyBaseURL+"/v1/users/"+acc+"/titles/trophyTitles", q, &out, nil); err != nil {
			return nil, err
		}
		all = append(all, out.Titles...)
	}
	return all, nil
}
