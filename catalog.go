package psn

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

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

// TitleConcepts returns the store concepts of a game title id (CUSA…,
// PPSA…) in a country and language (PSNAWP game_title.get_details()).
func (s *GameService) TitleConcepts(ctx context.Context, titleID string, opt *ConceptOptions) ([]Concept, error) {
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
	if err := s.client.get(ctx, CatalogBaseURL+"/"+id+"/concepts", q, &out, nil); err != nil {
		return nil, err
	}
	return out, nil
}
