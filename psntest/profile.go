package psntest

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// profile is what PSN shows about a user besides trophies.
type profile struct {
	firstName, lastName string
	aboutMe             string
	languages           []string // e.g. en-US
	plus                bool
	avatar              map[string]string // by size: s, m, l, xl
	picture             map[string]string // profile picture by size, for personalDetail
	npID                string            // base64 of onlineId@region.country
	presence            presence
}

// presence is a user's basic presence.
type presence struct {
	online     bool
	platform   string // PS5, PS4, MOBILE_APP
	lastOnline time.Time
	playing    *title // the game being played, online on a console
}

var (
	firstNames = []string{"Alex", "Sam", "Jordan", "Robin", "Kim", "Noa", "Yuki", "Mika", "Lena", "Omar", "Ines", "Theo"}
	lastNames  = []string{"Parker", "Ito", "Moreau", "Schmidt", "Silva", "Novak", "Okafor", "Lind", "Rossi", "Hart"}
	abouts     = []string{"", "", "Trophy hunter.", "Platinum or bust", "Add me for co-op", "Casual player", "GG"}
	languages  = []string{"en-US", "en-GB", "fr-FR", "de-DE", "ja-JP", "pt-BR", "es-ES"}
	countries  = []string{"us", "gb", "fr", "de", "jp", "br", "es", "ca", "au"}
)

const avatarHost = "http://static-resource.np.community.playstation.net/"

// deriveProfile builds user u's profile from the seed; ut gives the titles
// the user played, for the game in their presence.
func deriveProfile(seed int64, u *user, ut *userTrophies) *profile {
	r := newRNG(seed, "user", u.idx, "profile")
	p := &profile{
		firstName: r.pick(firstNames), lastName: r.pick(lastNames), aboutMe: r.pick(abouts),
		languages: []string{r.pick(languages)}, plus: r.chance(0.5),
	}
	if r.chance(0.4) {
		p.avatar = map[string]string{
			"s": avatarHost + "avatar_s/default/DefaultAvatar_s.png", "m": avatarHost + "avatar_m/default/DefaultAvatar_m.png",
			"l": avatarHost + "avatar/default/DefaultAvatar.png", "xl": avatarHost + "avatar_xl/default/Defaultavatar_xl.png",
		}
	} else {
		set := fmt.Sprintf("WWS_%c/%c%04d", 'A'+r.intn(26), 'A'+r.intn(26), r.between(1, 2999))
		p.avatar = map[string]string{
			"s": avatarHost + "avatar_s/" + set + "_s.png", "m": avatarHost + "avatar_m/" + set + "_m.png",
			"l": avatarHost + "avatar/" + set + "_l.png", "xl": avatarHost + "avatar_xl/" + set + "_xl.png",
		}
	}
	img := url.QueryEscape(fmt.Sprintf("https://kfscdn.api.np.km.playstation.net/%s/%d.png", u.accountID,
		worldEpoch.AddDate(0, 0, -r.between(10, 2000)).UnixMilli()))
	sign := r.hex(40)
	p.picture = map[string]string{}
	for size, px := range map[string]int{"s": 50, "m": 160, "l": 240, "xl": 440} {
		p.picture[size] = fmt.Sprintf("https://image.api.np.km.playstation.net/images/?format=png&w=%d&h=%d&image=%s&sign=%s", px, px, img, sign)
	}
	region := fmt.Sprintf("%c%d", 'a'+r.intn(6), r.between(1, 9))
	p.npID = base64.StdEncoding.EncodeToString([]byte(u.onlineID + "@" + region + "." + r.pick(countries)))

	pr := &p.presence
	pr.lastOnline = worldEpoch.Add(-time.Duration(r.between(60, 30*86400)) * time.Second).Add(time.Duration(r.intn(1000)) * time.Millisecond)
	var console *userTitle
	for _, x := range ut.titles {
		if strings.Contains(x.t.platform, "PS5") || strings.Contains(x.t.platform, "PS4") {
			console = x
			break
		}
	}
	pr.platform = "PS5"
	if console != nil && !strings.Contains(console.t.platform, "PS5") {
		pr.platform = "PS4"
	}
	switch v := r.float(); {
	case v < 0.3 && console != nil:
		pr.online, pr.playing = true, console.t
	case v < 0.5:
		pr.online, pr.platform = true, "MOBILE_APP"
	}
	return p
}

// psnMilli formats an instant like PSN's profile service (with milliseconds).
func psnMilli(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// basicPresenceJSON is a basic presence as the v1 and v2 endpoints answer.
func (p *presence) json(accountID string) object {
	var o object
	if accountID != "" {
		o = append(o, member{"accountId", accountID})
	}
	switch {
	case !p.online:
		o = append(o, member{"availability", "unavailable"}, member{"lastAvailableDate", psnMilli(p.lastOnline)},
			member{"primaryPlatformInfo", object{{"onlineStatus", "offline"}, {"platform", p.platform}, {"lastOnlineDate", psnMilli(p.lastOnline)}}})
	case p.platform == "MOBILE_APP":
		o = append(o, member{"availability", "availableToCommunicate"},
			member{"primaryPlatformInfo", object{{"onlineStatus", "online"}, {"platform", p.platform}}})
	default:
		o = append(o, member{"availability", "availableToPlay"},
			member{"primaryPlatformInfo", object{{"onlineStatus", "online"}, {"platform", p.platform}}})
		if t := p.playing; t != nil {
			id := t.npTitleIDs[len(t.npTitleIDs)-1]
			format := "PS4"
			if strings.HasPrefix(id, "PPSA") {
				format = "PS5"
			}
			o = append(o, member{"gameTitleInfoList", []object{{
				{"npTitleId", id}, {"titleName", t.name}, {"format", format}, {"launchPlatform", p.platform},
			}}})
		}
	}
	return o
}

// Social relations. The base relations derive from the seed; accepting or
// removing a friend is recorded on top of them (Sim.friendsSet,
// Sim.requestsSet). For every seed, user 1 is user 0's friend and user 2
// has sent user 0 a friend request, so tests and demos have both.

func baseFriends(seed int64, a, b int) bool {
	if a > b {
		a, b = b, a
	}
	switch {
	case a == b:
		return false
	case a == 0 && b == 1:
		return true
	case a == 0 && b == 2:
		return false
	}
	return newRNG(seed, "friends", a, b).chance(0.4)
}

func baseBlocks(seed int64, who, whom int) bool {
	if who == whom || baseFriends(seed, who, whom) || who < 3 && whom < 3 {
		return false
	}
	return newRNG(seed, "block", who, whom).chance(0.05)
}

func baseRequest(seed int64, from, to int) bool {
	switch {
	case from == 2 && to == 0:
		return true
	case from == to, from == 0 && to == 2, baseFriends(seed, from, to), baseBlocks(seed, from, to), baseBlocks(seed, to, from):
		return false
	}
	return newRNG(seed, "request", from, to).chance(0.1)
}

type pairKey [2]int

func friendKey(a, b *user) pairKey {
	if a.idx > b.idx {
		a, b = b, a
	}
	return pairKey{a.idx, b.idx}
}

// friends reports whether a and b are friends. s.mu must be held.
func (s *Sim) friends(a, b *user) bool {
	if v, ok := s.friendsSet[friendKey(a, b)]; ok {
		return v
	}
	return baseFriends(s.cfg.Seed, a.idx, b.idx)
}

// requested reports whether from has a pending friend request to to.
// s.mu must be held.
func (s *Sim) requested(from, to *user) bool {
	if v, ok := s.requestsSet[pairKey{from.idx, to.idx}]; ok {
		return v
	}
	return baseRequest(s.cfg.Seed, from.idx, to.idx)
}

// blocks reports whether who has blocked whom.
func (s *Sim) blocks(who, whom *user) bool { return baseBlocks(s.cfg.Seed, who.idx, whom.idx) }

// friendsOf lists u's friends in creation order. s.mu must be held.
func (s *Sim) friendsOf(u *user) []*user {
	var out []*user
	for _, v := range s.users {
		if s.friends(u, v) {
			out = append(out, v)
		}
	}
	return out
}

// relation is profile2's friendRelation of u as seen by me. s.mu must be held.
func (s *Sim) relation(me, u *user) string {
	switch {
	case s.friends(me, u):
		return "friend"
	case s.requested(u, me):
		return "requested"
	case s.requested(me, u):
		return "requesting"
	}
	return "no"
}
