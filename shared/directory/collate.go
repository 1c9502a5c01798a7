package directory

import (
	"encoding/hex"
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// French collation with accents and case folded at the first level, as
// French readers expect: "Éloïse" sorts with "Eloise", "de la Fontaine"
// with "Delafontaine" is not assumed. A collator is not safe for concurrent
// use, so each goroutine takes one from the pool.
var collators = sync.Pool{New: func() any {
	return collate.New(language.French, collate.Loose, collate.Numeric)
}}

// SortKey returns a string whose byte order is the French order of s, with
// accents and case folded. Keys are hex so they can go in DynamoDB sort
// keys and be compared as strings.
func SortKey(s string) string {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	return hex.EncodeToString(c.KeyFromString(&buf, s))
}

// SortStrings sorts names in French order.
func SortStrings(names []string) {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	c.SortStrings(names)
}

// SortBy sorts items in French order of the string that key returns.
func SortBy[T any](items []T, key func(T) string) {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = SortKey(key(it))
	}
	sort.Sort(byKey[T]{items, keys})
}

type byKey[T any] struct {
	items []T
	keys  []string
}

func (b byKey[T]) Len() int           { return len(b.items) }
func (b byKey[T]) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey[T]) Swap(i, j int) {
	b.items[i], b.items[j] = b.items[j], b.items[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}
