package main

import (
	"strconv"

	"github.com/spf13/cobra"
)

// dataCommands returns the PSN data commands (me, profile, summary, …).
func (a *app) dataCommands() []*cobra.Command {
	return []*cobra.Command{a.meCommand()}
}

func (a *app) meCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "me",
		Short: "The logged-in account: PSN account id and trophy summary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api, _, err := a.session(cmd.Context())
			if err != nil {
				return err
			}
			sum, err := api.Trophies.Summary(cmd.Context(), "me")
			if err != nil {
				return err
			}
			c := sum.EarnedTrophies
			return a.emit(sum, table{
				header: []string{"ACCOUNT ID", "LEVEL", "TIER", "PROGRESS", "PLATINUM", "GOLD", "SILVER", "BRONZE"},
				rows: [][]string{{sum.AccountID, itoa(sum.TrophyLevel), itoa(sum.Tier), itoa(sum.Progress) + "%",
					itoa(c.Platinum), itoa(c.Gold), itoa(c.Silver), itoa(c.Bronze)}},
			})
		},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
