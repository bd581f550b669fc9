package psntest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func (s *Sim) trophyRoutes() []route {
	return []route{
		{"GET", "/api/trophy/v1/users/{acc}/trophySummary", bearer, s.trophySummary},
		{"GET", "/api/trophy/v1/users/{acc}/trophyTitles", bearer, s.trophyTitles},
	}
}

// trophyUser resolves the {acc} of a trophy route: "me", or a known numeric
// account id whose trophies the caller may see (a private user's are 403,
// as recorded). Otherwise it writes PSN's error and returns nil.
func (c *call) trophyUser() *user {
	acc := c.r.PathValue("acc")
	switch {
	case acc == "me":
		return c.me
	case !isAccountID(acc):
		writePSNError(c.w, http.StatusBadRequest, codeTrophyBadRequest, "Bad Request (path: accountId)")
		return nil
	}
	u := c.s.userByAccount(acc)
	switch {
	case u == nil:
		writePSNError(c.w, http.StatusNotFound, codeTrophyNotFound, "Resource not found")
	case !c.canSee(u):
		writePSNError(c.w, http.StatusForbidden, codeTrophyForbidden, "Not permitted by access control")
		return nil
	}
	return u
}

// canSee reports whether the caller may see u's trophies, friends and
// presence: their own always, a private user's never.
func (c *call) canSee(u *user) bool { return u == c.me || !u.private }

type trophySummaryJSON struct {
	AccountID            string       `json:"accountId"`
	TrophyLevel          int          `json:"trophyLevel"`
	TrophyPoint          int          `json:"trophyPoint"`
	TrophyLevelBasePoint int          `json:"trophyLevelBasePoint"`
	TrophyLevelNextPoint int          `json:"trophyLevelNextPoint"`
	Progress             int          `json:"progress"`
	Tier                 int          `json:"tier"`
	EarnedTrophies       trophyCounts `json:"earnedTrophies"`
}

// trophySummary is GET /api/trophy/v1/users/{acc}/trophySummary.
func (s *Sim) trophySummary(c *call) {
	u := c.trophyUser()
	if u == nil {
		return
	}
	sum := u.trophies().summary
	writeJSON(c.w, http.StatusOK, trophySummaryJSON{
		AccountID:            u.accountID,
		TrophyLevel:          sum.level,
		TrophyPoint:          sum.points,
		TrophyLevelBasePoint: sum.basePoint,
		TrophyLevelNextPoint: sum.nextPoint,
		Progress:             sum.progress,
		Tier:                 sum.tier,
		EarnedTrophies:       sum.earned,
	})
}

type trophyTitleJSON struct {
	NpServiceName       string       `json:"npServiceName"`
	NpCommunicationID   string       `json:"npCommunicationId"`
	TrophySetVersion    string       `json:"trophySetVersion"`
	TrophyTitleName     string       `json:"trophyTitleName"`
	TrophyTitleDetail   string       `json:"trophyTitleDetail,omitempty"`
	TrophyTitleIconURL  string       `json:"trophyTitleIconUrl"`
	TrophyTitlePlatform string       `json:"trophyTitlePlatform"`
	HasTrophyGroups     bool         `json:"hasTrophyGroups"`
	TrophyGroupCount    int          `json:"trophyGroupCount"`
	DefinedTrophies     trophyCounts `json:"definedTrophies"`
	Progress            int          `json:"progress"`
	EarnedTrophies      trophyCounts `json:"earnedTrophies"`
	HiddenFlag          bool         `json:"hiddenFlag"`
	LastUpdatedDateTime string       `json:"lastUpdatedDateTime"`
}

type trophyTitlesPage struct {
	TrophyTitles   []trophyTitleJSON `json:"trophyTitles"`
	NextOffset     *int              `json:"nextOffset,omitempty"`
	PreviousOffset *int              `json:"previousOffset,omitempty"`
	TotalItemCount int               `json:"totalItemCount"`
}

// psnTime formats an instant like PSN's trophy service.
func psnTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// trophyTitles is GET /api/trophy/v1/users/{acc}/trophyTitles?limit&offset:
// the titles with trophies a user played, latest activity first.
func (s *Sim) trophyTitles(c *call) {
	u := c.trophyUser()
	if u == nil {
		return
	}
	limit, offset, bad := pageParams(c.r.URL.Query(), 100, 800)
	if bad != "" {
		writePSNError(c.w, http.StatusBadRequest, codeTrophyBadRequest, bad)
		return
	}
	all := u.trophies().titles
	page := trophyTitlesPage{TrophyTitles: []trophyTitleJSON{}, TotalItemCount: len(all)}
	for _, x := range window(all, limit, offset) {
		page.TrophyTitles = append(page.TrophyTitles, x.json())
	}
	page.NextOffset, page.PreviousOffset = pageOffsets(len(all), limit, offset)
	writeJSON(c.w, http.StatusOK, page)
}

func (x *userTitle) json() trophyTitleJSON {
	t := x.t
	return trophyTitleJSON{
		NpServiceName:       t.service,
		NpCommunicationID:   t.npCommID,
		TrophySetVersion:    t.setVersion,
		TrophyTitleName:     t.name,
		TrophyTitleDetail:   t.detail,
		TrophyTitleIconURL:  t.iconURL,
		TrophyTitlePlatform: t.platform,
		HasTrophyGroups:     len(t.groups) > 1,
		TrophyGroupCount:    len(t.groups),
		DefinedTrophies:     t.defined(),
		Progress:            x.progress,
		EarnedTrophies:      x.earned,
		HiddenFlag:          false,
		LastUpdatedDateTime: psnTime(x.lastUpdated),
	}
}

// pageParams reads limit and offset (defaults def and 0; limit at most
// max). A bad value gives PSN's message, e.g. "Bad Request (query: limit)".
func pageParams(q url.Values, def, max int) (limit, offset int, bad string) {
	var err error
	limit, offset = def, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > max {
			return 0, 0, "Bad Request (query: limit)"
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, "Bad Request (query: offset)"
		}
	}
	return limit, offset, ""
}

// window returns xs[offset : offset+limit], clipped.
func window[T any](xs []T, limit, offset int) []T {
	if offset >= len(xs) {
		return nil
	}
	return xs[offset:min(len(xs), offset+limit)]
}

// pageOffsets returns PSN's nextOffset (absent on the last page) and
// previousOffset (absent on the first page; PSN reports offset-1, e.g. 49
// for the page at offset 50, as recorded).
func pageOffsets(total, limit, offset int) (next, prev *int) {
	if offset+limit < total {
		n := offset + limit
		next = &n
	}
	if offset > 0 {
		p := offset - 1
		prev = &p
	}
	return next, prev
}

// Phase 2: the title and per-user trophy endpoints.

func (s *Sim) trophyDetailRoutes() []route {
	const users = "/api/trophy/v1/users/{acc}"
	const titles = "/api/trophy/v1/npCommunicationIds/{np}/trophyGroups"
	return []route{
		{"GET", titles, bearer, s.titleTrophyGroups},
		{"GET", titles + "/{group}/trophies", bearer, s.titleTrophies},
		{"GET", users + "/npCommunicationIds/{np}/trophyGroups", bearer, s.userTrophyGroups},
		{"GET", users + "/npCommunicationIds/{np}/trophyGroups/{group}/trophies", bearer, s.userTrophies},
		{"GET", users + "/titles/trophyTitles", bearer, s.userTitlesByTitleID},
	}
}

// trophyTitle resolves {np} with its npServiceName: "trophy" is required
// for PS3, PS4 and Vita sets; PS5 sets take "trophy2" or nothing. An
// unknown set or a wrong service name is PSN's 404.
func (c *call) trophyTitle() *title {
	t := c.s.catalog().byCommID[c.r.PathValue("np")]
	q := c.r.URL.Query()
	svc, given := q.Get("npServiceName"), q.Has("npServiceName")
	if t == nil || (given && svc != t.service) || (!given && t.service != "trophy2") {
		writePSNError(c.w, http.StatusNotFound, codeTrophyNotFound, "Resource not found")
		return nil
	}
	return t
}

// trophyGroupArg resolves {group}: "all" (-1) or a group id of t.
func (c *call) trophyGroupArg(t *title) (int, bool) {
	g := c.r.PathValue("group")
	if g == "all" {
		return -1, true
	}
	if i := t.groupIndex(g); i >= 0 {
		return i, true
	}
	writePSNError(c.w, http.StatusNotFound, codeTrophyNotFound, "Resource not found")
	return 0, false
}

// playedTitle returns u's play of t, or writes PSN's 404 (as recorded for
// a title the user never played).
func (c *call) playedTitle(u *user, t *title) *userTitle {
	x := u.trophies().byComm[t.npCommID]
	if x == nil {
		writePSNError(c.w, http.StatusNotFound, codeTrophyNotFound, "Resource not found")
	}
	return x
}

type titleGroupsJSON struct {
	NpServiceName       string           `json:"npServiceName"`
	NpCommunicationID   string           `json:"npCommunicationId"`
	TrophySetVersion    string           `json:"trophySetVersion"`
	TrophyTitleName     string           `json:"trophyTitleName"`
	TrophyTitleDetail   string           `json:"trophyTitleDetail,omitempty"`
	TrophyTitleIconURL  string           `json:"trophyTitleIconUrl"`
	TrophyTitlePlatform string           `json:"trophyTitlePlatform"`
	DefinedTrophies     trophyCounts     `json:"definedTrophies"`
	TrophyGroups        []titleGroupJSON `json:"trophyGroups"`
}

type titleGroupJSON struct {
	TrophyGroupID      string       `json:"trophyGroupId"`
	TrophyGroupName    string       `json:"trophyGroupName"`
	TrophyGroupDetail  string       `json:"trophyGroupDetail,omitempty"`
	TrophyGroupIconURL string       `json:"trophyGroupIconUrl"`
	DefinedTrophies    trophyCounts `json:"definedTrophies"`
}

// titleTrophyGroups is GET T/v1/npCommunicationIds/{np}/trophyGroups.
func (s *Sim) titleTrophyGroups(c *call) {
	t := c.trophyTitle()
	if t == nil {
		return
	}
	out := titleGroupsJSON{
		NpServiceName: t.service, NpCommunicationID: t.npCommID, TrophySetVersion: t.setVersion,
		TrophyTitleName: t.name, TrophyTitleDetail: t.detail, TrophyTitleIconURL: t.iconURL,
		TrophyTitlePlatform: t.platform, DefinedTrophies: t.defined(),
	}
	for i, g := range t.groups {
		out.TrophyGroups = append(out.TrophyGroups, titleGroupJSON{
			TrophyGroupID: g.id, TrophyGroupName: g.name, TrophyGroupDetail: g.detail,
			TrophyGroupIconURL: g.iconURL, DefinedTrophies: t.definedIn(i),
		})
	}
	writeJSON(c.w, http.StatusOK, out)
}

type titleTrophiesJSON struct {
	TrophySetVersion string            `json:"trophySetVersion"`
	HasTrophyGroups  bool              `json:"hasTrophyGroups"`
	Trophies         []titleTrophyJSON `json:"trophies"`
	NextOffset       *int              `json:"nextOffset,omitempty"`
	PreviousOffset   *int              `json:"previousOffset,omitempty"`
	TotalItemCount   int               `json:"totalItemCount"`
}

type titleTrophyJSON struct {
	TrophyID                  int    `json:"trophyId"`
	TrophyHidden              bool   `json:"trophyHidden"`
	TrophyType                string `json:"trophyType"`
	TrophyName                string `json:"trophyName"`
	TrophyDetail              string `json:"trophyDetail"`
	TrophyIconURL             string `json:"trophyIconUrl"`
	TrophyGroupID             string `json:"trophyGroupId"`
	TrophyProgressTargetValue string `json:"trophyProgressTargetValue,omitempty"`
	TrophyRewardName          string `json:"trophyRewardName,omitempty"`
	TrophyRewardImageURL      string `json:"trophyRewardImageUrl,omitempty"`
}

// trophyIDs returns the ids of t's trophies in group g (-1: all).
func (t *title) trophyIDs(g int) []int {
	var ids []int
	for id := range t.types {
		if g < 0 || t.groupOf[id] == g {
			ids = append(ids, id)
		}
	}
	return ids
}

// trophyPage reads limit/offset for a trophy list of n items (default: all)
// and returns the page's ids, or writes PSN's 400.
func (c *call) trophyPage(ids []int) (page []int, next, prev *int, ok bool) {
	limit, offset, bad := pageParams(c.r.URL.Query(), max(len(ids), 1), 1<<20)
	if bad != "" {
		writePSNError(c.w, http.StatusBadRequest, codeTrophyBadRequest, bad)
		return nil, nil, nil, false
	}
	next, prev = pageOffsets(len(ids), limit, offset)
	return window(ids, limit, offset), next, prev, true
}

func target(t *title, id int) string {
	if t.targets[id] == 0 {
		return ""
	}
	return strconv.Itoa(t.targets[id])
}

// titleTrophies is GET T/v1/npCommunicationIds/{np}/trophyGroups/{group}/trophies.
func (s *Sim) titleTrophies(c *call) {
	t := c.trophyTitle()
	if t == nil {
		return
	}
	g, ok := c.trophyGroupArg(t)
	if !ok {
		return
	}
	ids := t.trophyIDs(g)
	page, next, prev, ok := c.trophyPage(ids)
	if !ok {
		return
	}
	defs := t.defs()
	out := titleTrophiesJSON{TrophySetVersion: t.setVersion, HasTrophyGroups: len(t.groups) > 1,
		Trophies: []titleTrophyJSON{}, NextOffset: next, PreviousOffset: prev, TotalItemCount: len(ids)}
	for _, id := range page {
		d := defs[id]
		out.Trophies = append(out.Trophies, titleTrophyJSON{
			TrophyID: id, TrophyHidden: d.hidden, TrophyType: d.typ.String(), TrophyName: d.name,
			TrophyDetail: d.detail, TrophyIconURL: d.iconURL, TrophyGroupID: d.groupID,
			TrophyProgressTargetValue: target(t, id), TrophyRewardName: d.rewardName, TrophyRewardImageURL: d.rewardImage,
		})
	}
	writeJSON(c.w, http.StatusOK, out)
}

type userGroupsJSON struct {
	TrophySetVersion    string          `json:"trophySetVersion"`
	HiddenFlag          bool            `json:"hiddenFlag"`
	Progress            int             `json:"progress"`
	EarnedTrophies      trophyCounts    `json:"earnedTrophies"`
	LastUpdatedDateTime string          `json:"lastUpdatedDateTime"`
	TrophyGroups        []userGroupJSON `json:"trophyGroups"`
}

type userGroupJSON struct {
	TrophyGroupID       string       `json:"trophyGroupId"`
	Progress            int          `json:"progress"`
	EarnedTrophies      trophyCounts `json:"earnedTrophies"`
	LastUpdatedDateTime string       `json:"lastUpdatedDateTime,omitempty"`
}

// userTrophyGroups is GET T/v1/users/{acc}/npCommunicationIds/{np}/trophyGroups.
func (s *Sim) userTrophyGroups(c *call) {
	u := c.trophyUser()
	if u == nil {
		return
	}
	t := c.trophyTitle()
	if t == nil {
		return
	}
	x := c.playedTitle(u, t)
	if x == nil {
		return
	}
	out := userGroupsJSON{TrophySetVersion: t.setVersion, Progress: x.progress, EarnedTrophies: x.earned,
		LastUpdatedDateTime: psnTime(x.lastUpdated)}
	for i, g := range t.groups {
		e := x.earnedIn(i)
		gj := userGroupJSON{TrophyGroupID: g.id, Progress: titleProgress(e, t.definedIn(i)), EarnedTrophies: e}
		if last, ok := x.lastEarnedIn(i); ok {
			gj.LastUpdatedDateTime = psnTime(last)
		}
		out.TrophyGroups = append(out.TrophyGroups, gj)
	}
	writeJSON(c.w, http.StatusOK, out)
}

type userTrophiesJSON struct {
	TrophySetVersion    string           `json:"trophySetVersion"`
	HasTrophyGroups     bool             `json:"hasTrophyGroups"`
	LastUpdatedDateTime string           `json:"lastUpdatedDateTime"`
	Trophies            []userTrophyJSON `json:"trophies"`
	RarestTrophies      []userTrophyJSON `json:"rarestTrophies"`
	NextOffset          *int             `json:"nextOffset,omitempty"`
	PreviousOffset      *int             `json:"previousOffset,omitempty"`
	TotalItemCount      int              `json:"totalItemCount"`
}

type userTrophyJSON struct {
	TrophyID                  int    `json:"trophyId"`
	TrophyHidden              bool   `json:"trophyHidden"`
	Earned                    bool   `json:"earned"`
	EarnedDateTime            string `json:"earnedDateTime,omitempty"`
	TrophyType                string `json:"trophyType"`
	TrophyRare                int    `json:"trophyRare"`
	TrophyEarnedRate          string `json:"trophyEarnedRate"`
	TrophyProgressTargetValue string `json:"trophyProgressTargetValue,omitempty"`
	Progress                  string `json:"progress,omitempty"`
	ProgressRate              *int   `json:"progressRate,omitempty"`
	ProgressedDateTime        string `json:"progressedDateTime,omitempty"`
	TrophyRewardName          string `json:"trophyRewardName,omitempty"`
	TrophyRewardImageURL      string `json:"trophyRewardImageUrl,omitempty"`
}

func (x *userTitle) trophyJSON(d trophyDef) userTrophyJSON {
	id := d.id
	j := userTrophyJSON{TrophyID: id, TrophyHidden: d.hidden, TrophyType: d.typ.String(), TrophyRare: d.rare,
		TrophyEarnedRate: d.earnedRate, TrophyProgressTargetValue: target(x.t, id),
		TrophyRewardName: d.rewardName, TrophyRewardImageURL: d.rewardImage}
	if at := x.earnedAt[id]; at != 0 {
		j.Earned, j.EarnedDateTime = true, psnTime(time.Unix(at, 0))
	}
	if tg := x.t.targets[id]; tg > 0 {
		p := int(x.progressed[id])
		rate := p * 100 / tg
		j.Progress, j.ProgressRate = strconv.Itoa(p), &rate
		if at := x.progressAt[id]; at != 0 {
			j.ProgressedDateTime = psnTime(time.Unix(at, 0))
		}
	}
	return j
}

// rarest returns the earned trophies among ids with the lowest earned
// rate (all of them when tied), in id order.
func (x *userTitle) rarest(ids []int) []trophyDef {
	defs := x.t.defs()
	var out []trophyDef
	for _, id := range ids {
		if x.earnedAt[id] == 0 {
			continue
		}
		switch r := defs[id].earnedRate; {
		case len(out) == 0 || rateLess(r, out[0].earnedRate):
			out = []trophyDef{defs[id]}
		case r == out[0].earnedRate:
			out = append(out, defs[id])
		}
	}
	return out
}

func rateLess(a, b string) bool {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	return fa < fb
}

// userTrophies is GET T/v1/users/{acc}/npCommunicationIds/{np}/trophyGroups/{group}/trophies.
func (s *Sim) userTrophies(c *call) {
	u := c.trophyUser()
	if u == nil {
		return
	}
	t := c.trophyTitle()
	if t == nil {
		return
	}
	g, ok := c.trophyGroupArg(t)
	if !ok {
		return
	}
	x := c.playedTitle(u, t)
	if x == nil {
		return
	}
	ids := t.trophyIDs(g)
	page, next, prev, ok := c.trophyPage(ids)
	if !ok {
		return
	}
	defs := t.defs()
	out := userTrophiesJSON{TrophySetVersion: t.setVersion, HasTrophyGroups: len(t.groups) > 1,
		LastUpdatedDateTime: psnTime(x.lastUpdated), Trophies: []userTrophyJSON{}, RarestTrophies: []userTrophyJSON{},
		NextOffset: next, PreviousOffset: prev, TotalItemCount: len(ids)}
	for _, id := range page {
		out.Trophies = append(out.Trophies, x.trophyJSON(defs[id]))
	}
	for _, d := range x.rarest(ids) {
		out.RarestTrophies = append(out.RarestTrophies, x.trophyJSON(d))
	}
	writeJSON(c.w, http.StatusOK, out)
}

type byTitleJSON struct {
	Titles []byTitleEntry `json:"titles"`
}

type byTitleEntry struct {
	NpTitleID    string               `json:"npTitleId"`
	TrophyTitles []byTitleTrophyTitle `json:"trophyTitles"`
}

type byTitleTrophyTitle struct {
	NpServiceName       string           `json:"npServiceName"`
	NpCommunicationID   string           `json:"npCommunicationId"`
	TrophyTitleName     string           `json:"trophyTitleName"`
	TrophyTitleDetail   string           `json:"trophyTitleDetail,omitempty"`
	TrophyTitleIconURL  string           `json:"trophyTitleIconUrl"`
	HasTrophyGroups     bool             `json:"hasTrophyGroups"`
	TrophyGroupCount    int              `json:"trophyGroupCount"`
	RarestTrophies      []rareTrophyJSON `json:"rarestTrophies"`
	Progress            int              `json:"progress"`
	EarnedTrophies      trophyCounts     `json:"earnedTrophies"`
	DefinedTrophies     trophyCounts     `json:"definedTrophies"`
	LastUpdatedDateTime string           `json:"lastUpdatedDateTime"`
	NotEarnedTrophyIDs  *[]int           `json:"notEarnedTrophyIds,omitempty"`
}

type rareTrophyJSON struct {
	TrophyID         int    `json:"trophyId"`
	TrophyHidden     bool   `json:"trophyHidden"`
	TrophyType       string `json:"trophyType"`
	TrophyName       string `json:"trophyName"`
	TrophyDetail     string `json:"trophyDetail"`
	TrophyIconURL    string `json:"trophyIconUrl"`
	TrophyRare       int    `json:"trophyRare"`
	TrophyEarnedRate string `json:"trophyEarnedRate"`
	Earned           bool   `json:"earned"`
	EarnedDateTime   string `json:"earnedDateTime"`
}

// maxNpTitleIDs is how many title ids one titles/trophyTitles request may name.
const maxNpTitleIDs = 5

// userTitlesByTitleID is GET T/v1/users/{acc}/titles/trophyTitles?npTitleIds=A,B
// (&includeNotEarnedTrophyIds=true): the user's trophy sets of up to five
// title ids, empty for a title the user never played.
func (s *Sim) userTitlesByTitleID(c *call) {
	u := c.trophyUser()
	if u == nil {
		return
	}
	q := c.r.URL.Query()
	var ids []string
	for id := range strings.SplitSeq(q.Get("npTitleIds"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > maxNpTitleIDs {
		writePSNError(c.w, http.StatusBadRequest, codeTrophyBadRequest, "Bad Request (query: npTitleIds)")
		return
	}
	cat := s.catalog()
	notEarned := q.Get("includeNotEarnedTrophyIds") == "true"
	out := byTitleJSON{Titles: []byTitleEntry{}}
	for _, id := range ids {
		t := cat.byTitle[id]
		if t == nil {
			writePSNError(c.w, http.StatusNotFound, codeTrophyNotFound, fmt.Sprintf("Resource not found (npTitleId='%s')", id))
			return
		}
		e := byTitleEntry{NpTitleID: id, TrophyTitles: []byTitleTrophyTitle{}}
		if x := u.trophies().byComm[t.npCommID]; x != nil {
			e.TrophyTitles = append(e.TrophyTitles, x.byTitleJSON(notEarned))
		}
		out.Titles = append(out.Titles, e)
	}
	writeJSON(c.w, http.StatusOK, out)
}

func (x *userTitle) byTitleJSON(withNotEarned bool) byTitleTrophyTitle {
	t := x.t
	j := byTitleTrophyTitle{
		NpServiceName: t.service, NpCommunicationID: t.npCommID, TrophyTitleName: t.name, TrophyTitleDetail: t.detail,
		TrophyTitleIconURL: t.iconURL, HasTrophyGroups: len(t.groups) > 1, TrophyGroupCount: len(t.groups),
		RarestTrophies: []rareTrophyJSON{}, Progress: x.progress, EarnedTrophies: x.earned, DefinedTrophies: t.defined(),
		LastUpdatedDateTime: psnTime(x.lastUpdated),
	}
	for _, d := range x.rarest(t.trophyIDs(-1)) {
		j.RarestTrophies = append(j.RarestTrophies, rareTrophyJSON{
			TrophyID: d.id, TrophyHidden: d.hidden, TrophyType: d.typ.String(), TrophyName: d.name,
			TrophyDetail: d.detail, TrophyIconURL: d.iconURL, TrophyRare: d.rare, TrophyEarnedRate: d.earnedRate,
			Earned: true, EarnedDateTime: psnTime(time.Unix(x.earnedAt[d.id], 0)),
		})
	}
	if withNotEarned {
		ne := []int{}
		for id, at := range x.earnedAt {
			if at == 0 {
				ne = append(ne, id)
			}
		}
		j.NotEarnedTrophyIDs = &ne
	}
	return j
}
