package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	classlogstore "github.com/cartable-ent/cartable/functions/classlog/store"
	"github.com/cartable-ent/cartable/functions/digest/digest"
	"github.com/cartable-ent/cartable/functions/dispatch/dispatch"
	gbstore "github.com/cartable-ent/cartable/functions/gradebook/store"
	"github.com/cartable-ent/cartable/functions/notify/fanout"
	"github.com/cartable-ent/cartable/functions/sendmail/sender"
	"github.com/cartable-ent/cartable/shared/awsconfig"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/httpapi"
	"github.com/cartable-ent/cartable/shared/notify"
	"github.com/cartable-ent/cartable/shared/queue"
	"github.com/cartable-ent/cartable/shared/signingkey"
	"github.com/cartable-ent/cartable/shared/table"
	"github.com/cartable-ent/cartable/shared/token"
)

// LocalMailFrom is the sender address of the local stack's mails.
const LocalMailFrom = "Cartable <notifications@cartable.localhost>"

// dispatchEvery is how often the local dispatcher looks for due events:
// more often than Lambda's minute, so that a mail tested by hand arrives
// within seconds.
const dispatchEvery = 2 * time.Second

// pipeline is the notification pipeline run in this process: the same
// stage code as the Lambda functions, with in-process queues (package
// queue) in place of SQS and timers in place of EventBridge Scheduler. The
// sender sends through the SES stand-in, whose page shows the mails.
type pipeline struct {
	q      *queue.Mem
	db     *dynamo.Store
	table  string
	fanout *fanout.Fanout
	sender *sender.Sender
	digest *digest.Digest
	paris  *time.Location
	rate   float64
}

// newPipeline builds the stages from the environment that stackEnv set.
func newPipeline(ctx context.Context, rate float64) (*pipeline, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := signingkey.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	keys, err := token.DeriveKeys(secret)
	if err != nil {
		return nil, err
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	client := awsconfig.DynamoDB(cfg)
	name := awsconfig.TableName(table.DefaultName)
	dir := dynamo.New(client, name)
	notes := &notify.Store{DB: client, Table: name}
	service := os.Getenv("CARTABLE_SERVICE_URL")
	q := queue.NewMem()
	return &pipeline{
		q: q, db: dir, table: name, paris: paris, rate: rate,
		fanout: &fanout.Fanout{Directory: dir, ClassLog: classlogstore.New(client, name), GradeBook: gbstore.New(client, name),
			Notes: notes, Mail: q, Compose: fanout.MailBody(service), APIURL: service, MAC: keys.MAC, Now: time.Now, Paris: paris},
		sender: &sender.Sender{Store: notes, Accounts: dir, SES: awsconfig.SES(cfg), From: LocalMailFrom, Limiter: sender.NewLimiter(rate)},
		digest: &digest.Digest{Directory: dir, Notes: notes, Mail: q, Compose: digest.MailBody(service), APIURL: service, MAC: keys.MAC},
	}, nil
}

// run runs the stages until ctx ends: the dispatcher every dispatchEvery,
// the notifier and the sender on their queues, and the digests at
// notify.DigestHour in Paris (weekly ones on Fridays).
func (p *pipeline) run(ctx context.Context, log *slog.Logger) {
	var wg sync.WaitGroup
	wg.Go(func() { p.q.Run(ctx, queue.Events, 4, p.fanout.Handle) })
	wg.Go(func() { p.q.Run(ctx, queue.Mail, 2, p.sender.Handle) })
	wg.Go(func() {
		tick := time.NewTicker(dispatchEvery)
		defer tick.Stop()
		for {
			if n, err := dispatch.Run(ctx, p.db.DB, p.table, p.q, time.Now()); err != nil && ctx.Err() == nil {
				log.Warn("dispatch failed", "error", err)
			} else if n > 0 {
				log.Info("events dispatched", "events", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	wg.Go(func() {
		for {
			next := nextDigest(time.Now(), p.paris)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(next)):
			}
			p.runDigest(ctx, log, notify.Daily, digest.Slot(next, p.paris))
			if next.In(p.paris).Weekday() == time.Friday {
				p.runDigest(ctx, log, notify.Weekly, digest.Slot(next, p.paris))
			}
		}
	})
	wg.Wait()
}

func (p *pipeline) runDigest(ctx context.Context, log *slog.Logger, r notify.Rhythm, slot string) (int, error) {
	n, err := p.digest.Run(ctx, r, slot)
	if err != nil {
		log.Warn("digest failed", "rhythm", r, "slot", slot, "error", err)
	} else {
		log.Info("digest queued", "rhythm", r, "slot", slot, "mails", n)
	}
	return n, err
}

// nextDigest returns the next notify.DigestHour in Paris after now.
func nextDigest(now time.Time, paris *time.Location) time.Time {
	local := now.In(paris)
	next := time.Date(local.Year(), local.Month(), local.Day(), notify.DigestHour, 0, 0, 0, paris)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// digestHandler runs a digest now, for a test by hand: POST
// /local/digest?rhythm=daily (or weekly) sends the digest that news filed
// now would go in, and &slot=YYYY-MM-DD another day's. It answers how
// many mails it queued. A digest mails its entries once and deletes them,
// so running it again sends only the news filed since.
func (p *pipeline) digestHandler(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			httpapi.WriteProblem(w, r, http.StatusMethodNotAllowed, httpapi.Message{FR: "Utilisez POST.", EN: "Use POST."})
			return
		}
		rhythm := notify.Rhythm(r.URL.Query().Get("rhythm"))
		slot := r.URL.Query().Get("slot")
		if slot == "" {
			// The digest that news filed now goes in: today's before
			// 17:00, else tomorrow's; for the weekly one, the coming
			// Friday's.
			slot = notify.DigestSlot(rhythm, time.Now(), p.paris)
		}
		if _, err := time.Parse(time.DateOnly, slot); err != nil || (rhythm != notify.Daily && rhythm != notify.Weekly) {
			httpapi.WriteProblem(w, r, http.StatusBadRequest, httpapi.Message{
				FR: "Paramètres attendus : rhythm=daily ou weekly, et slot=AAAA-MM-JJ (facultatif).",
				EN: "Expected parameters: rhythm=daily or weekly, and slot=YYYY-MM-DD (optional)."})
			return
		}
		n, err := p.runDigest(r.Context(), log, rhythm, slot)
		if err != nil {
			httpapi.WriteProblem(w, r, http.StatusInternalServerError, httpapi.MsgInternal)
			return
		}
		httpapi.WriteJSON(w, r, http.StatusOK, map[string]any{"rhythm": rhythm, "slot": slot, "mails": n})
	})
}
