package psn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrBadDuration: a string is not an ISO 8601 duration this client reads.
var ErrBadDuration = errors.New("psn: bad ISO 8601 duration")

// ParseISODuration parses the ISO 8601 durations PSN sends, such as
// "PT228H56M33S", "PT1M9S", "P1DT2H" or "PT0.5S": an optional sign, "P",
// optional weeks and days (a day is 24 hours), then "T" with hours, minutes
// and seconds (seconds may have a fraction). Years and months, which have
// no fixed length, are refused, as are empty designators and values that
// overflow time.Duration. Errors match ErrBadDuration.
func ParseISODuration(s string) (time.Duration, error) {
	bad := func(why string) (time.Duration, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrBadDuration, s, why)
	}
	in := s
	neg := false
	if strings.HasPrefix(in, "-") {
		neg, in = true, in[1:]
	} else if strings.HasPrefix(in, "+") {
		in = in[1:]
	}
	if !strings.HasPrefix(in, "P") {
		return bad("no leading P")
	}
	in = in[1:]
	if in == "" || in == "T" {
		return bad("no components")
	}
	var total float64
	timePart := false
	seen := map[byte]bool{}
	order := "WD"
	last := -1
	for in != "" {
		if in[0] == 'T' {
			if timePart {
				return bad("second T")
			}
			timePart, in, order, last = true, in[1:], "HMS", -1
			if in == "" {
				return bad("T without components")
			}
			continue
		}
		i := 0
		for i < len(in) && (in[i] >= '0' && in[i] <= '9' || in[i] == '.' || in[i] == ',') {
			i++
		}
		if i == 0 || i == len(in) {
			return bad("number without designator")
		}
		num, unit := strings.ReplaceAll(in[:i], ",", "."), in[i]
		in = in[i+1:]
		pos := strings.IndexByte(order, unit)
		if pos < 0 {
			if unit == 'Y' || (unit == 'M' && !timePart) {
				return bad("years and months have no fixed length")
			}
			return bad("unexpected designator " + string(unit))
		}
		if pos <= last {
			return bad("designators out of order")
		}
		last = pos
		key := unit
		if timePart {
			key = unit | 0x20 // lower case keeps M (minute) apart from date designators
		}
		if seen[key] {
			return bad("repeated designator")
		}
		seen[key] = true
		if strings.Count(num, ".") > 1 || num == "." {
			return bad("malformed number")
		}
		if strings.Contains(num, ".") && unit != 'S' {
			return bad("fraction allowed only on seconds")
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return bad("malformed number")
		}
		var mult float64
		switch {
		case !timePart && unit == 'W':
			mult = float64(7 * 24 * time.Hour)
		case !timePart && unit == 'D':
			mult = float64(24 * time.Hour)
		case unit == 'H':
			mult = float64(time.Hour)
		case unit == 'M':
			mult = float64(time.Minute)
		default:
			mult = float64(time.Second)
		}
		total += v * mult
		if total > math.MaxInt64 {
			return bad("overflows time.Duration")
		}
	}
	d := time.Duration(math.Round(total))
	if total >= math.MaxInt64 || d < 0 {
		return bad("overflows time.Duration")
	}
	if neg {
		d = -d
	}
	return d, nil
}

// FormatISODuration writes d the way PSN does: "PT228H56M33S", with
// fractional seconds when d is not whole seconds, and "PT0S" for zero.
func FormatISODuration(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		if d == math.MinInt64 {
			d = math.MaxInt64
		} else {
			d = -d
		}
	}
	b.WriteString("PT")
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	if h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "H")
	}
	if m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "M")
	}
	if d > 0 || (h == 0 && m == 0) {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S")
	}
	return b.String()
}

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
	// Limit is the page size (PSN allows MaxGameListPageSize today;
	// PlayedAll uses that when 0).
	Limit  int
	Offset int
	// Categories filters by category ("ps4_game", "ps5_native_game",
	// "pspc_game", "unknown"); empty means PSN's default.
	Categories []string
}

// Played returns a page of the games an account played, with play counts
// and durations ("me" for the token's owner). psn-api: getUserPlayedGames.
func (s *GameService) Played(ctx context.Context, accountID string, opt *PlayedOptions, opts ...CallOption) (*PlayedTitlesPage, error) {
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
	if err := s.client.get(ctx, GamelistBaseURL+"/"+acc+"/titles", q, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// PlayedAll walks every page of the games an account played (PSNAWP's
// title_stats), MaxGameListPageSize at a time unless opt.Limit says.
func (s *GameService) PlayedAll(ctx context.Context, accountID string, opt *PlayedOptions, opts ...CallOption) iter.Seq2[PlayedTitle, error] {
	var o PlayedOptions
	if opt != nil {
		o = *opt
	}
	if o.Limit <= 0 {
		o.Limit = MaxGameListPageSize
	}
	return paginate(ctx, GamelistBaseURL+"/{accountId}/titles", o.Offset, func(ctx context.Context, offset int) ([]PlayedTitle, Page, error) {
		po := o
		po.Offset = offset
		p, err := s.Played(ctx, accountID, &po, opts...)
		if err != nil {
			return nil, Page{}, err
		}
		return p.Titles, p.Page, nil
	})
}

// GraphQLError is an error PSN's GraphQL endpoint returned with HTTP 200.
// It matches ErrUnexpectedResponse.
type GraphQLError struct {
	Operation string
	Messages  []string
}

// Error describes the failure.
func (e *GraphQLError) Error() string {
	return fmt.Sprintf("psn: graphql %s: %s", e.Operation, strings.Join(e.Messages, "; "))
}

// Is makes errors.Is(err, ErrUnexpectedResponse) work.
func (e *GraphQLError) Is(target error) bool { return target == ErrUnexpectedResponse }

// Persisted-query hashes of the PlayStation app's GraphQL operations.
const (
	hashGetUserGameList        = "e780a6d8b921ef0c59ec01ea5c5255671272ca0d819edb61320914cf7a78b3ae"
	hashGetPurchasedGameList   = "827a423f6a8ddca4107ac01395af2ec0eafd8396fc7fa204aaf9b7ed2eefa168"
	graphQLClientName          = "PlayStationApp-Android"
	graphQLClientVersion       = "25.4.0"
	graphQLClientNameHeader    = "apollographql-client-name"
	graphQLClientVersionHeader = "apollographql-client-version"
)

// graphql runs a persisted GraphQL query and decodes its "data" into out,
// in the same pass as the rest of the answer.
func graphql[T any](ctx context.Context, c *Client, operation, hash string, variables any, out *T, opts []CallOption) error {
	vars, err := json.Marshal(variables)
	if err != nil {
		return fmt.Errorf("psn: encoding graphql variables: %w", err)
	}
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}})
	q := url.Values{"operationName": {operation}, "variables": {string(vars)}, "extensions": {string(ext)}}
	all := append([]CallOption{Header(graphQLClientNameHeader, graphQLClientName), Header(graphQLClientVersionHeader, graphQLClientVersion)}, opts...)
	env := struct {
		Data   *T `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}{}
	if err := c.get(ctx, GraphQLURL, q, &env, all); err != nil {
		var re *ResponseError
		if errors.As(err, &re) {
			re.Problem = "graphql " + operation + ": " + re.Problem
		}
		return err
	}
	if len(env.Errors) > 0 {
		e := &GraphQLError{Operation: operation}
		for _, m := range env.Errors {
			e.Messages = append(e.Messages, m.Message)
		}
		return e
	}
	if env.Data == nil {
		return &ResponseError{Status: http.StatusOK, URL: GraphQLURL, Problem: "graphql " + operation + ": no data"}
	}
	*out = *env.Data
	return nil
}

// GraphQLImage is an image in GraphQL answers.
type GraphQLImage struct {
	Typename string `json:"__typename,omitempty"`
	URL      string `json:"url"`

	wire wireState
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
func (s *GameService) RecentlyPlayed(ctx context.Context, opt *RecentlyPlayedOptions, opts ...CallOption) ([]RecentlyPlayedGame, error) {
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
	if err := graphql(ctx, s.client, "getUserGameList", hashGetUserGameList, vars, &out, opts); err != nil {
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
	IsActive      *bool
	Platforms     []string // "ps4", "ps5"
	Size, Start   int
	SortBy        string // "ACTIVE_DATE"
	SortDirection string // "asc", "desc"
	// MembershipFilter ("NONE", "PS_PLUS") and IsPlatinum filter when set.
	MembershipFilter string
	IsPlatinum       *bool
}

// Purchased returns games the token's owner bought (GraphQL
// getPurchasedGameList). psn-api: getPurchasedGames.
func (s *GameService) Purchased(ctx context.Context, opt *PurchasedOptions, opts ...CallOption) ([]PurchasedGame, error) {
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
	if o.Size <= 0 {
		o.Size = 24
	}
	if o.SortBy == "" {
		o.SortBy = "ACTIVE_DATE"
	}
	if o.SortDirection == "" {
		o.SortDirection = "desc"
	}
	vars := map[string]any{"isActive": active, "platform": o.Platforms, "size": o.Size, "start": o.Start, "sortBy": o.SortBy, "sortDirection": o.SortDirection}
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
	if err := graphql(ctx, s.client, "getPurchasedGameList", hashGetPurchasedGameList, vars, &out, opts); err != nil {
		return nil, err
	}
	return out.PurchasedTitlesRetrieve.Games, nil
}

// EntitlementAttribute is per-platform data of an entitlement.
type EntitlementAttribute struct {
	PlatformID         string `json:"platformId"`
	EntitlementKeyFlag bool   `json:"entitlementKeyFlag"`
	PlaceholderFlag    bool   `json:"placeholderFlag"`

	wire wireState
}

// EntitlementGameMeta describes the game package of an entitlement.
type EntitlementGameMeta struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	IconURL     string `json:"iconUrl"`
	PackageType string `json:"packageType"`

	wire wireState
}

// EntitlementTitleMeta describes the title of an entitlement.
type EntitlementTitleMeta struct {
	TitleID  string `json:"titleId"`
	Name     string `json:"name"`
	ImageURL string `json:"imageUrl"`

	wire wireState
}

// EntitlementConceptMeta describes the store concept of an entitlement.
type EntitlementConceptMeta struct {
	ConceptID  string `json:"conceptId"`
	Name       string `json:"name"`
	IconURL    string `json:"iconUrl"`
	MinimumAge int    `json:"minimumAge"`

	wire wireState
}

// EntitlementRewardMeta describes a reward entitlement.
type EntitlementRewardMeta struct {
	RewardServiceType    int `json:"rewardServiceType"`
	RetentionPolicy      int `json:"retentionPolicy"`
	RewardMembershipType int `json:"rewardMembershipType,omitempty"`

	wire wireState
}

// Entitlement is something the token's owner is entitled to: a game, an
// add-on, a subscription.
type Entitlement struct {
	ID                      string                  `json:"id"`
	ActiveDate              time.Time               `json:"activeDate,omitzero"`
	EntitlementType         int                     `json:"entitlementType"`
	SkuID                   string                  `json:"skuId"`
	ProductID               string                  `json:"productId"`
	ActiveFlag              bool                    `json:"activeFlag"`
	RevisionID              int64                   `json:"revisionId"`
	FeatureType             int                     `json:"featureType"`
	PreorderFlag            bool                    `json:"preorderFlag"`
	PreorderPlaceholderFlag bool                    `json:"preorderPlaceholderFlag"`
	RemainingCount          int                     `json:"remainingCount"`
	ConsumedCount           int                     `json:"consumedCount"`
	IsConsumable            bool                    `json:"isConsumable"`
	IsSubscription          bool                    `json:"isSubscription"`
	IsGame                  bool                    `json:"isGame,omitempty"`
	IsBeta                  bool                    `json:"isBeta,omitempty"`
	ServiceType             int                     `json:"serviceType"`
	EntitlementAttributes   []EntitlementAttribute  `json:"entitlementAttributes,omitempty"`
	GameMeta                *EntitlementGameMeta    `json:"gameMeta,omitempty"`
	TitleMeta               *EntitlementTitleMeta   `json:"titleMeta,omitempty"`
	ConceptMeta             *EntitlementConceptMeta `json:"conceptMeta,omitempty"`
	RewardMeta              *EntitlementRewardMeta  `json:"rewardMeta,omitempty"`

	wire wireState
}

// EntitlementsPage is a page of entitlements. It pages with start and
// totalResults, not nextOffset.
type EntitlementsPage struct {
	RevisionID   int64         `json:"revisionId"`
	Start        int           `json:"start"`
	TotalResults int           `json:"totalResults"`
	Entitlements []Entitlement `json:"entitlements"`

	wire wireState
}

// EntitlementsOptions selects a page of entitlements.
type EntitlementsOptions struct {
	// Limit is the page size (default 100 for EntitlementsAll).
	Limit, Offset int
	// EntitlementTypes filters by type (default 1–5, as PSNAWP asks).
	EntitlementTypes []int
	// PackageTypes filters game packages (default PSGD and PS4GD).
	PackageTypes []string
}

// entitlementFields is the fields list PSNAWP asks for.
const entitlementFields = "titleMeta,gameMeta,conceptMeta,rewardMeta,rewardMeta.retentionPolicy,rewardMeta.rewardMembershipType"

// Entitlements returns a page of the token owner's entitlements (PSNAWP
// client.game_entitlements()).
func (s *GameService) Entitlements(ctx context.Context, opt *EntitlementsOptions, opts ...CallOption) (*EntitlementsPage, error) {
	var o EntitlementsOptions
	if opt != nil {
		o = *opt
	}
	types := o.EntitlementTypes
	if len(types) == 0 {
		types = []int{1, 2, 3, 4, 5}
	}
	ts := make([]string, len(types))
	for i, t := range types {
		ts[i] = strconv.Itoa(t)
	}
	pkgs := o.PackageTypes
	if len(pkgs) == 0 {
		pkgs = []string{"PSGD", "PS4GD"}
	}
	q := pageQuery(o.Limit, o.Offset)
	q.Set("entitlementType", strings.Join(ts, ","))
	q.Set("fields", entitlementFields)
	q.Set("gameMetaPackageType", strings.Join(pkgs, ","))
	var out EntitlementsPage
	if err := s.client.get(ctx, APIBaseURL+"/entitlement/v2/users/me/internal/entitlements", q, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// EntitlementsAll walks every page of the token owner's entitlements.
func (s *GameService) EntitlementsAll(ctx context.Context, opt *EntitlementsOptions, opts ...CallOption) iter.Seq2[Entitlement, error] {
	var o EntitlementsOptions
	if opt != nil {
		o = *opt
	}
	if o.Limit <= 0 {
		o.Limit = 100
	}
	return paginate(ctx, APIBaseURL+"/entitlement/v2/users/me/internal/entitlements", o.Offset, func(ctx context.Context, offset int) ([]Entitlement, Page, error) {
		po := o
		po.Offset = offset
		p, err := s.Entitlements(ctx, &po, opts...)
		if err != nil {
			return nil, Page{}, err
		}
		// Translate start/totalResults into the walker's terms.
		pg := Page{TotalItemCount: p.TotalResults}
		if next := p.Start + len(p.Entitlements); len(p.Entitlements) > 0 && next < p.TotalResults {
			pg.NextOffset = &next
		}
		return p.Entitlements, pg, nil
	})
}

// CatalogMedia are a concept's or product's images and videos.
type CatalogMedia struct {
	Images []CatalogImage `json:"images"`
	Videos []CatalogVideo `json:"videos"`

	wire wireState
}

// CatalogImage is a store image.
type CatalogImage struct {
	Type string `json:"type"`
	URL  string `json:"url"`

	wire wireState
}

// CatalogVideo is a store video.
type CatalogVideo struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	URL      string   `json:"url"`
	HLSURL   string   `json:"hlsUrl,omitempty"`
	HLSURL4K string   `json:"hlsUrl4k,omitempty"`
	Posters  []string `json:"posters,omitempty"`

	wire wireState
}

// CatalogDescription is a store text ("LONG", "SHORT", …).
type CatalogDescription struct {
	Type     string            `json:"type"`
	Desc     string            `json:"desc"`
	Metadata map[string]string `json:"metadata,omitempty"`

	wire wireState
}

// TypedValue is a code with its localized text (genres).
type TypedValue struct {
	Type  string `json:"type"`
	Value string `json:"value"`

	wire wireState
}

// CompatibilityNotice is a feature note ("NO_OF_NETWORK_PLAYERS": 30,
// "PS5_VIBRATION": "OPTIONAL", "REMOTE_PLAY_SUPPORTED": true).
type CompatibilityNotice struct {
	Type string `json:"type"`
	// Value is a bool, a number (float64) or a string, by Type.
	Value           any      `json:"value"`
	TargetPlatforms []string `json:"targetPlatforms,omitempty"`

	wire wireState
}

// ContentRating is an age rating.
type ContentRating struct {
	Authority           string             `json:"authority"`
	Description         string             `json:"description"`
	Name                string             `json:"name"`
	URL                 string             `json:"url"`
	URL4K               string             `json:"url4k,omitempty"`
	Descriptors         []RatingDescriptor `json:"descriptors"`
	InteractiveElements []json.RawMessage  `json:"interactiveElements"`

	wire wireState
}

// RatingDescriptor is one reason for an age rating.
type RatingDescriptor struct {
	Name        string `json:"name"`
	Description string `json:"description"`

	wire wireState
}

// StarRating is the store's user rating.
type StarRating struct {
	Total string            `json:"total"`
	Score string            `json:"score"`
	Count []StarRatingCount `json:"count"`

	wire wireState
}

// StarRatingCount is how many users gave one score.
type StarRatingCount struct {
	Score int `json:"score"`
	Count int `json:"count"`

	wire wireState
}

// CatalogReleaseDate is a concept's release date.
type CatalogReleaseDate struct {
	Date          time.Time `json:"date,omitzero"`
	LocalizedDate string    `json:"localizedDate"`
	Type          string    `json:"type"`

	wire wireState
}

// RevisionIDs are catalog revision counters.
type RevisionIDs struct {
	All  int64 `json:"all,omitempty"`
	Self int64 `json:"self,omitempty"`

	wire wireState
}

// LocalizedDescriptions maps a language to its descriptions.
type LocalizedDescriptions struct {
	DefaultLanguage string                          `json:"defaultLanguage"`
	Metadata        map[string][]CatalogDescription `json:"metadata"`

	wire wireState
}

// LocalizedMedia maps a language to its media.
type LocalizedMedia struct {
	DefaultLanguage string                  `json:"defaultLanguage"`
	Metadata        map[string]CatalogMedia `json:"metadata"`

	wire wireState
}

// CategorizedProducts lists product ids of one top category (add-ons, …).
type CategorizedProducts struct {
	TopCategory string   `json:"topCategory"`
	IDs         []string `json:"ids"`

	wire wireState
}

// CatalogEdition is a product's edition.
type CatalogEdition struct {
	Name                  string   `json:"name"`
	NameEn                string   `json:"nameEn"`
	Type                  string   `json:"type"`
	Ordering              int      `json:"ordering"`
	Features              []string `json:"features"`
	PhoneticPronunciation string   `json:"phoneticPronunciation,omitempty"`
	SpokenName            string   `json:"spokenName,omitempty"`

	wire wireState
}

// CatalogPackage is a downloadable package of an entitlement.
type CatalogPackage struct {
	PlayablePlatform string `json:"playablePlatform"`
	Size             int64  `json:"size"`

	wire wireState
}

// CatalogSkuEntitlement is what buying a SKU grants.
type CatalogSkuEntitlement struct {
	ID                      string           `json:"id"`
	Name                    string           `json:"name"`
	Type                    string           `json:"type"`
	SubType                 string           `json:"subType"`
	FeatureType             string           `json:"featureType"`
	ApplicationType         string           `json:"applicationType"`
	PackageType             string           `json:"packageType"`
	Packages                []CatalogPackage `json:"packages"`
	PreorderPlaceholderFlag bool             `json:"preorderPlaceholderFlag"`
	ScreenLanguages         []string         `json:"screenLanguages"`
	SpokenLanguages         []string         `json:"spokenLanguages"`
	StreamingSupported      bool             `json:"streamingSupported"`
	UpgradableMdids         []string         `json:"upgradableMdids"`
	UpgradableTitleIDs      []string         `json:"upgradableTitleIds"`

	wire wireState
}

// CatalogSku is a purchasable SKU of a product.
type CatalogSku struct {
	ID                    string                  `json:"id"`
	Name                  string                  `json:"name"`
	Type                  string                  `json:"type"`
	Price                 int64                   `json:"price"`
	DisplayPrice          string                  `json:"displayPrice"`
	ChargeImmediatelyFlag bool                    `json:"chargeImmediatelyFlag"`
	ContentCollections    []json.RawMessage       `json:"contentCollections"`
	Eligibilities         []json.RawMessage       `json:"eligibilities"`
	Entitlements          []CatalogSkuEntitlement `json:"entitlements"`
	StoreFronts           []string                `json:"storeFronts"`
	SupportedStoreFronts  []string                `json:"supportedStoreFronts"`

	wire wireState
}

// CatalogOfferAvailability is when an offer runs.
type CatalogOfferAvailability struct {
	OfferID   string    `json:"offerId"`
	StartDate time.Time `json:"startDate,omitzero"`
	EndDate   time.Time `json:"endDate,omitzero"`

	wire wireState
}

// CatalogOffers are a product's offers.
type CatalogOffers struct {
	Osls         []string              `json:"osls"`
	SkuRelevancy []CatalogSkuRelevancy `json:"skuRelevancy"`

	wire wireState
}

// CatalogSkuRelevancy is when the offers of one SKU run.
type CatalogSkuRelevancy struct {
	SkuID             string                     `json:"skuId"`
	OfferAvailability []CatalogOfferAvailability `json:"offerAvailability"`

	wire wireState
}

// CatalogProduct is a concept's default product.
type CatalogProduct struct {
	ID                                  string                `json:"id"`
	Name                                string                `json:"name"`
	NameEn                              string                `json:"nameEn"`
	Type                                string                `json:"type"`
	TitleID                             string                `json:"titleId"`
	ConceptID                           int64                 `json:"conceptId"`
	ContentTypeID                       int                   `json:"contentTypeId"`
	TopCategory                         string                `json:"topCategory"`
	LocalizedTopCategory                string                `json:"localizedTopCategory"`
	LeadPublisherName                   string                `json:"leadPublisherName"`
	ReleaseDate                         time.Time             `json:"releaseDate,omitzero"`
	LocalizedReleaseDate                string                `json:"localizedReleaseDate"`
	MinimumAge                          int                   `json:"minimumAge"`
	Genres                              []string              `json:"genres"`
	LocalizedGenres                     []TypedValue          `json:"localizedGenres"`
	SubGenres                           []string              `json:"subGenres"`
	LocalizedSubGenres                  []TypedValue          `json:"localizedSubGenres"`
	Descriptions                        []CatalogDescription  `json:"descriptions"`
	Edition                             *CatalogEdition       `json:"edition,omitempty"`
	Media                               CatalogMedia          `json:"media"`
	ContentRating                       *ContentRating        `json:"contentRating,omitempty"`
	CompatibilityNotices                []CompatibilityNotice `json:"compatibilityNotices"`
	Skus                                []CatalogSku          `json:"skus"`
	Offers                              *CatalogOffers        `json:"offers,omitempty"`
	StarRating                          *StarRating           `json:"starRating,omitempty"`
	StoreFronts                         []string              `json:"storeFronts"`
	SupportedStoreFronts                []string              `json:"supportedStoreFronts"`
	TargetPlatforms                     []string              `json:"targetPlatforms"`
	MarketingStories                    []json.RawMessage     `json:"marketingStories"`
	RevisionIDs                         RevisionIDs           `json:"revisionIds"`
	StoreClassification                 string                `json:"storeClassification"`
	StoreDisplayClassification          string                `json:"storeDisplayClassification"`
	LocalizedStoreDisplayClassification string                `json:"localizedStoreDisplayClassification"`
	StorePrimaryClassification          string                `json:"storePrimaryClassification"`
	StoreSubClassification              string                `json:"storeSubClassification"`
	Synonyms                            string                `json:"synonyms,omitempty"`
	PhoneticPronunciation               string                `json:"phoneticPronunciation,omitempty"`
	SpokenName                          string                `json:"spokenName,omitempty"`
	IsBestSelling                       bool                  `json:"isBestSelling"`
	IsConsumable                        bool                  `json:"isConsumable"`
	IsDefaultProduct                    bool                  `json:"isDefaultProduct"`
	IsInGameStore                       bool                  `json:"isInGameStore"`
	IsPlatformRepresentative            bool                  `json:"isPlatformRepresentative"`
	IsPlaystationStore                  bool                  `json:"isPlaystationStore"`
	IsRecommendableOnStore              bool                  `json:"isRecommendableOnStore"`
	IsSearchableOnStore                 bool                  `json:"isSearchableOnStore"`
	IsTrending                          bool                  `json:"isTrending"`

	wire wireState
}

// Concept is a store concept: the catalog's view of a game across its
// versions (PSNAWP game_title.get_details()).
type Concept struct {
	ID                     int64                  `json:"id"`
	Name                   string                 `json:"name"`
	NameEn                 string                 `json:"nameEn"`
	Type                   string                 `json:"type"`
	PublisherName          string                 `json:"publisherName"`
	TitleIDs               []string               `json:"titleIds"`
	Country                string                 `json:"country"`
	Language               string                 `json:"language"`
	MinimumAge             int                    `json:"minimumAge"`
	ReleaseDate            CatalogReleaseDate     `json:"releaseDate"`
	Genres                 []string               `json:"genres"`
	LocalizedGenres        []TypedValue           `json:"localizedGenres"`
	SubGenres              []string               `json:"subGenres"`
	LocalizedSubGenres     []TypedValue           `json:"localizedSubGenres"`
	Descriptions           []CatalogDescription   `json:"descriptions"`
	LocalizedName          *Localized             `json:"localizedName,omitempty"`
	LocalizedPublisherName *Localized             `json:"localizedPublisherName,omitempty"`
	LocalizedDescriptions  *LocalizedDescriptions `json:"localizedDescriptions,omitempty"`
	LocalizedMedia         *LocalizedMedia        `json:"localizedMedia,omitempty"`
	Media                  CatalogMedia           `json:"media"`
	CategorizedProducts    []CategorizedProducts  `json:"categorizedProducts"`
	CompatibilityNotices   []CompatibilityNotice  `json:"compatibilityNotices"`
	ContentRating          *ContentRating         `json:"contentRating,omitempty"`
	DefaultProduct         *CatalogProduct        `json:"defaultProduct,omitempty"`
	StarRating             *StarRating            `json:"starRating,omitempty"`
	RevisionIDs            RevisionIDs            `json:"revisionIds"`
	MarketingStories       []json.RawMessage      `json:"marketingStories"`
	StoreFronts            []string               `json:"storeFronts"`
	SupportedStoreFronts   []string               `json:"supportedStoreFronts"`
	IsRecommendableOnStore bool                   `json:"isRecommendableOnStore"`
	IsSearchableOnStore    bool                   `json:"isSearchableOnStore"`

	wire wireState
}

// ConceptOptions adjusts TitleConcepts. Zero values ask like PSNAWP:
// country "US", language "en-US", age 99.
type ConceptOptions struct {
	Country  string // "US", "FR", …
	Language string // "en-US", "fr", …
	Age      int
}

// CatalogBaseURL is the store catalog's base.
const CatalogBaseURL = "https://m.np.playstation.com/api/catalog/v2/titles"

// TitleConcepts returns the store concepts of a game title id (CUSA…,
// PPSA…) in a country and language (PSNAWP game_title.get_details()).
func (s *GameService) TitleConcepts(ctx context.Context, titleID string, opt *ConceptOptions, opts ...CallOption) ([]Concept, error) {
	id, err := pathID("titleId", titleID)
	if err != nil {
		return nil, err
	}
	o := ConceptOptions{Country: "US", Language: "en-US", Age: 99}
	if opt != nil {
		if opt.Country != "" {
			o.Country = opt.Country
		}
		if opt.Language != "" {
			o.Language = opt.Language
		}
		if opt.Age > 0 {
			o.Age = opt.Age
		}
	}
	q := url.Values{"age": {strconv.Itoa(o.Age)}, "country": {o.Country}, "language": {o.Language}}
	var out []Concept
	if err := s.client.get(ctx, CatalogBaseURL+"/"+id+"/concepts", q, &out, opts); err != nil {
		return nil, err
	}
	return out, nil
}
