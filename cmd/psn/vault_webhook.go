package main

import (
	"fmt"
	"strings"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/vault/server"
	"github.com/spf13/cobra"
)

// webhookSecret reads PSN_WEBHOOK_SECRET (a secret: never a flag).
func (a *app) webhookSecret() psn.Secret {
	return psn.Secret(strings.TrimSpace(a.getenv(server.WebhookSecretEnv)))
}

// webhookConfig is the serve command's webhook configuration from its
// --webhook URLs and PSN_WEBHOOK_SECRET.
func (a *app) webhookConfig(urls []string) (server.WebhookConfig, error) {
	if len(urls) == 0 {
		return server.WebhookConfig{}, nil
	}
	secret := a.webhookSecret()
	if secret == "" {
		return server.WebhookConfig{}, &userError{what: "--webhook needs a signing secret",
			hint: "Set " + server.WebhookSecretEnv + " (the receiver checks X-Psn-Signature-256 with it); it is never read from a flag."}
	}
	for _, u := range urls {
		if err := server.CheckWebhookURL(u); err != nil {
			return server.WebhookConfig{}, &userError{what: "bad --webhook URL", err: err}
		}
	}
	return server.WebhookConfig{URLs: urls, Secret: secret}, nil
}

func (a *app) webhookCommand() *cobra.Command {
	cmd := group("webhook", "Webhooks of the vault service: signed POSTs when an account needs a human")
	var target, event string
	test := &cobra.Command{
		Use:   "test",
		Short: "Send one signed sample event to a URL and print the receiver's answer",
		Long: `Send one sample event, signed with PSN_WEBHOOK_SECRET exactly as "psn vault
serve --webhook URL" signs real ones (X-Psn-Signature-256: sha256=<hex HMAC-SHA256
of the body>), to check a receiver. Its account is "example" and its id starts
with "evt_test_". A 2xx answer exits 0; anything else exits 1. See docs/vault.md.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target == "" {
				return usageError("--url is required")
			}
			secret := a.webhookSecret()
			if secret == "" {
				return &userError{what: server.WebhookSecretEnv + " is not set", hint: "Export the secret the receiver verifies signatures with; it is never read from a flag."}
			}
			code, ev, err := server.SendSampleWebhook(cmd.Context(), nil, target, secret, event)
			if err != nil {
				return &userError{what: "webhook test failed", err: err}
			}
			if code < 200 || code > 299 {
				return &userError{what: fmt.Sprintf("the receiver at %s answered HTTP %d to %s event %s", server.RedactURL(target), code, ev.Event, ev.ID),
					hint: "A receiver must answer 2xx once it has the event; the vault retries anything else."}
			}
			_, err = fmt.Fprintf(a.stdout, "HTTP %d from %s for %s event %s\n", code, server.RedactURL(target), ev.Event, ev.ID)
			return err
		},
	}
	f := test.Flags()
	f.StringVar(&target, "url", "", "the receiver's URL (http:// or https://)")
	f.StringVar(&event, "event", server.EventLoginRequired, "the sample's event: "+strings.Join(server.WebhookEvents(), ", "))
	cmd.AddCommand(test)
	return cmd
}
