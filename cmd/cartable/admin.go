package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/token"
)

// adminCommand creates regional admins: they are in no feed, and only this
// tool creates them.
func adminCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("admin attend « create »")
	}
	return codeCommand(ctx, "create", args[1:], stdout)
}

// codeCommand gives an account a new activation code, or with sub
// "create" creates a regional admin with a first code. Any account may get
// a code here: regional admins act for every school.
func codeCommand(ctx context.Context, sub string, args []string, stdout io.Writer) error {
	fs := newFlags(map[string]string{"create": "admin create", "code": "code"}[sub])
	login := fs.String("login", "", "")
	name := fs.String("name", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" || (sub == "create" && strings.TrimSpace(*name) == "") {
		if sub == "create" {
			return usagef("admin create attend --login prenom.nom et --name \"Prénom Nom\"")
		}
		return usagef("code attend --login prenom.nom")
	}
	base, n, ok := account.ParseLogin(*login)
	if !ok || account.FormatLogin(base, n) != *login {
		return fmt.Errorf("identifiant %q invalide : lettres minuscules sans accent, un point entre prénom et nom (ex. jeanne.durand)", *login)
	}

	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	if err := checkTable(ctx, store); err != nil {
		return err
	}
	keys, err := loadKeys(ctx)
	if err != nil {
		return err
	}
	code, err := account.NewCode()
	if err != nil {
		return err
	}
	now := time.Now()
	expires := now.Add(7 * 24 * time.Hour)
	hash := account.HashCode(keys.MAC, *login, code)

	switch sub {
	case "create":
		a := &account.Account{
			Person: "admin:" + *login, Login: *login, BaseLogin: base, Status: account.StatusPending,
			Created: now.UTC().Format(time.RFC3339), Regional: true, Name: strings.TrimSpace(*name),
			CodeHash: hash, CodeExpires: expires.UTC().Format(time.RFC3339),
		}
		if err := store.CreateRegionalAdmin(ctx, a); err != nil {
			if errors.Is(err, dynamo.ErrConflict) {
				return fmt.Errorf("l'identifiant %s est déjà pris : choisissez-en un autre (ex. %s)", *login, account.FormatLogin(base, n+1))
			}
			return err
		}
		cliAudit(ctx, store, []string{account.RegionAudit}, account.AuditEvent{
			Action: account.ActionRegionalAdmin, Subject: a.Person, Detail: "identifiant " + *login + ", code valable 7 jours"})
		fmt.Fprintf(stdout, "Administrateur régional %s créé.\n", *login)
	case "code":
		person, err := store.LoginOwner(ctx, base, n)
		if errors.Is(err, dynamo.ErrNotFound) {
			return fmt.Errorf("aucun compte n'a l'identifiant %s", *login)
		}
		if err != nil {
			return err
		}
		ar, err := store.AccountRecord(ctx, person)
		if err != nil {
			return err
		}
		had := ar.Account.CodeHash != ""
		if err := store.SetCode(ctx, person, hash, expires.UTC().Format(time.RFC3339), "cli"); err != nil {
			return err
		}
		// The event goes to the person's schools, or to the region for a
		// regional admin.
		var schools []string
		for _, m := range ar.Record.Memberships {
			if m.Status == directory.StatusActive && !slices.Contains(schools, m.School) {
				schools = append(schools, m.School)
			}
		}
		if len(schools) == 0 {
			schools = []string{account.RegionAudit}
		}
		cliAudit(ctx, store, schools, account.AuditEvent{
			Action: account.ActionCodeReissue, Subject: person, Detail: "identifiant " + *login + ", code de l'outil d'administration valable 7 jours"})
		if had {
			fmt.Fprintf(stdout, "Nouveau code pour %s : le précédent ne fonctionne plus.\n", *login)
		} else {
			fmt.Fprintf(stdout, "Code créé pour %s.\n", *login)
		}
	}
	fmt.Fprintf(stdout, `Code d'activation à usage unique : %s
Valable jusqu'au %s. Il ne sera plus affiché : transmettez-le à la personne par un canal sûr.

Activation : POST /v1/accounts/activation avec l'identifiant, ce code, un mot de passe
d'au moins 10 caractères et l'acceptation des conditions d'utilisation (version %s).
Pour un administrateur, la réponse de l'activation donne le secret du second facteur
(TOTP), affiché une seule fois : ajoutez-le aussitôt dans une application
d'authentification, dont le code sera demandé à chaque connexion.
`, code, expires.Format("02/01/2006 à 15:04"), account.TermsVersion)
	return nil
}

// cliAudit records an event of the admin CLI in each school's audit, with
// the operating system's user as the actor. A failure is reported on
// stderr by the caller's logger and does not undo the command.
func cliAudit(ctx context.Context, store *dynamo.Store, schools []string, e account.AuditEvent) {
	actor := "cli"
	if u, err := user.Current(); err == nil {
		actor = "cli:" + u.Username
	}
	e.Actor, e.Outcome, e.At = actor, "success", time.Now().UTC().Format(time.RFC3339Nano)
	events := make([]account.AuditEvent, 0, len(schools))
	for _, school := range schools {
		e.School = school
		events = append(events, e)
	}
	if err := store.PutAudit(ctx, events...); err != nil {
		slog.ErrorContext(ctx, "écriture du journal de sécurité impossible", "error", err)
	}
}

// loadKeys loads the signing secret the functions use, to hash codes the
// same way.
func loadKeys(ctx context.Context) (token.Keys, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return token.Keys{}, fmt.Errorf("configuration AWS introuvable : %w", err)
	}
	if os.Getenv(signingkey.EnvSecret) == "" && os.Getenv(signingkey.EnvFile) == "" {
		return token.Keys{}, fmt.Errorf("secret de signature introuvable : définissez %s (nom du secret dans AWS Secrets Manager) ou, en local, %s (fichier, .local/signing.key avec make run)", signingkey.EnvSecret, signingkey.EnvFile)
	}
	secret, err := signingkey.Load(ctx, cfg)
	if err != nil {
		return token.Keys{}, fmt.Errorf("lecture du secret de signature impossible : %w", err)
	}
	return token.DeriveKeys(secret)
}
