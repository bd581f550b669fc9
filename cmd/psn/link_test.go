package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPSNDoesNotLinkTheVaultService builds psn and reads its symbol table:
// the vault service (vault/server, Prometheus) is psn-vault's, and nothing
// in psn may reach text/template's method calls (cobra's templates, the
// status page's html/template): with those reachable, the linker keeps
// every exported method of every type (49 MB instead of 31 MB) and every
// psn command starts ~3 MiB larger (docs/benchmarks.md).
func TestPSNDoesNotLinkTheVaultService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds psn (-short)")
	}
	bin := filepath.Join(t.TempDir(), "psn")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	forbidden := []string{
		"github.com/psnkit/psn/vault/server.",
		"github.com/prometheus/",
		"html/template.",
		"text/template.(*state).evalField", // the method call by name
		"debug/elf.",                       // debug/buildinfo's readers: +0.4 MiB on every command
	}
	found := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	symbols := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		symbols++
		name := f[len(f)-1]
		for _, p := range forbidden {
			if _, ok := found[p]; !ok && strings.HasPrefix(name, p) {
				found[p] = name
			}
		}
	}
	if symbols < 1000 {
		t.Fatalf("read %d symbols from go tool nm: not a symbol table", symbols)
	}
	for p, name := range found {
		t.Errorf("psn links %s (e.g. %s)", strings.TrimSuffix(p, "."), name)
	}
}
