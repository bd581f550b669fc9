package psntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// gamingLoungeGroups error codes (recorded).
const (
	codeGroupNotFound   = 2285581 // "Resource not found (groupId='…')"
	codeGroupBadRequest = 2285696 // "Bad Request"
	codeGroupRejected   = 2286592 // "Request is rejected due to all targets' settings"
	maxMessageLength    = 2000
)

// chat is a group (groupType 1) or a direct-message group (groupType 0).
// Its main thread has the group's id, as recorded. Guarded by Sim.mu.
type chat struct {
	id       string
	dm       bool
	name     string
	members  []*user
	joined   map[*user]time.Time
	modified time.Time
	messages []chatMessage // oldest first
}

type chatMessage struct {
	uid     string
	body    string
	created time.Time
	sender  *user
}

func (g *chat) has(u *user) bool { return slices.Contains(g.members, u) }

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// newChatID derives the n-th group id of the seed: ~HEX.HEX for direct
// messages, 40 hex digits and a number for groups, like PSN's.
func newChatID(seed int64, n int, dm bool) string {
	r := newRNG(seed, "group", n)
	if dm {
		return "~" + strings.ToUpper(r.hex(16)) + "." + strings.ToUpper(r.hex(16))
	}
	return fmt.Sprintf("%s-%d", r.hex(40), r.between(1, 999))
}

// seedChats gives the first users something to read: users 0 and 1 share
// a direct-message group, users 0, 1 and 2 a group. s.mu must be held.
func (s *Sim) seedChats() {
	if len(s.users) < 3 {
		return
	}
	u0, u1, u2 := s.users[0], s.users[1], s.users[2]
	at := worldEpoch.Add(-72 * time.Hour)
	dm := s.addChat(true, []*user{u0, u1}, at)
	s.post(dm, u1, "gg, rematch tonight?", at.Add(time.Hour))
	s.post(dm, u0, "sure, 9pm", at.Add(2*time.Hour))
	grp := s.addChat(false, []*user{u0, u1, u2}, at)
	grp.name = "Trophy hunters"
	s.post(grp, u2, "who has the platinum yet?", at.Add(3*time.Hour))
}

// addChat creates a group. s.mu must be held.
func (s *Sim) addChat(dm bool, members []*user, at time.Time) *chat {
	g := &chat{id: newChatID(s.cfg.Seed, len(s.chatOrder), dm), dm: dm, members: members,
		joined: map[*user]time.Time{}, modified: at}
	for _, m := range members {
		g.joined[m] = at
	}
	s.chats[g.id] = g
	s.chatOrder = append(s.chatOrder, g)
	return g
}

// post adds a message. s.mu must be held.
func (s *Sim) post(g *chat, from *user, body string, at time.Time) chatMessage {
	s.msgSeq++
	m := chatMessage{uid: fmt.Sprintf("1#%015d", 447325960000000+s.msgSeq), body: body, created: at, sender: from}
	g.messages = append(g.messages, m)
	g.modified = at
	return m
}

func (s *Sim) groupRoutes() []route {
	const v1 = "/api/gamingLoungeGroups/v1"
	return []route{
		{"GET", v1 + "/members/{acc}/groups", bearer, s.listGroups},
		{"GET", v1 + "/members/{acc}/groups/{group}", bearer, s.getGroup},
		{"GET", v1 + "/members/{acc}/groups/{group}/threads/{thread}/messages", bearer, s.listMessages},
		{"POST", v1 + "/groups", bearer, s.createGroup},
		{"PATCH", v1 + "/groups/{group}", bearer, s.renameGroup},
		{"POST", v1 + "/groups/{group}/threads/{thread}/messages", bearer, s.sendMessage},
		{"DELETE", v1 + "/groups/{group}/members/{member}", bearer, s.removeMember},
	}
}

func notFoundGroup(w http.ResponseWriter, id string) {
	writePSNError(w, http.StatusNotFound, codeGroupNotFound, "Resource not found (groupId='"+id+"')")
}

// myGroup finds {group} among the caller's groups (404 otherwise). s.mu
// must be held.
func (c *call) myGroup() *chat {
	id := c.r.PathValue("group")
	g := c.s.chats[id]
	if g == nil || !g.has(c.me) {
		notFoundGroup(c.w, id)
		return nil
	}
	return g
}

func memberJSON(u *user) object { return object{{"accountId", u.accountID}, {"onlineId", u.onlineID}} }

func messageJSON(m chatMessage) object {
	return object{{"messageUid", m.uid}, {"messageType", 1}, {"alternativeMessageType", 1}, {"body", m.body},
		{"createdTimestamp", millis(m.created)}, {"sender", memberJSON(m.sender)}}
}

// groupJSON is a group with the fields of includeFields, in PSN's order.
func (c *call) groupJSON(g *chat, fields map[string]bool) object {
	groupType := 1
	if g.dm {
		groupType = 0
	}
	o := object{{"groupId", g.id}, {"groupType", groupType}}
	add := func(k string, v func() any) {
		if fields[k] {
			o = append(o, member{k, v()})
		}
	}
	add("modifiedTimestamp", func() any { return millis(g.modified) })
	add("groupName", func() any { return object{{"value", g.name}, {"status", 0}} })
	add("groupIcon", func() any { return object{{"status", 0}} })
	add("joinedTimestamp", func() any { return millis(g.joined[c.me]) })
	add("isFavorite", func() any { return false })
	add("existsNewArrival", func() any { return false })
	add("mainThread", func() any {
		t := object{{"threadId", g.id}, {"modifiedTimestamp", millis(g.modified)}}
		if n := len(g.messages); n > 0 {
			t = append(t, member{"latestMessage", messageJSON(g.messages[n-1])}, member{"readMessageUid", g.messages[n-1].uid})
		}
		return t
	})
	add("members", func() any {
		var ms []object
		for _, m := range g.members {
			ms = append(ms, memberJSON(m))
		}
		return ms
	})
	add("notificationSetting", func() any { return object{{"isMute", false}} })
	return o
}

func includeFields(c *call) map[string]bool {
	f := map[string]bool{}
	for _, k := range strings.Split(c.r.URL.Query().Get("includeFields"), ",") {
		f[strings.TrimSpace(k)] = true
	}
	return f
}

// listGroups is GET …/members/me/groups?includeFields&limit&offset: the
// caller's groups, most recently active first.
func (s *Sim) listGroups(c *call) {
	if !c.selfOnly() {
		return
	}
	limit, offset, bad := pageParams(c.r.URL.Query(), 20, 100)
	if bad != "" {
		writePSNError(c.w, http.StatusBadRequest, codeGroupBadRequest, "Bad Request")
		return
	}
	fields := includeFields(c)
	s.mu.Lock()
	var mine []*chat
	for _, g := range s.chatOrder {
		if g.has(c.me) {
			mine = append(mine, g)
		}
	}
	slices.SortStableFunc(mine, func(a, b *chat) int { return b.modified.Compare(a.modified) })
	list := []object{}
	for _, g := range window(mine, limit, offset) {
		list = append(list, c.groupJSON(g, fields))
	}
	s.mu.Unlock()
	o := object{{"groups", list}, {"previousOffset", max(offset-1, 0)}}
	if offset+limit < len(mine) {
		o = append(o, member{"nextOffset", offset + limit})
	}
	writeJSON(c.w, http.StatusOK, o)
}

// getGroup is GET …/members/me/groups/{group}?includeFields.
func (s *Sim) getGroup(c *call) {
	if !c.selfOnly() {
		return
	}
	fields := includeFields(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := c.myGroup(); g != nil {
		writeJSON(c.w, http.StatusOK, c.groupJSON(g, fields))
	}
}

// listMessages is GET …/members/me/groups/{group}/threads/{thread}/messages?limit:
// newest first.
func (s *Sim) listMessages(c *call) {
	if !c.selfOnly() {
		return
	}
	limit, _, bad := pageParams(c.r.URL.Query(), 20, 100)
	if bad != "" {
		writePSNError(c.w, http.StatusBadRequest, codeGroupBadRequest, "Bad Request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := c.myGroup()
	if g == nil {
		return
	}
	if c.r.PathValue("thread") != g.id {
		notFoundGroup(c.w, c.r.PathValue("thread"))
		return
	}
	msgs := []object{}
	var first, last string
	for i := len(g.messages) - 1; i >= 0 && len(msgs) < limit; i-- {
		msgs = append(msgs, messageJSON(g.messages[i]))
		if first == "" {
			first = g.messages[i].uid
		}
		last = g.messages[i].uid
	}
	writeJSON(c.w, http.StatusOK, object{{"messages", msgs}, {"previous", first}, {"next", last},
		{"reachedEndOfPage", len(msgs) < limit}, {"messageCount", len(msgs)}})
}

// createGroup is POST /groups {"invitees":[{"accountId"}]}: one invitee
// gives the direct-message group of the two (the existing one if any),
// more a new group. Invitees who block the caller or whom the caller
// blocks are left out; if that is everyone, 403 2286592 as recorded.
func (s *Sim) createGroup(c *call) {
	var req struct {
		Invitees []struct {
			AccountID string `json:"accountId"`
		} `json:"invitees"`
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, 64<<10)
	if json.NewDecoder(c.r.Body).Decode(&req) != nil || len(req.Invitees) == 0 || len(req.Invitees) > 100 {
		writePSNError(c.w, http.StatusBadRequest, codeGroupBadRequest, "Bad Request")
		return
	}
	var ok []*user
	for _, inv := range req.Invitees {
		u := s.userByAccount(inv.AccountID)
		if u == nil || u == c.me {
			writePSNError(c.w, http.StatusBadRequest, codeGroupBadRequest, "Bad Request")
			return
		}
		if !s.blocks(u, c.me) && !s.blocks(c.me, u) && !slices.Contains(ok, u) {
			ok = append(ok, u)
		}
	}
	if len(ok) == 0 {
		writePSNError(c.w, http.StatusForbidden, codeGroupRejected, "Request is rejected due to all targets' settings")
		return
	}
	all := len(ok) == len(req.Invitees)
	now := s.Now()
	s.mu.Lock()
	var g *chat
	if len(req.Invitees) == 1 {
		for _, x := range s.chatOrder {
			if x.dm && x.has(c.me) && x.has(ok[0]) {
				g = x
				break
			}
		}
	}
	if g == nil {
		g = s.addChat(len(req.Invitees) == 1, append([]*user{c.me}, ok...), now)
	}
	id := g.id
	s.mu.Unlock()
	writeJSON(c.w, http.StatusOK, object{{"groupId", id}, {"mainThread", object{{"threadId", id}}}, {"hasAllAccountInvited", all}})
}

// renameGroup is PATCH /groups/{group} {"groupName":{"value":"…"}}: 204; a
// direct-message group cannot be renamed (400 2285696, as recorded).
func (s *Sim) renameGroup(c *call) {
	var req struct {
		GroupName *struct {
			Value string `json:"value"`
		} `json:"groupName"`
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, 64<<10)
	bad := json.NewDecoder(c.r.Body).Decode(&req) != nil || req.GroupName == nil || len(req.GroupName.Value) > 100
	s.mu.Lock()
	defer s.mu.Unlock()
	g := c.myGroup()
	switch {
	case g == nil:
	case bad || g.dm:
		writePSNError(c.w, http.StatusBadRequest, codeGroupBadRequest, "Bad Request")
	default:
		g.name = req.GroupName.Value
		g.modified = s.Now()
		c.w.WriteHeader(http.StatusNoContent)
	}
}

// sendMessage is POST /groups/{group}/threads/{thread}/messages
// {"messageType":1,"body":"…"}: 201 {"messageUid","createdTimestamp"}.
func (s *Sim) sendMessage(c *call) {
	var req struct {
		MessageType int    `json:"messageType"`
		Body        string `json:"body"`
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, 64<<10)
	bad := json.NewDecoder(c.r.Body).Decode(&req) != nil || req.MessageType != 1 || req.Body == "" || len(req.Body) > maxMessageLength
	s.mu.Lock()
	defer s.mu.Unlock()
	g := c.myGroup()
	switch {
	case g == nil:
	case c.r.PathValue("thread") != g.id:
		notFoundGroup(c.w, c.r.PathValue("thread"))
	case bad:
		writePSNError(c.w, http.StatusBadRequest, codeGroupBadRequest, "Bad Request")
	default:
		m := s.post(g, c.me, req.Body, s.Now())
		writeJSON(c.w, http.StatusCreated, object{{"messageUid", m.uid}, {"createdTimestamp", millis(m.created)}})
	}
}

// removeMember is DELETE /groups/{group}/members/{member}: "me" leaves, an
// account id is kicked (groups only). A non-member is 404 as recorded.
func (s *Sim) removeMember(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := c.myGroup()
	if g == nil {
		return
	}
	target := c.me
	if acc := c.r.PathValue("member"); acc != "me" && acc != c.me.accountID {
		target = s.byAccount[acc]
		if target == nil || !g.has(target) {
			notFoundGroup(c.w, g.id)
			return
		}
		if g.dm {
			writePSNError(c.w, http.StatusBadRequest, codeGroupBadRequest, "Bad Request")
			return
		}
	}
	g.members = slices.DeleteFunc(g.members, func(u *user) bool { return u == target })
	delete(g.joined, target)
	if len(g.members) == 0 {
		delete(s.chats, g.id)
		s.chatOrder = slices.DeleteFunc(s.chatOrder, func(x *chat) bool { return x == g })
	}
	c.w.WriteHeader(http.StatusNoContent)
}
