package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/psnkit/psn"
	"github.com/spf13/cobra"
)

// playTime formats a play duration as hours and minutes ("228h56m").
func playTime(d time.Duration) string {
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func (a *App) playedTable(ts []psn.PlayedTitle) table {
	t := table{header: []string{"TITLE ID", "NAME", "CATEGORY", "PLAYS", "PLAY TIME", "FIRST PLAYED", "LAST PLAYED"},
		keys: []string{"titleId", "name", "category", "playCount", "playDuration", "firstPlayedDateTime", "lastPlayedDateTime"}}
	for _, x := range ts {
		pt := playTime(x.PlayDuration)
		if a.output == "csv" {
			pt = psn.FormatISODuration(x.PlayDuration)
		}
		t.rows = append(t.rows, []string{x.TitleID, x.Name, x.Category, itoa(x.PlayCount), pt,
			a.when(x.FirstPlayedDateTime), a.when(x.LastPlayedDateTime)})
	}
	return t
}

func (a *App) playedCommand() *cobra.Command {
	var (
		pf         pageFlags
		categories string
	)
	c := &cobra.Command{
		Use:   "played [ACCOUNT]",
		Short: "Games an account played, with play counts and play time",
		Long: `Games an account played, most recent first, with play counts and play time
(psn-api getUserPlayedGames). ACCOUNT is "me" (the default), a PSN account id
or an online id.

-o json prints the array of PSN's played titles, with or without --all
(playDuration as PSN's ISO 8601 "PT228H56M33S"). In CSV, PLAY TIME is ISO
8601 too.`,
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
			opt := &psn.PlayedOptions{ListOptions: psn.ListOptions{Limit: pf.limit, Offset: pf.offset}}
			if categories != "" {
				opt.Categories = strings.Split(categories, ",")
			}
			if pf.all {
				return emitAll(a, api.Games.PlayedAll(ctx, acc, opt), a.playedTable)
			}
			page, err := api.Games.Played(ctx, acc, opt)
			if err != nil {
				return err
			}
			if err := a.emit(nonNil(page.Titles), a.playedTable(page.Titles)); err != nil {
				return err
			}
			a.moreHint(page.TotalItemCount, pf.offset, len(page.Titles), "games")
			return nil
		},
	}
	pf.register(c, "games")
	c.Flags().StringVar(&categories, "categories", "", `comma-separated: ps4_game, ps5_native_game, pspc_game, unknown (default: PSN's)`)
	return a.dataCommand(c)
}
