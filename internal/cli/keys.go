package cli

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/spf13/cobra"
)

func (a *App) keysCommand() *cobra.Command {
	cmd := group("keys", "Manage the data keys that seal the stored secrets")
	status := &cobra.Command{
		Use:   "status",
		Short: "List the data keys, which is primary, and how many accounts use each",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.openKeys(cmd.Context())
			if err != nil {
				return err
			}
			use, err := k.Usage(cmd.Context())
			if err != nil {
				return err
			}
			type row struct {
				ID       string `json:"id"`
				Primary  bool   `json:"primary"`
				Accounts int    `json:"accounts"`
			}
			var rows []row
			t := table{header: []string{"KEY", "PRIMARY", "ACCOUNTS"}, keys: []string{"id", "primary", "accounts"}}
			ids := k.Ring.KeyIDs()
			slices.Sort(ids)
			for _, id := range ids {
				r := row{ID: fmt.Sprintf("%08x", id), Primary: id == k.Ring.Primary(), Accounts: use[id]}
				rows = append(rows, r)
				t.rows = append(t.rows, []string{r.ID, fmt.Sprint(r.Primary), fmt.Sprint(r.Accounts)})
			}
			return a.emit(rows, t)
		},
	}
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Add a data key and make it primary (accounts are re-sealed on their next write, or by `keys reseal`)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.openKeys(cmd.Context())
			if err != nil {
				return err
			}
			id, err := k.Rotate(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%08x\n", id)
			fmt.Fprintf(a.stderr, "New primary key %08x. Run `psn keys reseal` to re-seal every account now.\n", id)
			return nil
		},
	}
	reseal := &cobra.Command{
		Use:   "reseal",
		Short: "Re-seal every account with the primary key",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.openKeys(cmd.Context())
			if err != nil {
				return err
			}
			n, err := k.Reseal(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Re-sealed %d account(s) with key %08x.\n", n, k.Ring.Primary())
			return nil
		},
	}
	retire := &cobra.Command{
		Use:   "retire KEY",
		Short: "Remove a data key that no account uses any more",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 16, 32)
			if err != nil {
				return fmt.Errorf("key id %q is not a hexadecimal key id (see `psn keys status`)", args[0])
			}
			k, err := a.openKeys(cmd.Context())
			if err != nil {
				return err
			}
			if err := k.Retire(cmd.Context(), uint32(id)); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Retired key %08x.\n", id)
			return nil
		},
	}
	cmd.AddCommand(status, rotate, reseal, retire)
	return cmd
}
