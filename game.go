package psn

import (
	"context"
	"iter"
	"strings"
	"time"
)

// MediaItem is an image, video or audio of a game.
type MediaItem struct {
	URL    string `json:"url"`
	Format string `json:"format,omitempty"`
	Type   string `json:"type"`

	wire wireState
}

// GameMedia groups a game's media by kind.
type GameMedia struct {
	Audios        []MediaItem `json:"audios"`
	Videos        []MediaItem `json:"videos"`
	Images        []MediaItem `json:"images"`
	ScreenshotURL string      `json:"screenshotUrl,omitempty"`

	wire wireState
}

// Localized is a string in several languages: Metadata maps a language
// tag ("en-US", "zh-Hant") to the text.
type Localized struct {
	DefaultLanguage string            `json:"defaultLanguage"`
	Metadata        map[string]string `json:"metadata"`

	wire wireState
}

// GameConcept is the store concept a played title belongs to: one id for
// all versions of a game.
type GameConcept struct {
	ID            int64      `json:"id"`
	TitleIDs      []string   `json:"titleIds"`
	Name          string     `json:"name"`
	Media         GameMedia  `json:"media"`
	Genres        []string   `json:"genres,omitempty"`
	LocalizedName *Localized `json:"localizedName,omitempty"`
	Country       string     `json:"country,omitempty"`
	Language      string     `json:"language,omitempty"`

	wire wireState
}

// PlayedTitle is a game an account played, with play time (gamelist;
// psn-api getUserPlayedGames, PSNAWP title_stats).
type PlayedTitle struct {
	TitleID           string `json:"titleId"`
	Name              string `json:"name"`
	LocalizedName     string `json:"localizedName"`
	ImageURL          string `json:"imageUrl"`
	LocalizedImageURL string `json:"localizedImageUrl"`
	// Category is "ps4_game", "ps5_native_game", "pspc_game" or "unknown".
	Category string `json:"category"`
	// Service is "none", "none_purchased" or "ps_plus".
	Service             string      `json:"service"`
	PlayCount           int         `json:"playCount"`
	Concept             GameConcept `json:"concept"`
	Media               GameMedia   `json:"media"`
	FirstPlayedDateTime time.Time   `json:"firstPlayedDateTime,omitzero"`
	LastPlayedDateTime  time.Time   `json:"lastPlayedDateTime,omitzero"`
	// PlayDuration is PSN's ISO 8601 playDuration ("PT228H56M33S").
	PlayDuration time.Duration `json:"playDuration,format:iso8601"`

	wire wireState
}

// PlayedTitlesPage is a page of played titles.
type PlayedTitlesPage struct {
	Titles []PlayedTitle `json:"titles"`
	Page

	wire wireState
}

// PlayedOptions selects a page of played titles.
type PlayedOptions struct {
	// ListOptions selects the page (PSN allows a Limit up to
	// MaxGameListPageSize today; PlayedAll uses that when 0).
	ListOptions
	// Categories filters by category ("ps4_game", "ps5_native_game",
	// "pspc_game", "unknown"); empty means PSN's default.
	Categories []string
}

// Played returns a page of the games an account played, with play counts
// and durations ("me" for the token's owner). psn-api: getUserPlayedGames.
func (s *GameService) Played(ctx context.Context, accountID string, opt *PlayedOptions) (*PlayedTitlesPage, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var o PlayedOptions
	if opt != nil {
		o = *opt
	}
	q := pageQuery(o.Limit, o.Offset)
	if len(o.Categories) > 0 {
		q.Set("categories", strings.Join(o.Categories, ","))
	}
	var out PlayedTitlesPage
	if err := s.client.get(ctx, GamelistBaseURL+"/"+acc+"/titles", q, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// PlayedAll walks every page of the games an account played (PSNAWP's
// title_stats), MaxGameListPageSize at a time unless opt.Limit says.
func (s *GameService) PlayedAll(ctx context.Context, accountID string, opt *PlayedOptions) iter.Seq2[PlayedTitle, error] {
	return allPages(ctx, GamelistBaseURL+"/{accountId}/titles", opt, MaxGameListPageSize, func(ctx context.Context, po *PlayedOptions) ([]PlayedTitle, Page, error) {
		p, err := s.Played(ctx, accountID, po)
		if err != nil {
			return nil, Page{}, err
		}
		return p.Titles, p.Page, nil
	})
}

// RecentlyPlayedGame is a game from the token owner's game library.
type RecentlyPlayedGame struct {
	Typename           string       `json:"__typename,omitempty"`
	Image              GraphQLImage `json:"image"`
	IsActive           *bool        `json:"isActive"`
	LastPlayedDateTime time.Time    `json:"lastPlayedDateTime,omitzero"`
	Name               string       `json:"name"`
	// Platform is "PS4", "PS5", … or "UNKNOWN".
	Platform            string  `json:"platform"`
	ProductID           *string `json:"productId"`
	EntitlementID       *string `json:"entitlementId"`
	TitleID             string  `json:"titleId"`
	ConceptID           string  `json:"conceptId"`
	SubscriptionService string  `json:"subscriptionService"`

	wire wireState
}

// RecentlyPlayedOptions adjusts RecentlyPlayed.
type RecentlyPlayedOptions struct {
	// Limit is how many games (default 50).
	Limit int
	// Categories (default "ps4_game", "ps5_native_game").
	Categories []string
}

// RecentlyPlayed returns the token owner's recently played games (GraphQL
// getUserGameList; only the token's owner). psn-api: getRecentlyPlayedGames.
func (s *GameService) RecentlyPlayed(ctx context.Context, opt *RecentlyPlayedOptions) ([]RecentlyPlayedGame, error) {
	o := RecentlyPlayedOptions{Limit: 50, Categories: []string{"ps4_game", "ps5_native_game"}}
	if opt != nil {
		if opt.Limit > 0 {
			o.Limit = opt.Limit
		}
		if len(opt.Categories) > 0 {
			o.Categories = opt.Categories
		}
	}
	vars := map[string]any{"limit": o.Limit, "categories": strings.Join(o.Categories, ",")}
	var out struct {
		GameLibraryTitlesRetrieve struct {
			Games []RecentlyPlayedGame `json:"games"`
		} `json:"gameLibraryTitlesRetrieve"`
	}
	if err := graphql(ctx, s.client, "getUserGameList", hashGetUserGameList, vars, &out); err != nil {
		return nil, err
	}
	return out.GameLibraryTitlesRetrieve.Games, nil
}

// PurchasedGame is a game in the token owner's purchases.
type PurchasedGame struct {
	Typename       string       `json:"__typename,omitempty"`
	ConceptID      *string      `json:"conceptId"`
	EntitlementID  string       `json:"entitlementId"`
	Image          GraphQLImage `json:"image"`
	IsActive       bool         `json:"isActive"`
	IsDownloadable bool         `json:"isDownloadable"`
	IsPreOrder     bool         `json:"isPreOrder"`
	// Membership is "NONE" or "PS_PLUS".
	Membership string `json:"membership"`
	Name       string `json:"name"`
	Platform   string `json:"platform"`
	ProductID  string `json:"productId"`
	TitleID    string `json:"titleId"`

	wire wireState
}

// PurchasedOptions adjusts Purchased. The zero value asks like psn-api:
// active PS4 and PS5 games, 24 from 0, newest first.
type PurchasedOptions struct {
	// ListOptions selects the page: Limit is PSN's size (default 24),
	// Offset its start.
	ListOptions
	IsActive      *bool
	Platforms     []string // "ps4", "ps5"
	SortBy        string   // "ACTIVE_DATE"
	SortDirection string   // "asc", "desc"
	// MembershipFilter ("NONE", "PS_PLUS") and IsPlatinum filter when set.
	MembershipFilter string
	IsPlatinum       *bool
}

// Purchased returns games the token's owner bought (GraphQL
// getPurchasedGameList). psn-api: getPurchasedGames.
func (s *GameService) Purchased(ctx context.Context, opt *PurchasedOptions) ([]PurchasedGame, error) {
	var o PurchasedOptions
	if opt != nil {
		o = *opt
	}
	active := true
	if o.IsActive != nil {
		active = *o.IsActive
	}
	if len(o.Platforms) == 0 {
		o.Platforms = []string{"ps4", "ps5"}
	}
	if o.Limit <= 0 {
		o.Limit = 24
	}
	if o.SortBy == "" {
		o.SortBy = "ACTIVE_DATE"
	}
	if o.SortDirection == "" {
		o.SortDirection = "desc"
	}
	vars := map[string]any{"isActive": active, "platform": o.Platforms, "size": o.Limit, "start": o.Offset, "sortBy": o.SortBy, "sortDirection": o.SortDirection}
	if o.MembershipFilter != "" {
		vars["membership"] = o.MembershipFilter
	}
	if o.IsPlatinum != nil {
		vars["isPlatinum"] = *o.IsPlatinum
	}
	var out struct {
		PurchasedTitlesRetrieve struct {
			Games []PurchasedGame `json:"games"`
		} `json:"purchasedTitlesRetrieve"`
	}
	if err := graphql(ctx, s.client, "getPurchasedGameList", hashGetPurchasedGameList, vars, &out); err != nil {
		return nil, err
	}
	return out.PurchasedTitlesRetrieve.Games, nil
}
