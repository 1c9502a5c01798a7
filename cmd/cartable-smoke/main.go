// Command cartable-smoke checks a deployed Cartable stack for what no local
// stand-in can prove: that S3 checks the signature of the presigned URLs
// the API hands out. The local S3 stand-in (s3rver 3.7.1) checks a URL's
// expiry and access key but not its SigV4 signature, so a URL edited to
// point at another key works there.
//
// It does not sign in: the regional admin gives it a teacher's access
// token and a group whose class log that teacher writes. It requests an
// attachment upload URL from the API, edits the URL to point at another
// key and expects S3 to reject it (403 SignatureDoesNotMatch). It then
// uploads through the real URL, confirms the upload, attaches the file to
// a draft lesson and downloads it back through the link the API returns.
// It deletes the draft at the end. See docs/smoke.md. Its messages are in French.
//
// It never runs in CI and needs no AWS credentials: it only talks HTTPS to
// the API and to the URLs the API returns.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Environment variables read when the matching flag is not set. The token
// is best passed this way (or in a file): a flag shows in the process list
// and the shell history.
const (
	EnvAPI     = "CARTABLE_SMOKE_API"
	EnvToken   = "CARTABLE_SMOKE_TOKEN"
	EnvSchool  = "CARTABLE_SMOKE_SCHOOL"
	EnvGroup   = "CARTABLE_SMOKE_GROUP"
	EnvSubject = "CARTABLE_SMOKE_SUBJECT"
)

const usage = `Usage : cartable-smoke [options]

Vérifie sur une pile déployée que S3 contrôle la signature des liens
présignés des pièces jointes du cahier de textes : un lien modifié doit être
refusé, le vrai lien doit fonctionner.

Options :
  -api URL          URL de l'API déployée (https://…), ou CARTABLE_SMOKE_API
  -school UAI       établissement de l'enseignant, ou CARTABLE_SMOKE_SCHOOL
  -group CODE       classe ou groupe où l'enseignant écrit le cahier de textes,
                    ou CARTABLE_SMOKE_GROUP
  -subject MATIÈRE  matière que l'enseignant y enseigne (le code que l'API
                    attend pour une séance), ou CARTABLE_SMOKE_SUBJECT
  -token-file CHEMIN
                    fichier qui contient le jeton d'accès de l'enseignant ;
                    sinon le jeton est lu dans CARTABLE_SMOKE_TOKEN
  -timeout DURÉE    durée maximale de chaque requête (30s par défaut)

Code de sortie : 0 si tout est conforme, 1 si une vérification échoue,
2 si la ligne de commande est incorrecte.
`

// config is the configuration of one smoke run.
type config struct {
	// API is the deployed API's base URL, without a trailing slash.
	API *url.URL
	// Token is the teacher's access token, sent as a bearer token to the
	// API only.
	Token  string
	School string
	Group  string
	// Subject is a subject the teacher teaches in Group, for the draft
	// lesson that carries the attachment.
	Subject string
	// Timeout bounds each HTTP request.
	Timeout time.Duration
}

// uaiPattern matches a UAI: 7 digits and a letter.
var uaiPattern = regexp.MustCompile(`^[0-9]{7}[A-Z]$`)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the smoke test and returns the exit status: 0 when every
// check passes, 1 when one fails, 2 on a command-line error.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "cartable-smoke : %v\n\n%s", err, usage)
		return 2
	}

	if err := newSmoke(cfg, stdout).run(ctx); err != nil {
		fmt.Fprintf(stderr, "cartable-smoke : ÉCHEC : %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "cartable-smoke : toutes les vérifications sont conformes")
	return 0
}

// parseConfig reads the flags, then the environment for each flag left
// unset, and checks the result.
func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("cartable-smoke", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	api := fs.String("api", getenv(EnvAPI), "")
	school := fs.String("school", getenv(EnvSchool), "")
	group := fs.String("group", getenv(EnvGroup), "")
	subject := fs.String("subject", getenv(EnvSubject), "")
	tokenFile := fs.String("token-file", "", "")
	timeout := fs.Duration("timeout", 30*time.Second, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, fmt.Errorf("option invalide : %w", err)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("argument inattendu %q : toutes les valeurs passent par des options", fs.Arg(0))
	}

	cfg := config{
		School:  strings.TrimSpace(*school),
		Group:   strings.TrimSpace(*group),
		Subject: strings.TrimSpace(*subject),
		Timeout: *timeout,
	}
	var err error
	if cfg.API, err = parseAPI(*api); err != nil {
		return config{}, err
	}
	if !uaiPattern.MatchString(cfg.School) {
		return config{}, fmt.Errorf("UAI %q invalide ou manquant : donnez -school (7 chiffres et une lettre majuscule, par exemple 0750654D)", cfg.School)
	}
	if cfg.Group == "" {
		return config{}, errors.New("classe ou groupe manquant : donnez -group (code de la classe ou du groupe de l'enseignant)")
	}
	if cfg.Subject == "" {
		return config{}, errors.New("matière manquante : donnez -subject (une matière que l'enseignant enseigne dans ce groupe)")
	}
	if cfg.Timeout <= 0 {
		return config{}, fmt.Errorf("-timeout %s invalide : donnez une durée positive, par exemple 30s", cfg.Timeout)
	}
	if cfg.Token, err = readToken(*tokenFile, getenv); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// parseAPI checks the API's base URL. It must be HTTPS, because the
// request carries a teacher's token; plain HTTP is accepted on a loopback
// address only.
func parseAPI(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("URL de l'API manquante : donnez -api ou " + EnvAPI)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("URL de l'API %q invalide : donnez une URL complète, par exemple https://api.exemple.fr", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("URL de l'API %q refusée : le jeton ne doit circuler qu'en HTTPS", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("URL de l'API %q invalide : elle ne doit contenir ni « ? » ni « # »", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readToken returns the access token from path, or from EnvToken when
// path is empty.
func readToken(path string, getenv func(string) string) (string, error) {
	if path == "" {
		token := strings.TrimSpace(getenv(EnvToken))
		if token == "" {
			return "", errors.New("jeton d'accès manquant : donnez -token-file ou " + EnvToken)
		}
		return token, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("lecture du jeton impossible : %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", fmt.Errorf("le fichier %s doit contenir un seul jeton d'accès, sur une ligne", path)
	}
	return token, nil
}
