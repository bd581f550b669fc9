package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// fakeBuild records what findBinaries asked to build.
type fakeBuild struct {
	calls [][]string
	dir   string
	err   error
}

func (f *fakeBuild) build(_ context.Context, dir string, pkgs ...string) error {
	f.dir = dir
	f.calls = append(f.calls, pkgs)
	return f.err
}

// writeExe makes an executable file (or, with mode 0o600, a non-executable
// one) at dir/name.
func writeExe(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindBinariesBuildsBothInOneCallByDefault(t *testing.T) {
	run := t.TempDir()
	var f fakeBuild
	b, err := findBinaries(t.Context(), "", "", run, f.build)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 1 || !slices.Equal(f.calls[0], []string{psnPkg, psnVaultPkg}) || f.dir != run {
		t.Errorf("builds = %q into %s, want one build of both into %s", f.calls, f.dir, run)
	}
	if b.psn != filepath.Join(run, "psn") || b.vault != filepath.Join(run, "psn-vault") {
		t.Errorf("binaries = %+v, want psn and psn-vault in %s", b, run)
	}
}

func TestFindBinariesTakesPSNVaultNextToPSN(t *testing.T) {
	bin, run := t.TempDir(), t.TempDir()
	psn := writeExe(t, bin, "psn", 0o755)
	vault := writeExe(t, bin, "psn-vault", 0o755)
	var f fakeBuild
	b, err := findBinaries(t.Context(), psn, "", run, f.build)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 0 {
		t.Errorf("built %q although both programs were given", f.calls)
	}
	if b.psn != psn || b.vault != vault {
		t.Errorf("binaries = %+v, want %s and the psn-vault next to it", b, psn)
	}
}

func TestFindBinariesBuildsPSNVaultWhenNoneNextToPSN(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sibling func(t *testing.T, dir string)
	}{
		{"absent", func(*testing.T, string) {}},
		{"not executable", func(t *testing.T, dir string) { writeExe(t, dir, "psn-vault", 0o600) }},
		{"a directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "psn-vault"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin, run := t.TempDir(), t.TempDir()
			psn := writeExe(t, bin, "psn", 0o755)
			tc.sibling(t, bin)
			var f fakeBuild
			b, err := findBinaries(t.Context(), psn, "", run, f.build)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.calls) != 1 || !slices.Equal(f.calls[0], []string{psnVaultPkg}) {
				t.Errorf("builds = %q, want psn-vault alone", f.calls)
			}
			if b.psn != psn || b.vault != filepath.Join(run, "psn-vault") {
				t.Errorf("binaries = %+v, want the given psn and a built psn-vault", b)
			}
		})
	}
}

func TestFindBinariesPrefersGivenPSNVault(t *testing.T) {
	bin, other, run := t.TempDir(), t.TempDir(), t.TempDir()
	psn := writeExe(t, bin, "psn", 0o755)
	writeExe(t, bin, "psn-vault", 0o755)
	vault := writeExe(t, other, "my-vault", 0o755)
	var f fakeBuild
	b, err := findBinaries(t.Context(), psn, vault, run, f.build)
	if err != nil || len(f.calls) != 0 || b.vault != vault {
		t.Errorf("findBinaries = %+v, %v (builds %q), want the given %s and no build", b, err, f.calls, vault)
	}
	// --psn-vault alone: psn is built, psn-vault is not.
	f = fakeBuild{}
	b, err = findBinaries(t.Context(), "", vault, run, f.build)
	if err != nil || len(f.calls) != 1 || !slices.Equal(f.calls[0], []string{psnPkg}) || b.vault != vault {
		t.Errorf("findBinaries = %+v, %v (builds %q), want psn built and the given psn-vault", b, err, f.calls)
	}
}

func TestFindBinariesRefusesMissingPrograms(t *testing.T) {
	dir := t.TempDir()
	var f fakeBuild
	if _, err := findBinaries(t.Context(), filepath.Join(dir, "nope"), "", dir, f.build); !errors.Is(err, errNoBinary) {
		t.Errorf("--psn missing: %v, want errNoBinary", err)
	}
	if _, err := findBinaries(t.Context(), "", filepath.Join(dir, "nope"), dir, f.build); !errors.Is(err, errNoBinary) {
		t.Errorf("--psn-vault missing: %v, want errNoBinary", err)
	}
	if len(f.calls) != 0 {
		t.Errorf("built %q before the flags were checked", f.calls)
	}
	f.err = errors.New("compile error")
	if _, err := findBinaries(t.Context(), "", "", dir, f.build); !errors.Is(err, f.err) {
		t.Errorf("build failure: %v, want it passed on", err)
	}
}

func TestGoBuildBuildsBothPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds psn and psn-vault")
	}
	dir := t.TempDir()
	if err := goBuild(os.Stderr)(t.Context(), dir, psnPkg, psnVaultPkg); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"psn", "psn-vault"} {
		if !isExecutable(filepath.Join(dir, name)) {
			t.Errorf("%s was not built into %s", name, dir)
		}
	}
}
