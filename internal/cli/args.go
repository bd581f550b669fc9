package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// argSpec is what a command's Use line says about its arguments:
// "trophies NP_COMMUNICATION_ID" needs one, "titles [ACCOUNT]" takes at
// most one, "presence [ACCOUNT...]" any number.
type argSpec struct {
	required, optional []string
	variadic           bool
}

// parseUse reads the argument names of a Use line; it stops at the first
// flag ("export [ACCOUNT] --out FILE.json").
func parseUse(use string) argSpec {
	var s argSpec
	fields := strings.Fields(use)
	for _, f := range fields[min(1, len(fields)):] {
		if strings.HasPrefix(f, "-") {
			break
		}
		opt := strings.HasPrefix(f, "[")
		name := strings.Trim(f, "[]")
		if strings.HasSuffix(name, "...") {
			s.variadic = true
			name = strings.TrimSuffix(name, "...")
		}
		if opt {
			s.optional = append(s.optional, name)
		} else {
			s.required = append(s.required, name)
		}
	}
	return s
}

// validate checks the count of args and says which argument is missing or
// extra. It never repeats a long argument (describeArg).
func (s argSpec) validate(cmd *cobra.Command, args []string) error {
	usage := "Usage: " + cmd.UseLine() + "\nSee `" + cmd.CommandPath() + " --help` for examples."
	if len(args) < len(s.required) {
		missing := s.required[len(args):]
		return &userError{what: fmt.Sprintf("%s needs the argument %s", cmd.CommandPath(), strings.Join(missing, " and ")), hint: usage}
	}
	if max := len(s.required) + len(s.optional); !s.variadic && len(args) > max {
		return &userError{what: fmt.Sprintf("unexpected argument %s: %s takes %s", describeArg(args[max]), cmd.CommandPath(), s.takes()), hint: usage}
	}
	return nil
}

// takes says in words what a command accepts.
func (s argSpec) takes() string {
	parts := append([]string(nil), s.required...)
	for _, o := range s.optional {
		parts = append(parts, "an optional "+o)
	}
	if len(parts) == 0 {
		return "no arguments"
	}
	return strings.Join(parts, " and ") + " only"
}

// applyArgs gives every command whose Use line names arguments the
// argument check that names them.
func applyArgs(c *cobra.Command) {
	s := parseUse(c.Use)
	// help takes a command path ("help token status"), not one argument.
	if c.Runnable() && (len(s.required) > 0 || len(s.optional) > 0) && !(c.Name() == "help" && c.Parent() == c.Root()) {
		c.Args = s.validate
	}
	for _, sub := range c.Commands() {
		applyArgs(sub)
	}
}
