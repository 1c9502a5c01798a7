package queue

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Mem is an in-process queue set for the local stack and tests. It keeps
// SQS's contract that handlers rely on: at-least-once delivery, a failed
// message delivered again after a backoff, and a dead-letter queue after
// MaxReceives. It keeps nothing across restarts.
type Mem struct {
	// Backoff is the wait before the n-th delivery again (n from 1); nil
	// waits 100 ms × 2^(n-1).
	Backoff func(n int) time.Duration

	mu       sync.Mutex
	cond     *sync.Cond
	ready    map[string][]Message
	dead     map[string][]Message
	inFlight map[string]int
}

// NewMem returns an empty queue set.
func NewMem() *Mem {
	m := &Mem{ready: map[string][]Message{}, dead: map[string][]Message{}, inFlight: map[string]int{}}
	m.cond = sync.NewCond(&m.mu)
	return m
}

var _ Sender = (*Mem)(nil)

// Send queues the messages.
func (m *Mem) Send(_ context.Context, queue string, msgs ...Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range msgs {
		msg.Receives = 0
		m.ready[queue] = append(m.ready[queue], msg)
	}
	m.cond.Broadcast()
	return nil
}

// Run delivers the queue's messages to h, with workers handling at once,
// until ctx ends.
func (m *Mem) Run(ctx context.Context, queue string, workers int, h Handler) {
	stop := context.AfterFunc(ctx, func() {
		m.mu.Lock()
		m.cond.Broadcast()
		m.mu.Unlock()
	})
	defer stop()
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for {
				msg, ok := m.next(ctx, queue)
				if !ok {
					return
				}
				m.handle(ctx, queue, msg, h)
			}
		})
	}
	wg.Wait()
}

func (m *Mem) next(ctx context.Context, queue string) (Message, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.ready[queue]) == 0 {
		if ctx.Err() != nil {
			return Message{}, false
		}
		m.cond.Wait()
	}
	msg := m.ready[queue][0]
	m.ready[queue] = m.ready[queue][1:]
	m.inFlight[queue]++
	return msg, true
}

func (m *Mem) handle(ctx context.Context, queue string, msg Message, h Handler) {
	msg.Receives++
	err := h(ctx, msg)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inFlight[queue]--
	defer m.cond.Broadcast()
	if err == nil {
		return
	}
	if msg.Receives >= MaxReceives {
		slog.ErrorContext(ctx, "message moved to the dead-letter queue", "queue", queue, "message", msg.ID, "receives", msg.Receives, "error", err)
		m.dead[queue] = append(m.dead[queue], msg)
		return
	}
	slog.WarnContext(ctx, "message failed, to be delivered again", "queue", queue, "message", msg.ID, "receives", msg.Receives, "error", err)
	wait := 100 * time.Millisecond << (msg.Receives - 1)
	if m.Backoff != nil {
		wait = m.Backoff(msg.Receives)
	}
	m.inFlight[queue]++ // waiting counts as in flight, so Idle stays false
	time.AfterFunc(wait, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.inFlight[queue]--
		m.ready[queue] = append(m.ready[queue], msg)
		m.cond.Broadcast()
	})
}

// Dead returns the messages of the queue's dead-letter queue.
func (m *Mem) Dead(queue string) []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.dead[queue]...)
}

// Idle reports whether no message of the queues waits or is being handled.
func (m *Mem) Idle(queues ...string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range queues {
		if len(m.ready[q]) > 0 || m.inFlight[q] > 0 {
			return false
		}
	}
	return true
}

// WaitIdle waits until the queues are idle or ctx ends, checking every
// 10 ms. It returns ctx's error if it ended first.
func (m *Mem) WaitIdle(ctx context.Context, queues ...string) error {
	for !m.Idle(queues...) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}
