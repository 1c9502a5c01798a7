// Package queue carries the notification pipeline's messages between its
// stages: Amazon SQS in AWS, an in-process queue locally and in tests,
// behind the same two sides. A stage sends with a Sender and handles each
// message with a Handler; the queue redelivers a message whose handler
// failed, after a backoff, until MaxReceives, then moves it to its
// dead-letter queue.
//
// Delivery is at least once, as with SQS standard queues: a handler may see
// a message twice, so every handler is idempotent (see the idempotency keys
// of shared/notify).
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// Queue names. Each is an SQS queue in AWS, with its dead-letter queue.
const (
	// Events carries outbox events from the dispatcher to the notifier.
	Events = "events"
	// Mail carries one email each, from the notifier and the digests to
	// the sender.
	Mail = "mail"
)

// MaxReceives is how many times a message is handled before it moves to
// the dead-letter queue.
const MaxReceives = 5

// Message is one message of a queue. ID is its deduplication id for
// logs; Body is JSON.
type Message struct {
	ID   string
	Body []byte
	// Receives counts the deliveries of the message, this one included.
	Receives int
}

// Sender puts messages on a queue.
type Sender interface {
	Send(ctx context.Context, queue string, msgs ...Message) error
}

// Handler handles one message. An error makes the queue deliver the message
// again later, so a handler fails only for what may pass (a throttled
// call), and drops with a log line what never will (a malformed body).
type Handler func(ctx context.Context, m Message) error

// ErrDrop wraps the error of a message that no retry can help: the handler
// logs it and returns nil, so that it does not fill the dead-letter queue.
var ErrDrop = errors.New("message dropped")

// JSON returns a message whose body is v in JSON.
func JSON(id string, v any) (Message, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Message{}, fmt.Errorf("marshal message %s: %w", id, err)
	}
	return Message{ID: id, Body: b}, nil
}

// LambdaHandler returns the Lambda handler of an SQS event source that
// calls h for each record and reports the records that failed, so that SQS
// redelivers those only (ReportBatchItemFailures must be on the event
// source mapping).
func LambdaHandler(h Handler) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, rec := range ev.Records {
			receives, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
			m := Message{ID: rec.MessageId, Body: []byte(rec.Body), Receives: receives}
			if err := h(ctx, m); err != nil {
				slog.WarnContext(ctx, "message failed, to be delivered again", "message", rec.MessageId, "receives", receives, "error", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		}
		return resp, nil
	}
}
