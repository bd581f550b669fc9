package psntest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Persisted-query hashes of the PlayStation app's GraphQL operations
// (protocol notes and PSNAWP).
const (
	hashUserGameList     = "e780a6d8b921ef0c59ec01ea5c5255671272ca0d819edb61320914cf7a78b3ae"
	hashPurchasedGames   = "827a423f6a8ddca4107ac01395af2ec0eafd8396fc7fa204aaf9b7ed2eefa168"
	hashContextGames     = "a2fbc15433b37ca7bfcd7112f741735e13268f5e9ebd5ffce51b85acc126f41d"
	hashContextSocial    = "ac5fb2b82c4d086ca0d272fba34418ab327a7762dd2cd620e63f175bbc5aff10"
	hashDomainGames      = "b51624299bd17b3799f77c9f097cc8887a04d3873f0329095976a841595bc902"
	hashDomainSocial     = "23ece284bf8bdc50bfa30a4d97fd4d733e723beb7a42dff8c1ee883f8461a2e1"
	contextPageSize      = 15 // results per domain in a context search, as recorded
	maxSearchPageSize    = 100
	maxGraphQLListLength = 500
)

func (s *Sim) graphqlRoutes() []route {
	return []route{
		{"GET", "/api/graphql/v1/op", bearer, s.graphql},
		{"POST", "/api/search/v1/universalSearch", bearer, s.universalSearch},
	}
}

// graphqlError answers like a GraphQL server: 200 with an errors array.
func graphqlError(w http.ResponseWriter, status int, msg, code string) {
	writeJSON(w, status, object{{"errors", []object{{{"message", msg}, {"extensions", object{{"code", code}}}}}}})
}

// graphql is GET /api/graphql/v1/op?operationName&variables&extensions:
// the persisted queries of the protocol notes and PSNAWP. An unknown
// operation or hash is GraphQL's PersistedQueryNotFound.
func (s *Sim) graphql(c *call) {
	q := c.r.URL.Query()
	var ext struct {
		PersistedQuery struct {
			Sha256Hash string `json:"sha256Hash"`
		} `json:"persistedQuery"`
	}
	vars := map[string]any{}
	if json.Unmarshal([]byte(q.Get("extensions")), &ext) != nil {
		graphqlError(c.w, http.StatusBadRequest, "extensions must be JSON", "BAD_USER_INPUT")
		return
	}
	if v := q.Get("variables"); v != "" && json.Unmarshal([]byte(v), &vars) != nil {
		graphqlError(c.w, http.StatusBadRequest, "variables must be a JSON object", "BAD_USER_INPUT")
		return
	}
	str := func(k string) string { v, _ := vars[k].(string); return v }
	num := func(k string, def int) int {
		if f, ok := vars[k].(float64); ok && f >= 0 && f <= maxGraphQLListLength {
			return int(f)
		}
		return def
	}
	var data object
	switch op, h := q.Get("operationName"), ext.PersistedQuery.Sha256Hash; {
	case op == "getUserGameList" && h == hashUserGameList:
		data = s.userGameList(c.me, num("limit", 50), str("categories"))
	case op == "getPurchasedGameList" && h == hashPurchasedGames:
		data = s.purchasedGames(c.me, vars, num("start", 0), num("size", 24))
	case op == "metGetContextSearchResults" && h == hashContextSocial && str("searchContext") == "MobileUniversalSearchSocial":
		data = object{{"universalContextSearch", object{{"__typename", "UniversalContextSearchResponse"},
			{"queryFrequency", object{{"__typename", "QueryFrequency"}, {"filterDebounceMs", 1000}, {"searchDebounceMs", 1000}}},
			{"results", []object{s.searchDomain(c, "SocialAllAccounts", str("searchTerm"), 0, contextPageSize)}}}}}
	case op == "metGetContextSearchResults" && h == hashContextGames && str("searchContext") == "MobileUniversalSearchGame":
		data = object{{"universalContextSearch", object{{"__typename", "UniversalContextSearchResponse"},
			{"results", []object{s.searchDomain(c, "MobileGames", str("searchTerm"), 0, contextPageSize),
				s.searchDomain(c, "MobileAddOns", str("searchTerm"), 0, contextPageSize)}}}}}
	case op == "metGetDomainSearchResults" && (h == hashDomainSocial && str("searchDomain") == "SocialAllAccounts" ||
		h == hashDomainGames && (str("searchDomain") == "MobileGames" || str("searchDomain") == "MobileAddOns")):
		offset := num("pageOffset", 0)
		if cur := str("nextCursor"); cur != "" {
			offset = cursorOffset(cur, offset)
		}
		data = object{{"universalDomainSearch", s.searchDomain(c, str("searchDomain"), str("searchTerm"), offset,
			min(num("pageSize", 20), maxSearchPageSize))}}
	default:
		graphqlError(c.w, http.StatusOK, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
		return
	}
	writeJSON(c.w, http.StatusOK, object{{"data", data}})
}

func gqlImage(url string) object { return object{{"__typename", "Media"}, {"url", url}} }

// userGameList is getUserGameList: the token owner's recently played games.
func (s *Sim) userGameList(u *user, limit int, categories string) object {
	var cats []string
	if categories != "" {
		cats = strings.Split(categories, ",")
	}
	games := []object{}
	for _, p := range gamesOf(s.cfg.Seed, u) {
		if len(games) == limit {
			break
		}
		if cats != nil && !slices.Contains(cats, p.category) {
			continue
		}
		st := p.x.t.store
		var product, entitlement any // set for some PS4 games only (psn-api's notes)
		if p.platform == "PS4" && p.x.t.idx%3 == 0 {
			product, entitlement = st.productID, st.entitle
		}
		games = append(games, object{{"__typename", "GameLibraryTitle"}, {"conceptId", itoa(int64(st.conceptID))},
			{"entitlementId", entitlement}, {"image", gqlImage(st.cover)}, {"isActive", product != nil},
			{"lastPlayedDateTime", psnMicro(p.last)}, {"name", p.x.t.name}, {"platform", p.platform},
			{"productId", product}, {"subscriptionService", "NONE"}, {"titleId", p.titleID}})
	}
	return object{{"gameLibraryTitlesRetrieve", object{{"__typename", "GameList"}, {"games", games}}}}
}

// purchasedGames is getPurchasedGameList: the token owner's games, paged
// with start and size, filtered by platform (["ps4","ps5"]) and isActive.
func (s *Sim) purchasedGames(u *user, vars map[string]any, start, size int) object {
	platforms := map[string]bool{"PS4": true, "PS5": true}
	if list, ok := vars["platform"].([]any); ok {
		platforms = map[string]bool{}
		for _, p := range list {
			if p, ok := p.(string); ok {
				platforms[strings.ToUpper(p)] = true
			}
		}
	}
	var all []played
	for _, p := range gamesOf(s.cfg.Seed, u) {
		if platforms[p.platform] {
			all = append(all, p)
		}
	}
	games := []object{}
	for _, p := range window(all, size, start) {
		st := p.x.t.store
		membership := "NONE"
		if p.plus {
			membership = "PS_PLUS"
		}
		games = append(games, object{{"__typename", "GameLibraryTitle"}, {"conceptId", itoa(int64(st.conceptID))},
			{"entitlementId", st.entitle}, {"image", gqlImage(st.cover)}, {"isActive", true}, {"isDownloadable", true},
			{"isPreOrder", false}, {"membership", membership}, {"name", p.x.t.name}, {"platform", p.platform},
			{"productId", st.productID}, {"titleId", p.titleID}})
	}
	return object{{"purchasedTitlesRetrieve", object{{"__typename", "GameList"}, {"games", games}}}}
}

// cursor encodes a search offset like PSN's player cursors ({"SO":15}).
func cursor(offset int) string {
	return base64.RawStdEncoding.EncodeToString([]byte(`{"SO":` + strconv.Itoa(offset) + `}`))
}

func cursorOffset(cur string, def int) int {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(cur, "="))
	var v struct {
		SO int `json:"SO"`
	}
	if err != nil || json.Unmarshal(b, &v) != nil || v.SO < 0 {
		return def
	}
	return v.SO
}

// highlight splits s around the first case-insensitive match of term:
// ["before", "match", "after"], as PSN highlights ("after" left out when
// empty); nil without a match.
func highlight(s, term string) []string {
	i := strings.Index(strings.ToLower(s), strings.ToLower(term))
	if term == "" || i < 0 {
		return nil
	}
	out := []string{s[:i], s[i : i+len(term)]}
	if rest := s[i+len(term):]; rest != "" {
		out = append(out, rest)
	}
	return out
}

// searchDomain answers one search domain: players (SocialAllAccounts),
// games (MobileGames) or add-ons (MobileAddOns) whose name contains term.
func (s *Sim) searchDomain(c *call, domain, term string, offset, size int) object {
	var results []object
	title := map[string]string{"SocialAllAccounts": "Players", "MobileGames": "Full Games", "MobileAddOns": "Add-Ons"}[domain]
	switch domain {
	case "SocialAllAccounts":
		s.mu.Lock()
		users := slices.Clone(s.users)
		s.mu.Unlock()
		for _, u := range users {
			p := u.profile()
			hID, hFirst, hLast := highlight(u.onlineID, term), highlight(p.firstName, term), highlight(p.lastName, term)
			if hID == nil && hFirst == nil && hLast == nil {
				continue
			}
			if hLast == nil {
				hLast = []string{p.lastName}
			}
			display := p.firstName + " " + p.lastName
			id := base64.StdEncoding.EncodeToString([]byte("$psntest$" + u.accountID))
			results = append(results, object{{"__typename", "SearchResultItem"},
				{"highlight", object{{"__typename", "PlayerHighlight"}, {"firstName", hFirst}, {"lastName", hLast},
					{"middleName", nil}, {"onlineId", orList(hID, u.onlineID)}, {"verifiedUserName", nil}}},
				{"id", id},
				{"result", object{{"__typename", "Player"}, {"accountId", u.accountID}, {"avatarUrl", p.avatar["l"]},
					{"displayName", display}, {"displayNameHighlighted", orList(highlight(display, term), display)},
					{"firstName", p.firstName}, {"id", id}, {"isPsPlus", p.plus}, {"itemType", "SOCIAL"},
					{"lastName", p.lastName}, {"middleName", nil}, {"onlineId", u.onlineID},
					{"onlineIdHighlighted", orList(hID, u.onlineID)}, {"profilePicUrl", ""}, {"relationshipState", nil}}},
				{"resultOriginFlag", nil}})
		}
	case "MobileGames":
		for _, t := range s.catalog().titles {
			if h := highlight(t.name, term); h != nil && (slices.Contains(t.store.platforms, "PS5") || slices.Contains(t.store.platforms, "PS4")) {
				results = append(results, conceptResult(t, h))
			}
		}
	case "MobileAddOns":
		for _, t := range s.catalog().titles {
			for _, a := range t.store.addOns {
				if h := highlight(a.name, term); h != nil {
					results = append(results, object{{"__typename", "SearchResultItem"},
						{"highlight", object{{"__typename", "ItemHighlight"}, {"name", h}}},
						{"id", itoa(int64(t.store.conceptID)) + ":" + a.productID},
						{"result", object{{"__typename", "Product"}, {"id", a.productID}, {"invariantName", a.name},
							{"itemType", "CONCEPTPRODUCT"}, {"localizedStoreDisplayClassification", "Add-On"},
							{"media", []object{gqlMedia("MASTER", a.icon)}}, {"name", a.name}, {"platforms", t.store.platforms},
							{"price", nil}, {"storeDisplayClassification", "ADD_ON"}, {"type", "GAME"}}}})
				}
			}
		}
	}
	page := window(results, size, offset)
	if page == nil {
		page = []object{}
	}
	next := ""
	if offset+size < len(results) {
		next = cursor(offset + size)
	}
	return object{{"__typename", "UniversalDomainSearchResponse"}, {"domain", domain}, {"domainTitle", title},
		{"next", next}, {"searchResults", page}, {"totalResultCount", len(results)}, {"zeroState", false}}
}

func orList(h []string, whole string) []string {
	if h == nil {
		return []string{whole}
	}
	return h
}

func gqlMedia(role, url string) object {
	return object{{"__typename", "Media"}, {"role", role}, {"type", "IMAGE"}, {"url", url}}
}

func conceptResult(t *title, h []string) object {
	st := t.store
	var media []object
	for _, im := range st.images {
		media = append(media, gqlMedia(im.typ, im.url))
	}
	id := itoa(int64(st.conceptID))
	return object{{"__typename", "SearchResultItem"}, {"highlight", object{{"__typename", "ItemHighlight"}, {"name", h}}},
		{"id", id},
		{"result", object{{"__typename", "Concept"},
			{"defaultProduct", object{{"__typename", "Product"}, {"id", st.productID}, {"invariantName", t.name},
				{"itemType", "CONCEPTPRODUCT"}, {"localizedStoreDisplayClassification", "Full Game"}, {"media", media},
				{"name", t.name}, {"platforms", st.platforms}, {"price", nil}, {"storeDisplayClassification", "FULL_GAME"},
				{"type", "GAME"}}},
			{"id", id}, {"invariantName", t.name}, {"itemType", "CONCEPT"}, {"localizedStoreDisplayClassification", nil},
			{"media", media}, {"name", t.name}, {"platforms", st.platforms}, {"price", nil}, {"storeDisplayClassification", nil}}}}
}

// universalSearch is POST /api/search/v1/universalSearch (psn-api's
// makeUniversalSearch; the protocol notes say PSN may have retired it, and
// no answer was recorded, so its shape is psn-api's model). Only the
// SocialAllAccounts domain finds anything.
func (s *Sim) universalSearch(c *call) {
	var req struct {
		SearchTerm     string `json:"searchTerm"`
		DomainRequests []struct {
			Domain string `json:"domain"`
		} `json:"domainRequests"`
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, 64<<10)
	if err := json.NewDecoder(c.r.Body).Decode(&req); err != nil || req.SearchTerm == "" || len(req.DomainRequests) == 0 {
		writePSNError(c.w, http.StatusBadRequest, codeProfileBadRequest, "Bad Request (body)")
		return
	}
	var domains []object
	for _, d := range req.DomainRequests {
		results := []object{}
		if d.Domain == "SocialAllAccounts" {
			s.mu.Lock()
			users := slices.Clone(s.users)
			s.mu.Unlock()
			for _, u := range users {
				h := highlight(u.onlineID, req.SearchTerm)
				if h == nil {
					continue
				}
				p := u.profile()
				results = append(results, object{{"id", base64.StdEncoding.EncodeToString([]byte("$psntest$" + u.accountID))},
					{"type", "social"}, {"score", float64(len(req.SearchTerm)) / float64(len(u.onlineID))},
					{"socialMetadata", object{{"accountId", u.accountID}, {"country", "US"}, {"language", p.languages[0]},
						{"onlineId", u.onlineID}, {"isPsPlus", p.plus}, {"isOfficiallyVerified", false},
						{"avatarUrl", p.avatar["l"]}, {"verifiedUserName", ""},
						{"highlights", object{{"onlineId", []string{strings.Join(h[:2], "<em>") + "</em>" + strings.Join(h[2:], "")}}}}}}})
			}
		}
		domains = append(domains, object{{"domain", d.Domain}, {"domainTitle", "Players"}, {"domainTitleMessageId", "msgid_players"},
			{"zeroState", false}, {"univexId", "psntest"}, {"facetOptions", []any{}}, {"next", ""},
			{"totalResultCount", len(results)}, {"results", results}})
	}
	writeJSON(c.w, http.StatusOK, object{{"prefix", req.SearchTerm}, {"suggestions", []string{}},
		{"fallbackQueried", false}, {"domainResponses", domains}})
}
