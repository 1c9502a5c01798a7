// Command cartable is the regional admin's command-line tool: it imports
// directory feeds and answers the questions that check an import by hand.
// Its messages are in French.
//
// It talks to the table named by CARTABLE_TABLE (default "cartable"), in
// AWS or, when CARTABLE_DYNAMODB_ENDPOINT is set, in that endpoint (the
// local stack's DynamoDB Local).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/logging"

	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/table"
)

const usage = `Usage : cartable COMMANDE [options]

Import de l'annuaire :
  import [--json] [--academy A] [--year N] [--threshold 0.2] CHEMIN...
                          importe un flux AAF ou OneRoster (fichiers, dossiers ou .zip)
  import confirm ID [--school UAI]
                          applique les départs mis en attente par l'import ID
  imports [--json]        liste les derniers imports
  report ID [--json]      affiche le rapport d'un import
  purge [--date AAAA-MM-JJ]
                          efface les données des personnes parties depuis plus de 45 jours

Comptes :
  admin create --login prenom.nom --name "Prénom Nom"
                          crée un administrateur régional et affiche son code d'activation
  code --login prenom.nom donne un nouveau code d'activation (valable 7 jours) à un compte

Consultation :
  schools [--json]                     liste les établissements
  classes UAI [--year N] [--json]      classes et groupes d'un établissement, avec effectifs
  members UAI CODE [--year N] [--json] membres d'une classe ou d'un groupe
  guardians PERSONNE [--json]          responsables et contacts d'un élève
  children PERSONNE [--json]           enfants d'un responsable, tous établissements confondus
  teacher PERSONNE [--json]            classes, groupes et matières d'un enseignant

PERSONNE est un identifiant Cartable (aaf:ACADEMIE:JOINTURE) ou une jointure
seule lorsque l'annuaire ne connaît qu'une académie.

Environnement : CARTABLE_TABLE (table, « cartable » par défaut),
CARTABLE_DYNAMODB_ENDPOINT (DynamoDB local), AWS_REGION (eu-west-3 par défaut),
CARTABLE_SIGNING_SECRET (secret de signature dans Secrets Manager) ou
CARTABLE_SIGNING_KEY_FILE (fichier local, .local/signing.key avec make run).
`

// defaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// is unset. A region's import keeps about 100 MB of live maps; without a
// limit, the garbage collector lets the heap grow to twice the live size.
const defaultMemoryLimit = 160 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is an error in the command line: the usage follows it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run executes one command and returns the process's exit status: 0 on
// success, 1 on failure, 2 on a command-line error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The report says what the engine's warnings say, in French.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	err := dispatch(ctx, args[0], args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.As(err, new(*usageError)):
		fmt.Fprintf(stderr, "cartable : %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "cartable : %v\n", err)
		return 1
	}
}

// openStore connects to the directory's table.
func openStore(ctx context.Context) (*dynamo.Store, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("configuration AWS introuvable : %w", err)
	}
	cfg.Logger = logging.Nop{} // errors reach the admin in French, below
	return dynamo.New(awsconfig.DynamoDB(cfg), awsconfig.TableName(table.DefaultName)), nil
}

// checkTable fails with a French message when the table does not exist.
func checkTable(ctx context.Context, store *dynamo.Store) error {
	_, err := store.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(store.Table)})
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return fmt.Errorf("table %s introuvable : vérifiez CARTABLE_TABLE (et, en local, CARTABLE_DYNAMODB_ENDPOINT et que make run tourne)", store.Table)
	}
	if err != nil {
		return fmt.Errorf("accès à la table %s impossible : %w", store.Table, err)
	}
	return nil
}

func dispatch(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	switch cmd {
	case "import":
		if len(args) > 0 && args[0] == "confirm" {
			return confirmCommand(ctx, args[1:], stdout)
		}
		return importCommand(ctx, args, stdout, stderr)
	case "imports":
		return importsCommand(ctx, args, stdout)
	case "report":
		return reportCommand(ctx, args, stdout)
	case "purge":
		return purgeCommand(ctx, args, stdout)
	case "admin":
		return adminCommand(ctx, args, stdout)
	case "code":
		return codeCommand(ctx, "code", args, stdout)
	case "schools":
		return schoolsCommand(ctx, args, stdout)
	case "classes":
		return classesCommand(ctx, args, stdout)
	case "members":
		return membersCommand(ctx, args, stdout)
	case "guardians":
		return guardiansCommand(ctx, args, stdout)
	case "children":
		return childrenCommand(ctx, args, stdout)
	case "teacher":
		return teacherCommand(ctx, args, stdout)
	}
	return usagef("commande inconnue %q", cmd)
}
