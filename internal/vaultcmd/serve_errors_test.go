package vaultcmd

import (
	"strings"
	"testing"
)

// TestServeErrorsSayPsnVaultOnce: serve's own errors start "psn-vault: "
// and go on in words, without the "vault: " of the days when they
// followed "psn: " ("psn-vault: vault: listen tcp …").
func TestServeErrorsSayPsnVaultOnce(t *testing.T) {
	c := newVaultCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "256.0.0.1:1"}, "psn-vault: cannot listen on 256.0.0.1:1\n"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--tls-cert", "x.crt"}, "psn-vault: --tls-cert and --tls-key go together"},
	} {
		code, _, errOut := c.run(tc.args...)
		if code != 1 || !strings.HasPrefix(errOut, tc.want) || strings.Contains(errOut, "vault: vault:") {
			t.Errorf("%v = %d, %q; want it to start %q", tc.args, code, errOut, tc.want)
		}
	}
}
