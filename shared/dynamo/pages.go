package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/table"
)

// Paginated reads for the directory API. Each page read takes the sort key
// that the previous page ended at ("" for the first page) and returns the
// sort key to continue from in Page.Next, "" on the last page. The
// partition key always comes from the request's own parameters, never from
// the cursor, so a cursor cannot lead a query into another partition.

// ErrInvalidCursor is returned, wrapped, when a page's start key does not
// have the shape of the list it continues.
var ErrInvalidCursor = errors.New("invalid cursor")

// SchoolsPage returns a page of schools, in French order of their names.
func (s *Store) SchoolsPage(ctx context.Context, after string, limit int) (Page[directory.School], error) {
	in := s.indexPage(pkSchools, "", limit, true)
	if after != "" {
		id := lastField(after)
		if id == "" {
			return Page[directory.School]{}, fmt.Errorf("schools after %q: %w", after, ErrInvalidCursor)
		}
		in.ExclusiveStartKey = indexKey(pkSchools, after, SchoolPK(id), skSchool)
	}
	return queryPage[directory.School](ctx, s, in, table.GSI1SK, "list schools")
}

// GroupsPage returns a page of a school's classes and groups of one year,
// in the order of their codes.
func (s *Store) GroupsPage(ctx context.Context, school string, year int, after string, limit int) (Page[directory.Group], error) {
	prefix := prefixGroup + strconv.Itoa(year) + "#"
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :p)"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.PK, "#sk": table.SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(SchoolPK(school)), ":p": str(prefix)},
		Limit:                     aws.Int32(int32(limit)),
	}
	if after != "" {
		if !strings.HasPrefix(after, prefix) {
			return Page[directory.Group]{}, fmt.Errorf("groups after %q: %w", after, ErrInvalidCursor)
		}
		in.ExclusiveStartKey = key(SchoolPK(school), after)
	}
	return queryPage[directory.Group](ctx, s, in, table.SK, "list groups of "+school)
}

// Group returns one class or group of a school year.
func (s *Store) Group(ctx context.Context, school string, year int, code string) (directory.Group, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table),
		Key:       key(SchoolPK(school), GroupSK(year, code)),
	})
	if err != nil {
		return directory.Group{}, fmt.Errorf("read group %s %d %s: %w", school, year, code, err)
	}
	if out.Item == nil {
		return directory.Group{}, fmt.Errorf("group %s %d %s: %w", school, year, code, ErrNotFound)
	}
	var g directory.Group
	return g, Unmarshal(out.Item, &g)
}

// GroupMembersPage returns a page of the people linked to a class or group
// with one of the roles, in the order of roles given and then in French
// order of names. A page may span two roles: when the first role's people
// run out, the page goes on with the next role.
func (s *Store) GroupMembersPage(ctx context.Context, school string, year int, code string, roles []directory.Role, after string, limit int) (Page[directory.Link], error) {
	pk := GroupMembersPK(school, year, code)
	start := 0
	if after != "" {
		role, _, _ := strings.Cut(after, "#")
		person := lastField(after)
		start = -1
		for i, r := range roles {
			if string(r) == role {
				start = i
			}
		}
		if start < 0 || person == "" {
			return Page[directory.Link]{}, fmt.Errorf("members after %q: %w", after, ErrInvalidCursor)
		}
	}

	var page Page[directory.Link]
	for i := start; i < len(roles) && len(page.Items) < limit; i++ {
		in := s.indexPage(pk, string(roles[i])+"#", limit-len(page.Items), true)
		if i == start && after != "" {
			person := lastField(after)
			in.ExclusiveStartKey = indexKey(pk, after, PersonPK(person), LinkSK(year, school, code, roles[i]))
		}
		part, err := queryPage[directory.Link](ctx, s, in, table.GSI1SK, "list members of "+code)
		if err != nil {
			return Page[directory.Link]{}, err
		}
		page.Items = append(page.Items, part.Items...)
		page.Next = part.Next
		if part.Next != "" {
			// DynamoDB stopped at the limit: the next page starts here.
			return page, nil
		}
	}
	// The page filled exactly at the end of one role's people: the roles
	// after it may still have people, so the caller gets a cursor.
	if len(page.Items) == limit && page.Next == "" {
		last := page.Items[len(page.Items)-1]
		if last.Role != roles[len(roles)-1] {
			page.Next = string(last.Role) + "#" + directory.SortKey(last.Name) + "#" + last.Person
		}
	}
	return page, nil
}

// MembersPage returns a page of a school's memberships of one role, active
// and left, in French order of names.
func (s *Store) MembersPage(ctx context.Context, school string, role directory.Role, after string, limit int) (Page[directory.Membership], error) {
	pk := SchoolPK(school) + suffixMembers
	in := s.indexPage(pk, string(role)+"#", limit, true)
	if after != "" {
		person := lastField(after)
		if !strings.HasPrefix(after, string(role)+"#") || person == "" {
			return Page[directory.Membership]{}, fmt.Errorf("members after %q: %w", after, ErrInvalidCursor)
		}
		in.ExclusiveStartKey = indexKey(pk, after, PersonPK(person), MembershipSK(school, role))
	}
	return queryPage[directory.Membership](ctx, s, in, table.GSI1SK, "list "+string(role)+" members of "+school)
}

// ImportsPage returns a page of import report summaries, newest first.
// Each summary is the stored report without its keys, as decoded with
// the report's JSON names.
func (s *Store) ImportsPage(ctx context.Context, after string, limit int) (Page[map[string]any], error) {
	in := s.indexPage("IMPORTS", "", limit, false)
	if after != "" {
		id := lastField(after)
		if id == "" {
			return Page[map[string]any]{}, fmt.Errorf("imports after %q: %w", after, ErrInvalidCursor)
		}
		in.ExclusiveStartKey = indexKey("IMPORTS", after, "IMPORT#"+id, "#REPORT")
	}
	out, err := s.DB.Query(ctx, in)
	if err != nil {
		return Page[map[string]any]{}, fmt.Errorf("list imports: %w", err)
	}
	page := Page[map[string]any]{Items: make([]map[string]any, 0, len(out.Items))}
	for _, it := range out.Items {
		summary, err := reportSummary(it)
		if err != nil {
			return Page[map[string]any]{}, err
		}
		page.Items = append(page.Items, summary)
	}
	if out.LastEvaluatedKey != nil {
		page.Next = attrString(out.LastEvaluatedKey[table.GSI1SK])
	}
	return page, nil
}

// ImportReport returns the summary of one import report, without its keys,
// as ImportsPage gives it.
func (s *Store) ImportReport(ctx context.Context, id string) (map[string]any, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key("IMPORT#"+id, "#REPORT")})
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("report %s: %w", id, ErrNotFound)
	}
	return reportSummary(out.Item)
}

// reportSummary decodes a report item and drops the table's attributes.
func reportSummary(item Item) (map[string]any, error) {
	summary := map[string]any{}
	if err := attributevalue.UnmarshalMap(item, &summary); err != nil {
		return nil, fmt.Errorf("unmarshal report %s: %w", attrString(item[table.PK]), err)
	}
	for _, name := range []string{table.PK, table.SK, table.GSI1PK, table.GSI1SK, table.TTL, attrType, attrHash} {
		delete(summary, name)
	}
	return summary, nil
}

// SubjectLabels returns the label of every subject of the reference table,
// by code.
func (s *Store) SubjectLabels(ctx context.Context) (map[string]string, error) {
	items, err := s.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pkSubjects)},
	})
	if err != nil {
		return nil, fmt.Errorf("read subjects: %w", err)
	}
	subjects, err := unmarshalAll[directory.Subject](items)
	if err != nil {
		return nil, err
	}
	labels := make(map[string]string, len(subjects))
	for _, sub := range subjects {
		labels[sub.Code] = sub.Label
	}
	return labels, nil
}

// indexPage returns a one-page query of GSI1 partition pk, restricted to
// sort keys that start with prefix unless it is "".
func (s *Store) indexPage(pk, prefix string, limit int, forward bool) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(table.GSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": table.GSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ScanIndexForward:          aws.Bool(forward),
		Limit:                     aws.Int32(int32(limit)),
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :p)")
		in.ExpressionAttributeNames["#sk"] = table.GSI1SK
		in.ExpressionAttributeValues[":p"] = str(prefix)
	}
	return in
}

// indexKey returns the start key of a GSI1 query, which names both the
// index's and the table's key attributes.
func indexKey(gsiPK, gsiSK, pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		table.GSI1PK: str(gsiPK), table.GSI1SK: str(gsiSK),
		table.PK: str(pk), table.SK: str(sk),
	}
}

// queryPage runs one page of a query and decodes its items. The next
// cursor is the attribute named cursorAttr of the last evaluated key.
func queryPage[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput, cursorAttr, what string) (Page[T], error) {
	out, err := s.DB.Query(ctx, in)
	if err != nil {
		return Page[T]{}, fmt.Errorf("%s: %w", what, err)
	}
	items, err := unmarshalAll[T](out.Items)
	if err != nil {
		return Page[T]{}, err
	}
	page := Page[T]{Items: items}
	if out.LastEvaluatedKey != nil {
		page.Next = attrString(out.LastEvaluatedKey[cursorAttr])
	}
	return page, nil
}

// lastField returns what follows the last "#" of a sort key, the id that
// GSI1 sort keys end with, or "" when there is none.
func lastField(sk string) string {
	i := strings.LastIndexByte(sk, '#')
	if i < 0 {
		return ""
	}
	return sk[i+1:]
}

// PersonLinks returns a person's links of one school year, read from the
// person's partition without a consistent read.
func (s *Store) PersonLinks(ctx context.Context, person string, year int) ([]directory.Link, error) {
	items, err := s.queryPrefix(ctx, PersonPK(person), prefixLink+strconv.Itoa(year)+"#")
	if err != nil {
		return nil, err
	}
	return unmarshalAll[directory.Link](items)
}
