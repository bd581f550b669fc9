package psn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// accountIDResponse is DMS's answer to /v1/devices/accounts/me.
type accountIDResponse struct {
	AccountID string `json:"accountId"`
}

// AccountID returns the numeric account id of the token's owner (DMS
// /v1/devices/accounts/me). Most calls accept "me" instead; profiles do not.
func (s *UserService) AccountID(ctx context.Context) (string, error) {
	var out accountIDResponse
	if err := s.client.get(ctx, DMSBaseURL+"/v1/devices/accounts/me", nil, &out, nil); err != nil {
		return "", err
	}
	if out.AccountID == "" {
		return "", &ResponseError{Status: http.StatusOK, URL: DMSBaseURL + "/v1/devices/accounts/me", Problem: "no accountId in the answer"}
	}
	return out.AccountID, nil
}

// SizedURL is an image URL with its size ("s", "m", "l", "xl").
type SizedURL struct {
	Size string `json:"size"`
	URL  string `json:"url"`

	wire wireState
}

// PersonalDetail is the real name a user shares, with pictures.
type PersonalDetail struct {
	FirstName       string     `json:"firstName"`
	MiddleName      string     `json:"middleName,omitempty"`
	LastName        string     `json:"lastName"`
	ProfilePictures []SizedURL `json:"profilePictures,omitempty"`

	wire wireState
}

// Profile is a user's profile by account id (userProfile v1 /profiles).
type Profile struct {
	OnlineID             string          `json:"onlineId"`
	AboutMe              string          `json:"aboutMe"`
	Avatars              []SizedURL      `json:"avatars"`
	Languages            []string        `json:"languages"`
	IsPlus               bool            `json:"isPlus"`
	IsOfficiallyVerified bool            `json:"isOfficiallyVerified"`
	IsMe                 bool            `json:"isMe"`
	PersonalDetail       *PersonalDetail `json:"personalDetail,omitempty"`

	wire wireState
}

// Profile returns a user's profile by numeric account id. PSN refuses
// "me" here (400): use AccountID first. psn-api: getProfileFromAccountId.
func (s *UserService) Profile(ctx context.Context, accountID string) (*Profile, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var out Profile
	if err := s.client.get(ctx, UserBaseURL+"/"+acc+"/profiles", nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// LegacyAvatar is an avatar of the legacy profile2 answer.
type LegacyAvatar struct {
	Size      string `json:"size"`
	AvatarURL string `json:"avatarUrl"`

	wire wireState
}

// LegacyPicture is a profile picture of the legacy profile2 answer.
type LegacyPicture struct {
	Size              string `json:"size"`
	ProfilePictureURL string `json:"profilePictureUrl"`

	wire wireState
}

// LegacyPersonalDetail is the real name in the legacy profile2 answer.
type LegacyPersonalDetail struct {
	FirstName          string          `json:"firstName"`
	MiddleName         string          `json:"middleName,omitempty"`
	LastName           string          `json:"lastName"`
	ProfilePictureURLs []LegacyPicture `json:"profilePictureUrls,omitempty"`

	wire wireState
}

// LegacyTrophySummary is the trophy part of the legacy profile2 answer.
type LegacyTrophySummary struct {
	Level          int          `json:"level"`
	Progress       int          `json:"progress"`
	EarnedTrophies TrophyCounts `json:"earnedTrophies"`

	wire wireState
}

// LegacyPresence is one presence entry of the legacy profile2 answer.
type LegacyPresence struct {
	OnlineStatus     string    `json:"onlineStatus"`
	HasBroadcastData bool      `json:"hasBroadcastData"`
	Platform         string    `json:"platform,omitempty"`
	LastOnlineDate   time.Time `json:"lastOnlineDate,omitzero"`
	NpTitleID        string    `json:"npTitleId,omitempty"`
	TitleName        string    `json:"titleName,omitempty"`
	NpTitleIconURL   string    `json:"npTitleIconUrl,omitempty"`

	wire wireState
}

// ConsoleAvailability says whether the user's console is reachable.
type ConsoleAvailability struct {
	AvailabilityStatus string `json:"availabilityStatus"`

	wire wireState
}

// LegacyProfile is a user's profile by online id (the legacy profile2
// endpoint), the only lookup by name. psn-api: getProfileFromUserName.
type LegacyProfile struct {
	OnlineID string `json:"onlineId"`
	// CurrentOnlineID is set when OnlineID is a previous name of the
	// account: the name it has now.
	CurrentOnlineID string `json:"currentOnlineId,omitempty"`
	AccountID       string `json:"accountId"`
	// NpID is base64 of "onlineId@xx.cc"; see RegionFromNpID.
	NpID       string         `json:"npId,omitempty"`
	AvatarURLs []LegacyAvatar `json:"avatarUrls,omitempty"`
	// Plus is 1 for a PlayStation Plus member, else 0.
	Plus                                    int                   `json:"plus"`
	AboutMe                                 string                `json:"aboutMe,omitempty"`
	LanguagesUsed                           []string              `json:"languagesUsed,omitempty"`
	TrophySummary                           *LegacyTrophySummary  `json:"trophySummary,omitempty"`
	IsOfficiallyVerified                    bool                  `json:"isOfficiallyVerified"`
	PersonalDetail                          *LegacyPersonalDetail `json:"personalDetail,omitempty"`
	PersonalDetailSharing                   string                `json:"personalDetailSharing,omitempty"`
	PersonalDetailSharingRequestMessageFlag bool                  `json:"personalDetailSharingRequestMessageFlag"`
	PrimaryOnlineStatus                     string                `json:"primaryOnlineStatus,omitempty"`
	Presences                               []LegacyPresence      `json:"presences,omitempty"`
	FriendRelation                          string                `json:"friendRelation,omitempty"`
	RequestMessageFlag                      bool                  `json:"requestMessageFlag"`
	// Blocking is true when the token's owner blocked this user.
	Blocking            bool                 `json:"blocking"`
	Following           bool                 `json:"following"`
	ConsoleAvailability *ConsoleAvailability `json:"consoleAvailability,omitempty"`

	wire wireState
}

// legacyProfileResponse wraps profile2's answer.
type legacyProfileResponse struct {
	Profile LegacyProfile `json:"profile"`
}

// ProfileFields is the fields list psn-api asks profile2 for.
const ProfileFields = "npId,onlineId,accountId,avatarUrls,plus,aboutMe,languagesUsed,trophySummary(@default,level,progress,earnedTrophies),isOfficiallyVerified,personalDetail(@default,profilePictureUrls),personalDetailSharing,personalDetailSharingRequestMessageFlag,primaryOnlineStatus,presences(@default,@titleInfo,platform,lastOnlineDate,hasBroadcastData),requestMessageFlag,blocking,friendRelation,following,consoleAvailability"

// LookupFields is a short profile2 fields list that resolves an online
// id: accountId, onlineId and, when the name is a former one,
// currentOnlineId (as PSNAWP's psnawp.user(online_id=…) asks).
const LookupFields = "accountId,onlineId,currentOnlineId"

// LegacyProfileOptions adjusts ProfileByOnlineID.
type LegacyProfileOptions struct {
	// Fields is profile2's fields list (default ProfileFields, psn-api's
	// list; LookupFields asks only for the ids). Only the fields asked
	// for are set in the result.
	Fields string
}

func (s *UserService) profile2(ctx context.Context, onlineID, fields string) (*LegacyProfile, error) {
	name, err := pathID("onlineId", onlineID)
	if err != nil {
		return nil, err
	}
	var out legacyProfileResponse
	if err := s.client.get(ctx, LegacyProfileURL+"/"+name+"/profile2", url.Values{"fields": {fields}}, &out, nil); err != nil {
		return nil, err
	}
	return &out.Profile, nil
}

// ProfileByOnlineID returns a user's legacy profile by online id (their
// PSN name; a former name works too); opt may be nil. psn-api:
// getProfileFromUserName. To turn a name into an account id, use
// ResolveAccountID.
func (s *UserService) ProfileByOnlineID(ctx context.Context, onlineID string, opt *LegacyProfileOptions) (*LegacyProfile, error) {
	fields := ProfileFields
	if opt != nil && opt.Fields != "" {
		fields = opt.Fields
	}
	return s.profile2(ctx, onlineID, fields)
}

// IsAccountID reports whether s has the form of a PSN account id: digits
// only. Online ids start with a letter, so the two never collide.
func IsAccountID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ResolveAccountID turns who a user names into a numeric account id:
// "me" is the token's owner (one request, as AccountID), an account id is
// returned as it is (no request), and anything else is an online id
// looked up with LookupFields (one request; a former name resolves to the
// account that carries it now). An empty who is an *InvalidIDError; an
// unknown online id matches ErrNotFound.
func (s *UserService) ResolveAccountID(ctx context.Context, who string) (string, error) {
	switch {
	case strings.TrimSpace(who) == "":
		return "", &InvalidIDError{Param: "account", Problem: "empty"}
	case who == "me":
		return s.AccountID(ctx)
	case IsAccountID(who):
		return who, nil
	}
	p, err := s.profile2(ctx, who, LookupFields)
	if err != nil {
		return "", err
	}
	if p.AccountID == "" {
		return "", &ResponseError{Status: http.StatusOK, URL: LegacyProfileURL + "/{onlineId}/profile2", Problem: "no accountId in the answer"}
	}
	return p.AccountID, nil
}

// RegionFromNpID decodes a profile's npId (base64 of "name@b7.us") and
// returns the country: the two letters after the last '.', upper-cased
// ("US"). It fails with an error matching ErrNoRegion when npId is not
// base64 or holds no such suffix.
func RegionFromNpID(npID string) (string, error) {
	npID = strings.TrimSpace(npID)
	raw, err := base64.StdEncoding.DecodeString(npID)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(npID, "=")); err != nil {
			return "", fmt.Errorf("%w: npId is not base64", ErrNoRegion)
		}
	}
	s := string(raw)
	at := strings.LastIndexByte(s, '@')
	dot := strings.LastIndexByte(s, '.')
	if at < 0 || dot < at {
		return "", fmt.Errorf("%w: no @domain.cc suffix", ErrNoRegion)
	}
	cc := s[dot+1:]
	if len(cc) != 2 || !isASCIILetter(cc[0]) || !isASCIILetter(cc[1]) {
		return "", fmt.Errorf("%w: suffix is not two letters", ErrNoRegion)
	}
	return strings.ToUpper(cc), nil
}

func isASCIILetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// Region returns a user's country code ("US") from their profile's npId.
// psn-api: getUserRegion (which adds the country's English name; use
// golang.org/x/text/language/display for names).
func (s *UserService) Region(ctx context.Context, onlineID string) (string, error) {
	p, err := s.ProfileByOnlineID(ctx, onlineID, nil)
	if err != nil {
		return "", err
	}
	return RegionFromNpID(p.NpID)
}

// ShareableProfileLink is the public link and image of a profile.
type ShareableProfileLink struct {
	ShareURL                 string `json:"shareUrl"`
	ShareImageURL            string `json:"shareImageUrl"`
	ShareImageURLDestination string `json:"shareImageUrlDestination"`

	wire wireState
}

// ShareableLink returns a profile's public link (cpss).
// psn-api: getProfileShareableLink.
func (s *UserService) ShareableLink(ctx context.Context, accountID string) (*ShareableProfileLink, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var out ShareableProfileLink
	if err := s.client.get(ctx, CPSSBaseURL+"/v1/share/profile/"+acc, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// FriendsPage is a page of a user's friends' account ids.
type FriendsPage struct {
	Friends []string `json:"friends"`
	Page

	wire wireState
}

// FriendsOptions selects a page of friends. The zero value asks for
// PSN's default page.
type FriendsOptions struct {
	// ListOptions selects the page; FriendsAll uses MaxFriendsPageSize
	// when Limit is 0.
	ListOptions
}

// Friends returns a page of a user's friends' account ids ("me" for the
// token's owner; another user's list may be ErrForbidden).
// psn-api: getUserFriendsAccountIds.
func (s *UserService) Friends(ctx context.Context, accountID string, opt *FriendsOptions) (*FriendsPage, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var o FriendsOptions
	if opt != nil {
		o = *opt
	}
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", fmt.Sprint(o.Limit))
	}
	if o.Offset > 0 {
		q.Set("offset", fmt.Sprint(o.Offset))
	}
	var out FriendsPage
	if err := s.client.get(ctx, UserBaseURL+"/"+acc+"/friends", q, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// FriendsAll walks every page of a user's friends' account ids.
func (s *UserService) FriendsAll(ctx context.Context, accountID string, opt *FriendsOptions) iter.Seq2[string, error] {
	return allPages(ctx, UserBaseURL+"/{accountId}/friends", opt, MaxFriendsPageSize, func(ctx context.Context, po *FriendsOptions) ([]string, Page, error) {
		p, err := s.Friends(ctx, accountID, po)
		if err != nil {
			return nil, Page{}, err
		}
		return p.Friends, p.Page, nil
	})
}

// BlockedPage is the token owner's block list.
type BlockedPage struct {
	BlockList []string `json:"blockList"`
	Page

	wire wireState
}

// Blocked returns the account ids the token's owner blocked.
// psn-api: getUserBlockedAccountIds.
func (s *UserService) Blocked(ctx context.Context) (*BlockedPage, error) {
	var out BlockedPage
	if err := s.client.get(ctx, UserBaseURL+"/me/blocks", nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// FriendRequest is a friend request the token's owner received.
type FriendRequest struct {
	AccountID                       string    `json:"accountId"`
	Relation                        string    `json:"relation"`
	PersonalDetailSharing           string    `json:"personalDetailSharing"`
	AcceptSharingPersonalDetailFlag bool      `json:"acceptSharingPersonalDetailFlag"`
	RequestedDate                   time.Time `json:"requestedDate,omitzero"`

	wire wireState
}

// FriendRequestsPage lists received friend requests.
type FriendRequestsPage struct {
	ReceivedRequests []FriendRequest `json:"receivedRequests"`
	Page

	wire wireState
}

// FriendRequests returns the friend requests the token's owner received.
// psn-api: getUserFriendsRequests.
func (s *UserService) FriendRequests(ctx context.Context) (*FriendRequestsPage, error) {
	var out FriendRequestsPage
	if err := s.client.get(ctx, UserBaseURL+"/me/friends/receivedRequests", nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Friendship is the relation between the token's owner and a user.
type Friendship struct {
	// FriendRelation is "friend", "requested", "requesting" or "no".
	FriendRelation        string `json:"friendRelation"`
	PersonalDetailSharing string `json:"personalDetailSharing"`
	FriendsCount          int    `json:"friendsCount"`
	MutualFriendsCount    int    `json:"mutualFriendsCount"`

	wire wireState
}

// Friendship returns the friendship summary between the token's owner and
// accountID (PSNAWP user.friendship()).
func (s *UserService) Friendship(ctx context.Context, accountID string) (*Friendship, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	var out Friendship
	if err := s.client.get(ctx, UserBaseURL+"/me/friends/"+acc+"/summary", nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// AcceptFriendRequest accepts accountID's friend request (PSNAWP
// user.accept_friend_request()). It is a write: never retried.
func (s *UserService) AcceptFriendRequest(ctx context.Context, accountID string) error {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return err
	}
	return s.client.Call(ctx, http.MethodPut, UserBaseURL+"/me/friends/"+acc, nil, nil, nil)
}

// RemoveFriend removes accountID from the token owner's friends (PSNAWP
// user.remove_friend()).
func (s *UserService) RemoveFriend(ctx context.Context, accountID string) error {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return err
	}
	return s.client.Call(ctx, http.MethodDelete, UserBaseURL+"/me/friends/"+acc, nil, nil, nil)
}

// AvailableToPlay is the token owner's "notify me when these friends are
// available to play" list. PSN's entries are kept raw: the recordings only
// show an empty list.
type AvailableToPlay struct {
	Settings []json.RawMessage `json:"settings"`

	wire wireState
}

// AvailableToPlay returns the friends the token's owner subscribed to for
// "available to play" notices (PSNAWP client.available_to_play()).
func (s *UserService) AvailableToPlay(ctx context.Context) (*AvailableToPlay, error) {
	var out AvailableToPlay
	if err := s.client.get(ctx, UserBaseURL+"/me/friends/subscribing/availableToPlay", nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// PlatformInfo is the platform a user is (or was last) on.
type PlatformInfo struct {
	OnlineStatus   string    `json:"onlineStatus"`
	Platform       string    `json:"platform"`
	LastOnlineDate time.Time `json:"lastOnlineDate,omitzero"`

	wire wireState
}

// GameTitleInfo is a game a user is playing.
type GameTitleInfo struct {
	NpTitleID      string `json:"npTitleId"`
	TitleName      string `json:"titleName"`
	Format         string `json:"format"`
	LaunchPlatform string `json:"launchPlatform"`
	NpTitleIconURL string `json:"npTitleIconUrl,omitempty"`
	ConceptIconURL string `json:"conceptIconUrl,omitempty"`
	// GameStatus is the game's rich presence text ("Surviving on the
	// server: …"), when the game sets one.
	GameStatus string `json:"gameStatus,omitempty"`

	wire wireState
}

// BasicPresence is a user's online state and current game.
type BasicPresence struct {
	// AccountID is set in batch answers (Presences).
	AccountID string `json:"accountId,omitempty"`
	// Availability is "availableToPlay", "availableToCommunicate" or
	// "unavailable".
	Availability        string          `json:"availability"`
	LastAvailableDate   time.Time       `json:"lastAvailableDate,omitzero"`
	PrimaryPlatformInfo PlatformInfo    `json:"primaryPlatformInfo"`
	GameTitleInfoList   []GameTitleInfo `json:"gameTitleInfoList,omitempty"`

	wire wireState
}

type basicPresenceResponse struct {
	BasicPresence BasicPresence `json:"basicPresence"`
}

type basicPresencesResponse struct {
	BasicPresences []BasicPresence `json:"basicPresences"`
}

// presencePlatforms is the platforms list the PlayStation app asks for.
const presencePlatforms = "PS4,PS5,MOBILE_APP,PSPC"

// Presence returns a user's basic presence (userProfile v2, as the
// PlayStation app asks for it; another user's may be ErrForbidden).
// psn-api: getBasicPresence.
func (s *UserService) Presence(ctx context.Context, accountID string) (*BasicPresence, error) {
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return nil, err
	}
	q := url.Values{"type": {"primary"}, "platforms": {presencePlatforms}, "withOwnGameTitleInfo": {"true"}}
	var out basicPresenceResponse
	if err := s.client.get(ctx, UserV2BaseURL+"/"+acc+"/basicPresences", q, &out, nil); err != nil {
		return nil, err
	}
	return &out.BasicPresence, nil
}

// Presences returns the basic presence of several users in one request
// (v2 batch; PSNAWP client.get_presences()).
func (s *UserService) Presences(ctx context.Context, accountIDs []string) ([]BasicPresence, error) {
	if len(accountIDs) == 0 {
		return nil, &InvalidIDError{Param: "accountIds", Problem: "no ids"}
	}
	for _, id := range accountIDs {
		if strings.TrimSpace(id) == "" || strings.Contains(id, ",") {
			return nil, &InvalidIDError{Param: "accountIds", Problem: "empty id or id with a comma"}
		}
	}
	q := url.Values{"type": {"primary"}, "platforms": {presencePlatforms}, "withOwnGameTitleInfo": {"true"}, "accountIds": {strings.Join(accountIDs, ",")}}
	var out basicPresencesResponse
	if err := s.client.get(ctx, UserV2BaseURL+"/basicPresences", q, &out, nil); err != nil {
		return nil, err
	}
	return out.BasicPresences, nil
}

// Device is a console the account is activated on.
type Device struct {
	DeviceID string `json:"deviceId"`
	// DeviceType is "PS5", "PS4", "PS3" or "PSVita".
	DeviceType string `json:"deviceType"`
	// ActivationType is e.g. "PRIMARY" or "PSN_GAME_V3".
	ActivationType      string    `json:"activationType"`
	ActivationDate      time.Time `json:"activationDate,omitzero"`
	AccountDeviceVector string    `json:"accountDeviceVector,omitempty"`

	wire wireState
}

// AccountDevices lists the consoles of the token's owner.
type AccountDevices struct {
	AccountID      string   `json:"accountId"`
	AccountDevices []Device `json:"accountDevices,omitempty"`

	wire wireState
}

// Devices returns the consoles the token's owner is activated on (DMS).
// psn-api: getAccountDevices.
func (s *UserService) Devices(ctx context.Context) (*AccountDevices, error) {
	q := url.Values{"includeFields": {"device,systemData"}, "platform": {"PS5,PS4,PS3,PSVita"}}
	var out AccountDevices
	if err := s.client.get(ctx, DMSBaseURL+"/v1/devices/accounts/me", q, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}
