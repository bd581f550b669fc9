package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestVaultBinaryResolution(t *testing.T) {
	bin, run := t.TempDir(), t.TempDir()
	exe := func(dir, name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	psn := exe(bin, "psn")
	var built []string
	build := func(_ context.Context, out string) error { built = append(built, out); return nil }

	// No psn-vault next to -psn: one is built into the run's directory.
	got, err := vaultBinary(t.Context(), "", psn, run, build)
	if want := filepath.Join(run, "psn-vault"); err != nil || got != want || len(built) != 1 {
		t.Errorf("no sibling: %q, %v (built %q), want %q built", got, err, built, want)
	}
	// One next to -psn is taken, not built.
	sib := exe(bin, "psn-vault")
	built = nil
	if got, err := vaultBinary(t.Context(), "", psn, run, build); err != nil || got != sib || len(built) != 0 {
		t.Errorf("sibling: %q, %v (built %q), want %q", got, err, built, sib)
	}
	// -psn-vault wins over the sibling.
	other := exe(t.TempDir(), "v")
	if got, err := vaultBinary(t.Context(), other, psn, run, build); err != nil || got != other || len(built) != 0 {
		t.Errorf("-psn-vault: %q, %v (built %q), want %q", got, err, built, other)
	}
	if _, err := vaultBinary(t.Context(), filepath.Join(run, "nope"), "", run, build); err == nil {
		t.Error("a missing -psn-vault was accepted")
	}
}
