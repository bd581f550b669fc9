package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
)

// readCSV parses CSV output, failing the test on error.
func readCSV(t testing.TB, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, s)
	}
	if len(rows) == 0 {
		t.Fatal("CSV output is empty: no header")
	}
	return rows
}

// column returns the index of a CSV/table header, failing when absent.
func column(t testing.TB, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

// tableLines splits table output into lines, checking the header.
func tableLines(t testing.TB, out string, header ...string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for _, h := range header {
		if !strings.Contains(lines[0], h) {
			t.Fatalf("table header %q lacks %q", lines[0], h)
		}
	}
	return lines
}

func obj(t testing.TB, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %T", v)
	}
	return m
}

func list(t testing.TB, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("want a JSON array, got %T", v)
	}
	return l
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func TestMe(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)

	// -o json is PSN's trophySummary answer plus the onlineId the table
	// shows (from the profile).
	out, _ := e.ok("me", "-o", "json")
	want := decode(t, e.answer(`/trophy/v1/users/me/trophySummary$`))
	got := obj(t, decode(t, []byte(out)))
	if got["onlineId"] != obj(t, decode(t, e.answer(`/profiles$`)))["onlineId"] || got["onlineId"] == "" {
		t.Errorf("psn me -o json: onlineId %v", got["onlineId"])
	}
	delete(got, "onlineId")
	if !reflect.DeepEqual(any(got), want) {
		t.Fatalf("psn me -o json is not PSN's trophySummary answer:\n got %v\nwant %v", got, want)
	}
	sum := obj(t, want)

	e.reset()
	out, _ = e.ok("me", "-o", "csv")
	rows := readCSV(t, out)
	h := rows[0]
	if len(rows) != 2 {
		t.Fatalf("me -o csv: %d rows, want header + 1", len(rows))
	}
	online := obj(t, decode(t, e.answer(`/profiles$`)))["onlineId"]
	for col, want := range map[string]any{
		"accountId": e.user.AccountID, "onlineId": online, "trophyLevel": sum["trophyLevel"], "tier": sum["tier"],
		"progress": sum["progress"], "trophyPoint": sum["trophyPoint"],
		"earnedTrophies.platinum": obj(t, sum["earnedTrophies"])["platinum"], "earnedTrophies.bronze": obj(t, sum["earnedTrophies"])["bronze"],
	} {
		if got := rows[1][column(t, h, col)]; got != jsonText(want) {
			t.Errorf("me -o csv: %s = %q, want %q", col, got, jsonText(want))
		}
	}

	out, _ = e.ok("me")
	lines := tableLines(t, out, "ACCOUNT ID", "ONLINE ID", "LEVEL", "PROGRESS")
	if len(lines) != 2 || !strings.Contains(lines[1], e.user.AccountID) || !strings.Contains(lines[1], jsonText(sum["progress"])+"%") {
		t.Fatalf("me table:\n%s", out)
	}
}

// jsonText is a JSON scalar as the CSV writes it.
func jsonText(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSummary(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	other := e.sim.Users()[1]

	for _, args := range [][]string{{"summary"}, {"summary", "me"}, {"summary", other.AccountID}} {
		e.reset()
		out, _ := e.ok(append(args, "-o", "json")...)
		want := decode(t, e.answer(`/trophySummary$`))
		if got := decode(t, []byte(out)); !reflect.DeepEqual(got, want) {
			t.Fatalf("psn %v -o json:\n got %v\nwant %v", args, got, want)
		}
	}
	if p := e.requests()[0].path; !strings.Contains(p, "/users/"+other.AccountID+"/trophySummary") {
		t.Fatalf("summary ACCOUNT_ID asked %s", p)
	}

	out, _ := e.ok("summary", other.AccountID, "-o", "csv")
	rows := readCSV(t, out)
	if got := rows[1][column(t, rows[0], "accountId")]; got != other.AccountID {
		t.Fatalf("summary csv account %q, want %q", got, other.AccountID)
	}
	out, _ = e.ok("summary", other.AccountID)
	tableLines(t, out, "ACCOUNT ID", "LEVEL", "TIER")
}

func TestSummaryByOnlineID(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	other := e.sim.Users()[1]
	code, out, stderr := e.run(context.Background(), "summary", other.OnlineID, "-o", "json")
	if code != 0 {
		t.Fatalf("summary ONLINE_ID: exit %d: %s", code, stderr)
	}
	if got := obj(t, decode(t, []byte(out)))["accountId"]; got != other.AccountID {
		t.Fatalf("summary %s gave account %v, want %s", other.OnlineID, got, other.AccountID)
	}
	if p := e.requests()[0].path; !strings.HasSuffix(p, "/users/"+other.OnlineID+"/profile2") {
		t.Fatalf("summary ONLINE_ID looked the id up at %s", p)
	}
}

func TestTitles(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)

	out, stderr := e.ok("titles", "-o", "json")
	page := obj(t, decode(t, e.answer(`/trophyTitles$`)))
	mustContain(t, page["trophyTitles"], decode(t, []byte(out))) // one stable shape: the array
	total, n := num(page["totalItemCount"]), len(list(t, page["trophyTitles"]))
	if n >= total {
		t.Fatalf("the simulator's first page holds all %d titles: the test needs more", total)
	}
	if want := strconv.Itoa(total-n) + " more titles — use --all"; !strings.Contains(stderr, want) {
		t.Fatalf("stderr %q lacks the hint %q", stderr, want)
	}

	e.reset()
	out, stderr = e.ok("titles", "--all", "-o", "json")
	if strings.Contains(stderr, "--all") {
		t.Fatalf("--all still hints: %q", stderr)
	}
	var all []any
	for _, b := range e.answers(`/trophyTitles$`) {
		all = append(all, list(t, obj(t, decode(t, b))["trophyTitles"])...)
	}
	if len(all) != total {
		t.Fatalf("the simulator's pages hold %d titles, totalItemCount %d", len(all), total)
	}
	mustContain(t, all, decode(t, []byte(out)))

	e.reset()
	out, _ = e.ok("titles", "--limit", "5", "--offset", "3", "-o", "csv")
	if q := e.requests()[0].query; !strings.Contains(q, "limit=5") || !strings.Contains(q, "offset=3") {
		t.Fatalf("--limit 5 --offset 3 sent query %q", q)
	}
	rows := readCSV(t, out)
	if len(rows) != 6 {
		t.Fatalf("titles --limit 5 -o csv: %d rows, want header + 5", len(rows))
	}
	want := list(t, obj(t, decode(t, e.answer(`/trophyTitles$`)))["trophyTitles"])
	for i, r := range rows[1:] {
		w := obj(t, want[i])
		for col, key := range map[string]string{"npCommunicationId": "npCommunicationId", "trophyTitleName": "trophyTitleName",
			"trophyTitlePlatform": "trophyTitlePlatform", "npServiceName": "npServiceName", "progress": "progress"} {
			if got := r[column(t, rows[0], col)]; got != jsonText(w[key]) {
				t.Errorf("row %d %s = %q, want %q", i, col, got, jsonText(w[key]))
			}
		}
		earned := obj(t, w["earnedTrophies"])
		if got := r[column(t, rows[0], "earnedTrophies.gold")]; got != jsonText(earned["gold"]) {
			t.Errorf("row %d EARNED GOLD = %q, want %v", i, got, earned["gold"])
		}
		if got := r[column(t, rows[0], "lastUpdatedDateTime")]; !sameInstant(got, w["lastUpdatedDateTime"]) {
			t.Errorf("row %d LAST UPDATED = %q, want %v", i, got, w["lastUpdatedDateTime"])
		}
	}

	out, _ = e.ok("titles", "--limit", "5", "--offset", "3")
	lines := tableLines(t, out, "NP COMMUNICATION ID", "NAME", "EARNED P/G/S/B")
	if len(lines) != 6 || !strings.Contains(lines[1], jsonText(obj(t, want[0])["trophyTitleName"])) {
		t.Fatalf("titles table:\n%s", out)
	}
}

// simTitles lists the logged-in user's titles through the CLI.
func simTitles(t *testing.T, e *testEnv) []psn.TrophyTitle {
	t.Helper()
	out, _ := e.ok("titles", "--all", "-o", "json")
	var ts []psn.TrophyTitle
	if err := json.Unmarshal([]byte(out), &ts); err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestTrophies(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	titles := simTitles(t, e)
	var withGroups, ps5 *psn.TrophyTitle
	for i := range titles {
		if titles[i].HasTrophyGroups && withGroups == nil {
			withGroups = &titles[i]
		}
		if titles[i].NpServiceName == psn.ServiceTrophy2 && ps5 == nil {
			ps5 = &titles[i]
		}
	}
	if withGroups == nil || ps5 == nil {
		t.Fatal("the simulated user has no title with DLC groups, or no PS5 title")
	}

	for _, tt := range []*psn.TrophyTitle{withGroups, ps5} {
		np := tt.NpCommunicationID
		e.reset()
		out, _ := e.ok("trophies", np, "-o", "json")
		earned := obj(t, decode(t, e.answer(`/users/me/npCommunicationIds/`+np+`/trophyGroups/all/trophies$`)))
		defs := obj(t, decode(t, e.answer(`^/api/trophy/v1/npCommunicationIds/`+np+`/trophyGroups/all/trophies$`)))
		got := decode(t, []byte(out))
		mustContain(t, earned, got)
		mustContain(t, defs["trophies"], obj(t, got)["trophies"])

		e.reset()
		// --all: the same object, with every trophy.
		out, _ = e.ok("trophies", np, "--all", "-o", "json")
		all := obj(t, decode(t, []byte(out)))
		mustContain(t, earned["trophies"], all["trophies"])
		mustContain(t, defs["trophies"], all["trophies"])
		for _, k := range []string{"trophySetVersion", "hasTrophyGroups", "lastUpdatedDateTime"} {
			if fmt.Sprint(all[k]) != fmt.Sprint(obj(t, got)[k]) {
				t.Errorf("trophies --all: %s = %v, one page says %v", k, all[k], obj(t, got)[k])
			}
		}

		out, _ = e.ok("trophies", np, "-o", "csv")
		rows := readCSV(t, out)
		ws := list(t, earned["trophies"])
		ds := list(t, defs["trophies"])
		if len(rows) != len(ws)+1 {
			t.Fatalf("trophies csv: %d rows for %d trophies", len(rows)-1, len(ws))
		}
		sawProgress := false
		for i, r := range rows[1:] {
			w, d := obj(t, ws[i]), obj(t, ds[i])
			for col, want := range map[string]any{"trophyId": w["trophyId"], "trophyType": w["trophyType"], "trophyName": d["trophyName"],
				"trophyGroupId": d["trophyGroupId"], "earned": w["earned"], "trophyEarnedRate": w["trophyEarnedRate"]} {
				if got := r[column(t, rows[0], col)]; got != jsonText(want) {
					t.Errorf("%s row %d %s = %q, want %q", np, i, col, got, jsonText(want))
				}
			}
			if at, ok := w["earnedDateTime"]; ok && !sameInstant(r[column(t, rows[0], "earnedDateTime")], at) {
				t.Errorf("%s row %d EARNED AT = %q, want %v", np, i, r[column(t, rows[0], "earnedDateTime")], at)
			}
			if target, ok := d["trophyProgressTargetValue"]; ok {
				p := "0"
				if v, ok := w["progress"]; ok {
					p = jsonText(v)
				}
				if got := r[column(t, rows[0], "progress")]; got != p+"/"+jsonText(target) {
					t.Errorf("%s row %d PROGRESS = %q, want %s/%v", np, i, got, p, target)
				}
				sawProgress = true
			}
		}
		if tt == ps5 && !sawProgress {
			t.Logf("%s (PS5) has no progress-tracking trophy in the simulator", np)
		}

		out, _ = e.ok("trophies", np)
		lines := tableLines(t, out, "ID", "TYPE", "NAME", "EARNED", "RARITY %")
		if len(lines) != len(ws)+1 || !strings.Contains(lines[1], jsonText(obj(t, ds[0])["trophyName"])) {
			t.Fatalf("trophies table:\n%s", out)
		}
	}

	e.reset()
	e.ok("trophies", withGroups.NpCommunicationID, "--group", "default", "--service", withGroups.NpServiceName, "-o", "json")
	for _, x := range e.requests() {
		if !strings.Contains(x.path, "/trophyGroups/default/trophies") || !strings.Contains(x.query, "npServiceName="+withGroups.NpServiceName) {
			t.Fatalf("--group default --service %s sent %s?%s", withGroups.NpServiceName, x.path, x.query)
		}
	}
}

func TestTrophiesOfAnotherAccountAndUnplayedTitle(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	mine := map[string]bool{}
	for _, x := range simTitles(t, e) {
		mine[x.NpCommunicationID] = true
	}
	other := e.sim.Users()[1]
	e.reset()
	out, _ := e.ok("titles", other.AccountID, "--all", "-o", "json")
	var theirs []psn.TrophyTitle
	if err := json.Unmarshal([]byte(out), &theirs); err != nil {
		t.Fatal(err)
	}
	var unplayed string
	for _, x := range theirs {
		if !mine[x.NpCommunicationID] {
			unplayed = x.NpCommunicationID
			break
		}
	}
	if unplayed == "" {
		t.Fatal("user 1 has no title that user 0 lacks")
	}

	e.reset()
	out, _ = e.ok("trophies", unplayed, "--account-id", other.AccountID, "-o", "json")
	earned := decode(t, e.answer(`/users/`+other.AccountID+`/npCommunicationIds/`+unplayed+`/trophyGroups/all/trophies$`))
	mustContain(t, earned, decode(t, []byte(out)))

	e.reset()
	out, stderr := e.ok("trophies", unplayed, "-o", "json")
	if !strings.Contains(stderr, "never played") {
		t.Fatalf("an unplayed title gives no note on stderr: %q", stderr)
	}
	defs := obj(t, decode(t, e.answer(`^/api/trophy/v1/npCommunicationIds/`+unplayed+`/trophyGroups/all/trophies$`)))
	got := obj(t, decode(t, []byte(out)))
	mustContain(t, defs["trophies"], got["trophies"])
	for _, tr := range list(t, got["trophies"]) {
		if _, ok := obj(t, tr)["earned"]; ok {
			t.Fatal("definitions-only output claims an earned state")
		}
	}

	// --all, never played: the same object, from the definitions.
	out, _ = e.ok("trophies", unplayed, "--all", "-o", "json")
	all := obj(t, decode(t, []byte(out)))
	mustContain(t, defs["trophies"], all["trophies"])
	if all["trophySetVersion"] != defs["trophySetVersion"] || all["trophySetVersion"] == nil {
		t.Errorf("trophies --all of an unplayed title: trophySetVersion %v, want %v", all["trophySetVersion"], defs["trophySetVersion"])
	}

	e.reset()
	out, _ = e.ok("groups", unplayed, "-o", "json")
	if _, ok := obj(t, decode(t, []byte(out)))["progress"]; ok {
		t.Fatal("groups of an unplayed title show progress")
	}
}

func TestGroups(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	var tt psn.TrophyTitle
	for _, x := range simTitles(t, e) {
		if x.HasTrophyGroups {
			tt = x
			break
		}
	}
	np := tt.NpCommunicationID
	e.reset()
	out, _ := e.ok("groups", np, "-o", "json")
	got := decode(t, []byte(out))
	earned := obj(t, decode(t, e.answer(`/users/me/npCommunicationIds/`+np+`/trophyGroups$`)))
	defs := obj(t, decode(t, e.answer(`^/api/trophy/v1/npCommunicationIds/`+np+`/trophyGroups$`)))
	mustContain(t, earned, got)
	mustContain(t, defs, got)
	groups := list(t, defs["trophyGroups"])
	if len(groups) < 2 {
		t.Fatalf("%s has %d groups, want DLC", np, len(groups))
	}

	out, _ = e.ok("groups", np, "-o", "csv")
	rows := readCSV(t, out)
	if len(rows) != len(groups)+1 {
		t.Fatalf("groups csv: %d rows for %d groups", len(rows)-1, len(groups))
	}
	eg := list(t, earned["trophyGroups"])
	for i, r := range rows[1:] {
		d, w := obj(t, groups[i]), obj(t, eg[i])
		for col, want := range map[string]any{"trophyGroupId": d["trophyGroupId"], "trophyGroupName": d["trophyGroupName"], "progress": w["progress"],
			"definedTrophies.bronze": obj(t, d["definedTrophies"])["bronze"], "earnedTrophies.silver": obj(t, w["earnedTrophies"])["silver"]} {
			if got := r[column(t, rows[0], col)]; got != jsonText(want) {
				t.Errorf("groups row %d %s = %q, want %q", i, col, got, jsonText(want))
			}
		}
	}
	out, _ = e.ok("groups", np)
	lines := tableLines(t, out, "GROUP", "NAME", "DEFINED P/G/S/B", "PROGRESS", "EARNED P/G/S/B")
	if len(lines) != len(groups)+1 || !strings.HasPrefix(lines[1], "default") {
		t.Fatalf("groups table:\n%s", out)
	}
}

func TestProfile(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	other := e.sim.Users()[1]
	for _, args := range [][]string{{"profile"}, {"profile", other.AccountID}} {
		e.reset()
		out, _ := e.ok(append(args, "-o", "json")...)
		want := decode(t, e.answer(`/profiles$`))
		mustContain(t, want, decode(t, []byte(out)))
		p := obj(t, want)
		if acc := obj(t, decode(t, []byte(out)))["accountId"]; acc == nil || acc == "" {
			t.Errorf("profile -o json has no accountId: %s", out)
		}

		out, _ = e.ok(append(args, "-o", "csv")...)
		rows := readCSV(t, out)
		if got := rows[1][column(t, rows[0], "onlineId")]; got != p["onlineId"] {
			t.Fatalf("profile csv ONLINE ID %q, want %v", got, p["onlineId"])
		}
		if got := rows[1][column(t, rows[0], "isPlus")]; got != jsonText(p["isPlus"]) {
			t.Fatalf("profile csv PLUS %q, want %v", got, p["isPlus"])
		}
		out, _ = e.ok(args...)
		lines := tableLines(t, out, "ACCOUNT ID", "ONLINE ID", "NAME", "PLUS")
		if !strings.Contains(lines[1], jsonText(p["onlineId"])) {
			t.Fatalf("profile table:\n%s", out)
		}
	}
	if p := e.requests()[0].path; !strings.Contains(p, "/users/"+other.AccountID+"/profiles") {
		t.Fatalf("profile ACCOUNT_ID asked %s", p)
	}
}

func TestFriends(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	out, _ := e.ok("friends", "-o", "json")
	page := obj(t, decode(t, e.answer(`/friends$`)))
	mustContain(t, page["friends"], decode(t, []byte(out)))
	ids := list(t, page["friends"])

	e.reset()
	out, _ = e.ok("friends", "--all", "-o", "json")
	var all []any
	for _, b := range e.answers(`/friends$`) {
		all = append(all, list(t, obj(t, decode(t, b))["friends"])...)
	}
	mustContain(t, all, decode(t, []byte(out)))

	out, _ = e.ok("friends", "-o", "csv")
	rows := readCSV(t, out)
	if len(rows) != len(ids)+1 {
		t.Fatalf("friends csv: %d rows for %d friends", len(rows)-1, len(ids))
	}
	for i, r := range rows[1:] {
		if r[0] != ids[i] {
			t.Fatalf("friends csv row %d = %q, want %v", i, r[0], ids[i])
		}
	}
	out, _ = e.ok("friends")
	if lines := tableLines(t, out, "ACCOUNT ID"); len(lines) != len(ids)+1 {
		t.Fatalf("friends table:\n%s", out)
	}
}

func TestPresence(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	out, _ := e.ok("presence", "-o", "json")
	want := obj(t, decode(t, e.answer(`/basicPresences$`)))
	if _, ok := want["basicPresence"]; !ok {
		t.Fatalf("the presence answer has no basicPresence: %v", want)
	}
	bp := obj(t, want["basicPresence"])
	// One account or several: an array, each with the accountId.
	one := list(t, decode(t, []byte(out)))
	if len(one) != 1 {
		t.Fatalf("presence -o json: %d items", len(one))
	}
	mustContain(t, bp, one[0])
	if obj(t, one[0])["accountId"] != e.user.AccountID {
		t.Errorf("presence -o json: accountId %v, want %s", obj(t, one[0])["accountId"], e.user.AccountID)
	}
	out, _ = e.ok("presence", "-o", "csv")
	rows := readCSV(t, out)
	if got := rows[1][column(t, rows[0], "availability")]; got != bp["availability"] {
		t.Fatalf("presence csv AVAILABILITY %q, want %v", got, bp["availability"])
	}
	if got := rows[1][column(t, rows[0], "accountId")]; got != e.user.AccountID {
		t.Fatalf("presence csv ACCOUNT ID %q, want %s", got, e.user.AccountID)
	}
	out, _ = e.ok("presence")
	tableLines(t, out, "ACCOUNT ID", "AVAILABILITY", "STATUS", "PLATFORM")

	// Several accounts: one batch request.
	other := e.sim.Users()[1]
	e.reset()
	out, _ = e.ok("presence", "me", other.AccountID, "-o", "json")
	var batch *exchange
	for _, x := range e.requests() {
		if strings.HasSuffix(x.path, "/users/basicPresences") {
			batch = &x
		}
	}
	if batch == nil || !strings.Contains(batch.query, "accountIds="+e.user.AccountID+"%2C"+other.AccountID) {
		t.Fatalf("presence A B sent no batch request for both ids: %+v", e.requests())
	}
	mustContain(t, obj(t, decode(t, batch.body))["basicPresences"], decode(t, []byte(out)))
	out, _ = e.ok("presence", "me", other.AccountID, "-o", "csv")
	rows = readCSV(t, out)
	if n := len(list(t, obj(t, decode(t, batch.body))["basicPresences"])); len(rows) != n+1 {
		t.Fatalf("presence csv: %d rows for %d presences", len(rows)-1, n)
	}
}

func TestRegion(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	other := e.sim.Users()[1]
	out, _ := e.ok("region", other.OnlineID, "-o", "json")
	if p := e.requests()[0].path; !strings.HasSuffix(p, "/users/"+other.OnlineID+"/profile2") {
		t.Fatalf("region asked %s", p)
	}
	npID := obj(t, obj(t, decode(t, e.answer(`/profile2$`)))["profile"])["npId"].(string)
	code, err := psn.RegionFromNpID(npID)
	if err != nil {
		t.Fatal(err)
	}
	got := obj(t, decode(t, []byte(out)))
	if got["code"] != code || got["onlineId"] != other.OnlineID || got["name"] == "" {
		t.Fatalf("region -o json = %v, want code %s", got, code)
	}
	out, _ = e.ok("region", other.OnlineID, "-o", "csv")
	rows := readCSV(t, out)
	if rows[1][column(t, rows[0], "code")] != code || rows[1][column(t, rows[0], "name")] != got["name"] {
		t.Fatalf("region csv: %v", rows)
	}
	out, _ = e.ok("region", other.OnlineID)
	if lines := tableLines(t, out, "ONLINE ID", "CODE", "COUNTRY"); !strings.Contains(lines[1], code) {
		t.Fatalf("region table:\n%s", out)
	}
}

func TestDevices(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	out, _ := e.ok("devices", "-o", "json")
	want := obj(t, decode(t, e.answer(`/devices/accounts/me$`)))
	mustContain(t, want, decode(t, []byte(out)))
	devs, _ := want["accountDevices"].([]any)
	out, _ = e.ok("devices", "-o", "csv")
	rows := readCSV(t, out)
	if len(rows) != len(devs)+1 {
		t.Fatalf("devices csv: %d rows for %d devices", len(rows)-1, len(devs))
	}
	for i, r := range rows[1:] {
		d := obj(t, devs[i])
		if r[column(t, rows[0], "deviceId")] != d["deviceId"] || r[column(t, rows[0], "deviceType")] != d["deviceType"] {
			t.Fatalf("devices csv row %d = %v, want %v", i, r, d)
		}
	}
	out, _ = e.ok("devices")
	tableLines(t, out, "DEVICE ID", "TYPE", "ACTIVATION", "ACTIVATED")
}

func TestPlayed(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	out, _ := e.ok("played", "-o", "json")
	page := obj(t, decode(t, e.answer(`/gamelist/v2/users/me/titles$`)))
	mustContain(t, page["titles"], decode(t, []byte(out)))
	games := list(t, page["titles"])
	if len(games) == 0 {
		t.Fatal("no played games to check")
	}

	e.reset()
	out, _ = e.ok("played", "--all", "-o", "json")
	var all []any
	for _, b := range e.answers(`/gamelist/v2/users/me/titles$`) {
		all = append(all, list(t, obj(t, decode(t, b))["titles"])...)
	}
	mustContain(t, all, decode(t, []byte(out)))

	out, _ = e.ok("played", "-o", "csv")
	rows := readCSV(t, out)
	if len(rows) != len(games)+1 {
		t.Fatalf("played csv: %d rows for %d games", len(rows)-1, len(games))
	}
	for i, r := range rows[1:] {
		g := obj(t, games[i])
		want, err := psn.ParseISODuration(g["playDuration"].(string))
		if err != nil {
			t.Fatal(err)
		}
		got, err := psn.ParseISODuration(r[column(t, rows[0], "playDuration")])
		if err != nil || got != want {
			t.Errorf("played csv row %d PLAY TIME %q, want %v", i, r[column(t, rows[0], "playDuration")], g["playDuration"])
		}
		if r[column(t, rows[0], "titleId")] != g["titleId"] || r[column(t, rows[0], "playCount")] != jsonText(g["playCount"]) {
			t.Errorf("played csv row %d = %v, want %v", i, r, g)
		}
	}
	out, _ = e.ok("played")
	lines := tableLines(t, out, "TITLE ID", "NAME", "PLAYS", "PLAY TIME")
	if !regexp.MustCompile(`\d+h\d\dm`).MatchString(lines[1]) {
		t.Fatalf("played table shows no play time:\n%s", out)
	}
}

func TestSearch(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	other := e.sim.Users()[1]
	out, _ := e.ok("search", other.OnlineID, "-o", "json")
	res := obj(t, decode(t, e.answer(`/graphql/v1/op$`)))
	var page any
	for _, d := range list(t, obj(t, obj(t, res["data"])["universalContextSearch"])["results"]) {
		if obj(t, d)["domain"] == psn.SearchDomainPlayers {
			page = d
		}
	}
	if page == nil {
		t.Fatalf("the search answer has no %s domain", psn.SearchDomainPlayers)
	}
	mustContain(t, obj(t, page)["searchResults"], decode(t, []byte(out)))
	hits := list(t, obj(t, page)["searchResults"])

	out, _ = e.ok("search", other.OnlineID, "-o", "csv")
	rows := readCSV(t, out)
	if len(rows) != len(hits)+1 {
		t.Fatalf("search csv: %d rows for %d hits", len(rows)-1, len(hits))
	}
	for i, r := range rows[1:] {
		h := obj(t, obj(t, hits[i])["result"])
		if r[column(t, rows[0], "result.onlineId")] != h["onlineId"] || r[column(t, rows[0], "result.accountId")] != h["accountId"] {
			t.Errorf("search csv row %d = %v, want %v", i, r, h)
		}
	}
	out, _ = e.ok("search", other.OnlineID)
	tableLines(t, out, "KIND", "ID", "ONLINE ID / NAME", "ACCOUNT ID")
}
