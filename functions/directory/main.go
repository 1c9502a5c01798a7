// Command directory is the directory function's Lambda entry point.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cartable-ent/cartable/functions/directory/api"
	"github.com/cartable-ent/cartable/shared/httpapi"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	lambda.Start(httpapi.LambdaHandler(api.New()))
}
