package psntest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The world is what the simulated PSN knows: a catalogue of trophy titles
// shared by everybody, and users who own some of those titles. Everything
// in it derives from the seed; time-like data is anchored at worldEpoch, not
// at the clock, so that the same seed gives byte-identical answers.

// worldEpoch is the simulated "present" of the data (the last trophy any
// generated user earned is before it).
var worldEpoch = time.Date(2025, time.May, 1, 0, 0, 0, 0, time.UTC)

// catalogSize is the number of trophy titles in the catalogue.
const catalogSize = 600

// trophyType is a trophy grade.
type trophyType uint8

const (
	bronze trophyType = iota
	silver
	gold
	platinum
)

// String is the grade's name in PSN's JSON.
func (t trophyType) String() string {
	return [...]string{"bronze", "silver", "gold", "platinum"}[t]
}

// points returns the grade's worth towards the trophy level (PSN's 2020
// values: 15, 30, 90, 300).
func (t trophyType) points() int { return [...]int{15, 30, 90, 300}[t] }

// trophyCounts is PSN's {"bronze","silver","gold","platinum"} object.
type trophyCounts struct {
	Bronze   int `json:"bronze"`
	Silver   int `json:"silver"`
	Gold     int `json:"gold"`
	Platinum int `json:"platinum"`
}

func (c *trophyCounts) add(t trophyType) {
	switch t {
	case bronze:
		c.Bronze++
	case silver:
		c.Silver++
	case gold:
		c.Gold++
	case platinum:
		c.Platinum++
	}
}

func (c *trophyCounts) plus(o trophyCounts) {
	c.Bronze += o.Bronze
	c.Silver += o.Silver
	c.Gold += o.Gold
	c.Platinum += o.Platinum
}

// titleProgress is PSN's per-title progress: earned points over defined
// points, rounded down, with bronze 15, silver 30, gold 90 and platinum not
// counted. (It matches all 2153 titles of the recordings.)
func titleProgress(earned, defined trophyCounts) int {
	pts := func(c trophyCounts) int { return 15*c.Bronze + 30*c.Silver + 90*c.Gold }
	d := pts(defined)
	if d == 0 {
		return 0
	}
	return pts(earned) * 100 / d
}

// platformKind describes one value of trophyTitlePlatform.
type platformKind struct {
	name     string   // e.g. "PS5,PSPC"
	service  string   // "trophy" or "trophy2"
	prefixes []string // npTitleId prefix of each platform's title id
	from, to int      // release years
	weight   int
}

// platformKinds are the trophyTitlePlatform values seen in the recordings,
// weighted roughly like the recordings.
var platformKinds = [...]platformKind{
	{"PS4", "trophy", []string{"CUSA"}, 2014, 2023, 45},
	{"PS5", "trophy2", []string{"PPSA"}, 2020, 2025, 33},
	{"PS5,PSPC", "trophy2", []string{"PPSA"}, 2022, 2025, 3},
	{"PSVITA", "trophy", []string{"PCSE"}, 2012, 2016, 6},
	{"PSVITA,PS4", "trophy", []string{"PCSE", "CUSA"}, 2014, 2017, 3},
	{"PS3", "trophy", []string{"NPUB"}, 2008, 2013, 6},
	{"PS3,PS4", "trophy", []string{"NPUB", "CUSA"}, 2013, 2015, 2},
	{"PS3,PSVITA,PS4", "trophy", []string{"NPUB", "PCSE", "CUSA"}, 2013, 2015, 2},
}

// title is one trophy set of the catalogue.
type title struct {
	idx        int
	npCommID   string   // NPWR12345_00
	npTitleIDs []string // CUSA12345_00, PPSA12345_00, ...
	name       string
	detail     string // trophyTitleDetail (PS3/PS4/Vita sets only)
	platform   string
	service    string
	setVersion string
	iconURL    string
	released   time.Time
	groups     []trophyGroup
	types      []trophyType // by trophy id
	groupOf    []int        // index into groups, by trophy id
	targets    []int        // PS5 progress target by trophy id; 0 = none
	iconDir    string       // where the set's trophy icons live
	defs       func() []trophyDef
	store      storeInfo
}

type trophyGroup struct {
	id, name, detail, iconURL string
}

// trophyDef is one trophy of a title, as the title endpoints describe it.
type trophyDef struct {
	id          int
	hidden      bool
	typ         trophyType
	name        string
	detail      string
	iconURL     string
	groupID     string
	earnedRate  string // one decimal, e.g. "7.4"
	rare        int    // 0 ultra rare, 1 very rare, 2 rare, 3 common
	rewardName  string // PS5 only, rarely
	rewardImage string
}

// definedIn returns the trophy counts of group g.
func (t *title) definedIn(g int) trophyCounts {
	var c trophyCounts
	for id, ty := range t.types {
		if t.groupOf[id] == g {
			c.add(ty)
		}
	}
	return c
}

// groupIndex returns the index of the group with that id, or -1.
func (t *title) groupIndex(id string) int {
	for i, g := range t.groups {
		if g.id == id {
			return i
		}
	}
	return -1
}

// rarity is PSN's trophyRare for an earned rate in percent: 0 ultra rare
// (under 5), 1 very rare (under 15), 2 rare (under 50), 3 common. The
// recorded rates fit these bounds.
func rarity(rate float64) int {
	switch {
	case rate < 5:
		return 0
	case rate < 15:
		return 1
	case rate < 50:
		return 2
	}
	return 3
}

var (
	trophyVerbs = []string{"Conquer", "Find", "Master", "Survive", "Defeat", "Collect", "Escape", "Unlock", "Reach",
		"Protect", "Discover", "Restore", "Outrun", "Befriend", "Craft", "Chart"}
	trophyNouns = []string{"the Harbor", "Every Relic", "the Storm", "the Archive", "All Lanterns", "the Frontier",
		"the Last Gate", "the Old Engine", "Ten Outposts", "the Tides", "a Legend", "the Citadel", "the Signal"}
	rewardNames = []string{"Golden Outfit", "Photo Mode Frame", "Avatar", "Weapon Skin", "Profile Banner"}
)

// rateBounds are the earned rates of each grade, in tenths of a percent.
var rateBounds = [...][2]int{bronze: {150, 950}, silver: {60, 600}, gold: {20, 250}, platinum: {5, 150}}

// newDefs derives the trophy texts and rates of t.
func newDefs(seed int64, t *title) []trophyDef {
	r := newRNG(seed, "title", t.idx, "defs")
	defs := make([]trophyDef, len(t.types))
	for id, ty := range t.types {
		d := trophyDef{id: id, typ: ty, groupID: t.groups[t.groupOf[id]].id}
		b := rateBounds[ty]
		rate := float64(r.between(b[0], b[1])) / 10
		d.earnedRate = fmt.Sprintf("%.1f", rate)
		d.rare = rarity(rate)
		if ty == platinum {
			d.name, d.detail = t.name+" Platinum", "Obtain all trophies."
		} else {
			d.name = r.pick(trophyVerbs) + " " + r.pick(trophyNouns)
			d.detail = d.name + "."
			if t.targets[id] > 0 {
				d.detail = fmt.Sprintf("%s %d times.", d.name, t.targets[id])
			}
			d.hidden = r.chance(0.15)
		}
		if t.service == "trophy" {
			d.iconURL = t.iconDir + strings.ToUpper(r.hex(40)) + ".PNG"
		} else {
			d.iconURL = t.iconDir + r.uuid() + ".png"
			if r.chance(0.03) {
				d.rewardName = r.pick(rewardNames)
				d.rewardImage = t.iconDir + r.uuid() + ".png"
			}
		}
		defs[id] = d
	}
	return defs
}

// defined returns the title's trophy counts, all groups together.
func (t *title) defined() trophyCounts {
	var c trophyCounts
	for _, ty := range t.types {
		c.add(ty)
	}
	return c
}

var (
	titleWords1 = []string{"Crimson", "Silent", "Astral", "Iron", "Neon", "Forgotten", "Eternal", "Shattered",
		"Golden", "Hollow", "Frozen", "Savage", "Lunar", "Hidden", "Broken", "Wild", "Last", "Electric",
		"Velvet", "Distant", "Burning", "Quiet", "Rogue", "Sacred"}
	titleWords2 = []string{"Harbor", "Kingdom", "Circuit", "Legacy", "Frontier", "Odyssey", "Protocol", "Horizon",
		"Requiem", "Garden", "Citadel", "Drift", "Empire", "Signal", "Voyage", "Tides", "Outpost", "Saga",
		"Engine", "Lantern", "Archive", "Canyon", "Reverie", "Dominion"}
	titleSuffixes = []string{"", "", "", "", "", " II", " III", " Remastered", ": Origins", " Deluxe", "™", " 2"}
)

// newTitle derives catalogue entry idx.
func newTitle(seed int64, idx int) *title {
	r := newRNG(seed, "title", idx)
	total := 0
	for _, p := range platformKinds {
		total += p.weight
	}
	w := r.intn(total)
	var pk platformKind
	for _, p := range platformKinds {
		if w < p.weight {
			pk = p
			break
		}
		w -= p.weight
	}
	t := &title{
		idx:      idx,
		npCommID: fmt.Sprintf("NPWR%05d_00", 10000+(idx*7919)%90000),
		platform: pk.name,
		service:  pk.service,
	}
	for i, pre := range pk.prefixes {
		t.npTitleIDs = append(t.npTitleIDs, fmt.Sprintf("%s%05d_00", pre, 10000+((idx*7+i)*6271)%90000))
	}
	t.name = r.pick(titleWords1) + " " + r.pick(titleWords2) + r.pick(titleSuffixes)
	if pk.service == "trophy" {
		t.detail = t.name
	}
	t.setVersion = "01.00"
	if r.chance(0.3) {
		t.setVersion = fmt.Sprintf("01.%02d", r.between(1, 40))
	}
	if pk.service == "trophy" {
		t.iconDir = fmt.Sprintf("https://image.api.playstation.com/trophy/np/%s_00%s/", t.npCommID, strings.ToUpper(r.hex(40)))
		t.iconURL = t.iconDir + strings.ToUpper(r.hex(40)) + ".PNG"
	} else {
		t.iconDir = "https://psnobj.prod.dl.playstation.net/psnobj/" + t.npCommID + "/"
		t.iconURL = t.iconDir + r.uuid() + ".png"
	}
	year := r.between(pk.from, pk.to)
	t.released = time.Date(year, time.Month(r.between(1, 12)), r.between(1, 28), 0, 0, 0, 0, time.UTC)
	if t.released.After(worldEpoch) {
		t.released = worldEpoch.AddDate(0, -2, 0)
	}

	// The base game: a platinum (most sets), then golds, silvers, bronzes
	// in a shuffled order, as PSN lists them by trophy id.
	t.groups = append(t.groups, trophyGroup{id: "default", name: t.name, detail: t.detail, iconURL: t.iconURL})
	var base []trophyType
	if r.chance(0.85) {
		base = repeatType(base, gold, r.between(1, 8))
		base = repeatType(base, silver, r.between(3, 15))
		base = repeatType(base, bronze, r.between(6, 40))
	} else { // a small set without a platinum
		base = repeatType(base, gold, r.between(0, 2))
		base = repeatType(base, silver, r.between(1, 4))
		base = repeatType(base, bronze, r.between(4, 12))
	}
	shuffle(r, base)
	if len(base) > 15 {
		t.types = append(t.types, platinum)
	}
	t.types = append(t.types, base...)
	for range t.types {
		t.groupOf = append(t.groupOf, 0)
	}
	if r.chance(0.2) { // add-on groups "001", "002", ...
		for g := 1; g <= r.between(1, 4); g++ {
			name := t.name + " " + r.pick(titleWords2) + " Pack"
			detail := ""
			if t.service == "trophy" {
				detail = name
			}
			t.groups = append(t.groups, trophyGroup{id: fmt.Sprintf("%03d", g), name: name, detail: detail, iconURL: t.iconURL})
			var dlc []trophyType
			dlc = repeatType(dlc, gold, r.between(0, 1))
			dlc = repeatType(dlc, silver, r.between(0, 3))
			dlc = repeatType(dlc, bronze, r.between(1, 8))
			shuffle(r, dlc)
			for _, ty := range dlc {
				t.types = append(t.types, ty)
				t.groupOf = append(t.groupOf, g)
			}
		}
	}
	// PS5 sets track progress towards some trophies.
	t.targets = make([]int, len(t.types))
	if t.service == "trophy2" {
		for id, ty := range t.types {
			if ty != platinum && r.chance(0.15) {
				t.targets[id] = r.between(2, 500)
			}
		}
	}
	t.defs = sync.OnceValue(func() []trophyDef { return newDefs(seed, t) })
	t.store = newStoreInfo(seed, t)
	return t
}

func repeatType(xs []trophyType, t trophyType, n int) []trophyType {
	for range n {
		xs = append(xs, t)
	}
	return xs
}

func shuffle[T any](r *rng, xs []T) {
	for i := len(xs) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		xs[i], xs[j] = xs[j], xs[i]
	}
}

// catalog is the seed's title catalogue, built on first use.
type catalog struct {
	titles   []*title
	byCommID map[string]*title
	byTitle  map[string]*title // npTitleId -> title
}

func newCatalog(seed int64) *catalog {
	c := &catalog{byCommID: map[string]*title{}, byTitle: map[string]*title{}}
	for i := range catalogSize {
		t := newTitle(seed, i)
		c.titles = append(c.titles, t)
		c.byCommID[t.npCommID] = t
		for _, id := range t.npTitleIDs {
			c.byTitle[id] = t
		}
	}
	return c
}

// user is one simulated PSN account.
type user struct {
	idx       int
	onlineID  string
	accountID string

	// private users (indexes 3, 8, 13, ...) show their trophies, friends
	// and presence to nobody but themselves.
	private bool

	// Guarded by Sim.mu.
	npsso    string // "" when revoked
	npssoGen int

	trophies func() *userTrophies // derived on first use
	profile  func() *profile      // derived on first use
}

// userTrophies is a user's trophy data: the titles they played, newest
// activity first, and the sum over them.
type userTrophies struct {
	titles  []*userTitle
	earned  trophyCounts
	byComm  map[string]*userTitle
	summary trophySummary
}

// userTitle is one title as played by one user.
type userTitle struct {
	t           *title
	firstPlayed time.Time
	earnedAt    []int64 // unix seconds by trophy id; 0 = not earned
	progressed  []int32 // progress towards t.targets, by trophy id (PS5)
	progressAt  []int64 // unix seconds of the last progress, by trophy id
	earned      trophyCounts
	progress    int
	lastUpdated time.Time
}

// earnedIn returns the user's earned counts in group g.
func (x *userTitle) earnedIn(g int) trophyCounts {
	var c trophyCounts
	for id, at := range x.earnedAt {
		if at != 0 && x.t.groupOf[id] == g {
			c.add(x.t.types[id])
		}
	}
	return c
}

// lastEarnedIn returns the latest earned instant in group g (g < 0: any).
func (x *userTitle) lastEarnedIn(g int) (time.Time, bool) {
	var last int64
	for id, at := range x.earnedAt {
		if at > last && (g < 0 || x.t.groupOf[id] == g) {
			last = at
		}
	}
	return time.Unix(last, 0).UTC(), last != 0
}

var (
	idWords1 = []string{"Nova", "Kestrel", "Ember", "Frost", "Pixel", "Shadow", "Lucky", "Cosmo", "Drift",
		"Raven", "Solar", "Turbo", "Mossy", "Vivid", "Zephyr", "Onyx", "Atlas", "Blaze"}
	idWords2 = []string{"Falcon", "Otter", "Rider", "Wolf", "Lynx", "Pilot", "Sage", "Comet", "Moth",
		"Knight", "Fox", "Golem", "Panda", "Viper", "Heron", "Yeti", "Bard", "Crow"}
	idSeps = []string{"", "_", "-", ""}
)

// newUser derives user idx of the seed. taken reports whether an online id
// or account id is already used; the draw is repeated until both are free.
func newUser(seed int64, idx int, taken func(onlineID, accountID string) bool) *user {
	for attempt := 0; ; attempt++ {
		r := newRNG(seed, "user", idx, attempt)
		online := r.pick(idWords1) + r.pick(idSeps) + r.pick(idWords2)
		if n := fmt.Sprint(r.between(1, 999)); r.chance(0.7) && len(online)+len(n) <= 16 {
			online += n // PSN online ids have 3 to 16 characters
		}
		acct := fmt.Sprint(1_000_000_000_000_000_000 + r.next()%8_000_000_000_000_000_000)
		if taken(online, acct) {
			continue
		}
		return &user{idx: idx, onlineID: online, accountID: acct, private: idx%5 == 3}
	}
}

// npssoFor derives the gen-th NPSSO of user idx: 64 characters like PSN's.
func npssoFor(seed int64, idx, gen int) string {
	return newRNG(seed, "npsso", idx, gen).alnum(64)
}

// deriveTrophies builds a user's trophy data from the catalogue.
func deriveTrophies(seed int64, idx int, cat *catalog) *userTrophies {
	r := newRNG(seed, "user", idx, "trophies")
	ut := &userTrophies{byComm: map[string]*userTitle{}}
	n := r.between(30, 280)
	if idx >= 3 && r.chance(0.1) {
		n = 0 // a fresh account, like the recordings' bot account
	}
	joined := worldEpoch.AddDate(0, 0, -r.between(200, 5000))
	order := make([]int, catalogSize)
	for i := range order {
		order[i] = i
	}
	for i := range n { // partial Fisher-Yates: n distinct titles
		j := i + r.intn(catalogSize-i)
		order[i], order[j] = order[j], order[i]
		ut.titles = append(ut.titles, deriveUserTitle(newRNG(seed, "user", idx, "title", order[i]), cat.titles[order[i]], joined))
	}
	slices.SortStableFunc(ut.titles, func(a, b *userTitle) int { return b.lastUpdated.Compare(a.lastUpdated) })
	for _, x := range ut.titles {
		ut.byComm[x.t.npCommID] = x
		ut.earned.plus(x.earned)
	}
	ut.summary = summarize(ut.earned)
	return ut
}

func deriveUserTitle(r *rng, t *title, joined time.Time) *userTitle {
	x := &userTitle{t: t, earnedAt: make([]int64, len(t.types))}
	start := t.released
	if joined.After(start) {
		start = joined
	}
	span := worldEpoch.Sub(start)
	if span < 48*time.Hour {
		span = 48 * time.Hour
		start = worldEpoch.Add(-span)
	}
	first := start.Add(time.Duration(r.float() * float64(span) * 0.9)).Truncate(time.Second)
	x.lastUpdated, x.firstPlayed = first, first
	var f float64
	switch v := r.float(); {
	case v < 0.1:
		f = 0 // started, nothing earned yet
	case v < 0.25:
		f = 1 // completed
	default:
		f = 0.05 + 0.9*r.float()
	}
	when := first
	baseDone := true
	for id, ty := range t.types {
		if ty == platinum {
			continue
		}
		if f == 1 || (f > 0 && r.chance(f)) {
			when = when.Add(time.Duration(r.between(60, 3*86400)) * time.Second)
			if when.After(worldEpoch) {
				when = worldEpoch.Add(-time.Duration(r.between(1, 3600)) * time.Second)
			}
			x.earnedAt[id] = when.Unix()
			x.earned.add(ty)
			if when.After(x.lastUpdated) {
				x.lastUpdated = when
			}
		} else if t.groupOf[id] == 0 {
			baseDone = false
		}
	}
	if t.types[0] == platinum && baseDone {
		x.earnedAt[0] = x.lastUpdated.Unix()
		x.earned.add(platinum)
	}
	x.progressed = make([]int32, len(t.types))
	x.progressAt = make([]int64, len(t.types))
	for id, target := range t.targets {
		switch {
		case target == 0:
		case x.earnedAt[id] != 0:
			x.progressed[id], x.progressAt[id] = int32(target), x.earnedAt[id]
		case f > 0 && r.chance(0.6):
			x.progressed[id] = int32(r.between(1, target-1))
			x.progressAt[id] = first.Add(time.Duration(r.float() * float64(worldEpoch.Sub(first)))).Unix()
		}
	}
	x.progress = titleProgress(x.earned, t.defined())
	return x
}

// trophySummary is the body of GET /api/trophy/v1/users/{acc}/trophySummary
// (without the accountId).
type trophySummary struct {
	level, points, basePoint, nextPoint, progress, tier int
	earned                                              trophyCounts
}

// levelSteps are the points needed to go up one level, by range of 100
// levels, in PSN's 2020 trophy level system (levels 1 to 999).
var levelSteps = [...]int{60, 90, 450, 900, 1350, 1800, 2250, 2700, 3150, 3600}

// summarize computes trophy level, progress and tier from earned counts.
func summarize(c trophyCounts) trophySummary {
	pts := c.Bronze*bronze.points() + c.Silver*silver.points() + c.Gold*gold.points() + c.Platinum*platinum.points()
	s := trophySummary{points: pts, earned: c, level: 1}
	base := 0
	for s.level < 999 {
		step := levelSteps[s.level/100]
		if base+step > pts {
			break
		}
		base += step
		s.level++
	}
	s.basePoint = base
	if s.level == 999 {
		s.nextPoint = base
		s.progress = 100
	} else {
		s.nextPoint = base + levelSteps[s.level/100]
		s.progress = (pts - base) * 100 / (s.nextPoint - base)
	}
	switch {
	case s.level == 999:
		s.tier = 10
	default:
		s.tier = s.level/100 + 1
		if s.tier > 9 {
			s.tier = 9
		}
	}
	return s
}
