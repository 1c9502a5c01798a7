package api

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cartable-ent/cartable/shared/directory"
)

// cache keeps one value that is slow to change (the school names, the
// subject labels) for the life of the process and loads it again once it
// is older than ttl. A failed load keeps the old value when there is one,
// so a DynamoDB hiccup does not fail every request.
type cache[T any] struct {
	ttl  time.Duration
	now  func() time.Time
	load func(context.Context) (T, error)

	mu     sync.Mutex
	value  T
	loaded time.Time
	ok     bool
}

func newCache[T any](ttl time.Duration, now func() time.Time, load func(context.Context) (T, error)) *cache[T] {
	return &cache[T]{ttl: ttl, now: now, load: load}
}

// get returns the value, loading it first when it is missing or stale.
// Concurrent callers wait for one load rather than each reading the table.
func (c *cache[T]) get(ctx context.Context) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && c.now().Sub(c.loaded) < c.ttl {
		return c.value, nil
	}
	v, err := c.load(ctx)
	if err != nil {
		if c.ok {
			return c.value, nil
		}
		var zero T
		return zero, err
	}
	c.value, c.loaded, c.ok = v, c.now(), true
	return v, nil
}

// loadSchoolNames reads every school's name, by school id.
func (a *api) loadSchoolNames(ctx context.Context) (map[string]string, error) {
	schools, err := a.store.Schools(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(schools))
	for _, s := range schools {
		names[s.ID] = s.Name
	}
	return names, nil
}

// schoolRef is a school as other responses name it.
type schoolRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// subjectRef is a subject with its label when the reference table has it.
type subjectRef struct {
	Code  string `json:"code"`
	Label string `json:"label,omitempty"`
}

// names returns the cached school names and subject labels. A failure
// leaves them empty: responses then carry ids and codes without names, which
// is better than failing the request.
func (a *api) names(ctx context.Context) (schools, subjects map[string]string) {
	schools, err := a.schools.get(ctx)
	if err != nil {
		slog.WarnContext(ctx, "read school names", "error", err)
	}
	subjects, err = a.subjects.get(ctx)
	if err != nil {
		slog.WarnContext(ctx, "read subject labels", "error", err)
	}
	return schools, subjects
}

func subjectRefs(codes []string, labels map[string]string) []subjectRef {
	if len(codes) == 0 {
		return nil
	}
	out := make([]subjectRef, len(codes))
	for i, code := range codes {
		out[i] = subjectRef{Code: code, Label: labels[code]}
	}
	return out
}

// activeIn reports whether the person has an active membership of one of
// the roles in the school (any role when none is given).
func activeIn(ms []directory.Membership, school string, roles ...directory.Role) bool {
	for _, m := range ms {
		if m.School != school || m.Status != directory.StatusActive {
			continue
		}
		if len(roles) == 0 {
			return true
		}
		for _, r := range roles {
			if m.Role == r {
				return true
			}
		}
	}
	return false
}
