package accesstest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cartable-ent/cartable/shared/access"
)

// AccessExtension is the OpenAPI extension of each operation that states
// who may call it: the text of the route's rule (access.Rule.Who).
const AccessExtension = "x-access"

// CompareOpenAPI loads and validates the OpenAPI document at docPath and
// compares it with the registered routes. It fails when a route is missing
// from the document, when the document describes an operation under prefix
// that no route serves, and when an operation's summary or x-access text
// differs from its route's. Operations outside prefix belong to other
// functions and are left alone.
func CompareOpenAPI(t *testing.T, routes []access.Route, docPath, prefix string) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(docPath)
	if err != nil {
		t.Fatalf("load OpenAPI document %s: %v", docPath, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI document %s is not valid: %v", docPath, err)
	}

	documented := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, prefix) {
			continue
		}
		for method, op := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = op
		}
	}

	registered := map[string]bool{}
	for _, rt := range routes {
		path, ok := openAPIPath(rt.Path)
		if !ok {
			t.Errorf("route %s %s: its pattern has no OpenAPI form", rt.Method, rt.Path)
			continue
		}
		key := rt.Method + " " + path
		registered[key] = true
		op, ok := documented[key]
		if !ok {
			t.Errorf("route %s (%s) is missing from %s", key, rt.Rule.Who, docPath)
			continue
		}
		if op.Summary != rt.Summary {
			t.Errorf("%s summary = %q in %s, want the route's %q", key, op.Summary, docPath, rt.Summary)
		}
		if who, _ := op.Extensions[AccessExtension].(string); who != rt.Rule.Who {
			t.Errorf("%s %s = %q in %s, want the rule's %q", key, AccessExtension, who, docPath, rt.Rule.Who)
		}
	}

	var extra []string
	for key := range documented {
		if !registered[key] {
			extra = append(extra, key)
		}
	}
	slices.Sort(extra)
	for _, key := range extra {
		t.Errorf("%s documents %s, which no route serves", docPath, key)
	}
}

// wildcard matches a net/http.ServeMux wildcard: {name} or {name...}.
var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// openAPIPath returns the OpenAPI path of a ServeMux path pattern:
// "{name...}" becomes "{name}" and a final "{$}" is dropped. It returns
// false for a pattern that ends in "/", which matches a whole subtree and
// has no OpenAPI form.
func openAPIPath(pattern string) (string, bool) {
	exact := strings.HasSuffix(pattern, "/{$}")
	pattern = strings.TrimSuffix(pattern, "{$}")
	if strings.HasSuffix(pattern, "/") && pattern != "/" && !exact {
		return "", false
	}
	return wildcard.ReplaceAllString(pattern, "{$1}"), true
}
