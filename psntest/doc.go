// Package psntest is an offline PlayStation Network: a simulator of the PSN
// web API that checks what PSN checks and answers with the shapes of real
// recorded PSN traffic.
//
// It is used like net/http/httptest:
//
//	srv := psntest.NewServer(psntest.Config{})
//	defer srv.Close()
//	u := srv.Sim.Users()[0] // OnlineID, AccountID and a live NPSSO
//	// point a PSN client at srv.URL instead of https://ca.account.sony.com,
//	// https://m.np.playstation.com, https://dms.api.playstation.com, ...
//
// One handler serves every PSN host's paths (they do not collide), so a
// client only swaps the scheme and host. Besides PSN's own routes it serves
// admin endpoints under /_sim/ (users, NPSSO and refresh-token revocation,
// statistics, the clock); faults can be injected (see [ParseFaults]).
//
// The users, their ids and NPSSOs, and every data item are deterministic
// from [Config.Seed]. Access tokens, refresh tokens and authorization codes
// are random, like PSN's.
//
// The behaviour, the admin endpoints and the fault syntax are described in
// docs/simulator.md.
package psntest
