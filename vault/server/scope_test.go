package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

func TestAccountsScope(t *testing.T) {
	s, err := AccountsScope("bob", "alice", "bob")
	if err != nil || !slices.Equal(s.Accounts, []string{"alice", "bob"}) || s.Admin {
		t.Fatalf("AccountsScope(bob, alice, bob) = %+v, %v; want sorted, without repeats", s, err)
	}
	if !s.MayRead("alice") || !s.MayRead("bob") || s.MayRead("carol") || s.MayRead("") || s.ReadsAll() {
		t.Fatalf("scope %v reads the wrong accounts", s)
	}
	all, err := AccountsScope(AllAccounts)
	if err != nil || !all.ReadsAll() || !all.MayRead("anyone") || all.Admin {
		t.Fatalf("AccountsScope(*) = %+v, %v", all, err)
	}
	if a := AdminScope(); !a.Admin || !a.ReadsAll() || a.String() != "admin" {
		t.Fatalf("AdminScope() = %+v", a)
	}
	many := make([]string, MaxScopeAccounts+1)
	for i := range many {
		many[i] = fmt.Sprintf("acct%04d", i)
	}
	for _, bad := range [][]string{nil, {}, {"*", "alice"}, {"../x"}, {""}, {"alice", "a b"}, many} {
		if _, err := AccountsScope(bad...); !errors.Is(err, ErrAPIKeyScope) {
			t.Errorf("AccountsScope(%d names) = %v, want ErrAPIKeyScope", len(bad), err)
		}
	}
	if _, err := AccountsScope("alice", "../x"); !errors.Is(err, vault.ErrAccountName) || !strings.Contains(err.Error(), `"../x"`) {
		t.Errorf("a bad name is %v, want it to match vault.ErrAccountName too and name it", err)
	}
	if got := (APIKeyScope{Accounts: many[:7]}).ShortString(); got != "acct0000,acct0001,acct0002,acct0003,acct0004,… (7 accounts)" {
		t.Errorf("ShortString = %q", got)
	}
}

// scopeEnv is an API with accounts alice, bob and carol, an admin key and
// three read keys: listed (alice, bob and dave, who does not exist), '*'
// and one that names carol alone.
type scopeEnv struct {
	*apiEnv
	listed, star, carol psn.Secret
	audit               *syncBuffer
}

func newScopeEnv(t *testing.T) *scopeEnv {
	t.Helper()
	audit := &syncBuffer{}
	a := newAPIEnv(t, envOptions{sim: psntest.Config{Users: 3, AccessTTL: time.Hour}, svc: func(c *ServiceConfig) {
		c.Audit = NewAuditLogger(audit)
	}})
	for i, name := range []string{"alice", "bob", "carol"} {
		a.add(name, i, true)
	}
	e := &scopeEnv{apiEnv: a, audit: audit}
	for _, k := range []struct {
		name  string
		names []string
		out   *psn.Secret
	}{{"listed", []string{"dave", "bob", "alice"}, &e.listed}, {"star", []string{AllAccounts}, &e.star}, {"carol-only", []string{"carol"}, &e.carol}} {
		sc, err := AccountsScope(k.names...)
		if err != nil {
			t.Fatal(err)
		}
		key, info, err := a.keys.CreateScoped(t.Context(), k.name, sc)
		if err != nil || info.Scope.Admin || !slices.Equal(info.Scope.Accounts, sc.Accounts) {
			t.Fatalf("CreateScoped(%s) = %+v, %v", k.name, info, err)
		}
		*k.out = key
	}
	return e
}

// TestAPIScopes checks each scope rule: an admin key does everything; a
// listed key reads its accounts only; a '*' key reads every account; a
// read key may not add or delete; outside the scope is 403 forbidden,
// whether the account exists or not, with the same answer.
func TestAPIScopes(t *testing.T) {
	e := newScopeEnv(t)
	admin := e.key
	addAlice := addBody("alice", e.user(0).NPSSO, true)
	type req struct {
		key          psn.Secret
		method, path string
		body         string
		want         int
	}
	for _, r := range []req{
		// admin: everything.
		{admin, "GET", "/v1/accounts/carol", "", 200},
		{admin, "GET", "/v1/accounts/carol/token", "", 200},
		{admin, "POST", "/v1/accounts", addAlice, 200},
		{admin, "GET", "/v1/accounts/dave", "", 404},
		// listed: its accounts, read only.
		{e.listed, "GET", "/v1/accounts/alice", "", 200},
		{e.listed, "GET", "/v1/accounts/alice/token", "", 200},
		{e.listed, "GET", "/v1/accounts/bob/token", "", 200},
		{e.listed, "GET", "/v1/accounts/dave/token", "", 404}, // in scope, absent
		{e.listed, "GET", "/v1/accounts/carol", "", 403},
		{e.listed, "GET", "/v1/accounts/carol/token", "", 403},
		{e.listed, "GET", "/v1/accounts/carol/token?rejected=0123456789abcdef", "", 403},
		{e.listed, "GET", "/v1/accounts/nobody/token", "", 403},
		{e.listed, "POST", "/v1/accounts", addAlice, 403},
		{e.listed, "DELETE", "/v1/accounts/alice", "", 403},
		{e.listed, "DELETE", "/v1/accounts/carol", "", 403},
		// '*': every account, read only.
		{e.star, "GET", "/v1/accounts/carol/token", "", 200},
		{e.star, "GET", "/v1/accounts/alice", "", 200},
		{e.star, "GET", "/v1/accounts/nobody", "", 404},
		{e.star, "POST", "/v1/accounts", addAlice, 403},
		{e.star, "DELETE", "/v1/accounts/bob", "", 403},
		// carol only.
		{e.carol, "GET", "/v1/accounts/carol/token", "", 200},
		{e.carol, "GET", "/v1/accounts/alice/token", "", 403},
	} {
		code, body := e.do(r.method, r.path, r.key.Reveal(), r.body)
		if code != r.want {
			t.Errorf("%s %s with key %s = %d %s, want %d", r.method, r.path, r.key.Reveal()[:21], code, body, r.want)
			continue
		}
		if code == 403 && errorCode(t, body) != "forbidden" {
			t.Errorf("%s %s: 403 with code %s, want forbidden", r.method, r.path, errorCode(t, body))
		}
	}
	// Nothing a read key asked to delete is gone.
	for _, name := range []string{"alice", "bob", "carol"} {
		if _, err := e.st.Get(t.Context(), name); err != nil {
			t.Fatalf("%s after refused deletes: %v", name, err)
		}
	}
	// Out of scope, an existing and a missing account get the same answer.
	_, b1 := e.do("GET", "/v1/accounts/carol/token", e.listed.Reveal(), "")
	_, b2 := e.do("GET", "/v1/accounts/nobody/token", e.listed.Reveal(), "")
	if string(b1) != string(b2) {
		t.Fatalf("out-of-scope answers differ for an existing and a missing account:\n%s\n%s", b1, b2)
	}
	// An admin key deletes.
	if code, body := e.do("DELETE", "/v1/accounts/carol", admin.Reveal(), ""); code != 204 {
		t.Fatalf("admin DELETE = %d %s", code, body)
	}
}

// listAll pages through GET /v1/accounts with key and limit and returns
// the names in order.
func (e *scopeEnv) listAll(t *testing.T, key psn.Secret, query string, limit int) []string {
	t.Helper()
	var names []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("the listing does not end")
		}
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		code, body := e.do("GET", "/v1/accounts?"+q.Encode()+query, key.Reveal(), "")
		var page AccountPage
		if err := json.Unmarshal(body, &page); code != 200 || err != nil {
			t.Fatalf("GET /v1/accounts = %d %s", code, body)
		}
		if len(page.Accounts) > limit || (page.Next != "" && len(page.Accounts) == 0) {
			t.Fatalf("page of %d accounts with next %q, limit %d", len(page.Accounts), page.Next, limit)
		}
		for _, h := range page.Accounts {
			names = append(names, h.Account)
		}
		if page.Next == "" {
			return names
		}
		cursor = page.Next
	}
}

// TestAPIScopedListing: GET /v1/accounts lists only a key's accounts,
// paged by name like the full listing, state filter included.
func TestAPIScopedListing(t *testing.T) {
	e := newScopeEnv(t)
	for _, tc := range []struct {
		name  string
		key   psn.Secret
		query string
		want  []string
	}{
		{"admin", e.key, "", []string{"alice", "bob", "carol"}},
		{"star", e.star, "", []string{"alice", "bob", "carol"}},
		{"listed", e.listed, "", []string{"alice", "bob"}},
		{"listed ok", e.listed, "&state=ok", []string{"alice", "bob"}},
		{"listed login-required", e.listed, "&state=login-required", nil},
		{"carol", e.carol, "", []string{"carol"}},
	} {
		for _, limit := range []int{1, 2, 100} {
			if got := e.listAll(t, tc.key, tc.query, limit); !slices.Equal(got, tc.want) {
				t.Errorf("%s, limit %d: listed %v, want %v", tc.name, limit, got, tc.want)
			}
		}
	}
	// A listed key's page 1 of 1 says there is a next page (bob), and the
	// next page after it, none (dave does not exist).
	_, body := e.do("GET", "/v1/accounts?limit=1", e.listed.Reveal(), "")
	var p AccountPage
	if err := json.Unmarshal(body, &p); err != nil || len(p.Accounts) != 1 || p.Next != encodeCursor("alice") {
		t.Fatalf("first page = %s", body)
	}
	for _, q := range []string{"?cursor=nope", "?limit=0", "?state=dead"} {
		if code, body := e.do("GET", "/v1/accounts"+q, e.listed.Reveal(), ""); code != 400 {
			t.Errorf("listed key, GET /v1/accounts%s = %d %s, want 400", q, code, body)
		}
	}
}

// TestAPIKeyOldFormatIsAdmin: a key stored before scopes existed (no
// "scope" field) is an admin key.
func TestAPIKeyOldFormatIsAdmin(t *testing.T) {
	e := newScopeEnv(t)
	old := `{"keys":[{"name":"legacy","id":"%s","created":"2026-01-02T03:04:05Z","salt":"%s","hash":"%s","t":2,"m":19456,"p":1}]}`
	key, info, err := NewAPIKeys(e.st).CreateScoped(t.Context(), "tmp", APIKeyScope{Accounts: []string{"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Keys []struct {
			ID         string
			Salt, Hash []byte
		}
	}
	blob := mustMeta(t, e.st)
	if err := json.Unmarshal(blob, &f); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(f.Keys, func(k struct {
		ID         string
		Salt, Hash []byte
	}) bool {
		return k.ID == info.ID
	})
	salt, _ := json.Marshal(f.Keys[i].Salt)
	hash, _ := json.Marshal(f.Keys[i].Hash)
	oldBlob := fmt.Sprintf(old, info.ID, strings.Trim(string(salt), `"`), strings.Trim(string(hash), `"`))
	if strings.Contains(oldBlob, "scope") {
		t.Fatal("test bug: the old format has a scope")
	}
	if err := e.st.SwapMeta(t.Context(), apiKeysMeta, blob, []byte(oldBlob)); err != nil {
		t.Fatal(err)
	}
	e.keys.forget()
	got, err := e.keys.Verify(t.Context(), key.Reveal())
	if err != nil || got.Name != "legacy" || !got.Scope.Admin {
		t.Fatalf("Verify(old-format key) = %+v, %v; want an admin key", got, err)
	}
	list, err := e.keys.List(t.Context())
	if err != nil || len(list) != 1 || !list[0].Scope.Admin {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if code, body := e.do("DELETE", "/v1/accounts/carol", key.Reveal(), ""); code != 204 {
		t.Fatalf("old-format key DELETE = %d %s, want 204", code, body)
	}
	// Changing something else keeps the old key an admin key.
	if _, _, err := e.keys.Create(t.Context(), "new"); err != nil {
		t.Fatal(err)
	}
	if got, err := e.keys.Verify(t.Context(), key.Reveal()); err != nil || !got.Scope.Admin {
		t.Fatalf("old key after another change = %+v, %v", got, err)
	}
}

// TestAPIKeyBadStoredScope: a stored scope that is not valid refuses the
// key (500, corrupt) rather than guess what it may do.
func TestAPIKeyBadStoredScope(t *testing.T) {
	st, _ := newSQLite(t)
	k := NewAPIKeys(st)
	key, _, err := k.CreateScoped(t.Context(), "bot", APIKeyScope{Accounts: []string{"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{}`, `{"admin":true,"accounts":["alice"]}`, `{"accounts":["../x"]}`, `{"accounts":["*","alice"]}`} {
		blob := mustMeta(t, st)
		var f map[string][]map[string]json.RawMessage
		if err := json.Unmarshal(blob, &f); err != nil {
			t.Fatal(err)
		}
		f["keys"][0]["scope"] = json.RawMessage(bad)
		nb, _ := json.Marshal(f)
		if err := st.SwapMeta(t.Context(), apiKeysMeta, blob, nb); err != nil {
			t.Fatal(err)
		}
		k.forget()
		if _, err := k.Verify(t.Context(), key.Reveal()); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("stored scope %s: Verify = %v, want store.ErrCorrupt", bad, err)
		}
	}
}

// TestAPIKeyScopeChangeSeenAfterRecheck: a scope changed by another
// process applies within APIKeyRecheck; one changed through the same
// registry at once.
func TestAPIKeyScopeChangeSeenAfterRecheck(t *testing.T) {
	e := newScopeEnv(t)
	var mu sync.Mutex
	now := time.Now()
	e.keys.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	get := func(key psn.Secret, path string) int {
		code, _ := e.do("GET", path, key.Reveal(), "")
		return code
	}
	if c := get(e.listed, "/v1/accounts/alice/token"); c != 200 {
		t.Fatalf("before the change: %d", c)
	}
	other := NewAPIKeys(e.st) // another process
	carolOnly, _ := AccountsScope("carol")
	if info, err := other.SetScope(t.Context(), "listed", carolOnly); err != nil || !slices.Equal(info.Scope.Accounts, []string{"carol"}) {
		t.Fatalf("SetScope = %+v, %v", info, err)
	}
	if c := get(e.listed, "/v1/accounts/alice/token"); c != 200 {
		t.Fatalf("within APIKeyRecheck of the read: %d (the old scope still applies until the recheck)", c)
	}
	advance(APIKeyRecheck)
	if c := get(e.listed, "/v1/accounts/alice/token"); c != 403 {
		t.Fatalf("after APIKeyRecheck: alice = %d, want 403", c)
	}
	if c := get(e.listed, "/v1/accounts/carol/token"); c != 200 {
		t.Fatalf("after APIKeyRecheck: carol = %d, want 200", c)
	}
	// Through the same registry: at once. Admin to read-only, too.
	if _, err := e.keys.SetScope(t.Context(), "test", carolOnly); err != nil {
		t.Fatal(err)
	}
	if code, _ := e.do("DELETE", "/v1/accounts/bob", e.key.Reveal(), ""); code != 403 {
		t.Fatalf("a key narrowed to carol deletes bob: %d, want 403", code)
	}
	if _, err := e.keys.SetScope(t.Context(), "nobody", AdminScope()); !errors.Is(err, ErrAPIKeyNotFound) {
		t.Fatalf("SetScope(unknown) = %v", err)
	}
	if _, err := e.keys.SetScope(t.Context(), "test", APIKeyScope{}); !errors.Is(err, ErrAPIKeyScope) {
		t.Fatalf("SetScope(empty) = %v", err)
	}
}
