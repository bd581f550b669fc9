package psn

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"time"
)

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
	// ListOptions selects the page (page size 100 for EntitlementsAll
	// when Limit is 0).
	ListOptions
	// EntitlementTypes filters by type (default 1–5, as PSNAWP asks).
	EntitlementTypes []int
	// PackageTypes filters game packages (default PSGD and PS4GD).
	PackageTypes []string
}

// entitlementFields is the fields list PSNAWP asks for.
const entitlementFields = "titleMeta,gameMeta,conceptMeta,rewardMeta,rewardMeta.retentionPolicy,rewardMeta.rewardMembershipType"

// Entitlements returns a page of the token owner's entitlements (PSNAWP
// client.game_entitlements()).
func (s *GameService) Entitlements(ctx context.Context, opt *EntitlementsOptions) (*EntitlementsPage, error) {
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
	if err := s.client.get(ctx, APIBaseURL+"/entitlement/v2/users/me/internal/entitlements", q, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// EntitlementsAll walks every page of the token owner's entitlements.
func (s *GameService) EntitlementsAll(ctx context.Context, opt *EntitlementsOptions) iter.Seq2[Entitlement, error] {
	return allPages(ctx, APIBaseURL+"/entitlement/v2/users/me/internal/entitlements", opt, 100, func(ctx context.Context, po *EntitlementsOptions) ([]Entitlement, Page, error) {
		p, err := s.Entitlements(ctx, po)
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
