// Command directory is the directory function's Lambda entry point. It
// reads its configuration and the signing secret once, at start, and fails
// then with a clear message rather than on a request.
//
// Environment: CARTABLE_TABLE (the table's name, "cartable" by default),
// CARTABLE_SIGNING_SECRET or CARTABLE_SIGNING_KEY_FILE (see package
// signingkey), and the AWS variables the SDK reads.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/directory/api"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// startTimeout bounds the reads made at start (the signing secret).
const startTimeout = 10 * time.Second

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	handler, err := setup()
	if err != nil {
		slog.Error("directory function cannot start", "error", err)
		fmt.Fprintln(os.Stderr, "directory:", err)
		os.Exit(1)
	}
	lambda.Start(httpapi.LambdaHandler(handler))
}

// setup builds the directory API from the environment.
func setup() (http.Handler, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	// AWS clients, built once for every request of this process.
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, err
	}
	store := dynamo.New(awsconfig.DynamoDB(cfg), awsconfig.TableName(table.DefaultName))

	// Access tokens: the key that verifies them derives from the signing
	// secret.
	secret, err := signingkey.Load(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load signing secret (set %s or %s): %w", signingkey.EnvSecret, signingkey.EnvFile, err)
	}
	keys, err := token.DeriveKeys(secret)
	if err != nil {
		return nil, fmt.Errorf("derive token keys: %w", err)
	}

	return api.New(api.Config{Store: store, Verifier: token.NewSigner(keys)}), nil
}
