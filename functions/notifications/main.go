// Command notifications is the notifications function's Lambda entry
// point: the in-app list, preferences and unsubscribe links.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/notifications/api"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	cfg, err := api.Load(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "notifications:", err)
		os.Exit(1)
	}
	lambda.Start(httpapi.LambdaHandler(api.New(cfg)))
}
