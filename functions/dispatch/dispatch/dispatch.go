// Package dispatch moves due outbox events to the events queue: the first
// stage of the notification pipeline. It runs every minute (EventBridge
// Scheduler in AWS, a timer locally).
//
// An event is deleted from the outbox only after the queue accepted it, so
// a failure between the two sends it again at the next run: the notifier
// handles an event twice without effect.
package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/sync/errgroup"

	"github.com/cartable-ent/cartable/shared/outbox"
	"github.com/cartable-ent/cartable/shared/queue"
)

// Batch is how many events a shard's read returns at most.
const Batch = 100

// Run passes every event due by now to the events queue and returns how
// many it passed. It reads the shards together and stops at ctx's
// deadline, leaving the rest to the next run.
func Run(ctx context.Context, db *dynamodb.Client, tableName string, q queue.Sender, now time.Time) (int, error) {
	counts := make([]int, outbox.Shards)
	g, gctx := errgroup.WithContext(ctx)
	for shard := range outbox.Shards {
		g.Go(func() error {
			for gctx.Err() == nil {
				events, err := outbox.Due(gctx, db, tableName, shard, now, Batch)
				if err != nil {
					return err
				}
				if len(events) == 0 {
					return nil
				}
				msgs := make([]queue.Message, len(events))
				for i, ev := range events {
					if msgs[i], err = queue.JSON(ev.ID, ev); err != nil {
						return err
					}
				}
				if err := q.Send(gctx, queue.Events, msgs...); err != nil {
					return fmt.Errorf("shard %d: %w", shard, err)
				}
				if err := outbox.Done(gctx, db, tableName, events...); err != nil {
					return fmt.Errorf("shard %d: %w", shard, err)
				}
				counts[shard] += len(events)
				if len(events) < Batch {
					return nil
				}
			}
			return nil
		})
	}
	err := g.Wait()
	total := 0
	for _, c := range counts {
		total += c
	}
	return total, err
}
