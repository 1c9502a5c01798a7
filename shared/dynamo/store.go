package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/table"
)

// ErrNotFound is returned when a requested school, group or person does not
// exist.
var ErrNotFound = errors.New("not found")

// Store reads and writes the directory in one table.
type Store struct {
	DB    *dynamodb.Client
	Table string
}

// New returns a store on the named table.
func New(db *dynamodb.Client, tableName string) *Store {
	return &Store{DB: db, Table: tableName}
}

// query runs a query to its last page and returns every item.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput) ([]Item, error) {
	in.TableName = aws.String(s.Table)
	var items []Item
	p := dynamodb.NewQueryPaginator(s.DB, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
	}
	return items, nil
}

// Partition returns every item of the partition pk, with a consistent read.
func (s *Store) Partition(ctx context.Context, pk string) ([]Item, error) {
	items, err := s.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read partition %s: %w", pk, err)
	}
	return items, nil
}

// queryPrefix returns the items of partition pk whose SK starts with prefix.
func (s *Store) queryPrefix(ctx context.Context, pk, prefix string) ([]Item, error) {
	items, err := s.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :p)"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.PK, "#sk": table.SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":p": str(prefix)},
	})
	if err != nil {
		return nil, fmt.Errorf("read %s %s*: %w", pk, prefix, err)
	}
	return items, nil
}

// queryIndex returns the GSI1 items of partition pk whose sort key starts
// with prefix ("" for all).
func (s *Store) queryIndex(ctx context.Context, pk, prefix string, forward bool) ([]Item, error) {
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(table.GSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.GSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ScanIndexForward:          aws.Bool(forward),
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :p)")
		in.ExpressionAttributeNames["#sk"] = table.GSI1SK
		in.ExpressionAttributeValues[":p"] = str(prefix)
	}
	items, err := s.query(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("read index %s %s*: %w", pk, prefix, err)
	}
	return items, nil
}

// PersonPartitions returns the partitions of the given people, keyed by
// person id; people with no profile are absent from the result. It reads
// the profiles with one consistent BatchGetItem per hundred people and then
// queries only the partitions of people that exist, so that a first import
// costs one read per hundred people.
func (s *Store) PersonPartitions(ctx context.Context, people []string) (map[string][]Item, error) {
	found := map[string][]Item{}
	for start := 0; start < len(people); start += 100 {
		chunk := people[start:min(start+100, len(people))]
		keys := make([]map[string]types.AttributeValue, 0, len(chunk))
		seen := map[string]bool{}
		for _, id := range chunk {
			if !seen[id] {
				seen[id] = true
				keys = append(keys, key(PersonPK(id), skProfile))
			}
		}
		request := map[string]types.KeysAndAttributes{s.Table: {
			Keys:                 keys,
			ConsistentRead:       aws.Bool(true),
			ProjectionExpression: aws.String("#pk"),
			ExpressionAttributeNames: map[string]string{
				"#pk": table.PK,
			},
		}}
		for attempt := 0; len(request) > 0; attempt++ {
			out, err := s.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return nil, fmt.Errorf("read %d profiles: %w", len(keys), err)
			}
			for _, it := range out.Responses[s.Table] {
				found[strings.TrimPrefix(attrString(it[table.PK]), prefixPerson)] = nil
			}
			request = out.UnprocessedKeys
			if len(request) > 0 {
				if err := sleep(ctx, backoff(attempt)); err != nil {
					return nil, err
				}
			}
		}
	}
	for id := range found {
		items, err := s.Partition(ctx, PersonPK(id))
		if err != nil {
			return nil, err
		}
		found[id] = items
	}
	return found, nil
}

// Put writes one item.
func (s *Store) Put(ctx context.Context, item Item) error {
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item})
	if err != nil {
		return fmt.Errorf("put %s %s: %w", attrString(item[table.PK]), SortKeyOf(item), err)
	}
	return nil
}

// ResolveOrg returns the school that a feed's org id was imported as.
func (s *Store) ResolveOrg(ctx context.Context, source, academy, orgID string) (string, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table),
		Key:       key(OrgPK(source, academy, orgID), "#ORG"),
	})
	if err != nil {
		return "", fmt.Errorf("resolve org %s: %w", orgID, err)
	}
	if out.Item == nil {
		return "", ErrNotFound
	}
	return attrString(out.Item["school"]), nil
}

// Academies returns the academies that feeds of source came from.
func (s *Store) Academies(ctx context.Context, source string) ([]string, error) {
	items, err := s.Partition(ctx, "SOURCE#"+source)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, it := range items {
		names = append(names, attrString(it[table.SK]))
	}
	return names, nil
}

// Schools returns every school, in French order of their names.
func (s *Store) Schools(ctx context.Context) ([]directory.School, error) {
	items, err := s.queryIndex(ctx, pkSchools, "", true)
	if err != nil {
		return nil, err
	}
	return unmarshalAll[directory.School](items)
}

// School returns one school.
func (s *Store) School(ctx context.Context, id string) (directory.School, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key(SchoolPK(id), skSchool)})
	if err != nil {
		return directory.School{}, fmt.Errorf("read school %s: %w", id, err)
	}
	if out.Item == nil {
		return directory.School{}, fmt.Errorf("school %s: %w", id, ErrNotFound)
	}
	var sc directory.School
	return sc, Unmarshal(out.Item, &sc)
}

// SchoolGroups returns a school's classes and groups of one year, classes
// first, each in French order of their codes.
func (s *Store) SchoolGroups(ctx context.Context, school string, year int) ([]directory.Group, error) {
	items, err := s.queryPrefix(ctx, SchoolPK(school), prefixGroup+strconv.Itoa(year)+"#")
	if err != nil {
		return nil, err
	}
	groups, err := unmarshalAll[directory.Group](items)
	if err != nil {
		return nil, err
	}
	directory.SortBy(groups, func(g directory.Group) string {
		if g.Class {
			return "0 " + g.Code
		}
		return "1 " + g.Code
	})
	return groups, nil
}

// SchoolYears returns the school years a school has classes or groups in,
// newest first.
func (s *Store) SchoolYears(ctx context.Context, school string) ([]int, error) {
	items, err := s.queryPrefix(ctx, SchoolPK(school), prefixGroup)
	if err != nil {
		return nil, err
	}
	var years []int
	for _, it := range items {
		y, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(SortKeyOf(it), prefixGroup), "#", 2)[0])
		if len(years) == 0 || years[len(years)-1] != y {
			years = append(years, y)
		}
	}
	for i, j := 0, len(years)-1; i < j; i, j = i+1, j-1 {
		years[i], years[j] = years[j], years[i]
	}
	return years, nil
}

// GroupMembers returns the people linked to a class or group, teachers
// first, each in French order of their names.
func (s *Store) GroupMembers(ctx context.Context, school string, year int, code string) ([]directory.Link, error) {
	var links []directory.Link
	for _, role := range []directory.Role{directory.RoleTeacher, directory.RolePupil} {
		items, err := s.queryIndex(ctx, GroupMembersPK(school, year, code), string(role)+"#", true)
		if err != nil {
			return nil, err
		}
		l, err := unmarshalAll[directory.Link](items)
		if err != nil {
			return nil, err
		}
		links = append(links, l...)
	}
	return links, nil
}

// CountGroupMembers returns how many people of each role are linked to a
// group, with one query that reads only the index's sort keys.
func (s *Store) CountGroupMembers(ctx context.Context, school string, year int, code string) (map[directory.Role]int, error) {
	items, err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(table.GSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.GSI1PK, "#sk": table.GSI1SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(GroupMembersPK(school, year, code))},
		ProjectionExpression:      aws.String("#sk"),
	})
	if err != nil {
		return nil, fmt.Errorf("count members of %s %s: %w", school, code, err)
	}
	counts := map[directory.Role]int{}
	for _, it := range items {
		role, _, _ := strings.Cut(attrString(it[table.GSI1SK]), "#")
		counts[directory.Role(role)]++
	}
	return counts, nil
}

// Members returns a school's memberships of one role, active and left, in
// French order of names.
func (s *Store) Members(ctx context.Context, school string, role directory.Role) ([]directory.Membership, error) {
	items, err := s.queryIndex(ctx, SchoolPK(school)+suffixMembers, string(role)+"#", true)
	if err != nil {
		return nil, err
	}
	return unmarshalAll[directory.Membership](items)
}

// Record is everything a person's partition holds.
type Record struct {
	Person      directory.Person
	Memberships []directory.Membership
	Links       []directory.Link
	Relations   []directory.Relation // for a pupil: the related persons
}

// Person returns a person's record.
func (s *Store) Person(ctx context.Context, id string) (Record, error) {
	items, err := s.Partition(ctx, PersonPK(id))
	if err != nil {
		return Record{}, err
	}
	rec, ok, err := DecodeRecord(items)
	if err != nil {
		return Record{}, err
	}
	if !ok {
		return Record{}, fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	return rec, nil
}

// DecodeRecord decodes the items of a person's partition. It returns false
// when the partition has no profile.
func DecodeRecord(items []Item) (Record, bool, error) {
	var rec Record
	found := false
	for _, it := range items {
		var err error
		switch TypeOf(it) {
		case TypePerson:
			found = true
			err = Unmarshal(it, &rec.Person)
		case TypeMembership:
			var m directory.Membership
			err = Unmarshal(it, &m)
			rec.Memberships = append(rec.Memberships, m)
		case TypeLink:
			var l directory.Link
			err = Unmarshal(it, &l)
			rec.Links = append(rec.Links, l)
		case TypeRelation:
			var r directory.Relation
			err = Unmarshal(it, &r)
			rec.Relations = append(rec.Relations, r)
		}
		if err != nil {
			return Record{}, false, err
		}
	}
	return rec, found, nil
}

// Children returns the pupils a person is related to, in every school, in
// French order of their names.
func (s *Store) Children(ctx context.Context, relative string) ([]directory.Relation, error) {
	items, err := s.queryIndex(ctx, PersonPK(relative)+suffixKids, "", true)
	if err != nil {
		return nil, err
	}
	return unmarshalAll[directory.Relation](items)
}

// People returns the profiles of the given people; unknown ids are left
// out.
func (s *Store) People(ctx context.Context, ids []string) (map[string]directory.Person, error) {
	people := map[string]directory.Person{}
	for start := 0; start < len(ids); start += 100 {
		var keys []map[string]types.AttributeValue
		for _, id := range ids[start:min(start+100, len(ids))] {
			keys = append(keys, key(PersonPK(id), skProfile))
		}
		request := map[string]types.KeysAndAttributes{s.Table: {Keys: keys}}
		for attempt := 0; len(request) > 0; attempt++ {
			out, err := s.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return nil, fmt.Errorf("read %d profiles: %w", len(keys), err)
			}
			for _, it := range out.Responses[s.Table] {
				var p directory.Person
				if err := Unmarshal(it, &p); err != nil {
					return nil, err
				}
				people[p.ID] = p
			}
			request = out.UnprocessedKeys
			if len(request) > 0 {
				if err := sleep(ctx, backoff(attempt)); err != nil {
					return nil, err
				}
			}
		}
	}
	return people, nil
}

func unmarshalAll[T any](items []Item) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, it := range items {
		var v T
		if err := Unmarshal(it, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
