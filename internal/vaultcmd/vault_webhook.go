package vaultcmd

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/internal/cli"
	"github.com/psnkit/psn/vault/server"
	"github.com/spf13/cobra"
)

// webhookURLsEnv names the environment variable with webhook URLs
// (separated by spaces, commas or newlines), for URLs that carry a
// receiver's credential in their path or query and so must not be on the
// command line.
const webhookURLsEnv = "PSN_WEBHOOK_URLS"

// webhookSecret reads PSN_WEBHOOK_SECRET (a secret: never a flag), as is:
// the receiver signs with the same bytes.
func (a *vc) webhookSecret() (psn.Secret, error) {
	v := a.Getenv(server.WebhookSecretEnv)
	if v != strings.TrimSpace(v) {
		return "", cli.Fail(server.WebhookSecretEnv+" starts or ends with white space",
			"Remove it: the receiver verifies signatures with the exact secret, and a stray space or newline would make every signature differ.", nil)
	}
	return psn.Secret(v), nil
}

// webhookURLs is the --webhook URLs followed by those of PSN_WEBHOOK_URLS.
func (a *vc) webhookURLs(flagged []string) []string {
	urls := slices.Clone(flagged)
	urls = append(urls, strings.FieldsFunc(a.Getenv(webhookURLsEnv), func(r rune) bool {
		return r == ',' || unicode.IsSpace(r)
	})...)
	return urls
}

// webhookConfig is the serve command's webhook configuration from its
// --webhook URLs, PSN_WEBHOOK_URLS and PSN_WEBHOOK_SECRET.
func (a *vc) webhookConfig(flagged []string) (server.WebhookConfig, error) {
	urls := a.webhookURLs(flagged)
	if len(urls) == 0 {
		return server.WebhookConfig{}, nil
	}
	secret, err := a.webhookSecret()
	if err != nil {
		return server.WebhookConfig{}, err
	}
	if secret == "" {
		return server.WebhookConfig{}, cli.Fail("webhooks need a signing secret",
			"Set "+server.WebhookSecretEnv+" (the receiver checks X-Psn-Signature-256 with it); it is never read from a flag.", nil)
	}
	for _, u := range urls {
		if err := server.CheckWebhookURL(u); err != nil {
			return server.WebhookConfig{}, cli.Fail("bad webhook URL "+server.RedactURL(u)+" (from --webhook or "+webhookURLsEnv+")", "", err)
		}
	}
	return server.WebhookConfig{URLs: urls, Secret: secret}, nil
}

func (a *vc) webhookCommand() *cobra.Command {
	cmd := cli.Group("webhook", "Webhooks of the vault service: signed POSTs when an account needs a human")
	var target, event string
	test := &cobra.Command{
		Use:   "test",
		Short: "Send one signed sample event to a URL and print the receiver's answer",
		Long: `Send one sample event, signed with PSN_WEBHOOK_SECRET exactly as "psn-vault
serve --webhook URL" signs real ones (X-Psn-Signature-256: sha256=<hex HMAC-SHA256
of the body>), to check a receiver. Its account is "example" and its id starts
with "evt_test_". A 2xx answer exits 0; anything else exits 1. A URL that
carries a credential belongs in PSN_WEBHOOK_URLS, not on the command line.
See docs/vault.md.`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target == "" {
				if urls := a.webhookURLs(nil); len(urls) > 0 {
					target = urls[0]
				}
			}
			if target == "" {
				return cli.UsageError("--url is required (or set " + webhookURLsEnv + ": its first URL is used)")
			}
			secret, err := a.webhookSecret()
			if err != nil {
				return err
			}
			if secret == "" {
				return cli.Fail(server.WebhookSecretEnv+" is not set", "Export the secret the receiver verifies signatures with; it is never read from a flag.", nil)
			}
			code, ev, err := server.SendSampleWebhook(cmd.Context(), nil, target, secret, event)
			if err != nil {
				return cli.Fail("webhook test failed", "", err)
			}
			if code < 200 || code > 299 {
				return cli.Fail(fmt.Sprintf("the receiver at %s answered HTTP %d to %s event %s", server.RedactURL(target), code, ev.Event, ev.ID),
					"A receiver must answer 2xx once it has the event; the vault retries anything else.", nil)
			}
			_, err = fmt.Fprintf(a.Stdout(), "HTTP %d from %s for %s event %s\n", code, server.RedactURL(target), ev.Event, ev.ID)
			return err
		},
	}
	f := test.Flags()
	f.StringVar(&target, "url", "", "the receiver's URL (http:// or https://); default: the first of "+webhookURLsEnv)
	f.StringVar(&event, "event", server.EventLoginRequired, "the sample's event: "+strings.Join(server.WebhookEvents(), ", "))
	cmd.AddCommand(test)
	return cmd
}
