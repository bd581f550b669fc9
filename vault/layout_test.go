package vault

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryImportsNoService guards the layout (docs/architecture.md): a
// program that imports only package vault — the persisted token store,
// keys, login, health — pulls in none of the vault service (vault/server:
// scheduler, HTTP API, API keys, status page) and no Prometheus.
func TestLibraryImportsNoService(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to list the imports with")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/psnkit/psn/vault").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || deps[len(deps)-1] != "github.com/psnkit/psn/vault" {
		t.Fatalf("go list -deps did not list package vault itself:\n%s", out)
	}
	for _, d := range deps {
		switch {
		case strings.HasPrefix(d, "github.com/prometheus/"):
			t.Errorf("package vault imports %s (Prometheus belongs to vault/server)", d)
		case d == "github.com/psnkit/psn/vault/server", strings.HasPrefix(d, "github.com/psnkit/psn/vault/server/"):
			t.Errorf("package vault imports %s", d)
		}
	}
}
