// The codec methods of every result type (see lossless.go): the same four
// one-line methods and one codec variable for each type that holds a
// wireState. TestEveryResultTypeIsLossless fails when a type lacks them.

package psn

import "github.com/go-json-experiment/json/jsontext"

var wireTrophyCounts wireCodec[TrophyCounts]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TrophyCounts) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTrophyCounts.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TrophyCounts) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTrophyCounts.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TrophyCounts) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TrophyCounts) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTrophySummary wireCodec[TrophySummary]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TrophySummary) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTrophySummary.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TrophySummary) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTrophySummary.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TrophySummary) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TrophySummary) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTrophyTitle wireCodec[TrophyTitle]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TrophyTitle) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTrophyTitle.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TrophyTitle) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTrophyTitle.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TrophyTitle) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TrophyTitle) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTrophyTitlesPage wireCodec[TrophyTitlesPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TrophyTitlesPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTrophyTitlesPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TrophyTitlesPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTrophyTitlesPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TrophyTitlesPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TrophyTitlesPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTrophy wireCodec[Trophy]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Trophy) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTrophy.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Trophy) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTrophy.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Trophy) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Trophy) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTitleTrophiesPage wireCodec[TitleTrophiesPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TitleTrophiesPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTitleTrophiesPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TitleTrophiesPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTitleTrophiesPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TitleTrophiesPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TitleTrophiesPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireUserTrophiesPage wireCodec[UserTrophiesPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *UserTrophiesPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireUserTrophiesPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v UserTrophiesPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireUserTrophiesPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *UserTrophiesPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v UserTrophiesPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTrophyGroup wireCodec[TrophyGroup]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TrophyGroup) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTrophyGroup.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TrophyGroup) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTrophyGroup.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TrophyGroup) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TrophyGroup) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTitleTrophyGroups wireCodec[TitleTrophyGroups]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TitleTrophyGroups) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTitleTrophyGroups.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TitleTrophyGroups) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTitleTrophyGroups.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TitleTrophyGroups) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TitleTrophyGroups) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTrophyGroupEarnings wireCodec[TrophyGroupEarnings]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TrophyGroupEarnings) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTrophyGroupEarnings.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TrophyGroupEarnings) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTrophyGroupEarnings.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TrophyGroupEarnings) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TrophyGroupEarnings) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireUserTrophyGroups wireCodec[UserTrophyGroups]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *UserTrophyGroups) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireUserTrophyGroups.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v UserTrophyGroups) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireUserTrophyGroups.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *UserTrophyGroups) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v UserTrophyGroups) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTitleTrophyTitles wireCodec[TitleTrophyTitles]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TitleTrophyTitles) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTitleTrophyTitles.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TitleTrophyTitles) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTitleTrophyTitles.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TitleTrophyTitles) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TitleTrophyTitles) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSizedURL wireCodec[SizedURL]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SizedURL) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSizedURL.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SizedURL) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSizedURL.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SizedURL) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SizedURL) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wirePersonalDetail wireCodec[PersonalDetail]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *PersonalDetail) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wirePersonalDetail.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v PersonalDetail) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wirePersonalDetail.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *PersonalDetail) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v PersonalDetail) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireProfile wireCodec[Profile]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Profile) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireProfile.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Profile) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireProfile.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Profile) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Profile) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLegacyAvatar wireCodec[LegacyAvatar]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LegacyAvatar) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLegacyAvatar.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LegacyAvatar) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLegacyAvatar.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LegacyAvatar) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LegacyAvatar) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLegacyPicture wireCodec[LegacyPicture]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LegacyPicture) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLegacyPicture.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LegacyPicture) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLegacyPicture.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LegacyPicture) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LegacyPicture) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLegacyPersonalDetail wireCodec[LegacyPersonalDetail]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LegacyPersonalDetail) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLegacyPersonalDetail.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LegacyPersonalDetail) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLegacyPersonalDetail.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LegacyPersonalDetail) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LegacyPersonalDetail) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLegacyTrophySummary wireCodec[LegacyTrophySummary]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LegacyTrophySummary) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLegacyTrophySummary.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LegacyTrophySummary) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLegacyTrophySummary.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LegacyTrophySummary) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LegacyTrophySummary) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLegacyPresence wireCodec[LegacyPresence]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LegacyPresence) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLegacyPresence.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LegacyPresence) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLegacyPresence.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LegacyPresence) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LegacyPresence) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireConsoleAvailability wireCodec[ConsoleAvailability]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *ConsoleAvailability) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireConsoleAvailability.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v ConsoleAvailability) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireConsoleAvailability.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *ConsoleAvailability) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v ConsoleAvailability) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLegacyProfile wireCodec[LegacyProfile]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LegacyProfile) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLegacyProfile.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LegacyProfile) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLegacyProfile.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LegacyProfile) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LegacyProfile) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireShareableProfileLink wireCodec[ShareableProfileLink]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *ShareableProfileLink) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireShareableProfileLink.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v ShareableProfileLink) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireShareableProfileLink.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *ShareableProfileLink) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v ShareableProfileLink) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireFriendsPage wireCodec[FriendsPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *FriendsPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireFriendsPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v FriendsPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireFriendsPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *FriendsPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v FriendsPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireBlockedPage wireCodec[BlockedPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *BlockedPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireBlockedPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v BlockedPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireBlockedPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *BlockedPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v BlockedPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireFriendRequest wireCodec[FriendRequest]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *FriendRequest) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireFriendRequest.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v FriendRequest) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireFriendRequest.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *FriendRequest) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v FriendRequest) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireFriendRequestsPage wireCodec[FriendRequestsPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *FriendRequestsPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireFriendRequestsPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v FriendRequestsPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireFriendRequestsPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *FriendRequestsPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v FriendRequestsPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireFriendship wireCodec[Friendship]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Friendship) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireFriendship.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Friendship) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireFriendship.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Friendship) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Friendship) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireAvailableToPlay wireCodec[AvailableToPlay]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *AvailableToPlay) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireAvailableToPlay.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v AvailableToPlay) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireAvailableToPlay.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *AvailableToPlay) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v AvailableToPlay) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wirePlatformInfo wireCodec[PlatformInfo]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *PlatformInfo) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wirePlatformInfo.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v PlatformInfo) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wirePlatformInfo.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *PlatformInfo) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v PlatformInfo) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGameTitleInfo wireCodec[GameTitleInfo]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GameTitleInfo) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGameTitleInfo.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GameTitleInfo) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGameTitleInfo.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GameTitleInfo) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GameTitleInfo) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireBasicPresence wireCodec[BasicPresence]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *BasicPresence) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireBasicPresence.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v BasicPresence) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireBasicPresence.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *BasicPresence) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v BasicPresence) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireDevice wireCodec[Device]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Device) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireDevice.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Device) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireDevice.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Device) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Device) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireAccountDevices wireCodec[AccountDevices]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *AccountDevices) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireAccountDevices.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v AccountDevices) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireAccountDevices.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *AccountDevices) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v AccountDevices) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireMediaItem wireCodec[MediaItem]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *MediaItem) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireMediaItem.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v MediaItem) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireMediaItem.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *MediaItem) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v MediaItem) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGameMedia wireCodec[GameMedia]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GameMedia) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGameMedia.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GameMedia) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGameMedia.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GameMedia) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GameMedia) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLocalized wireCodec[Localized]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Localized) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLocalized.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Localized) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLocalized.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Localized) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Localized) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGameConcept wireCodec[GameConcept]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GameConcept) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGameConcept.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GameConcept) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGameConcept.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GameConcept) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GameConcept) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wirePlayedTitle wireCodec[PlayedTitle]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *PlayedTitle) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wirePlayedTitle.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v PlayedTitle) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wirePlayedTitle.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *PlayedTitle) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v PlayedTitle) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wirePlayedTitlesPage wireCodec[PlayedTitlesPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *PlayedTitlesPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wirePlayedTitlesPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v PlayedTitlesPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wirePlayedTitlesPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *PlayedTitlesPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v PlayedTitlesPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGraphQLImage wireCodec[GraphQLImage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GraphQLImage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGraphQLImage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GraphQLImage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGraphQLImage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GraphQLImage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GraphQLImage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireRecentlyPlayedGame wireCodec[RecentlyPlayedGame]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *RecentlyPlayedGame) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireRecentlyPlayedGame.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v RecentlyPlayedGame) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireRecentlyPlayedGame.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *RecentlyPlayedGame) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v RecentlyPlayedGame) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wirePurchasedGame wireCodec[PurchasedGame]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *PurchasedGame) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wirePurchasedGame.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v PurchasedGame) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wirePurchasedGame.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *PurchasedGame) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v PurchasedGame) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireEntitlementAttribute wireCodec[EntitlementAttribute]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *EntitlementAttribute) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireEntitlementAttribute.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v EntitlementAttribute) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireEntitlementAttribute.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *EntitlementAttribute) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v EntitlementAttribute) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireEntitlementGameMeta wireCodec[EntitlementGameMeta]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *EntitlementGameMeta) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireEntitlementGameMeta.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v EntitlementGameMeta) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireEntitlementGameMeta.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *EntitlementGameMeta) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v EntitlementGameMeta) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireEntitlementTitleMeta wireCodec[EntitlementTitleMeta]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *EntitlementTitleMeta) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireEntitlementTitleMeta.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v EntitlementTitleMeta) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireEntitlementTitleMeta.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *EntitlementTitleMeta) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v EntitlementTitleMeta) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireEntitlementConceptMeta wireCodec[EntitlementConceptMeta]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *EntitlementConceptMeta) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireEntitlementConceptMeta.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v EntitlementConceptMeta) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireEntitlementConceptMeta.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *EntitlementConceptMeta) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v EntitlementConceptMeta) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireEntitlementRewardMeta wireCodec[EntitlementRewardMeta]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *EntitlementRewardMeta) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireEntitlementRewardMeta.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v EntitlementRewardMeta) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireEntitlementRewardMeta.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *EntitlementRewardMeta) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v EntitlementRewardMeta) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireEntitlement wireCodec[Entitlement]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Entitlement) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireEntitlement.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Entitlement) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireEntitlement.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Entitlement) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Entitlement) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireEntitlementsPage wireCodec[EntitlementsPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *EntitlementsPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireEntitlementsPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v EntitlementsPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireEntitlementsPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *EntitlementsPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v EntitlementsPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogMedia wireCodec[CatalogMedia]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogMedia) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogMedia.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogMedia) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogMedia.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogMedia) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogMedia) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogImage wireCodec[CatalogImage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogImage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogImage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogImage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogImage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogImage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogImage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogVideo wireCodec[CatalogVideo]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogVideo) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogVideo.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogVideo) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogVideo.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogVideo) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogVideo) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogDescription wireCodec[CatalogDescription]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogDescription) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogDescription.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogDescription) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogDescription.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogDescription) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogDescription) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireTypedValue wireCodec[TypedValue]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *TypedValue) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireTypedValue.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v TypedValue) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireTypedValue.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *TypedValue) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v TypedValue) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCompatibilityNotice wireCodec[CompatibilityNotice]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CompatibilityNotice) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCompatibilityNotice.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CompatibilityNotice) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCompatibilityNotice.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CompatibilityNotice) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CompatibilityNotice) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireContentRating wireCodec[ContentRating]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *ContentRating) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireContentRating.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v ContentRating) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireContentRating.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *ContentRating) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v ContentRating) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireRatingDescriptor wireCodec[RatingDescriptor]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *RatingDescriptor) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireRatingDescriptor.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v RatingDescriptor) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireRatingDescriptor.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *RatingDescriptor) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v RatingDescriptor) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireStarRating wireCodec[StarRating]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *StarRating) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireStarRating.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v StarRating) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireStarRating.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *StarRating) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v StarRating) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireStarRatingCount wireCodec[StarRatingCount]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *StarRatingCount) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireStarRatingCount.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v StarRatingCount) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireStarRatingCount.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *StarRatingCount) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v StarRatingCount) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogReleaseDate wireCodec[CatalogReleaseDate]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogReleaseDate) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogReleaseDate.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogReleaseDate) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogReleaseDate.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogReleaseDate) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogReleaseDate) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireRevisionIDs wireCodec[RevisionIDs]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *RevisionIDs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireRevisionIDs.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v RevisionIDs) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireRevisionIDs.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *RevisionIDs) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v RevisionIDs) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLocalizedDescriptions wireCodec[LocalizedDescriptions]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LocalizedDescriptions) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLocalizedDescriptions.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LocalizedDescriptions) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLocalizedDescriptions.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LocalizedDescriptions) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LocalizedDescriptions) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireLocalizedMedia wireCodec[LocalizedMedia]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *LocalizedMedia) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireLocalizedMedia.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v LocalizedMedia) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireLocalizedMedia.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *LocalizedMedia) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v LocalizedMedia) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCategorizedProducts wireCodec[CategorizedProducts]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CategorizedProducts) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCategorizedProducts.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CategorizedProducts) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCategorizedProducts.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CategorizedProducts) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CategorizedProducts) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogEdition wireCodec[CatalogEdition]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogEdition) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogEdition.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogEdition) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogEdition.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogEdition) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogEdition) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogPackage wireCodec[CatalogPackage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogPackage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogPackage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogPackage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogPackage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogPackage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogPackage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogSkuEntitlement wireCodec[CatalogSkuEntitlement]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogSkuEntitlement) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogSkuEntitlement.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogSkuEntitlement) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogSkuEntitlement.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogSkuEntitlement) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogSkuEntitlement) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogSku wireCodec[CatalogSku]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogSku) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogSku.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogSku) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogSku.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogSku) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogSku) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogOfferAvailability wireCodec[CatalogOfferAvailability]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogOfferAvailability) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogOfferAvailability.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogOfferAvailability) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogOfferAvailability.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogOfferAvailability) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogOfferAvailability) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogOffers wireCodec[CatalogOffers]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogOffers) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogOffers.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogOffers) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogOffers.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogOffers) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogOffers) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogSkuRelevancy wireCodec[CatalogSkuRelevancy]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogSkuRelevancy) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogSkuRelevancy.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogSkuRelevancy) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogSkuRelevancy.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogSkuRelevancy) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogSkuRelevancy) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCatalogProduct wireCodec[CatalogProduct]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CatalogProduct) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCatalogProduct.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CatalogProduct) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCatalogProduct.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CatalogProduct) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CatalogProduct) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireConcept wireCodec[Concept]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Concept) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireConcept.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Concept) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireConcept.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Concept) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Concept) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSearchMedia wireCodec[SearchMedia]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SearchMedia) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSearchMedia.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SearchMedia) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSearchMedia.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SearchMedia) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SearchMedia) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSearchProduct wireCodec[SearchProduct]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SearchProduct) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSearchProduct.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SearchProduct) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSearchProduct.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SearchProduct) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SearchProduct) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSearchResult wireCodec[SearchResult]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SearchResult) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSearchResult.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SearchResult) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSearchResult.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SearchResult) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SearchResult) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSearchHighlight wireCodec[SearchHighlight]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SearchHighlight) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSearchHighlight.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SearchHighlight) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSearchHighlight.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SearchHighlight) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SearchHighlight) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSearchItem wireCodec[SearchItem]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SearchItem) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSearchItem.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SearchItem) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSearchItem.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SearchItem) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SearchItem) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSearchDomainResult wireCodec[SearchDomainResult]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SearchDomainResult) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSearchDomainResult.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SearchDomainResult) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSearchDomainResult.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SearchDomainResult) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SearchDomainResult) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSearchFrequency wireCodec[SearchFrequency]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SearchFrequency) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSearchFrequency.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SearchFrequency) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSearchFrequency.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SearchFrequency) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SearchFrequency) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireContextSearchResult wireCodec[ContextSearchResult]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *ContextSearchResult) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireContextSearchResult.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v ContextSearchResult) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireContextSearchResult.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *ContextSearchResult) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v ContextSearchResult) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireUniversalSearchResponse wireCodec[UniversalSearchResponse]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *UniversalSearchResponse) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireUniversalSearchResponse.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v UniversalSearchResponse) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireUniversalSearchResponse.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *UniversalSearchResponse) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v UniversalSearchResponse) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireUniversalSearchDomain wireCodec[UniversalSearchDomain]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *UniversalSearchDomain) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireUniversalSearchDomain.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v UniversalSearchDomain) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireUniversalSearchDomain.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *UniversalSearchDomain) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v UniversalSearchDomain) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireUniversalSearchResult wireCodec[UniversalSearchResult]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *UniversalSearchResult) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireUniversalSearchResult.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v UniversalSearchResult) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireUniversalSearchResult.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *UniversalSearchResult) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v UniversalSearchResult) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireUniversalSearchSocialMetadata wireCodec[UniversalSearchSocialMetadata]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *UniversalSearchSocialMetadata) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireUniversalSearchSocialMetadata.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v UniversalSearchSocialMetadata) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireUniversalSearchSocialMetadata.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *UniversalSearchSocialMetadata) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v UniversalSearchSocialMetadata) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireUniversalSearchHighlights wireCodec[UniversalSearchHighlights]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *UniversalSearchHighlights) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireUniversalSearchHighlights.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v UniversalSearchHighlights) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireUniversalSearchHighlights.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *UniversalSearchHighlights) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v UniversalSearchHighlights) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGroupMember wireCodec[GroupMember]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GroupMember) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGroupMember.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GroupMember) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGroupMember.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GroupMember) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GroupMember) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGroupSummary wireCodec[GroupSummary]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GroupSummary) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGroupSummary.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GroupSummary) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGroupSummary.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GroupSummary) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GroupSummary) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGroupsPage wireCodec[GroupsPage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GroupsPage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGroupsPage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GroupsPage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGroupsPage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GroupsPage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GroupsPage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGroupName wireCodec[GroupName]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GroupName) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGroupName.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GroupName) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGroupName.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GroupName) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GroupName) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGroupIcon wireCodec[GroupIcon]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GroupIcon) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGroupIcon.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GroupIcon) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGroupIcon.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GroupIcon) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GroupIcon) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireMessage wireCodec[Message]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Message) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireMessage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Message) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireMessage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Message) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Message) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireThread wireCodec[Thread]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Thread) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireThread.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Thread) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireThread.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Thread) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Thread) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireNotificationSetting wireCodec[NotificationSetting]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *NotificationSetting) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireNotificationSetting.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v NotificationSetting) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireNotificationSetting.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *NotificationSetting) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v NotificationSetting) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireGroupDetails wireCodec[GroupDetails]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *GroupDetails) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireGroupDetails.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v GroupDetails) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireGroupDetails.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *GroupDetails) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v GroupDetails) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireCreatedGroup wireCodec[CreatedGroup]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *CreatedGroup) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireCreatedGroup.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v CreatedGroup) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireCreatedGroup.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *CreatedGroup) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v CreatedGroup) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireSentMessage wireCodec[SentMessage]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *SentMessage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireSentMessage.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v SentMessage) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireSentMessage.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *SentMessage) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v SentMessage) MarshalJSON() ([]byte, error) { return marshalV1(&v) }

var wireConversation wireCodec[Conversation]

// UnmarshalJSONFrom decodes PSN's JSON, keeping what no field names.
func (v *Conversation) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return wireConversation.decode(dec, v, &v.wire)
}

// MarshalJSONTo encodes v as PSN sent it (see the package's lossless results).
func (v Conversation) MarshalJSONTo(enc *jsontext.Encoder) error {
	return wireConversation.encode(enc, &v, &v.wire)
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (v *Conversation) UnmarshalJSON(b []byte) error { return unmarshalV1(b, v) }

// MarshalJSON is MarshalJSONTo for encoding/json.
func (v Conversation) MarshalJSON() ([]byte, error) { return marshalV1(&v) }
