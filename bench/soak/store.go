package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// namespace is the isolated part of a store that this run owns: a SQLite
// file, a PostgreSQL schema or a Redis key prefix. The harness removes it at
// the end, and never touches anything else.
type namespace struct {
	kind    string // sqlite, postgres, redis
	url     string // what PSN_STORE gets (may hold a password: never printed)
	display string // url without a password
	name    string // file, schema or prefix
	base    string // the base URL the namespace was added to
}

// newNamespace picks the run's store: spec is sqlite, postgres, redis or a
// postgres:// / redis:// base URL; id makes the schema or prefix unique.
func newNamespace(spec, pgBase, redisBase, dir, id string) (namespace, error) {
	kind, base := spec, ""
	switch {
	case spec == "sqlite":
	case spec == "postgres" || spec == "postgresql":
		kind, base = "postgres", pgBase
	case spec == "redis":
		base = redisBase
	case strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://"):
		kind, base = "postgres", spec
	case strings.HasPrefix(spec, "redis://"):
		kind, base = "redis", spec
	default:
		return namespace{}, fmt.Errorf("%w: --store %s: use sqlite, postgres, redis, or a postgres:// or redis:// base URL", errUsage, redactURL(spec))
	}
	ns := namespace{kind: kind, base: base}
	switch kind {
	case "sqlite":
		ns.name = filepath.Join(dir, "soak.db")
		ns.url = "sqlite://" + ns.name
		ns.display = ns.url
		return ns, nil
	case "postgres":
		ns.name = "soak_" + id
		u, err := addQuery(base, "schema", ns.name)
		if err != nil {
			return namespace{}, err
		}
		ns.url = u
	case "redis":
		ns.name = "soak:" + id + ":"
		u, err := addQuery(base, "prefix", ns.name)
		if err != nil {
			return namespace{}, err
		}
		ns.url = u
	}
	ns.display = redactURL(ns.url)
	return ns, nil
}

// addQuery adds key=value to a base URL that must not set key already (the
// harness only ever removes a namespace it made).
func addQuery(base, key, value string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%w: the store URL does not parse", errUsage)
	}
	if u.Query().Has(key) {
		return "", fmt.Errorf("%w: the store URL already sets %s=; give a base URL without it (the harness makes and removes its own)", errUsage, key)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + key + "=" + url.QueryEscape(value), nil
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// remove deletes the namespace from its server (a SQLite file goes with the
// run's directory).
func (ns namespace) remove(ctx context.Context) error {
	switch ns.kind {
	case "postgres":
		conn, err := pgx.Connect(ctx, ns.base)
		if err != nil {
			return fmt.Errorf("removing schema %s: %w", ns.name, err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{ns.name}.Sanitize()+" CASCADE")
		if err != nil {
			return fmt.Errorf("removing schema %s: %w", ns.name, err)
		}
	case "redis":
		opts, err := redis.ParseURL(ns.base)
		if err != nil {
			return fmt.Errorf("removing prefix %s: %w", ns.name, err)
		}
		c := redis.NewClient(opts)
		defer c.Close()
		var errs []error
		iter := c.Scan(ctx, 0, ns.name+"*", 500).Iterator()
		var batch []string
		for iter.Next(ctx) {
			batch = append(batch, iter.Val())
			if len(batch) == 500 {
				errs = append(errs, c.Del(ctx, batch...).Err())
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			errs = append(errs, c.Del(ctx, batch...).Err())
		}
		errs = append(errs, iter.Err())
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("removing prefix %s: %w", ns.name, err)
		}
	}
	return nil
}
