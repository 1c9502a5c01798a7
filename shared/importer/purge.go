package importer

import (
	"context"
	"log/slog"

	"github.com/cartable-ent/cartable/shared/dynamo"
)

// Purge deletes the personal data of every person whose purge date is on
// or before day (yyyy-mm-dd) and who still has no active membership. It
// returns how many people it purged. It is the explicit job that, with the
// grace period and the backups' recovery window, keeps the deletion of a
// departed person's data within three months.
func Purge(ctx context.Context, store *dynamo.Store, day string) (int, error) {
	ids, err := store.PurgeDue(ctx, day)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		ok, err := store.PurgePerson(ctx, id, day)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	slog.InfoContext(ctx, "purge finished", "day", day, "due", len(ids), "purged", n)
	return n, nil
}
