package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// vaultProgram is the vault service's program: the bench runs it directly
// (not through `psn vault`), so the RSS and CPU it reads are the vault's.
const vaultProgram = "psn-vault"

// vaultBinary resolves the psn-vault to run: -psn-vault, else the psn-vault
// next to -psn (where `psn vault` looks first), else one built from this
// module into dir with build.
func vaultBinary(ctx context.Context, vaultFlag, psnFlag, dir string, build func(ctx context.Context, out string) error) (string, error) {
	if vaultFlag != "" {
		p, err := exec.LookPath(vaultFlag)
		if err != nil {
			return "", fmt.Errorf("-psn-vault: %w", err)
		}
		return filepath.Abs(p)
	}
	if psnFlag != "" {
		p, err := exec.LookPath(psnFlag)
		if err != nil {
			return "", fmt.Errorf("-psn: %w", err)
		}
		sib := filepath.Join(filepath.Dir(p), vaultProgram)
		if fi, err := os.Stat(sib); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return filepath.Abs(sib)
		}
	}
	out := filepath.Join(dir, vaultProgram)
	if err := build(ctx, out); err != nil {
		return "", err
	}
	return out, nil
}

// goBuildVault builds ./cmd/psn-vault into out (run from the module root).
func goBuildVault(w io.Writer) func(ctx context.Context, out string) error {
	return func(ctx context.Context, out string) error {
		b := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/psn-vault")
		b.Stderr = w
		if err := b.Run(); err != nil {
			return fmt.Errorf("building psn-vault (run from the module root, or give -psn-vault): %w", err)
		}
		return nil
	}
}
