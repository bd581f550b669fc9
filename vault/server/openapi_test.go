package server

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/psnkit/psn/vault"
)

// openAPIFile is the OpenAPI description of the vault's HTTP API.
const openAPIFile = "../../docs/vault-openapi.yaml"

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("%s: openapi %q, want 3.1.x", openAPIFile, v)
	}
	return doc
}

var openAPIMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// openAPIOps returns the document's operations as "METHOD /path" → the
// operation object.
func openAPIOps(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("no paths")
	}
	ops := map[string]map[string]any{}
	for p, item := range paths {
		for _, m := range openAPIMethods {
			if op, ok := item.(map[string]any)[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+p] = op
			}
		}
	}
	return ops
}

// routePath is a route's pattern as an OpenAPI "METHOD /path".
func routePath(pattern string) string {
	return strings.Replace(pattern, "{$}", "", 1)
}

// TestOpenAPIMatchesRoutes: docs/vault-openapi.yaml describes exactly the
// routes NewHandler registers (routeTable), each /v1 one with the bearer
// security and the 401 (and, where a scope can refuse, 403) it answers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := openAPIOps(t, doc)
	served := map[string]route{}
	for _, rt := range routeTable() {
		served[routePath(rt.pattern)] = rt
	}
	for op, rt := range served {
		if _, ok := ops[op]; !ok {
			t.Errorf("the vault serves %q (routeTable, route %q) but %s does not describe it: add it there", op, rt.name, openAPIFile)
		}
	}
	for op := range ops {
		if _, ok := served[op]; !ok {
			t.Errorf("%s describes %q but the vault does not serve it (routeTable): remove it, or register the route", openAPIFile, op)
		}
	}
	for opName, op := range ops {
		rt, ok := served[opName]
		if !ok {
			continue
		}
		responses, _ := op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s: no responses", opName)
		}
		if id, _ := op["operationId"].(string); id == "" {
			t.Errorf("%s: no operationId (clients are generated from it)", opName)
		}
		sec, hasSec := op["security"].([]any)
		if rt.apiKey {
			if hasSec && len(sec) == 0 {
				t.Errorf("%s needs an API key, but its security is empty", opName)
			}
			for _, code := range []string{"401", "500", "503"} {
				if _, ok := responses[code]; !ok {
					t.Errorf("%s: no %s response", opName, code)
				}
			}
			if _, ok := responses["403"]; !ok && opName != "GET /v1/accounts" {
				t.Errorf("%s: no 403 response, but a key's scope can refuse it", opName)
			}
		}
	}
	if s, _ := doc["security"].([]any); len(s) != 1 {
		t.Error("the document's default security is not the API key")
	}
	checkRefs(t, doc, doc, "")
}

// checkRefs fails for every $ref in v that does not resolve in doc.
func checkRefs(t *testing.T, doc map[string]any, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "$ref" {
				ref, _ := x.(string)
				if resolveRef(doc, ref) == nil {
					t.Errorf("%s: $ref %q resolves to nothing", at, ref)
				}
				continue
			}
			checkRefs(t, doc, x, at+"/"+k)
		}
	case []any:
		for i, x := range v {
			checkRefs(t, doc, x, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

func resolveRef(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// jsonFields returns the JSON names of a struct type's fields.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPISchemasMatchTypes: each schema has exactly the JSON fields of
// the Go type the server writes or reads.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, typ := range map[string]reflect.Type{
		"Health":            reflect.TypeFor[vault.Health](),
		"TokenResponse":     reflect.TypeFor[TokenResponse](),
		"APIError":          reflect.TypeFor[APIError](),
		"AccountPage":       reflect.TypeFor[AccountPage](),
		"AddAccountRequest": reflect.TypeFor[addAccountRequest](),
	} {
		schema, _ := resolveRef(doc, "#/components/schemas/"+name).(map[string]any)
		props, _ := schema["properties"].(map[string]any)
		var got []string
		for p := range props {
			got = append(got, p)
		}
		sort.Strings(got)
		if want := jsonFields(typ); !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v; %v has JSON fields %v", name, got, typ, want)
		}
	}
}

// TestOpenAPIOperationsAnswered: every operation of the document reaches
// a handler of the real server (not the mux's 404 or 405).
func TestOpenAPIOperationsAnswered(t *testing.T) {
	a := newAPIEnv(t, envOptions{})
	for op := range openAPIOps(t, loadOpenAPI(t)) {
		method, path, _ := strings.Cut(op, " ")
		path = strings.ReplaceAll(path, "{name}", "nobody")
		req, _ := http.NewRequestWithContext(t.Context(), method, a.api.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+a.key.Reveal())
		resp, err := a.api.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		unrouted := resp.StatusCode == http.StatusMethodNotAllowed ||
			(resp.StatusCode == http.StatusNotFound && !strings.Contains(string(body), `"account_not_found"`))
		if unrouted {
			t.Errorf("%s (as %s %s) = %d %s: no handler serves it", op, method, path, resp.StatusCode, body)
		}
	}
}
