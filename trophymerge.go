package psn

import (
	"context"
	"errors"
)

// MergedTrophy is a trophy's definition joined with one account's earned
// state. It encodes to JSON as its Trophy: every field of PSN's
// earned-state answer as sent, with the definition's name, detail, icon,
// group, type, progress target and reward filled in. Decoding JSON into a
// MergedTrophy fills its Trophy only (HasEarnedState stays false).
type MergedTrophy struct {
	Trophy
	// HasEarnedState is true when Trophy carries the account's earned
	// state (Earned, EarnedDateTime, TrophyEarnedRate, TrophyRare,
	// Progress…); false when only the definition is known (the account
	// never played the title). Not part of the JSON.
	HasEarnedState bool `json:"-"`
}

// MergeTrophies joins a title's trophy definitions (TitleTrophies) with an
// account's earned state (UserTrophies) by trophy id. The order is the
// definitions'; earned entries without a definition come last, as they
// are. A definition without earned state is kept with HasEarnedState
// false. Neither input is changed.
func MergeTrophies(defs, earned []Trophy) []MergedTrophy {
	byID := make(map[int]int, len(earned))
	for i, e := range earned {
		byID[e.TrophyID] = i
	}
	used := make([]bool, len(earned))
	out := make([]MergedTrophy, 0, max(len(defs), len(earned)))
	for _, d := range defs {
		i, ok := byID[d.TrophyID]
		if !ok {
			out = append(out, MergedTrophy{Trophy: d})
			continue
		}
		used[i] = true
		e := earned[i]
		fillEmpty(&e.TrophyName, d.TrophyName)
		fillEmpty(&e.TrophyDetail, d.TrophyDetail)
		fillEmpty(&e.TrophyIconURL, d.TrophyIconURL)
		fillEmpty(&e.TrophyGroupID, d.TrophyGroupID)
		fillEmpty(&e.TrophyType, d.TrophyType)
		fillEmpty(&e.TrophyProgressTargetValue, d.TrophyProgressTargetValue)
		fillEmpty(&e.TrophyRewardName, d.TrophyRewardName)
		fillEmpty(&e.TrophyRewardImageURL, d.TrophyRewardImageURL)
		out = append(out, MergedTrophy{Trophy: e, HasEarnedState: true})
	}
	for i, e := range earned {
		if !used[i] {
			out = append(out, MergedTrophy{Trophy: e, HasEarnedState: true})
		}
	}
	return out
}

func fillEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// TitleTrophiesWithEarned reads every trophy of a title's group (groupID
// as in TitleTrophies; "" or TrophyGroupAll for all) and an account's
// earned state for them ("me" for the token's owner), walking the pages
// of both from opt's Offset, and merges them with MergeTrophies; opt may
// be nil. When the account never played the title (PSN answers 404 to the
// earned-state call) the result holds the definitions, each with
// HasEarnedState false, and no error.
func (s *TrophyService) TitleTrophiesWithEarned(ctx context.Context, accountID, npCommunicationID, groupID string, opt *TrophiesOptions) ([]MergedTrophy, error) {
	if _, err := pathID("accountId", accountID); err != nil {
		return nil, err
	}
	defs, err := collectAll(s.TitleTrophiesAll(ctx, npCommunicationID, groupID, opt))
	if err != nil {
		return nil, err
	}
	earned, err := collectAll(s.UserTrophiesAll(ctx, accountID, npCommunicationID, groupID, opt))
	if errors.Is(err, ErrNotFound) {
		earned, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	return MergeTrophies(defs, earned), nil
}

// collectAll drains an iterator, stopping at its first error.
func collectAll[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
