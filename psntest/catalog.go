package psntest

import (
	"fmt"
	"strings"
	"time"
)

// storeInfo is the PlayStation Store's side of a catalogue title: its
// concept, default product, add-ons and media.
type storeInfo struct {
	conceptID  int
	productID  string // UP1004-PPSA03420_00-GTAOSTANDALONE01
	skuID      string
	entitle    string // entitlement id
	titleID    string // the title id the store sells (PS5 first)
	platforms  []string
	publisher  string
	genres     []string
	minimumAge int
	price      int // cents
	cover      string
	icon       string
	images     []storeImage
	addOns     []addOn
}

type storeImage struct{ typ, url string }

type addOn struct {
	productID, name, icon string
}

var (
	publishers = []string{"Harbor Light Games", "Nine Tides Studio", "Kestrel Interactive", "Crimson Gate Ltd",
		"Velvet Owl Entertainment", "North Signal Games"}
	genreList  = []string{"ACTION", "ADVENTURE", "ROLE_PLAYING_GAMES", "STRATEGY", "SHOOTER", "SPORTS", "RACING", "PUZZLE", "FAMILY"}
	imageTypes = []string{"BACKGROUND_LAYER_ART", "FOUR_BY_THREE_BANNER", "GAMEHUB_COVER_ART", "LOGO", "MASTER", "PORTRAIT_BANNER", "SCREENSHOT"}
	ageRatings = []int{0, 3, 7, 12, 16, 18}
)

// vulcanURL is an image URL in the style of the store's CDN.
func vulcanURL(r *rng, released time.Time, ext string) string {
	return fmt.Sprintf("https://image.api.playstation.com/vulcan/ap/rnd/%s/%02d%02d/%s.%s",
		released.Format("200601"), released.Day(), r.intn(24), r.alnum(24), ext)
}

// newStoreInfo derives the store data of t.
func newStoreInfo(seed int64, t *title) storeInfo {
	r := newRNG(seed, "title", t.idx, "store")
	s := storeInfo{
		conceptID:  10000000 + t.idx*977,
		publisher:  r.pick(publishers),
		genres:     []string{r.pick(genreList)},
		minimumAge: ageRatings[r.intn(len(ageRatings))],
		price:      []int{0, 999, 1999, 2999, 3999, 5999, 6999}[r.intn(7)],
	}
	s.titleID = t.npTitleIDs[len(t.npTitleIDs)-1]
	for _, id := range t.npTitleIDs {
		if strings.HasPrefix(id, "PPSA") {
			s.titleID = id
		}
	}
	switch {
	case strings.Contains(t.platform, "PS5"):
		s.platforms = []string{"PS5"}
	case strings.Contains(t.platform, "PS4"):
		s.platforms = []string{"PS4"}
	case strings.Contains(t.platform, "PSVITA"):
		s.platforms = []string{"PSVITA"}
	default:
		s.platforms = []string{"PS3"}
	}
	label := strings.ToUpper(r.alnum(16))
	s.productID = fmt.Sprintf("UP%04d-%s-%s", r.between(1, 9999), s.titleID, label)
	s.skuID = s.productID + "-U001"
	s.entitle = s.productID
	s.cover = vulcanURL(r, t.released, "png")
	s.icon = fmt.Sprintf("https://image.api.playstation.com/gs2-sec/appkgo/prod/%s/%d/i_%s/icon0.png", s.titleID, r.between(1, 9), r.hex(64))
	for _, typ := range imageTypes {
		s.images = append(s.images, storeImage{typ, vulcanURL(r, t.released, "jpg")})
	}
	for i := range r.intn(4) {
		s.addOns = append(s.addOns, addOn{
			productID: fmt.Sprintf("%s-%s%02d", s.productID[:len(s.productID)-len(label)-1], strings.ToUpper(r.alnum(14)), i),
			name:      t.name + ": " + r.pick(titleWords2) + " Pack",
			icon:      vulcanURL(r, t.released, "png"),
		})
	}
	return s
}
