// Package server is the vault service behind `psn-vault serve`: a
// scheduler that keeps every account of a store fresh (Service), the HTTP
// API that hands out tokens to holders of an API key (NewHandler,
// NewHTTPServer, Service.Serve; API keys in APIKeys), Prometheus metrics,
// the status page and paged account listings. docs/vault.md describes it.
//
// It is built on package github.com/psnkit/psn/vault, the library of
// stored accounts (AccountStore, Keys, Login, HealthOf). A program that
// only keeps tokens in a store imports vault alone and so links none of
// this package: no HTTP server, no Prometheus.
package server
