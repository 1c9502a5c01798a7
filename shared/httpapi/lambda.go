package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// LambdaHandler returns a handler for API Gateway HTTP API (payload v2)
// events that serves h. It never returns a Go error, which API Gateway
// would turn into a bare 502: a conversion failure or a panic in h becomes a
// 500 problem response.
func LambdaHandler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	adapter := httpadapter.NewV2(Recover(h))
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		resp, err := adapter.ProxyWithContext(ctx, req)
		if err != nil {
			slog.ErrorContext(ctx, "convert API Gateway event", "error", err, "route", req.RouteKey)
			return internalError(), nil
		}
		return resp, nil
	}
}

func internalError() events.APIGatewayV2HTTPResponse {
	body, _ := json.Marshal(Problem{Type: "about:blank", Title: frenchTitles[http.StatusInternalServerError], Status: http.StatusInternalServerError, Detail: MsgInternal.FR})
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusInternalServerError,
		Headers:    map[string]string{"Content-Type": "application/problem+json", "Content-Language": "fr"},
		Body:       string(body),
	}
}

// Recover turns a panic in h into a 500 problem response and logs it.
func Recover(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				slog.ErrorContext(r.Context(), "handler panic", "panic", v, "method", r.Method, "route", r.Pattern)
				WriteProblem(w, r, http.StatusInternalServerError, MsgInternal)
			}
		}()
		h.ServeHTTP(w, r)
	})
}
