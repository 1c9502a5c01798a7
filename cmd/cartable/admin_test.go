package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/signingkey"
)

func TestCLI_AdminCreate(t *testing.T) {
	cartable := cli(t)
	t.Setenv(signingkey.EnvFile, filepath.Join(t.TempDir(), "signing.key"))

	code, out, stderr := cartable("admin", "create", "--login", "jeanne.durand", "--name", "Jeanne Durand")
	if code != 0 {
		t.Fatalf("admin create exit %d: %s", code, stderr)
	}
	printed := regexp.MustCompile(`[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}`).FindString(out)
	if printed == "" || !strings.Contains(out, "Administrateur régional jeanne.durand créé") {
		t.Fatalf("output has no code: %s", out)
	}

	// The stored hash matches the printed code, with the functions' key.
	store, err := openStore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ar, err := store.AccountRecord(context.Background(), "admin:jeanne.durand")
	if err != nil || !ar.Found || !ar.Account.Regional || ar.Account.Status != account.StatusPending {
		t.Fatalf("account = %+v, %v; want a pending regional admin", ar.Account, err)
	}
	keys, err := loadKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !account.VerifyCode(keys.MAC, "jeanne.durand", printed, ar.Account.CodeHash) {
		t.Error("the stored hash does not match the printed code")
	}
	if owner, err := store.LoginOwner(context.Background(), "jeanne.durand", 1); err != nil || owner != "admin:jeanne.durand" {
		t.Errorf("login owner = %q, %v", owner, err)
	}

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"admin", "create", "--login", "jeanne.durand", "--name", "Autre"}, "déjà pris"},
		{[]string{"admin", "create", "--login", "Jeanne Durand", "--name", "X"}, "invalide"},
		{[]string{"admin", "create", "--login", "jeanne.durand"}, "--name"},
		{[]string{"code", "--login", "personne.inconnue"}, "aucun compte"},
		{[]string{"admin", "delete"}, "« create »"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := cartable(tt.args...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want a failure saying %q", code, stderr, tt.want)
			}
		})
	}

	// Both commands are in the region's audit.
	page, err := store.Audit(context.Background(), account.RegionAudit, time.Now().UTC().Format("2006-01"), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Action != account.ActionRegionalAdmin || !strings.HasPrefix(page.Items[0].Actor, "cli") {
		t.Errorf("region audit = %+v, want the creation by the CLI", page.Items)
	}

	// A new code replaces the first one.
	code, out, stderr = cartable("code", "--login", "jeanne.durand")
	second := regexp.MustCompile(`[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}`).FindString(out)
	if code != 0 || second == "" || second == printed {
		t.Fatalf("admin code: exit %d, %s %s", code, out, stderr)
	}
	ar, _ = store.AccountRecord(context.Background(), "admin:jeanne.durand")
	if account.VerifyCode(keys.MAC, "jeanne.durand", printed, ar.Account.CodeHash) || !account.VerifyCode(keys.MAC, "jeanne.durand", second, ar.Account.CodeHash) {
		t.Error("the new code did not replace the first one")
	}
}
