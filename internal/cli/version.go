package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildInfo is what `psn version` reports, read from the binary's build
// information (runtime/debug): the module version, the VCS commit and
// time, and the Go version.
type buildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	CommitAt  string `json:"commitTime,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"goVersion"`
}

// readBuildInfo reads the build information of the running binary.
// A binary built from a checkout has the version "(devel)" and the VCS
// settings; one installed with `go install …@v1.2.3` has the version and
// no VCS settings.
func readBuildInfo(read func() (*debug.BuildInfo, bool)) buildInfo {
	bi, ok := read()
	if !ok {
		return buildInfo{Version: "unknown", GoVersion: "unknown"}
	}
	b := buildInfo{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.CommitAt = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// versionLine is the version as --version and the version command show it
// after "NAME version ": "v1.2.3 (commit 0123456789ab, modified,
// 2026-12-01T10:00:00Z) go1.26.0".
func (b buildInfo) versionLine() string {
	s := b.Version
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (commit " + c
		if b.Modified {
			s += ", modified"
		}
		if b.CommitAt != "" {
			s += ", " + b.CommitAt
		}
		s += ")"
	}
	return s + " " + b.GoVersion
}

func (a *App) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show " + a.name + "'s version, commit and Go version",
		Long: `Show the module version, the commit it was built from (when built from a
git checkout) and the Go version, from the binary's build information.
-o json prints {"version":…,"commit":…,"commitTime":…,"goVersion":…}.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			b := readBuildInfo(debug.ReadBuildInfo)
			switch a.output {
			case "json", "csv":
				return a.emit(b, table{
					header: []string{"version", "commit", "commitTime", "modified", "goVersion"},
					rows:   [][]string{{b.Version, b.Commit, b.CommitAt, fmt.Sprint(b.Modified), b.GoVersion}},
				})
			}
			_, err := fmt.Fprintf(a.stdout, "%s version %s\n", a.name, b.versionLine())
			return err
		},
	}
}
