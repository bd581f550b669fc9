package psn

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strings"
)

// Search contexts (the first GraphQL search, over several domains) and
// domains (one kind of result, paged).
const (
	// SearchContextGames finds games and add-ons.
	SearchContextGames = "MobileUniversalSearchGame"
	// SearchContextSocial finds players.
	SearchContextSocial = "MobileUniversalSearchSocial"

	// SearchDomainGames is full games.
	SearchDomainGames = "MobileGames"
	// SearchDomainAddOns is add-ons.
	SearchDomainAddOns = "MobileAddOns"
	// SearchDomainPlayers is players (accounts).
	SearchDomainPlayers = "SocialAllAccounts"
)

// contextSearchHash is the persisted-query hash of a search context.
func contextSearchHash(searchContext string) (string, bool) {
	switch searchContext {
	case SearchContextGames:
		return "a2fbc15433b37ca7bfcd7112f741735e13268f5e9ebd5ffce51b85acc126f41d", true
	case SearchContextSocial:
		return "ac5fb2b82c4d086ca0d272fba34418ab327a7762dd2cd620e63f175bbc5aff10", true
	}
	return "", false
}

// domainSearchHash is the persisted-query hash of a search domain.
func domainSearchHash(domain string) (string, bool) {
	switch domain {
	case SearchDomainGames, SearchDomainAddOns:
		return "b51624299bd17b3799f77c9f097cc8887a04d3873f0329095976a841595bc902", true
	case SearchDomainPlayers:
		return "23ece284bf8bdc50bfa30a4d97fd4d733e723beb7a42dff8c1ee883f8461a2e1", true
	}
	return "", false
}

// contextForDomain is the context whose first answer holds a domain.
func contextForDomain(domain string) string {
	if domain == SearchDomainPlayers {
		return SearchContextSocial
	}
	return SearchContextGames
}

// SearchMedia is an image or video of a search result.
type SearchMedia struct {
	Typename string `json:"__typename,omitempty"`
	Role     string `json:"role"`
	Type     string `json:"type"`
	URL      string `json:"url"`

	wire wireState
}

// SearchProduct is a concept's default product in search results.
type SearchProduct struct {
	Typename                            string        `json:"__typename,omitempty"`
	ID                                  string        `json:"id"`
	Name                                string        `json:"name"`
	InvariantName                       string        `json:"invariantName"`
	ItemType                            string        `json:"itemType"`
	Type                                string        `json:"type"`
	Platforms                           []string      `json:"platforms"`
	Media                               []SearchMedia `json:"media"`
	Price                               any           `json:"price"`
	StoreDisplayClassification          *string       `json:"storeDisplayClassification"`
	LocalizedStoreDisplayClassification *string       `json:"localizedStoreDisplayClassification"`

	wire wireState
}

// SearchResult is one found item: a Player (Typename "Player": AccountID,
// OnlineID, …) or a game Concept or Product (Name, Platforms, Media, …).
type SearchResult struct {
	Typename string `json:"__typename"`
	ID       string `json:"id"`
	ItemType string `json:"itemType,omitempty"`

	// Player fields.
	AccountID              string   `json:"accountId,omitempty"`
	OnlineID               string   `json:"onlineId,omitempty"`
	OnlineIDHighlighted    []string `json:"onlineIdHighlighted,omitempty"`
	DisplayName            string   `json:"displayName,omitempty"`
	DisplayNameHighlighted []string `json:"displayNameHighlighted,omitempty"`
	FirstName              *string  `json:"firstName,omitempty"`
	MiddleName             *string  `json:"middleName,omitempty"`
	LastName               *string  `json:"lastName,omitempty"`
	AvatarURL              string   `json:"avatarUrl,omitempty"`
	ProfilePicURL          string   `json:"profilePicUrl,omitempty"`
	IsPsPlus               bool     `json:"isPsPlus,omitempty"`
	RelationshipState      *string  `json:"relationshipState,omitempty"`

	// Game fields.
	Name                                string         `json:"name,omitempty"`
	InvariantName                       string         `json:"invariantName,omitempty"`
	Type                                string         `json:"type,omitempty"`
	Platforms                           []string       `json:"platforms,omitempty"`
	Media                               []SearchMedia  `json:"media,omitempty"`
	Price                               any            `json:"price,omitempty"`
	StoreDisplayClassification          *string        `json:"storeDisplayClassification,omitempty"`
	LocalizedStoreDisplayClassification *string        `json:"localizedStoreDisplayClassification,omitempty"`
	DefaultProduct                      *SearchProduct `json:"defaultProduct,omitempty"`

	wire wireState
}

// SearchHighlight splits matched fields into alternating unmatched and
// matched parts ("", "test", "__").
type SearchHighlight struct {
	Typename         string   `json:"__typename,omitempty"`
	Name             []string `json:"name,omitempty"`
	OnlineID         []string `json:"onlineId,omitempty"`
	FirstName        []string `json:"firstName,omitempty"`
	MiddleName       []string `json:"middleName,omitempty"`
	LastName         []string `json:"lastName,omitempty"`
	VerifiedUserName []string `json:"verifiedUserName,omitempty"`

	wire wireState
}

// SearchItem is one search hit.
type SearchItem struct {
	Typename         string          `json:"__typename,omitempty"`
	ID               string          `json:"id"`
	Highlight        SearchHighlight `json:"highlight"`
	Result           SearchResult    `json:"result"`
	ResultOriginFlag *string         `json:"resultOriginFlag"`

	wire wireState
}

// SearchDomainResult is one page of hits of one domain.
type SearchDomainResult struct {
	Typename    string `json:"__typename,omitempty"`
	Domain      string `json:"domain"`
	DomainTitle string `json:"domainTitle"`
	// Next is the cursor of the following page ("" when none).
	Next             string       `json:"next"`
	TotalResultCount int          `json:"totalResultCount"`
	ZeroState        bool         `json:"zeroState"`
	SearchResults    []SearchItem `json:"searchResults"`

	wire wireState
}

// SearchFrequency is how often the app may search as the user types.
type SearchFrequency struct {
	Typename         string `json:"__typename,omitempty"`
	FilterDebounceMs int    `json:"filterDebounceMs"`
	SearchDebounceMs int    `json:"searchDebounceMs"`

	wire wireState
}

// ContextSearchResult is the first answer of a search: the first page of
// each domain of the context.
type ContextSearchResult struct {
	Typename       string               `json:"__typename,omitempty"`
	QueryFrequency *SearchFrequency     `json:"queryFrequency,omitempty"`
	Results        []SearchDomainResult `json:"results"`

	wire wireState
}

// Domain returns the context result's page for one domain, or nil.
func (r *ContextSearchResult) Domain(domain string) *SearchDomainResult {
	for i := range r.Results {
		if r.Results[i].Domain == domain {
			return &r.Results[i]
		}
	}
	return nil
}

// SearchOptions adjusts the searches.
type SearchOptions struct {
	// Locale is displayTitleLocale (default "en-US").
	Locale string
	// PageSize is the size of the pages after the first (default 20).
	PageSize int
}

func (o *SearchOptions) locale() string {
	if o == nil || o.Locale == "" {
		return "en-US"
	}
	return o.Locale
}

func (o *SearchOptions) pageSize() int {
	if o == nil || o.PageSize <= 0 {
		return 20
	}
	return o.PageSize
}

// emptySearch is the error for an empty search term (no request sent).
func emptySearch() error { return &InvalidIDError{Param: "searchTerm", Problem: "empty"} }

// FirstPages runs the first search of a search context
// (SearchContextGames or SearchContextSocial) and returns the first page of
// each of its domains (GraphQL metGetContextSearchResults, as PSNAWP
// searches). Domain reads the later pages of one domain.
func (s *SearchService) FirstPages(ctx context.Context, term, searchContext string, opt *SearchOptions) (*ContextSearchResult, error) {
	if strings.TrimSpace(term) == "" {
		return nil, emptySearch()
	}
	hash, ok := contextSearchHash(searchContext)
	if !ok {
		return nil, &InvalidIDError{Param: "searchContext", Problem: fmt.Sprintf("unknown context %q", searchContext)}
	}
	vars := map[string]any{"searchTerm": term, "searchContext": searchContext, "displayTitleLocale": opt.locale()}
	var out struct {
		UniversalContextSearch ContextSearchResult `json:"universalContextSearch"`
	}
	if err := graphql(ctx, s.client, "metGetContextSearchResults", hash, vars, &out); err != nil {
		return nil, err
	}
	return &out.UniversalContextSearch, nil
}

// Domain returns one later page of a domain: cursor is the previous
// page's Next and offset the number of hits already seen
// (metGetDomainSearchResults).
func (s *SearchService) Domain(ctx context.Context, term, domain, cursor string, offset int, opt *SearchOptions) (*SearchDomainResult, error) {
	if strings.TrimSpace(term) == "" {
		return nil, emptySearch()
	}
	hash, ok := domainSearchHash(domain)
	if !ok {
		return nil, &InvalidIDError{Param: "searchDomain", Problem: fmt.Sprintf("unknown domain %q", domain)}
	}
	vars := map[string]any{"searchTerm": term, "searchDomain": domain, "pageSize": opt.pageSize(), "pageOffset": offset, "nextCursor": cursor}
	if domain == SearchDomainPlayers {
		vars["displayTitleLocale"] = opt.locale()
	}
	var out struct {
		UniversalDomainSearch SearchDomainResult `json:"universalDomainSearch"`
	}
	if err := graphql(ctx, s.client, "metGetDomainSearchResults", hash, vars, &out); err != nil {
		return nil, err
	}
	return &out.UniversalDomainSearch, nil
}

// DomainAll yields every hit of one domain (SearchDomainGames,
// SearchDomainAddOns, SearchDomainPlayers): the context search's first
// page, then later pages by cursor until totalResultCount is reached, the
// cursor runs out, or the loop body breaks. A cursor that repeats ends
// with a *PageLoopError.
func (s *SearchService) DomainAll(ctx context.Context, term, domain string, opt *SearchOptions) iter.Seq2[SearchItem, error] {
	return func(yield func(SearchItem, error) bool) {
		first, err := s.FirstPages(ctx, term, contextForDomain(domain), opt)
		if err != nil {
			yield(SearchItem{}, err)
			return
		}
		page := first.Domain(domain)
		if page == nil {
			return
		}
		seen := map[string]bool{}
		n := 0
		for {
			for _, it := range page.SearchResults {
				if !yield(it, nil) {
					return
				}
			}
			n += len(page.SearchResults)
			if page.Next == "" || n >= page.TotalResultCount {
				return
			}
			if seen[page.Next] || len(page.SearchResults) == 0 {
				yield(SearchItem{}, &PageLoopError{URL: GraphQLURL + "#metGetDomainSearchResults", Offset: n, NextOffset: n, Problem: "search cursor repeats or page is empty"})
				return
			}
			seen[page.Next] = true
			if page, err = s.Domain(ctx, term, domain, page.Next, n, opt); err != nil {
				yield(SearchItem{}, err)
				return
			}
		}
	}
}

// UniversalSearchResponse is the answer of the older REST search.
type UniversalSearchResponse struct {
	Prefix          string                  `json:"prefix"`
	Suggestions     []string                `json:"suggestions"`
	FallbackQueried bool                    `json:"fallbackQueried"`
	DomainResponses []UniversalSearchDomain `json:"domainResponses"`

	wire wireState
}

// UniversalSearchDomain is one domain of a REST search.
type UniversalSearchDomain struct {
	Domain               string                  `json:"domain"`
	DomainTitle          string                  `json:"domainTitle"`
	DomainTitleMessageID string                  `json:"domainTitleMessageId"`
	ZeroState            bool                    `json:"zeroState"`
	UnivexID             string                  `json:"univexId"`
	FacetOptions         []any                   `json:"facetOptions"`
	Next                 string                  `json:"next"`
	TotalResultCount     int                     `json:"totalResultCount"`
	Results              []UniversalSearchResult `json:"results"`

	wire wireState
}

// UniversalSearchResult is one hit of a REST search for accounts.
type UniversalSearchResult struct {
	ID             string                        `json:"id"`
	Type           string                        `json:"type"`
	Score          float64                       `json:"score"`
	SocialMetadata UniversalSearchSocialMetadata `json:"socialMetadata"`

	wire wireState
}

// UniversalSearchSocialMetadata is the account a REST search hit names.
type UniversalSearchSocialMetadata struct {
	AccountID            string                    `json:"accountId"`
	Country              string                    `json:"country"`
	Language             string                    `json:"language"`
	OnlineID             string                    `json:"onlineId"`
	IsPsPlus             bool                      `json:"isPsPlus"`
	IsOfficiallyVerified bool                      `json:"isOfficiallyVerified"`
	AvatarURL            string                    `json:"avatarUrl"`
	VerifiedUserName     string                    `json:"verifiedUserName"`
	Highlights           UniversalSearchHighlights `json:"highlights"`

	wire wireState
}

// UniversalSearchHighlights are the matched parts of a REST search hit.
type UniversalSearchHighlights struct {
	OnlineID []string `json:"onlineId"`

	wire wireState
}

// Universal runs psn-api's makeUniversalSearch: POST
// search/v1/universalSearch for one domain (e.g. SearchDomainPlayers).
// Sony may have retired it; FirstPages and DomainAll are what the app uses today.
func (s *SearchService) Universal(ctx context.Context, term, domain string) (*UniversalSearchResponse, error) {
	if strings.TrimSpace(term) == "" {
		return nil, emptySearch()
	}
	if domain == "" {
		domain = SearchDomainPlayers
	}
	body := map[string]any{"searchTerm": term, "domainRequests": []map[string]string{{"domain": domain}}}
	var out UniversalSearchResponse
	if err := s.client.Call(ctx, http.MethodPost, SearchBaseURL+"/v1/universalSearch", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
