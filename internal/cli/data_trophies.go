package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/psnkit/psn"
	"github.com/spf13/cobra"
)

// pageFlags are the paging flags of list commands.
type pageFlags struct {
	all           bool
	limit, offset int
}

func (p *pageFlags) register(c *cobra.Command, what string) {
	c.Flags().BoolVar(&p.all, "all", false, "follow every page (default: the first page only)")
	c.Flags().IntVar(&p.limit, "limit", 0, "page size (default: PSN's; with --all, the largest PSN allows)")
	c.Flags().IntVar(&p.offset, "offset", 0, "skip this many "+what+" first")
}

func (p *pageFlags) check() error {
	if p.limit < 0 || p.offset < 0 {
		return usageError("--limit and --offset must not be negative")
	}
	return nil
}

func summaryTable(a *App, s *psn.TrophySummary, onlineID *string) table {
	c := s.EarnedTrophies
	h := []string{"ACCOUNT ID", "LEVEL", "TIER", "PROGRESS", "POINTS", "PLATINUM", "GOLD", "SILVER", "BRONZE"}
	k := []string{"accountId", "trophyLevel", "tier", "progress", "trophyPoint",
		"earnedTrophies.platinum", "earnedTrophies.gold", "earnedTrophies.silver", "earnedTrophies.bronze"}
	r := []string{s.AccountID, itoa(s.TrophyLevel), itoa(s.Tier), a.pct(s.Progress), itoa(s.TrophyPoint),
		itoa(c.Platinum), itoa(c.Gold), itoa(c.Silver), itoa(c.Bronze)}
	if onlineID != nil {
		h = append([]string{h[0], "ONLINE ID"}, h[1:]...)
		k = append([]string{k[0], "onlineId"}, k[1:]...)
		r = append([]string{r[0], *onlineID}, r[1:]...)
	}
	return table{header: h, keys: k, rows: [][]string{r}}
}

func (a *App) meCommand() *cobra.Command {
	return a.dataCommand(&cobra.Command{
		Use:   "me",
		Short: "The logged-in account: account id, online id and trophy summary",
		Long: `The logged-in account's trophy summary. -o json prints PSN's trophySummary
answer with the onlineId the table shows (one more request, for the profile).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			sum, err := api.Trophies.Summary(ctx, "me")
			if err != nil {
				return err
			}
			online := ""
			if p, err := api.Users.Profile(ctx, sum.AccountID); err != nil {
				fmt.Fprintf(a.stderr, "psn: online id unavailable: %s\n", trimPSN(err.Error()))
			} else {
				online = p.OnlineID
			}
			return a.emit(withFields{sum, []field{{"onlineId", online}}}, summaryTable(a, sum, &online))
		},
	})
}

func (a *App) summaryCommand() *cobra.Command {
	return a.dataCommand(&cobra.Command{
		Use:   "summary [ACCOUNT]",
		Short: "An account's trophy level, tier, points and earned counts",
		Long: `An account's trophy summary. ACCOUNT is "me" (the default), a PSN account id,
or an online id (looked up first).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			api, acc, err := a.accountSession(ctx, args)
			if err != nil {
				return err
			}
			sum, err := api.Trophies.Summary(ctx, acc)
			if err != nil {
				return err
			}
			return a.emit(sum, summaryTable(a, sum, nil))
		},
	})
}

func (a *App) titlesTable(ts []psn.TrophyTitle) table {
	h := []string{"NP COMMUNICATION ID", "SERVICE", "PLATFORM", "NAME", "PROGRESS"}
	h = append(append(append(h, a.countHeader("EARNED")...), a.countHeader("DEFINED")...), "LAST UPDATED")
	k := []string{"npCommunicationId", "npServiceName", "trophyTitlePlatform", "trophyTitleName", "progress"}
	k = append(append(append(k, a.countKeys("earnedTrophies")...), a.countKeys("definedTrophies")...), "lastUpdatedDateTime")
	t := table{header: h, keys: k}
	for _, x := range ts {
		r := []string{x.NpCommunicationID, x.NpServiceName, x.TrophyTitlePlatform, x.TrophyTitleName, a.pct(x.Progress)}
		r = append(append(append(r, a.countCells(&x.EarnedTrophies)...), a.countCells(&x.DefinedTrophies)...), a.when(x.LastUpdatedDateTime))
		t.rows = append(t.rows, r)
	}
	return t
}

func (a *App) titlesCommand() *cobra.Command {
	var pf pageFlags
	c := &cobra.Command{
		Use:   "titles [ACCOUNT]",
		Short: "An account's trophy titles, most recently updated first",
		Long: `An account's trophy titles (psn-api getUserTitles), most recently updated first.
ACCOUNT is "me" (the default), a PSN account id, or an online id.

-o json prints the array of PSN's titles, with or without --all; with --all
JSON and CSV stream page by page.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := pf.check(); err != nil {
				return err
			}
			api, acc, err := a.accountSession(ctx, args)
			if err != nil {
				return err
			}
			opt := &psn.TitlesOptions{ListOptions: psn.ListOptions{Limit: pf.limit, Offset: pf.offset}}
			if pf.all {
				return emitAll(a, api.Trophies.TitlesAll(ctx, acc, opt), a.titlesTable)
			}
			page, err := api.Trophies.Titles(ctx, acc, opt)
			if err != nil {
				return err
			}
			if err := a.emit(nonNil(page.TrophyTitles), a.titlesTable(page.TrophyTitles)); err != nil {
				return err
			}
			a.moreHint(page.TotalItemCount, pf.offset, len(page.TrophyTitles), "titles")
			return nil
		},
	}
	pf.register(c, "titles")
	return a.dataCommand(c)
}

// userTrophiesView is PSN's earned-trophies page with the trophies merged
// with their definitions.
type userTrophiesView struct {
	TrophySetVersion    string             `json:"trophySetVersion"`
	HasTrophyGroups     bool               `json:"hasTrophyGroups"`
	LastUpdatedDateTime time.Time          `json:"lastUpdatedDateTime,omitzero"`
	Trophies            []psn.MergedTrophy `json:"trophies"`
	RarestTrophies      []psn.MergedTrophy `json:"rarestTrophies,omitzero"` // [] when PSN sent []
	psn.Page
}

func (a *App) trophiesTable(ts []psn.MergedTrophy) table {
	t := table{header: []string{"ID", "TYPE", "NAME", "GROUP", "HIDDEN", "EARNED", "EARNED AT", "RARITY %", "PROGRESS"},
		keys: []string{"trophyId", "trophyType", "trophyName", "trophyGroupId", "trophyHidden", "earned", "earnedDateTime", "trophyEarnedRate", "progress"}}
	for _, x := range ts {
		earned := ""
		if x.HasEarnedState {
			earned = a.boolCell(x.Earned)
		}
		progress := x.Progress
		if x.TrophyProgressTargetValue != "" {
			progress = orZero(progress) + "/" + x.TrophyProgressTargetValue
		}
		t.rows = append(t.rows, []string{itoa(x.TrophyID), x.TrophyType, x.TrophyName, x.TrophyGroupID, a.boolCell(x.TrophyHidden),
			earned, a.when(x.EarnedDateTime), x.TrophyEarnedRate, progress})
	}
	return t
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// trophyTarget holds the flags that pick a title's trophies for an account.
type trophyTarget struct {
	accountID, service string
}

func (tt *trophyTarget) register(c *cobra.Command) {
	c.Flags().StringVar(&tt.accountID, "account-id", "me", `whose earned state: "me", a PSN account id, or an online id`)
	c.Flags().StringVar(&tt.service, "service", "", `npServiceName: "trophy" (PS3/PS4/Vita) or "trophy2" (PS5/PC); default: tried in that order`)
}

func (tt *trophyTarget) check() error {
	switch tt.service {
	case "", psn.ServiceTrophy, psn.ServiceTrophy2:
	default:
		return usageError("--service must be %q or %q, not %q", psn.ServiceTrophy, psn.ServiceTrophy2, tt.service)
	}
	_, err := classifyAccount("--account-id", tt.accountID)
	return err
}

func (a *App) trophiesCommand() *cobra.Command {
	var (
		pf    pageFlags
		tt    trophyTarget
		group string
	)
	c := &cobra.Command{
		Use:   "trophies NP_COMMUNICATION_ID",
		Short: "A title's trophies with an account's earned state",
		Long: `A title's trophies (names, details, icons) merged with an account's earned
state (earned, date, rarity, PS5 progress): psn-api getTitleTrophies joined
with getUserTrophiesEarnedForTitle by trophyId.

-o json prints PSN's earned-trophies page whose trophies carry every field of
both answers; with --all, the same object holding every trophy. When the account never
played the title, only the definitions are shown (with a note on stderr).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			np := args[0]
			if err := pf.check(); err != nil {
				return err
			}
			if err := tt.check(); err != nil {
				return err
			}
			if err := nonEmpty("NP_COMMUNICATION_ID", np); err != nil {
				return err
			}
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			acc, err := resolveAccount(ctx, api, "--account-id", tt.accountID, false)
			if err != nil {
				return err
			}
			opt := &psn.TrophiesOptions{NpServiceName: tt.service, ListOptions: psn.ListOptions{Limit: pf.limit, Offset: pf.offset}}
			if pf.all {
				merged, err := api.Trophies.TitleTrophiesWithEarned(ctx, acc, np, group, opt)
				if err != nil {
					return err
				}
				// No trophy with earned state: PSN knew no earned state
				// for the account (a 404, the title never played).
				played := slices.ContainsFunc(merged, func(m psn.MergedTrophy) bool { return m.HasEarnedState })
				if !played && len(merged) > 0 {
					a.notPlayed(psn.ErrNotFound, np)
				}
				// The same object as one page holds, with every trophy: its
				// title-level fields come from a one-trophy first page.
				out, err := trophiesHead(ctx, api, acc, np, group, opt, played)
				if err != nil {
					return err
				}
				out.Trophies = nonNil(merged)
				out.Page = psn.Page{TotalItemCount: len(out.Trophies)}
				return a.emit(out, a.trophiesTable(out.Trophies))
			}
			defs, err := api.Trophies.TitleTrophies(ctx, np, group, opt)
			if err != nil {
				return err
			}
			earned, err := api.Trophies.UserTrophies(ctx, acc, np, group, opt)
			if a.notPlayed(err, np) {
				out := userTrophiesView{TrophySetVersion: defs.TrophySetVersion, HasTrophyGroups: defs.HasTrophyGroups,
					Trophies: psn.MergeTrophies(defs.Trophies, nil), Page: defs.Page}
				if err := a.emit(out, a.trophiesTable(out.Trophies)); err != nil {
					return err
				}
				a.moreHint(defs.TotalItemCount, pf.offset, len(defs.Trophies), "trophies")
				return nil
			}
			if err != nil {
				return err
			}
			out := userTrophiesView{
				TrophySetVersion: earned.TrophySetVersion, HasTrophyGroups: earned.HasTrophyGroups,
				LastUpdatedDateTime: earned.LastUpdatedDateTime, Trophies: psn.MergeTrophies(defs.Trophies, earned.Trophies),
				Page: earned.Page,
			}
			if earned.RarestTrophies != nil {
				out.RarestTrophies = psn.MergeTrophies(nil, earned.RarestTrophies)
			}
			if err := a.emit(out, a.trophiesTable(out.Trophies)); err != nil {
				return err
			}
			a.moreHint(earned.TotalItemCount, pf.offset, len(earned.Trophies), "trophies")
			return nil
		},
	}
	pf.register(c, "trophies")
	tt.register(c)
	c.Flags().StringVar(&group, "group", psn.TrophyGroupAll, `trophy group: "all", "default" (the base game) or a DLC group "001", "002", …`)
	return a.dataCommand(c)
}

// trophiesHead reads the title-level fields of `trophies --all`'s object
// (trophySetVersion, hasTrophyGroups, lastUpdatedDateTime, rarestTrophies)
// with one request for a one-trophy page: of the account's earned state,
// or of the definitions when the account never played the title.
func trophiesHead(ctx context.Context, api *psn.Client, acc, np, group string, opt *psn.TrophiesOptions, played bool) (userTrophiesView, error) {
	one := *opt
	one.Limit, one.Offset = 1, 0
	if !played {
		defs, err := api.Trophies.TitleTrophies(ctx, np, group, &one)
		if err != nil {
			return userTrophiesView{}, err
		}
		return userTrophiesView{TrophySetVersion: defs.TrophySetVersion, HasTrophyGroups: defs.HasTrophyGroups}, nil
	}
	earned, err := api.Trophies.UserTrophies(ctx, acc, np, group, &one)
	if err != nil {
		return userTrophiesView{}, err
	}
	v := userTrophiesView{TrophySetVersion: earned.TrophySetVersion, HasTrophyGroups: earned.HasTrophyGroups,
		LastUpdatedDateTime: earned.LastUpdatedDateTime}
	if earned.RarestTrophies != nil {
		v.RarestTrophies = psn.MergeTrophies(nil, earned.RarestTrophies)
	}
	return v, nil
}

// notPlayed reports (and tells on stderr) that the account has no earned
// state for the title: PSN answers 404 to the earned-state call then.
func (a *App) notPlayed(err error, np string) bool {
	if !errors.Is(err, psn.ErrNotFound) {
		return false
	}
	fmt.Fprintf(a.stderr, "psn: the account has no trophies in %s (never played?): showing the definitions only\n", np)
	return true
}

// nonNil is s, or an empty slice for nil: a list command prints [] for
// no items, never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// collect drains an iterator, stopping at its first error.
func collect[T any](seq func(func(T, error) bool)) ([]T, error) {
	out := []T{}
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// trophyGroupView is one trophy group: its definition and, when the
// account has played the title, the account's earnings in it.
type trophyGroupView struct {
	TrophyGroupID       string            `json:"trophyGroupId"`
	TrophyGroupName     string            `json:"trophyGroupName,omitempty"`
	TrophyGroupDetail   string            `json:"trophyGroupDetail,omitempty"`
	TrophyGroupIconURL  string            `json:"trophyGroupIconUrl,omitempty"`
	DefinedTrophies     *psn.TrophyCounts `json:"definedTrophies,omitempty"`
	Progress            *int              `json:"progress,omitempty"`
	EarnedTrophies      *psn.TrophyCounts `json:"earnedTrophies,omitempty"`
	LastUpdatedDateTime time.Time         `json:"lastUpdatedDateTime,omitzero"`
}

// mergeGroups joins group definitions with an account's earnings by group
// id, in the definitions' order (earnings without a definition last).
// Either may be nil.
func mergeGroups(defs []psn.TrophyGroup, earned []psn.TrophyGroupEarnings) []trophyGroupView {
	out := make([]trophyGroupView, 0, max(len(defs), len(earned)))
	at := map[string]int{}
	for _, d := range defs {
		at[d.TrophyGroupID] = len(out)
		out = append(out, trophyGroupView{TrophyGroupID: d.TrophyGroupID, TrophyGroupName: d.TrophyGroupName,
			TrophyGroupDetail: d.TrophyGroupDetail, TrophyGroupIconURL: d.TrophyGroupIconURL, DefinedTrophies: new(d.DefinedTrophies)})
	}
	for _, e := range earned {
		i, ok := at[e.TrophyGroupID]
		if !ok {
			i = len(out)
			out = append(out, trophyGroupView{TrophyGroupID: e.TrophyGroupID})
		}
		out[i].Progress, out[i].EarnedTrophies, out[i].LastUpdatedDateTime = new(e.Progress), new(e.EarnedTrophies), e.LastUpdatedDateTime
	}
	return out
}

// titleGroupsView is a title's trophy set and groups (getTitleTrophyGroups)
// joined with an account's progress in them
// (getUserTrophyGroupEarningsForTitle): every field of both answers.
type titleGroupsView struct {
	NpServiceName       string            `json:"npServiceName,omitempty"`
	NpCommunicationID   string            `json:"npCommunicationId,omitempty"`
	TrophySetVersion    string            `json:"trophySetVersion"`
	TrophyTitleName     string            `json:"trophyTitleName,omitempty"`
	TrophyTitleDetail   string            `json:"trophyTitleDetail,omitempty"`
	TrophyTitleIconURL  string            `json:"trophyTitleIconUrl,omitempty"`
	TrophyTitlePlatform string            `json:"trophyTitlePlatform,omitempty"`
	DefinedTrophies     psn.TrophyCounts  `json:"definedTrophies"`
	HiddenFlag          *bool             `json:"hiddenFlag,omitempty"`
	Progress            *int              `json:"progress,omitempty"`
	EarnedTrophies      *psn.TrophyCounts `json:"earnedTrophies,omitempty"`
	LastUpdatedDateTime time.Time         `json:"lastUpdatedDateTime,omitzero"`
	TrophyGroups        []trophyGroupView `json:"trophyGroups"`
}

func joinGroups(def *psn.TitleTrophyGroups, earned *psn.UserTrophyGroups) titleGroupsView {
	v := titleGroupsView{
		NpServiceName: def.NpServiceName, NpCommunicationID: def.NpCommunicationID, TrophySetVersion: def.TrophySetVersion,
		TrophyTitleName: def.TrophyTitleName, TrophyTitleDetail: def.TrophyTitleDetail, TrophyTitleIconURL: def.TrophyTitleIconURL,
		TrophyTitlePlatform: def.TrophyTitlePlatform, DefinedTrophies: def.DefinedTrophies,
	}
	if earned == nil {
		v.TrophyGroups = mergeGroups(def.TrophyGroups, nil)
		return v
	}
	if earned.TrophySetVersion != "" {
		v.TrophySetVersion = earned.TrophySetVersion
	}
	v.HiddenFlag, v.Progress, v.EarnedTrophies = new(earned.HiddenFlag), new(earned.Progress), new(earned.EarnedTrophies)
	v.LastUpdatedDateTime = earned.LastUpdatedDateTime
	v.TrophyGroups = mergeGroups(def.TrophyGroups, earned.TrophyGroups)
	return v
}

func (a *App) groupsTable(v titleGroupsView) table {
	h := append(append([]string{"GROUP", "NAME"}, a.countHeader("DEFINED")...), "PROGRESS")
	k := append(append([]string{"trophyGroupId", "trophyGroupName"}, a.countKeys("definedTrophies")...), "progress")
	t := table{header: append(append(h, a.countHeader("EARNED")...), "LAST UPDATED"),
		keys: append(append(k, a.countKeys("earnedTrophies")...), "lastUpdatedDateTime")}
	for _, g := range v.TrophyGroups {
		progress := ""
		if g.Progress != nil {
			progress = a.pct(*g.Progress)
		}
		r := append(append([]string{g.TrophyGroupID, g.TrophyGroupName}, a.countCells(g.DefinedTrophies)...), progress)
		t.rows = append(t.rows, append(append(r, a.countCells(g.EarnedTrophies)...), a.when(g.LastUpdatedDateTime)))
	}
	return t
}

// titleGroups fetches a title's groups and the account's earnings in them;
// earnings are nil (with a note on stderr) when the account never played it.
func (a *App) titleGroups(ctx context.Context, api *psn.Client, acc, np string, opt *psn.TrophiesOptions) (titleGroupsView, error) {
	def, err := api.Trophies.TitleTrophyGroups(ctx, np, opt)
	if err != nil {
		return titleGroupsView{}, err
	}
	earned, err := api.Trophies.UserTrophyGroups(ctx, acc, np, opt)
	if a.notPlayed(err, np) {
		return joinGroups(def, nil), nil
	}
	if err != nil {
		return titleGroupsView{}, err
	}
	return joinGroups(def, earned), nil
}

func (a *App) groupsCommand() *cobra.Command {
	var tt trophyTarget
	c := &cobra.Command{
		Use:   "groups NP_COMMUNICATION_ID",
		Short: "A title's trophy groups (base game and DLC) with an account's progress in each",
		Long: `A title's trophy groups — "default" for the base game, "001", "002", … for
DLC — with their names and defined trophies (getTitleTrophyGroups) and the
account's progress in each (getUserTrophyGroupEarningsForTitle). -o json
prints one object holding every field of both answers.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			np := args[0]
			if err := tt.check(); err != nil {
				return err
			}
			if err := nonEmpty("NP_COMMUNICATION_ID", np); err != nil {
				return err
			}
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			acc, err := resolveAccount(ctx, api, "--account-id", tt.accountID, false)
			if err != nil {
				return err
			}
			v, err := a.titleGroups(ctx, api, acc, np, &psn.TrophiesOptions{NpServiceName: tt.service})
			if err != nil {
				return err
			}
			return a.emit(v, a.groupsTable(v))
		},
	}
	tt.register(c)
	return a.dataCommand(c)
}
