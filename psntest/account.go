package psntest

import (
	"net/http"
	"slices"
	"strings"
)

func (s *Sim) accountRoutes() []route {
	return []route{
		{"GET", "/api/v1/devices/accounts/me", bearer, s.accountMe},
	}
}

// accountMe is GET dms.api.playstation.com/api/v1/devices/accounts/me: the
// token owner's numeric account id; with includeFields=device also the
// consoles the account is activated on (psn-api's model; the one recorded
// answer is of an account without consoles, which has only accountId).
func (s *Sim) accountMe(c *call) {
	o := object{{"accountId", c.me.accountID}}
	q := c.r.URL.Query()
	if strings.Contains(q.Get("includeFields"), "device") {
		if devs := devicesOf(s.cfg.Seed, c.me, q.Get("platform")); len(devs) > 0 {
			o = append(o, member{"accountDevices", devs})
		}
	}
	writeJSON(c.w, http.StatusOK, o)
}

// devicesOf lists the consoles u played on (PS4, PS5), filtered by a
// comma-separated platform list (PS5,PS4,PS3,PSVita) when given.
func devicesOf(seed int64, u *user, platforms string) []object {
	has := map[string]bool{}
	for _, g := range gamesOf(seed, u) {
		has[g.platform] = true
	}
	var out []object
	for _, p := range []string{"PS5", "PS4"} {
		if !has[p] || (platforms != "" && !slices.Contains(strings.Split(platforms, ","), p)) {
			continue
		}
		r := newRNG(seed, "user", u.idx, "device", p)
		kind := "PRIMARY"
		if p == "PS4" {
			kind = "PSN_GAME_V3"
		}
		out = append(out, object{{"deviceId", r.hex(64)}, {"deviceType", p}, {"activationType", kind},
			{"activationDate", psnMilli(worldEpoch.AddDate(0, 0, -r.between(30, 1500)))},
			{"accountDeviceVector", r.alnum(32)}})
	}
	return out
}

// isAccountID reports whether s looks like a PSN account id (digits).
func isAccountID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// userByAccount finds a user by account id, or nil.
func (s *Sim) userByAccount(id string) *user {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byAccount[id]
}
