package psntest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Gamelist error codes: 3239940 is recorded in the protocol notes; the
// others follow the pattern of the other services (…001 bad request,
// …00E forbidden) and are the simulator's inference.
const (
	codeGamelistLimit     = 3239940
	codeGamelistForbidden = 3239950
	codeGamelistBad       = 3239937
)

// maxGamelistLimit is gamelist's page cap (cut from 1000 to 500 to 200 in 2023).
const maxGamelistLimit = 200

func (s *Sim) gameRoutes() []route {
	return []route{
		{"GET", "/api/gamelist/v2/users/{acc}/titles", bearer, s.gamelist},
		{"GET", "/api/entitlement/v2/users/{acc}/internal/entitlements", bearer, s.entitlements},
		{"GET", "/api/catalog/v2/titles/{titleId}/concepts", bearer, s.concepts},
	}
}

// played is one gamelist entry: a PS4 or PS5 title a user played.
type played struct {
	x        *userTitle
	titleID  string
	category string
	platform string // PS4, PS5
	last     time.Time
	count    int
	duration time.Duration
	plus     bool
}

// gamesOf lists the PS4/PS5 games u played, most recent first.
func gamesOf(seed int64, u *user) []played {
	var out []played
	for _, x := range u.trophies().titles {
		t := x.t
		if !strings.Contains(t.platform, "PS4") && !strings.Contains(t.platform, "PS5") {
			continue
		}
		r := newRNG(seed, "user", u.idx, "played", t.idx)
		p := played{x: x, titleID: t.store.titleID, category: "ps4_game", platform: "PS4",
			last: x.lastUpdated.Add(time.Duration(r.between(1, 5000)) * time.Second), count: r.between(1, 400),
			plus: r.chance(0.2)}
		if p.last.After(worldEpoch) {
			p.last = worldEpoch
		}
		if strings.Contains(t.platform, "PS5") {
			p.category, p.platform = "ps5_native_game", "PS5"
		}
		p.duration = time.Duration(p.count*r.between(10, 180))*time.Minute + time.Duration(r.intn(3600))*time.Second
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b played) int { return b.last.Compare(a.last) })
	return out
}

// isoDuration formats d like PSN's playDuration, e.g. PT228H56M33S.
func isoDuration(d time.Duration) string {
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	out := "PT"
	if h > 0 {
		out += fmt.Sprintf("%dH", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dM", m)
	}
	if sec > 0 || out == "PT" {
		out += fmt.Sprintf("%dS", sec)
	}
	return out
}

// psnMicro formats an instant like gamelist (microseconds).
func psnMicro(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func mediaJSON(st storeInfo) object {
	var images []object
	for _, im := range st.images {
		images = append(images, object{{"url", im.url}, {"format", "UNKNOWN"}, {"type", im.typ}})
	}
	return object{{"audios", []any{}}, {"videos", []any{}}, {"images", images}}
}

func localized(name string) object {
	return object{{"defaultLanguage", "en-US"}, {"metadata", object{
		{"en-US", name}, {"en-GB", name}, {"fr-FR", name}, {"de-DE", name}, {"ja-JP", name}}}}
}

// gamelist is GET G/{acc}/titles?limit&offset&categories.
func (s *Sim) gamelist(c *call) {
	u := c.profileUser("acc", true)
	if u == nil {
		return
	}
	if !c.canSee(u) {
		writePSNError(c.w, http.StatusForbidden, codeGamelistForbidden, "Not permitted by access control")
		return
	}
	q := c.r.URL.Query()
	limit, offset, bad := pageParams(q, 10, 1<<30)
	switch {
	case bad != "":
		writePSNError(c.w, http.StatusBadRequest, codeGamelistBad, bad)
		return
	case limit > maxGamelistLimit:
		writeJSON(c.w, http.StatusBadRequest, object{{"error", object{{"referenceId", referenceID()},
			{"code", codeGamelistLimit}, {"message", "Limit exceeded"}, {"reason", "limit must not exceed 200"},
			{"source", "query: limit"}}}})
		return
	}
	var cats []string
	if v := q.Get("categories"); v != "" {
		cats = strings.Split(v, ",")
	}
	var all []played
	for _, p := range gamesOf(s.cfg.Seed, u) {
		if cats == nil || slices.Contains(cats, p.category) {
			all = append(all, p)
		}
	}
	titles := []object{}
	for _, p := range window(all, limit, offset) {
		t, st := p.x.t, p.x.t.store
		service := "none_purchased"
		if p.plus {
			service = "ps_plus"
		}
		titles = append(titles, object{
			{"titleId", p.titleID}, {"name", t.name}, {"localizedName", t.name},
			{"imageUrl", st.cover}, {"localizedImageUrl", st.cover},
			{"category", p.category}, {"service", service}, {"playCount", p.count},
			{"concept", object{
				{"id", st.conceptID}, {"titleIds", t.npTitleIDs}, {"name", t.name}, {"media", mediaJSON(st)},
				{"genres", st.genres}, {"localizedName", localized(t.name)}, {"country", "US"}, {"language", "en"},
			}},
			{"media", mediaJSON(st)},
			{"firstPlayedDateTime", psnMicro(p.x.firstPlayed)}, {"lastPlayedDateTime", psnMicro(p.last)},
			{"playDuration", isoDuration(p.duration)},
		})
	}
	var next any // null on the last page, as recorded
	if offset+limit < len(all) {
		next = offset + limit
	}
	writeJSON(c.w, http.StatusOK, object{{"titles", titles}, {"nextOffset", next},
		{"previousOffset", max(offset-1, 0)}, {"totalItemCount", len(all)}})
}

// entitlements is GET /api/entitlement/v2/users/me/internal/entitlements:
// the token owner's games, paged with limit and offset (start in the answer).
func (s *Sim) entitlements(c *call) {
	if !c.selfOnly() {
		return
	}
	limit, offset, bad := pageParams(c.r.URL.Query(), 100, 500)
	if bad != "" {
		writePSNError(c.w, http.StatusBadRequest, codeProfileBadRequest, bad)
		return
	}
	all := gamesOf(s.cfg.Seed, c.me) // a game per PS4/PS5 title played
	rev := worldEpoch.UnixMilli()
	list := []object{}
	for _, p := range window(all, limit, offset) {
		t, st := p.x.t, p.x.t.store
		pkg := "PS4GD"
		if p.platform == "PS5" {
			pkg = "PSGD"
		}
		list = append(list, object{
			{"id", st.entitle}, {"activeDate", psnTime(p.x.firstPlayed)}, {"entitlementType", 5},
			{"skuId", st.skuID}, {"productId", st.productID}, {"activeFlag", true}, {"revisionId", rev - int64(t.idx)},
			{"featureType", 1}, {"preorderFlag", false}, {"remainingCount", 0}, {"consumedCount", 0},
			{"isConsumable", false}, {"isSubscription", false},
			{"entitlementAttributes", []object{{{"entitlementKeyFlag", true}, {"platformId", strings.ToLower(p.platform)}, {"placeholderFlag", false}}}},
			{"gameMeta", object{{"name", t.name}, {"type", pkg}, {"iconUrl", st.icon}, {"packageType", pkg}}},
			{"titleMeta", object{{"titleId", p.titleID}, {"name", t.name}, {"imageUrl", st.cover}}},
			{"conceptMeta", object{{"conceptId", itoa(int64(st.conceptID))}, {"name", t.name}, {"iconUrl", st.cover}, {"minimumAge", st.minimumAge}}},
			{"rewardMeta", object{{"rewardServiceType", 0}, {"retentionPolicy", 0}}},
			{"preorderPlaceholderFlag", false}, {"isBeta", false}, {"isGame", true}, {"serviceType", 0},
		})
	}
	writeJSON(c.w, http.StatusOK, object{{"revisionId", rev}, {"start", offset}, {"totalResults", len(all)}, {"entitlements", list}})
}

// concepts is GET /api/catalog/v2/titles/{titleId}/concepts?age&country&language:
// the store concept of a title id, as a one-element array. The names are
// not translated; country and language are echoed.
func (s *Sim) concepts(c *call) {
	t := s.catalog().byTitle[c.r.PathValue("titleId")]
	if t == nil {
		writePSNError(c.w, http.StatusNotFound, 0, "Resource not found")
		return
	}
	q := c.r.URL.Query()
	country := strings.ToUpper(q.Get("country"))
	if country == "" {
		country = "US"
	}
	lang, _, _ := strings.Cut(q.Get("language"), ",")
	lang, _, _ = strings.Cut(lang, "-")
	if lang == "" {
		lang = "en"
	}
	writeJSON(c.w, http.StatusOK, []object{conceptJSON(s.cfg.Seed, t, country, lang)})
}

func conceptJSON(seed int64, t *title, country, lang string) object {
	st := t.store
	r := newRNG(seed, "title", t.idx, "concept")
	var images []object
	for _, im := range st.images {
		images = append(images, object{{"url", im.url}, {"type", im.typ}})
	}
	video := object{{"id", itoa(int64(r.between(1000000, 9999999)))},
		{"url", "https://vulcan.dl.playstation.net/img/rnd/" + t.released.Format("200601") + "/" + r.alnum(24) + ".mp4"},
		{"hlsUrl", "https://vulcan.dl.playstation.net/ap/bm/" + r.uuid() + "/master_avc.m3u8"},
		{"hlsUrl4k", "https://vulcan.dl.playstation.net/ap/bm/" + r.uuid() + "/master_hevc.m3u8"},
		{"posters", []string{st.images[0].url}}, {"type", "PREVIEW"}}
	media := object{{"videos", []object{video}}, {"images", images}}
	desc := t.name + " by " + st.publisher + "."
	genres := st.genres
	var locGenres []object
	for _, g := range genres {
		locGenres = append(locGenres, object{{"value", strings.ToUpper(g[:1]) + strings.ToLower(strings.ReplaceAll(g[1:], "_", " "))}, {"type", g}})
	}
	rating := object{{"authority", "ESRB"}, {"description", "ESRB Teen"}, {"name", "ESRB_TEEN"},
		{"url", "https://image.api.playstation.com/grc/images/ratings/hd/esrb/t.png"},
		{"descriptors", []object{{{"description", "Fantasy Violence"}, {"name", "ESRB_FANTASY_VIOLENCE"}}}},
		{"interactiveElements", []string{}}}
	productRating := append(slices.Clone(rating[:4]), member{"url4k", "https://image.api.playstation.com/grc/images/ratings/4k/esrb/t.png"})
	productRating = append(productRating, rating[4:]...)
	fronts := append([]string{"WEB_STORE"}, st.platforms...)
	notices := []object{{{"type", "NO_OF_NETWORK_PLAYERS"}, {"value", r.between(1, 30)}},
		{{"type", "REMOTE_PLAY_SUPPORTED"}, {"value", true}},
		{{"type", "PS5_VIBRATION"}, {"value", "OPTIONAL"}, {"targetPlatforms", st.platforms}}}
	stars := []object{}
	total := 0
	for score := 1; score <= 5; score++ {
		n := r.between(10, 5000) * score
		total += n
		stars = append(stars, object{{"score", score}, {"count", n}})
	}
	starRating := object{{"total", itoa(int64(total))}, {"score", fmt.Sprintf("%.2f", 3+2*r.float())}, {"count", stars}}
	price := "Free"
	if st.price > 0 {
		price = fmt.Sprintf("$%d.%02d", st.price/100, st.price%100)
	}
	var pkgs []object
	for _, p := range st.platforms {
		pkgs = append(pkgs, object{{"playablePlatform", p}, {"size", r.between(1, 90) << 30}})
	}
	pkgType := "PS4GD"
	if st.platforms[0] == "PS5" {
		pkgType = "PSGD"
	}
	sku := object{{"id", st.skuID}, {"displayPrice", price}, {"price", st.price}, {"eligibilities", []any{}},
		{"type", "STANDARD"}, {"name", "Game"}, {"entitlements", []object{{
			{"id", st.entitle}, {"name", t.name}, {"applicationType", "STANDARD"}, {"packageType", pkgType},
			{"preorderPlaceholderFlag", false}, {"type", "UNIFIED"}, {"subType", "REGULAR"},
			{"packages", pkgs}, {"featureType", "NONE"},
		}}}, {"chargeImmediatelyFlag", false}, {"storeFronts", fronts}, {"supportedStoreFronts", fronts}}
	product := object{
		{"id", st.productID}, {"conceptId", st.conceptID}, {"titleId", st.titleID}, {"name", t.name}, {"nameEn", t.name},
		{"phoneticPronunciation", ""}, {"spokenName", ""}, {"minimumAge", st.minimumAge}, {"type", "GAME.FULL_GAME"},
		{"storeClassification", "GAME"}, {"storePrimaryClassification", "PREMIUM_GAME"}, {"storeSubClassification", "NA"},
		{"storeDisplayClassification", "FULL_GAME"}, {"localizedStoreDisplayClassification", "Full Game"},
		{"topCategory", "GAME"}, {"localizedTopCategory", "Game"},
		{"edition", object{{"name", ""}, {"nameEn", ""}, {"phoneticPronunciation", ""}, {"spokenName", ""}, {"type", "STANDARD"}, {"features", []string{}}}},
		{"isDefaultProduct", true}, {"isBestSelling", r.chance(0.1)},
		{"descriptions", []object{{{"type", "LONG"}, {"desc", desc}}}},
		{"contentRating", productRating}, {"media", media}, {"genres", genres}, {"localizedGenres", locGenres},
		{"subGenres", []string{"N/A"}}, {"localizedSubGenres", []object{{{"value", "N/A"}, {"type", "N/A"}}}},
		{"releaseDate", psnTime(t.released)}, {"localizedReleaseDate", t.released.Format("01/02/2006")},
		{"isRecommendableOnStore", true}, {"isSearchableOnStore", true}, {"isInGameStore", false},
		{"isPlaystationStore", true}, {"isPlatformRepresentative", true}, {"isConsumable", false},
		{"leadPublisherName", st.publisher}, {"marketingStories", []any{}}, {"compatibilityNotices", notices},
		{"storeFronts", fronts}, {"supportedStoreFronts", fronts}, {"revisionIds", object{}},
		{"targetPlatforms", st.platforms}, {"skus", []object{sku}},
		{"offers", object{{"osls", []any{}}, {"skuRelevancy", []object{{{"skuId", st.skuID}, {"offerAvailability", []any{}}}}}}},
		{"starRating", starRating}, {"isTrending", false}, {"contentTypeId", 1},
	}
	categorized := []object{{{"topCategory", "GAME"}, {"ids", []string{st.productID}}}}
	if len(st.addOns) > 0 {
		var ids []string
		for _, a := range st.addOns {
			ids = append(ids, a.productID)
		}
		categorized = append(categorized, object{{"topCategory", "ADD_ON"}, {"ids", ids}})
	}
	loc := func(v any) object { return object{{"defaultLanguage", "en-US"}, {"metadata", object{{"en-US", v}}}} }
	return object{
		{"id", st.conceptID}, {"name", t.name}, {"nameEn", t.name}, {"publisherName", st.publisher}, {"media", media},
		{"descriptions", []object{{{"type", "LONG"}, {"desc", desc}}}}, {"categorizedProducts", categorized},
		{"titleIds", t.npTitleIDs}, {"country", country}, {"language", lang}, {"type", "GAME"},
		{"localizedName", loc(t.name)}, {"localizedDescriptions", loc([]object{{{"desc", desc}, {"type", "LONG"}}})},
		{"localizedPublisherName", loc(st.publisher)}, {"defaultProduct", product},
		{"genres", genres}, {"localizedGenres", locGenres}, {"subGenres", []string{"N/A"}},
		{"localizedSubGenres", []object{{{"value", "N/A"}, {"type", "N/A"}}}}, {"minimumAge", st.minimumAge},
		{"releaseDate", object{{"date", psnTime(t.released)}, {"localizedDate", t.released.Format("01/02/2006")}, {"type", "DAY_MONTH_YEAR"}}},
		{"isRecommendableOnStore", true}, {"isSearchableOnStore", true}, {"storeFronts", fronts},
		{"supportedStoreFronts", fronts}, {"marketingStories", []any{}}, {"compatibilityNotices", notices},
		{"localizedMedia", loc(media)}, {"revisionIds", object{{"all", worldEpoch.UnixMilli()}, {"self", t.released.UnixMilli()}}},
		{"contentRating", rating}, {"starRating", starRating},
	}
}
