package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// demoFeed is the fictional school the project ships for the local stack.
const demoFeed = "../cartable-local/demo"

// cli runs the command line against a fresh table and returns a function
// that runs one command and its exit status and outputs.
func cli(t *testing.T) func(args ...string) (int, string, string) {
	t.Helper()
	endpoint := dynamotest.Endpoint(t)
	_, name := dynamotest.NewTable(t)
	t.Setenv(awsconfig.EnvDynamoDBEndpoint, endpoint)
	t.Setenv("CARTABLE_TABLE", name)
	return func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, &out, &errOut)
		return code, out.String(), errOut.String()
	}
}

func TestCLI_ImportAndQueries(t *testing.T) {
	cartable := cli(t)

	code, out, stderr := cartable("import", demoFeed)
	if code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	for _, want := range []string{"flux AAF complet", "élèves", "12 ", "responsables légaux"} {
		if !strings.Contains(out, want) {
			t.Errorf("import summary lacks %q:\n%s", want, out)
		}
	}

	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"schools"}, []string{"0990001N", "Victor-Hugo"}},
		{[]string{"classes", "0990001n"}, []string{"6A", "5B", "classe", "2025-2026"}},
		{[]string{"members", "0990001N", "6A"}, []string{"élève", "enseignant"}},
		{[]string{"guardians", "9200001"}, []string{"responsable légal", "9300001"}},
		{[]string{"children", "aaf:DEMO:9300001"}, []string{"0990001N"}},
		{[]string{"teacher", "9100001"}, []string{"0990001N", "2025-2026"}},
		{[]string{"imports"}, []string{"aaf", "complet", "DEMO"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, stderr := cartable(tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}

	code, _, stderr = cartable("teacher", "9200001")
	if code != 1 || !strings.Contains(stderr, "ni enseignant ni personnel") {
		t.Errorf("teacher on a pupil = %d %q, want exit 1 saying it is no teacher", code, stderr)
	}

	code, out, _ = cartable("schools", "--json")
	var schools []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &schools) != nil || len(schools) != 1 {
		t.Errorf("schools --json = %d %q, want one school as JSON", code, out)
	}

	code, out, _ = cartable("import", "--json", demoFeed)
	var rep struct {
		ItemsWritten int `json:"itemsWritten"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("import --json = %d %q", code, out)
	}
	if rep.ItemsWritten != 0 {
		t.Errorf("second import wrote %d items, want 0", rep.ItemsWritten)
	}
}

func TestCLI_Errors(t *testing.T) {
	cartable := cli(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "commande inconnue"},
		{[]string{"import"}, 2, "indiquez au moins un fichier"},
		{[]string{"import", "--threshold", "3", demoFeed}, 2, "au plus égal à 1"},
		{[]string{"import", "--year", "25", demoFeed}, 2, "quatre chiffres"},
		{[]string{"import", "--frobnicate", demoFeed}, 2, "option inconnue"},
		{[]string{"purge", "--date", "2999-01-01"}, 2, "dans le futur"},
		{[]string{"import", "confirm", "bogus"}, 1, "introuvable"},
		{[]string{}, 2, "Usage"},
		{[]string{"import", "/nonexistent/feed"}, 1, "chemin introuvable"},
		{[]string{"classes", "0000000A"}, 1, "introuvable"},
		{[]string{"guardians", "aaf:DEMO:1"}, 1, "personne aaf:DEMO:1 introuvable"},
		{[]string{"teacher", "--year", "2025", "aaf:DEMO:1"}, 2, "option inconnue"},
		{[]string{"purge", "--date", "demain"}, 2, "AAAA-MM-JJ"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := cartable(tt.args...)
			if code != tt.code {
				t.Errorf("exit = %d, want %d (%s)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.want)
			}
		})
	}
}
