package psn

// TrophyService holds the trophy calls (PSN's trophy API).
type TrophyService service

// UserService holds the user calls: profiles, friends, presence, account.
type UserService service

// GameService holds the game calls: played and purchased games, title
// details, entitlements.
type GameService service

// SearchService holds the search calls.
type SearchService service

// GroupService holds the groups and messages calls (gamingLoungeGroups).
type GroupService service
