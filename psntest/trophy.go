package psntest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

func (s *Sim) trophyRoutes() []route {
	return []route{
		{"GET", "/api/trophy/v1/users/{acc}/trophySummary", bearer, s.trophySummary},
		{"GET", "/api/trophy/v1/users/{acc}/trophyTitles", bearer, s.trophyTitles},
	}
}

// trophyUser resolves the {acc} of a trophy route: "me", or a known numeric
// account id. Otherwise it writes PSN's error and returns nil.
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
	if u == nil {
		writePSNError(c.w, http.StatusNotFound, codeTrophyNotFound, "Resource not found")
	}
	return u
}

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
