package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// Packages of the two programs the harness drives: psn (the simulator, the
// CLI's token print) and psn-vault (the replicas, apikey create).
const (
	psnPkg      = "github.com/psnkit/psn/cmd/psn"
	psnVaultPkg = "github.com/psnkit/psn/cmd/psn-vault"
	psnVaultExe = "psn-vault"
)

// errNoBinary is the cause when --psn or --psn-vault names no runnable
// program.
var errNoBinary = errors.New("no such program")

// binaries are the absolute paths of the programs of a run.
type binaries struct {
	psn   string // psn: sim serve, token print
	vault string // psn-vault: serve, apikey create
}

// buildFunc builds the packages pkgs into the directory dir, each as the
// last element of its import path.
type buildFunc func(ctx context.Context, dir string, pkgs ...string) error

// goBuild is the buildFunc of a run: go build -o DIR/ PKGS, from the module
// the harness runs in. Built together, the two programs share one compile.
func goBuild(w io.Writer) buildFunc {
	return func(ctx context.Context, dir string, pkgs ...string) error {
		args := append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Stdout, cmd.Stderr = w, w
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build %v (run the harness from the module, or give --psn and --psn-vault): %w", pkgs, err)
		}
		return nil
	}
}

// findBinaries resolves the programs of a run: --psn, else psn built into
// dir; --psn-vault, else the psn-vault next to --psn (as `psn vault` finds
// it), else psn-vault built into dir. What needs building is built in one
// call of build.
func findBinaries(ctx context.Context, psnFlag, vaultFlag, dir string, build buildFunc) (binaries, error) {
	var (
		b    binaries
		pkgs []string
		err  error
	)
	if psnFlag != "" {
		if b.psn, err = lookBinary(psnFlag); err != nil {
			return b, fmt.Errorf("--psn: %w", err)
		}
	} else {
		b.psn = filepath.Join(dir, "psn")
		pkgs = append(pkgs, psnPkg)
	}
	switch {
	case vaultFlag != "":
		if b.vault, err = lookBinary(vaultFlag); err != nil {
			return b, fmt.Errorf("--psn-vault: %w", err)
		}
	case psnFlag != "" && isExecutable(filepath.Join(filepath.Dir(b.psn), psnVaultExe)):
		b.vault = filepath.Join(filepath.Dir(b.psn), psnVaultExe)
	default:
		b.vault = filepath.Join(dir, psnVaultExe)
		pkgs = append(pkgs, psnVaultPkg)
	}
	if len(pkgs) > 0 {
		if err := build(ctx, dir, pkgs...); err != nil {
			return b, err
		}
	}
	return b, nil
}

// lookBinary is exec.LookPath made absolute (a bare name is looked up in
// PATH).
func lookBinary(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNoBinary, err)
	}
	return filepath.Abs(p)
}

// isExecutable reports whether path is a regular file someone may execute.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
