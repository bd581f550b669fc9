package psntest

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Faults
	}{
		{"", Faults{}},
		{" , ", Faults{}},
		{"5xx=0.1,latency=50ms,reset=0.05,edge403=0.1,burst429=3",
			Faults{ServerError: 0.1, Latency: 50 * time.Millisecond, Reset: 0.05, Edge403: 0.1, Burst429: 3, Burst429Chance: 0.05}},
		{"burst429=2@1", Faults{Burst429: 2, Burst429Chance: 1}},
		{" 5xx = 1 , on = auth ", Faults{ServerError: 1, Scope: "auth"}},
		{"on=data,reset=0", Faults{Scope: "data"}},
	} {
		got, err := ParseFaults(tc.spec)
		if err != nil || got != tc.want {
			t.Errorf("ParseFaults(%q) = %+v, %v; want %+v", tc.spec, got, err, tc.want)
		}
		if back, err := ParseFaults(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q through %q: %+v, %v", tc.spec, got.String(), back, err)
		}
	}
	for _, bad := range []string{"5xx", "5xx=", "=1", "5xx=1.5", "5xx=-0.1", "5xx=NaN", "5xx=x", "latency=fast",
		"latency=-1s", "latency=2h", "burst429=0", "burst429=1@2", "burst429=x", "on=sometimes", "teapot=1", "5xx=0.1,5xx=0.2"} {
		if _, err := ParseFaults(bad); !errors.Is(err, ErrFaultSpec) {
			t.Errorf("ParseFaults(%q): %v, want ErrFaultSpec", bad, err)
		}
	}
}

func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"", "5xx=0.1,latency=50ms,reset=0.05,edge403=0.1,burst429=3", "burst429=7@0.25,on=auth",
		"latency=1m", "5xx=1e-3", "x=y,,", "5xx=0x1p-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := ParseFaults(spec)
		if err != nil {
			if !errors.Is(err, ErrFaultSpec) || got != (Faults{}) {
				t.Fatalf("error %v with %+v", err, got)
			}
			return
		}
		for _, p := range []float64{got.ServerError, got.Reset, got.Edge403, got.Burst429Chance} {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("probability %v accepted", p)
			}
		}
		back, err := ParseFaults(got.String())
		if err != nil || back != got {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", spec, got, got.String(), back, err)
		}
	})
}

// each fault kind, at probability 1, on a data route and on the token endpoint
func TestFaultKinds(t *testing.T) {
	clean := serve(t, Config{})
	tok := clean.login(clean.sim.Users()[0].NPSSO)
	for _, tc := range []struct {
		spec  string
		check func(t *testing.T, resp *http.Response, body []byte)
	}{
		{"5xx=1", func(t *testing.T, resp *http.Response, body []byte) {
			if resp.StatusCode != 500 && resp.StatusCode != 502 && resp.StatusCode != 503 {
				t.Fatalf("%d", resp.StatusCode)
			}
		}},
		{"edge403=1", func(t *testing.T, resp *http.Response, body []byte) {
			b := string(body)
			if resp.StatusCode != 403 || !strings.HasPrefix(b, "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>") ||
				!strings.Contains(b, "Reference&#32;#18.") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		}},
		{"burst429=1@1", func(t *testing.T, resp *http.Response, body []byte) {
			if resp.StatusCode != 429 || resp.Header.Get("X-RateLimit-Next-Available") == "" || psnErr(t, body).Code != 2138635 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			f, err := ParseFaults(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			c := serve(t, Config{Faults: f})
			resp, body := c.get("/api/trophy/v1/users/me/trophySummary", tok.AccessToken)
			tc.check(t, resp, body)
			resp, body = c.tokenPost(refreshForm(tok.RefreshToken))
			tc.check(t, resp, body)
			if resp, _ := c.do("GET", "/_sim/stats", nil, ""); resp.StatusCode != 200 {
				t.Fatalf("fault on /_sim/: %d", resp.StatusCode)
			}
			if got := c.sim.Stats().Requests; got != 2 {
				t.Fatalf("requests %d, want 2 (admin calls are not PSN requests)", got)
			}
		})
	}
}

func TestFaultReset(t *testing.T) {
	c := serve(t, Config{Faults: Faults{Reset: 1}})
	req, _ := http.NewRequest("GET", c.base+"/api/v1/devices/accounts/me", nil)
	resp, err := c.hc.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got an answer (%d), want a dropped connection", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "/_sim/users", nil, ""); resp.StatusCode != 200 {
		t.Fatalf("admin after reset: %d", resp.StatusCode)
	}
}

func TestFaultLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := inMemory(t, Config{Faults: Faults{Latency: 50 * time.Millisecond}})
		start := time.Now()
		c.authorizeWith(authorizeQuery(), c.sim.Users()[0].NPSSO)
		if got := time.Since(start); got != 50*time.Millisecond {
			t.Fatalf("answered after %v of fake time, want 50ms", got)
		}
		start = time.Now()
		c.do("GET", "/_sim/stats", nil, "")
		if got := time.Since(start); got != 0 {
			t.Fatalf("admin endpoint delayed by %v", got)
		}
	})
}

func TestFaultScope(t *testing.T) {
	clean := serve(t, Config{})
	tok := clean.login(clean.sim.Users()[0].NPSSO)
	c := serve(t, Config{Faults: Faults{ServerError: 1, Scope: "auth"}})
	if resp, _ := c.get("/api/v1/devices/accounts/me", tok.AccessToken); resp.StatusCode != 401 {
		t.Errorf("data route under on=auth: %d, want the normal 401", resp.StatusCode)
	}
	if resp, _ := c.tokenPost(refreshForm(tok.RefreshToken)); resp.StatusCode < 500 {
		t.Errorf("token endpoint under on=auth: %d, want 5xx", resp.StatusCode)
	}
	d := serve(t, Config{Faults: Faults{ServerError: 1, Scope: "data"}})
	if resp, _ := d.tokenPost(refreshForm(tok.RefreshToken)); resp.StatusCode != 400 {
		t.Errorf("token endpoint under on=data: %d, want the normal 400", resp.StatusCode)
	}
	if resp, _ := d.get("/api/v1/devices/accounts/me", tok.AccessToken); resp.StatusCode < 500 {
		t.Errorf("data route under on=data: %d, want 5xx", resp.StatusCode)
	}
}

// The n-th request gets the same fault for the same seed and spec; 429
// bursts come in runs of the burst length.
func TestFaultsDeterministic(t *testing.T) {
	f, err := ParseFaults("5xx=0.2,edge403=0.1,burst429=3@0.1")
	if err != nil {
		t.Fatal(err)
	}
	statuses := func(seed int64) []int {
		c := inMemory(t, Config{Seed: seed, Faults: f})
		var out []int
		for range 200 {
			resp, _ := c.get("/api/v1/devices/accounts/me", "")
			out = append(out, resp.StatusCode)
		}
		return out
	}
	a, b, other := statuses(1), statuses(1), statuses(2)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different faults")
	}
	if reflect.DeepEqual(a, other) {
		t.Fatal("different seeds, same faults")
	}
	count := map[int]int{}
	for i := 0; i < len(a); {
		count[a[i]]++
		if a[i] != 429 {
			i++
			continue
		}
		j := i
		for j < len(a) && a[j] == 429 {
			j++
		}
		if (j-i)%3 != 0 && j != len(a) {
			t.Fatalf("a run of %d 429s at %d, want a multiple of 3", j-i, i)
		}
		count[429] += j - i - 1
		i = j
	}
	for _, s := range []int{401, 403, 429} {
		if count[s] == 0 {
			t.Errorf("no %d among %v", s, count)
		}
	}
	if count[500]+count[502]+count[503] == 0 {
		t.Errorf("no 5xx among %v", count)
	}
}
