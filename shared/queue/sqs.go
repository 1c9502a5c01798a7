package queue

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQS sends to Amazon SQS queues, whose URLs it maps from the queue names.
type SQS struct {
	Client *sqs.Client
	URLs   map[string]string
}

var _ Sender = (*SQS)(nil)

// Send sends the messages in batches of 10, the most SendMessageBatch
// takes, and fails if any message of a batch was not accepted, so that the
// caller retries: a message sent twice is handled idempotently.
func (s *SQS) Send(ctx context.Context, queue string, msgs ...Message) error {
	url, ok := s.URLs[queue]
	if !ok {
		return fmt.Errorf("send to queue %q: no URL configured", queue)
	}
	for start := 0; start < len(msgs); start += 10 {
		batch := msgs[start:min(start+10, len(msgs))]
		entries := make([]types.SendMessageBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String(string(m.Body))}
		}
		out, err := s.Client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
		if err != nil {
			return fmt.Errorf("send to queue %s: %w", queue, err)
		}
		if len(out.Failed) > 0 {
			f := out.Failed[0]
			return fmt.Errorf("send to queue %s: %d of %d messages refused, first %s: %s", queue, len(out.Failed), len(batch),
				aws.ToString(f.Code), aws.ToString(f.Message))
		}
	}
	return nil
}
