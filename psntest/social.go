package psntest

import (
	"net/http"
	"strings"
	"time"
)

func (s *Sim) socialRoutes() []route {
	const u1 = "/api/userProfile/v1/internal/users"
	const u2 = "/api/userProfile/v2/internal/users"
	return []route{
		{"GET", u1 + "/{acc}/profiles", bearer, s.profiles},
		{"GET", u1 + "/{acc}/friends", bearer, s.friendList},
		{"GET", u1 + "/{acc}/blocks", bearer, s.blockList},
		{"GET", u1 + "/{acc}/friends/receivedRequests", bearer, s.receivedRequests},
		{"GET", u1 + "/{acc}/friends/subscribing/availableToPlay", bearer, s.availableToPlay},
		{"GET", u1 + "/{acc}/friends/{other}/summary", bearer, s.friendshipSummary},
		{"PUT", u1 + "/{acc}/friends/{other}", bearer, s.acceptFriend},
		{"DELETE", u1 + "/{acc}/friends/{other}", bearer, s.removeFriend},
		{"GET", u1 + "/{acc}/basicPresences", bearer, s.basicPresence},
		{"GET", u2 + "/{acc}/basicPresences", bearer, s.basicPresence},
		{"GET", u2 + "/basicPresences", bearer, s.basicPresences},
		{"GET", "/userProfile/v1/users/{onlineId}/profile2", bearer, s.profile2},
		{"GET", "/api/cpss/v1/share/profile/{acc}", bearer, s.shareLink},
	}
}

// profileUser resolves the {acc} (or another wildcard) of a userProfile
// route with that service's errors: 400 2281473 for a malformed id (or
// "me" where it is not allowed), 404 2281604 for an unknown one.
func (c *call) profileUser(wildcard string, allowMe bool) *user {
	acc := c.r.PathValue(wildcard)
	if acc == "me" && allowMe {
		return c.me
	}
	if !isAccountID(acc) || strings.Trim(acc, "0") == "" {
		writePSNError(c.w, http.StatusBadRequest, codeProfileBadRequest, "Bad Request (path: accountId)")
		return nil
	}
	u := c.s.userByAccount(acc)
	if u == nil {
		writePSNError(c.w, http.StatusNotFound, codeProfileNotFound, "Not found")
	}
	return u
}

// visibleUser is profileUser plus the privacy check (403 2281486).
func (c *call) visibleUser(wildcard string) *user {
	u := c.profileUser(wildcard, true)
	if u != nil && !c.canSee(u) {
		writePSNError(c.w, http.StatusForbidden, codeProfileForbidden, "Not permitted by access control")
		return nil
	}
	return u
}

// selfOnly resolves an {acc} that must be the caller ("me" or their id).
func (c *call) selfOnly() bool {
	u := c.profileUser("acc", true)
	if u != nil && u != c.me {
		writePSNError(c.w, http.StatusForbidden, codeProfileForbidden, "Not permitted by access control")
		return false
	}
	return u != nil
}

func sizes(m map[string]string, key string, order ...string) []object {
	var out []object
	for _, size := range order {
		out = append(out, object{{"size", size}, {key, m[size]}})
	}
	return out
}

// profiles is GET U/{acc}/profiles ("me" is a bad request here, as the
// protocol notes say).
func (s *Sim) profiles(c *call) {
	u := c.profileUser("acc", false)
	if u == nil {
		return
	}
	p := u.profile()
	o := object{{"onlineId", u.onlineID}}
	if u == c.me { // personal details are shown to their owner only
		o = append(o, member{"personalDetail", object{{"firstName", p.firstName}, {"lastName", p.lastName},
			{"profilePictures", sizes(p.picture, "url", "s", "m", "l", "xl")}}})
	}
	o = append(o,
		member{"aboutMe", p.aboutMe},
		member{"avatars", sizes(p.avatar, "url", "s", "xl", "l", "m")},
		member{"languages", p.languages},
		member{"isPlus", p.plus},
		member{"isOfficiallyVerified", false},
		member{"isMe", u == c.me},
	)
	writeJSON(c.w, http.StatusOK, o)
}

// friendList is GET U/{acc}/friends?limit&offset.
func (s *Sim) friendList(c *call) {
	u := c.visibleUser("acc")
	if u == nil {
		return
	}
	limit, offset, bad := pageParams(c.r.URL.Query(), 100, 1000)
	if bad != "" {
		writePSNError(c.w, http.StatusBadRequest, codeProfileBadRequest, bad)
		return
	}
	s.mu.Lock()
	all := s.friendsOf(u)
	s.mu.Unlock()
	ids := []string{}
	for _, f := range window(all, limit, offset) {
		ids = append(ids, f.accountID)
	}
	next, prev := pageOffsets(len(all), limit, offset)
	o := object{{"friends", ids}}
	if next != nil {
		o = append(o, member{"nextOffset", *next})
	}
	if prev != nil {
		o = append(o, member{"previousOffset", *prev})
	}
	writeJSON(c.w, http.StatusOK, append(o, member{"totalItemCount", len(all)}))
}

// blockList is GET U/me/blocks.
func (s *Sim) blockList(c *call) {
	if !c.selfOnly() {
		return
	}
	s.mu.Lock()
	users := s.users
	s.mu.Unlock()
	ids := []string{}
	for _, v := range users {
		if s.blocks(c.me, v) {
			ids = append(ids, v.accountID)
		}
	}
	writeJSON(c.w, http.StatusOK, object{{"blockList", ids}})
}

// receivedRequests is GET U/me/friends/receivedRequests.
func (s *Sim) receivedRequests(c *call) {
	if !c.selfOnly() {
		return
	}
	s.mu.Lock()
	var reqs []object
	for _, v := range s.users {
		if s.requested(v, c.me) {
			at := worldEpoch.Add(-time.Duration(newRNG(s.cfg.Seed, "request-date", v.idx, c.me.idx).between(60, 90*86400)) * time.Second)
			reqs = append(reqs, object{{"accountId", v.accountID}, {"relation", "requested"}, {"personalDetailSharing", "none"},
				{"acceptSharingPersonalDetailFlag", false}, {"requestedDate", psnMilli(at)}})
		}
	}
	s.mu.Unlock()
	if reqs == nil {
		reqs = []object{}
	}
	writeJSON(c.w, http.StatusOK, object{{"receivedRequests", reqs}, {"totalItemCount", len(reqs)}})
}

// availableToPlay is GET U/me/friends/subscribing/availableToPlay. Only an
// empty list was ever recorded, so the simulator answers that.
func (s *Sim) availableToPlay(c *call) {
	if !c.selfOnly() {
		return
	}
	writeJSON(c.w, http.StatusOK, object{{"settings", []string{}}})
}

// friendshipSummary is GET U/me/friends/{other}/summary.
func (s *Sim) friendshipSummary(c *call) {
	if !c.selfOnly() {
		return
	}
	other := c.profileUser("other", false)
	if other == nil {
		return
	}
	s.mu.Lock()
	rel := s.relation(c.me, other)
	theirs, mine := s.friendsOf(other), s.friendsOf(c.me)
	s.mu.Unlock()
	mutual := 0
	for _, f := range theirs {
		for _, g := range mine {
			if f == g {
				mutual++
			}
		}
	}
	count := len(theirs)
	if other.private {
		count, mutual = 0, 0
	}
	sharing := "none"
	if rel == "friend" {
		sharing = "shared"
	}
	writeJSON(c.w, http.StatusOK, object{{"friendRelation", rel}, {"personalDetailSharing", sharing},
		{"friendsCount", count}, {"mutualFriendsCount", mutual}})
}

// acceptFriend is PUT U/me/friends/{other}: accept other's pending friend
// request (204). Without one, 404.
func (s *Sim) acceptFriend(c *call) {
	if !c.selfOnly() {
		return
	}
	other := c.profileUser("other", false)
	if other == nil {
		return
	}
	s.mu.Lock()
	ok := s.requested(other, c.me)
	if ok {
		s.requestsSet[pairKey{other.idx, c.me.idx}] = false
		s.friendsSet[friendKey(other, c.me)] = true
	}
	s.mu.Unlock()
	if !ok {
		writePSNError(c.w, http.StatusNotFound, codeProfileNotFound, "Not found (no friend request from this account)")
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// removeFriend is DELETE U/me/friends/{other}: end a friendship, or drop a
// pending request either way (204). Without either, 404.
func (s *Sim) removeFriend(c *call) {
	if !c.selfOnly() {
		return
	}
	other := c.profileUser("other", false)
	if other == nil {
		return
	}
	s.mu.Lock()
	ok := true
	switch {
	case s.friends(c.me, other):
		s.friendsSet[friendKey(other, c.me)] = false
	case s.requested(other, c.me):
		s.requestsSet[pairKey{other.idx, c.me.idx}] = false
	case s.requested(c.me, other):
		s.requestsSet[pairKey{c.me.idx, other.idx}] = false
	default:
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		writePSNError(c.w, http.StatusNotFound, codeProfileNotFound, "Not found (not a friend)")
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// basicPresence is GET U/{acc}/basicPresences (v1 and v2): {"basicPresence":{…}}.
func (s *Sim) basicPresence(c *call) {
	u := c.visibleUser("acc")
	if u == nil {
		return
	}
	writeJSON(c.w, http.StatusOK, object{{"basicPresence", u.profile().presence.json("")}})
}

// basicPresences is GET /userProfile/v2/internal/users/basicPresences?accountIds=a,b:
// the presences of the listed accounts the caller may see (unknown and
// private accounts are left out).
func (s *Sim) basicPresences(c *call) {
	var out []object
	for id := range strings.SplitSeq(c.r.URL.Query().Get("accountIds"), ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		u := s.userByAccount(id)
		if u == nil || !c.canSee(u) {
			continue
		}
		out = append(out, u.profile().presence.json(u.accountID))
	}
	if out == nil {
		writePSNError(c.w, http.StatusBadRequest, codeProfileBadRequest, "Bad Request (query: accountIds)")
		return
	}
	writeJSON(c.w, http.StatusOK, object{{"basicPresences", out}})
}

// profile2 is GET us-prof…/userProfile/v1/users/{onlineId}/profile2?fields=…:
// the legacy profile with the fields asked for (top-level names; what is
// in parentheses is ignored). Without fields: onlineId and accountId.
func (s *Sim) profile2(c *call) {
	name := c.r.PathValue("onlineId")
	s.mu.Lock()
	u, err := s.lookupOnline(name)
	var rel string
	if err == nil {
		rel = s.relation(c.me, u)
	}
	s.mu.Unlock()
	if err != nil {
		// PSN's answer here has no referenceId (recorded).
		writeJSON(c.w, http.StatusNotFound, object{{"error", object{{"code", codeUserNotFound},
			{"message", "User not found (user: '" + name + "')"}}}})
		return
	}
	want := map[string]bool{"onlineId": true, "accountId": true}
	if f := c.r.URL.Query().Get("fields"); f != "" {
		want = topLevelFields(f)
	}
	p := u.profile()
	ts := u.trophies().summary
	close := u == c.me || rel == "friend" // presence and personal details
	pres := p.presence
	status := "offline"
	if pres.online {
		status = "online"
	}
	var o object
	add := func(k string, v any) {
		if want[k] {
			o = append(o, member{k, v})
		}
	}
	add("onlineId", u.onlineID)
	add("accountId", u.accountID)
	add("npId", p.npID)
	add("avatarUrls", []object{{{"size", "l"}, {"avatarUrl", p.avatar["l"]}}})
	plus := 0
	if p.plus {
		plus = 1
	}
	add("plus", plus)
	add("aboutMe", p.aboutMe)
	add("languagesUsed", []string{strings.SplitN(p.languages[0], "-", 2)[0]})
	if c.canSee(u) {
		add("trophySummary", object{{"level", ts.level}, {"progress", ts.progress}, {"earnedTrophies", object{
			{"platinum", ts.earned.Platinum}, {"gold", ts.earned.Gold}, {"silver", ts.earned.Silver}, {"bronze", ts.earned.Bronze}}}})
	}
	add("isOfficiallyVerified", false)
	if u == c.me {
		add("personalDetail", object{{"firstName", p.firstName}, {"lastName", p.lastName},
			{"profilePictureUrls", []object{{{"size", "xl"}, {"profilePictureUrl", p.picture["xl"]}}}}})
	}
	add("personalDetailSharing", "no")
	add("personalDetailSharingRequestMessageFlag", false)
	if close && c.canSee(u) {
		add("primaryOnlineStatus", status)
		add("presences", []object{{{"onlineStatus", status}, {"hasBroadcastData", false}}})
	}
	add("friendRelation", rel)
	add("requestMessageFlag", false)
	add("blocking", s.blocks(c.me, u))
	add("following", false)
	if close && c.canSee(u) {
		add("consoleAvailability", object{{"availabilityStatus", status}})
	}
	writeJSON(c.w, http.StatusOK, object{{"profile", o}})
}

// topLevelFields splits profile2's fields parameter, skipping what is in
// parentheses: "a,b(@default,c),d" gives a, b and d.
func topLevelFields(f string) map[string]bool {
	out := map[string]bool{}
	depth, start := 0, 0
	for i := 0; i <= len(f); i++ {
		switch {
		case i == len(f) || (f[i] == ',' && depth == 0):
			if name, _, _ := strings.Cut(f[start:i], "("); strings.TrimSpace(name) != "" {
				out[strings.TrimSpace(name)] = true
			}
			start = i + 1
		case f[i] == '(':
			depth++
		case f[i] == ')' && depth > 0:
			depth--
		}
	}
	return out
}

// shareLink is GET /api/cpss/v1/share/profile/{acc}.
func (s *Sim) shareLink(c *call) {
	u := c.profileUser("acc", true)
	if u == nil {
		return
	}
	sig := newRNG(s.cfg.Seed, "share", u.idx).alnum(200)
	exp := s.Now().Add(7 * 24 * time.Hour).Unix()
	writeJSON(c.w, http.StatusOK, object{
		{"shareUrl", "https://profile.playstation.com/" + u.onlineID},
		{"shareImageUrl", "https://d18lxmvkmz0olj.cloudfront.net/profile-" + u.onlineID + "?Expires=" +
			itoa(exp) + "&Signature=" + sig + "&Key-Pair-Id=K2SHBT8E7OQNQU"},
		{"shareImageUrlDestination", "https://profile.playstation.com/share/" + u.onlineID},
	})
}
