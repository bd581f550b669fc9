package cli

import (
	"context"
	"slices"
	"strings"

	"github.com/psnkit/psn"
	"github.com/spf13/cobra"
)

func (a *App) profileCommand() *cobra.Command {
	return a.dataCommand(&cobra.Command{
		Use:   "profile [ONLINE_ID|ACCOUNT_ID]",
		Short: "A user's profile: online id, avatars, languages, PlayStation Plus, real name when shared",
		Long: `A user's profile by account id (psn-api getProfileFromAccountId). An online id
is looked up to its account id first; no argument means the logged-in
account. -o json prints PSN's profile answer with the accountId.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			who := optionalArg(args, "me")
			if _, err := classifyAccount("ACCOUNT", who); err != nil {
				return err
			}
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			acc, err := resolveAccount(ctx, api, "ACCOUNT", who, true)
			if err != nil {
				return err
			}
			p, err := api.Users.Profile(ctx, acc)
			if err != nil {
				return err
			}
			name := ""
			if d := p.PersonalDetail; d != nil {
				name = strings.Join(strings.Fields(d.FirstName+" "+d.MiddleName+" "+d.LastName), " ")
			}
			return a.emit(withFields{p, []field{{"accountId", acc}}}, table{
				header: []string{"ACCOUNT ID", "ONLINE ID", "NAME", "PLUS", "VERIFIED", "LANGUAGES", "ABOUT ME"},
				keys:   []string{"accountId", "onlineId", "personalDetail", "isPlus", "isOfficiallyVerified", "languages", "aboutMe"},
				rows: [][]string{{acc, p.OnlineID, name, a.boolCell(p.IsPlus), a.boolCell(p.IsOfficiallyVerified),
					strings.Join(p.Languages, " "), oneLine(p.AboutMe)}},
			})
		},
	})
}

// oneLine folds whitespace so that a free text fits a table cell.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (a *App) friendsCommand() *cobra.Command {
	var pf pageFlags
	c := &cobra.Command{
		Use:   "friends [ACCOUNT]",
		Short: "A user's friends (account ids)",
		Long: `A user's friends' account ids (psn-api getUserFriendsAccountIds). ACCOUNT is
"me" (the default), a PSN account id or an online id; another user's list
is often private (exit 1, "forbidden").

-o json prints the array of account ids, with or without --all.`,
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
			opt := &psn.FriendsOptions{ListOptions: psn.ListOptions{Limit: pf.limit, Offset: pf.offset}}
			tab := func(ids []string) table {
				t := table{header: []string{"ACCOUNT ID"}, keys: []string{"accountId"}}
				for _, id := range ids {
					t.rows = append(t.rows, []string{id})
				}
				return t
			}
			if pf.all {
				return emitAll(a, api.Users.FriendsAll(ctx, acc, opt), tab)
			}
			page, err := api.Users.Friends(ctx, acc, opt)
			if err != nil {
				return err
			}
			if err := a.emit(nonNil(page.Friends), tab(page.Friends)); err != nil {
				return err
			}
			a.moreHint(page.TotalItemCount, pf.offset, len(page.Friends), "friends")
			return nil
		},
	}
	pf.register(c, "friends")
	return a.dataCommand(c)
}

func (a *App) presenceTable(ps []psn.BasicPresence, ids []string) table {
	t := table{header: []string{"ACCOUNT ID", "AVAILABILITY", "STATUS", "PLATFORM", "LAST ONLINE", "PLAYING"},
		keys: []string{"accountId", "availability", "primaryPlatformInfo.onlineStatus", "primaryPlatformInfo.platform",
			"primaryPlatformInfo.lastOnlineDate", "gameTitleInfoList[].titleName"}}
	for i, p := range ps {
		acc := p.AccountID
		if acc == "" && i < len(ids) {
			acc = ids[i]
		}
		var playing []string
		for _, g := range p.GameTitleInfoList {
			playing = append(playing, g.TitleName)
		}
		pi := p.PrimaryPlatformInfo
		last := pi.LastOnlineDate
		if last.IsZero() {
			last = p.LastAvailableDate
		}
		t.rows = append(t.rows, []string{acc, p.Availability, pi.OnlineStatus, pi.Platform, a.when(last), strings.Join(playing, "; ")})
	}
	return t
}

func (a *App) presenceCommand() *cobra.Command {
	return a.dataCommand(&cobra.Command{
		Use:   "presence [ACCOUNT...]",
		Short: "Who is online, on which platform, playing what",
		Long: `Basic presence of one or more users (psn-api getBasicPresence; several at once
through PSN's batch call). Each ACCOUNT is "me" (the default), a PSN account
id or an online id. -o json prints the array of PSN's presences, one per
account, each with its accountId.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(args) == 0 {
				args = []string{"me"}
			}
			for _, s := range args {
				if _, err := classifyAccount("ACCOUNT", s); err != nil {
					return err
				}
			}
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			ids := make([]string, len(args))
			for i, s := range args {
				if ids[i], err = resolveAccount(ctx, api, "ACCOUNT", s, true); err != nil {
					return err
				}
			}
			var ps []psn.BasicPresence
			if len(ids) == 1 {
				p, err := api.Users.Presence(ctx, ids[0])
				if err != nil {
					return err
				}
				ps = []psn.BasicPresence{*p}
			} else if ps, err = api.Users.Presences(ctx, ids); err != nil {
				return err
			}
			for i := range ps {
				if ps[i].AccountID == "" && len(ps) == len(ids) {
					ps[i].AccountID = ids[i]
				}
			}
			return a.emit(nonNil(ps), a.presenceTable(ps, nil))
		},
	})
}

// regionResult is what region prints: psn-api getUserRegion's {code, name}
// and the online id asked about.
type regionResult struct {
	OnlineID string `json:"onlineId"`
	Code     string `json:"code"`
	Name     string `json:"name,omitempty"`
}

// regionName is the English name of a two-letter country code (any
// case), or "". The names are golang.org/x/text's (regions.go, generated).
//
//go:generate go run gen_regions.go
func regionName(code string) string {
	code = strings.ToUpper(code)
	i, ok := slices.BinarySearchFunc(regionNames[:], code, func(e struct{ code, name string }, c string) int {
		return strings.Compare(e.code, c)
	})
	if !ok {
		return ""
	}
	return regionNames[i].name
}

func (a *App) regionCommand() *cobra.Command {
	return a.dataCommand(&cobra.Command{
		Use:   "region ONLINE_ID",
		Short: "A user's country, from their profile's npId",
		Long: `A user's country (psn-api getUserRegion): the two letters PSN encodes in the
profile's npId, with the country's English name. ONLINE_ID may also be a PSN
account id or "me" (its online id is looked up first).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ref, err := classifyAccount("ONLINE_ID", args[0])
			if err != nil {
				return err
			}
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			online := args[0]
			if ref != refOnlineID {
				if online, err = onlineIDOf(ctx, api, args[0]); err != nil {
					return err
				}
			}
			code, err := api.Users.Region(ctx, online)
			if err != nil {
				return err
			}
			r := regionResult{OnlineID: online, Code: code, Name: regionName(code)}
			return a.emit(r, table{header: []string{"ONLINE ID", "CODE", "COUNTRY"}, keys: []string{"onlineId", "code", "name"},
				rows: [][]string{{r.OnlineID, r.Code, r.Name}}})
		},
	})
}

// onlineIDOf finds the online id of "me" or an account id.
func onlineIDOf(ctx context.Context, api *psn.Client, who string) (string, error) {
	acc, err := resolveAccount(ctx, api, "ACCOUNT", who, true)
	if err != nil {
		return "", err
	}
	p, err := api.Users.Profile(ctx, acc)
	if err != nil {
		return "", err
	}
	return p.OnlineID, nil
}

func (a *App) devicesCommand() *cobra.Command {
	return a.dataCommand(&cobra.Command{
		Use:   "devices",
		Short: "The consoles the logged-in account is activated on",
		Long:  `The consoles the logged-in account is activated on (psn-api getAccountDevices).`,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			d, err := api.Users.Devices(ctx)
			if err != nil {
				return err
			}
			t := table{header: []string{"DEVICE ID", "TYPE", "ACTIVATION", "ACTIVATED"},
				keys: []string{"deviceId", "deviceType", "activationType", "activationDate"}}
			for _, x := range d.AccountDevices {
				t.rows = append(t.rows, []string{x.DeviceID, x.DeviceType, x.ActivationType, a.when(x.ActivationDate)})
			}
			return a.emit(d, t)
		},
	})
}

// searchDomains maps --domain to PSN's search domains.
var searchDomains = map[string]string{
	"players": psn.SearchDomainPlayers,
	"games":   psn.SearchDomainGames,
	"addons":  psn.SearchDomainAddOns,
}

func searchContextOf(domain string) string {
	if domain == psn.SearchDomainPlayers {
		return psn.SearchContextSocial
	}
	return psn.SearchContextGames
}

func (a *App) searchTable(items []psn.SearchItem) table {
	t := table{header: []string{"KIND", "ID", "ONLINE ID / NAME", "ACCOUNT ID", "PLATFORMS"},
		keys: []string{"result.__typename", "id", "result.onlineId", "result.accountId", "result.platforms"}}
	if a.output == "csv" { // one key per column: the online id and the name apart
		t.header = append(t.header[:3], "NAME", "ACCOUNT ID", "PLATFORMS")
		t.keys = append(t.keys[:3], "result.name", "result.accountId", "result.platforms")
	}
	for _, it := range items {
		r := it.Result
		name := r.OnlineID
		if name == "" {
			name = r.Name
		}
		if name == "" && r.DefaultProduct != nil {
			name = r.DefaultProduct.Name
		}
		if a.output == "csv" {
			name = strings.TrimPrefix(name, r.OnlineID)
			t.rows = append(t.rows, []string{r.Typename, it.ID, r.OnlineID, name, r.AccountID, strings.Join(r.Platforms, ",")})
			continue
		}
		t.rows = append(t.rows, []string{r.Typename, it.ID, name, r.AccountID, strings.Join(r.Platforms, ",")})
	}
	return t
}

func (a *App) universalTable(res *psn.UniversalSearchResponse) table {
	t := table{header: []string{"DOMAIN", "ID", "ONLINE ID", "ACCOUNT ID", "COUNTRY", "PLUS"},
		keys: []string{"domain", "id", "socialMetadata.onlineId", "socialMetadata.accountId", "socialMetadata.country", "socialMetadata.isPsPlus"}}
	for _, d := range res.DomainResponses {
		for _, r := range d.Results {
			m := r.SocialMetadata
			t.rows = append(t.rows, []string{d.Domain, r.ID, m.OnlineID, m.AccountID, m.Country, a.boolCell(m.IsPsPlus)})
		}
	}
	return t
}

func (a *App) searchCommand() *cobra.Command {
	var (
		all, universal bool
		domain         string
	)
	c := &cobra.Command{
		Use:   "search TERM",
		Short: "Search players (default), games or add-ons",
		Long: `Search PSN the way the PlayStation app does (GraphQL context search, as
PSNAWP does): --domain players (the default), games or addons.

-o json prints the array of PSN's searchResults of that domain, with or
without --all. --universal uses psn-api's makeUniversalSearch (the older REST search,
which Sony may have retired) and prints its answer.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			term := args[0]
			if err := nonEmpty("TERM", term); err != nil {
				return err
			}
			dom, ok := searchDomains[domain]
			if !ok {
				return usageError("--domain must be players, games or addons, not %q", domain)
			}
			if universal && all {
				return usageError("--universal answers one page: drop --all")
			}
			api, err := a.dataSession(ctx, nil)
			if err != nil {
				return err
			}
			switch {
			case universal:
				res, err := api.Search.Universal(ctx, term, dom)
				if err != nil {
					return err
				}
				return a.emit(res, a.universalTable(res))
			case all:
				return emitAll(a, api.Search.DomainAll(ctx, term, dom, nil), a.searchTable)
			}
			res, err := api.Search.FirstPages(ctx, term, searchContextOf(dom), nil)
			if err != nil {
				return err
			}
			page := res.Domain(dom)
			if page == nil {
				page = &psn.SearchDomainResult{Domain: dom, SearchResults: []psn.SearchItem{}}
			}
			if err := a.emit(nonNil(page.SearchResults), a.searchTable(page.SearchResults)); err != nil {
				return err
			}
			a.moreHint(page.TotalResultCount, 0, len(page.SearchResults), "results")
			return nil
		},
	}
	c.Flags().BoolVar(&all, "all", false, "follow every page of results")
	c.Flags().BoolVar(&universal, "universal", false, "use the older REST search (psn-api makeUniversalSearch)")
	c.Flags().StringVar(&domain, "domain", "players", "what to search: players, games or addons")
	return a.dataCommand(c)
}
