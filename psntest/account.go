package psntest

import (
	"net/http"
	"strings"
)

func (s *Sim) accountRoutes() []route {
	return []route{
		{"GET", "/api/v1/devices/accounts/me", bearer, s.accountMe},
	}
}

// accountMe is GET dms.api.playstation.com/api/v1/devices/accounts/me: the
// token owner's numeric account id.
func (s *Sim) accountMe(c *call) {
	writeJSON(c.w, http.StatusOK, struct {
		AccountID string `json:"accountId"`
	}{c.me.accountID})
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
