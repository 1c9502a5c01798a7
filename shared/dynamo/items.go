package dynamo

import (
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/directory"
	"github.com/cartable-ent/cartable/shared/table"
)

// Item is one DynamoDB item.
type Item = map[string]types.AttributeValue

// Attribute names that every directory item may carry besides its keys.
const (
	attrType = "t" // item type: school, group, person, membership, ...
	attrHash = "h" // hash of the item's other attributes, to skip unchanged writes
)

// Item types, in attribute "t".
const (
	TypeSchool     = "school"
	TypeGroup      = "group"
	TypeOrg        = "org"
	TypeSubject    = "subject"
	TypeMEF        = "mef"
	TypePerson     = "person"
	TypeExternalID = "extid"
	TypeMembership = "membership"
	TypeLink       = "link"
	TypeRelation   = "relation"
	TypeSource     = "source"
)

// PurgeShards is the number of GSI1 partitions the purge list is spread
// over, so that a feed in which many people leave does not throttle one
// index partition.
const PurgeShards = 16

// Key prefixes.
const (
	prefixSchool  = "SCH#"
	prefixPerson  = "P#"
	prefixGroup   = "GRP#"
	prefixMember  = "MEM#"
	prefixLink    = "LNK#"
	prefixRel     = "REL#"
	skSchool      = "#SCHOOL"
	skProfile     = "#PROFILE"
	pkSchools     = "SCHOOLS"
	pkSubjects    = "REF#SUBJECT"
	pkMEFs        = "REF#MEF"
	suffixMembers = "#MEMBERS"
	suffixKids    = "#CHILDREN"
)

// SchoolPK returns the partition key of a school's items.
func SchoolPK(school string) string { return prefixSchool + school }

// PersonPK returns the partition key of a person's items.
func PersonPK(person string) string { return prefixPerson + person }

// GroupSK returns the sort key of a group in its school's partition.
func GroupSK(year int, code string) string {
	return prefixGroup + strconv.Itoa(year) + "#" + code
}

// GroupMembersPK returns the GSI1 partition key of a group's members.
func GroupMembersPK(school string, year int, code string) string {
	return prefixGroup + school + "#" + strconv.Itoa(year) + "#" + code
}

// MembershipSK returns the sort key of a membership in its person's partition.
func MembershipSK(school string, role directory.Role) string {
	return prefixMember + school + "#" + string(role)
}

// LinkSK returns the sort key of a link in its person's partition.
func LinkSK(year int, school, code string, role directory.Role) string {
	return prefixLink + strconv.Itoa(year) + "#" + school + "#" + code + "#" + string(role)
}

// RelationSK returns the sort key of a relation in its pupil's partition.
func RelationSK(relative string) string { return prefixRel + relative }

// OrgPK returns the partition key of the alias that maps a feed's org id to
// a school.
func OrgPK(source, academy, orgID string) string {
	return "ORG#" + directory.PersonID(source, academy, orgID)
}

// ExternalIDPK returns the partition key of an external identifier's item.
func ExternalIDPK(kind, value string) string { return "EXT#" + kind + "#" + value }

// purgeShard returns the purge list shard of a person.
func purgeShard(person string) string {
	h := fnv.New32a()
	io.WriteString(h, person)
	return "PURGE#" + strconv.Itoa(int(h.Sum32()%PurgeShards))
}

// build marshals v and adds the keys, the type and the content hash.
func build(pk, sk, typ string, v any, gsiPK, gsiSK string) (Item, error) {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s item %s %s: %w", typ, pk, sk, err)
	}
	item[table.PK] = str(pk)
	item[table.SK] = str(sk)
	item[attrType] = str(typ)
	if gsiPK != "" {
		item[table.GSI1PK] = str(gsiPK)
		item[table.GSI1SK] = str(gsiSK)
	}
	item[attrHash] = str(Hash(item))
	return item, nil
}

// SchoolItem returns the item of a school.
func SchoolItem(s directory.School) (Item, error) {
	return build(SchoolPK(s.ID), skSchool, TypeSchool, s, pkSchools, directory.SortKey(s.Name)+"#"+s.ID)
}

// GroupItem returns the item of a class or group.
func GroupItem(g directory.Group) (Item, error) {
	return build(SchoolPK(g.School), GroupSK(g.Year, g.Code), TypeGroup, g, "", "")
}

// OrgItem returns the alias that maps a feed's org id to a school.
func OrgItem(source, academy, orgID, school string) (Item, error) {
	return build(OrgPK(source, academy, orgID), "#ORG", TypeOrg, struct {
		School string `dynamodbav:"school"`
	}{school}, "", "")
}

// SubjectItem returns the item of a subject.
func SubjectItem(s directory.Subject) (Item, error) {
	return build(pkSubjects, s.Code, TypeSubject, s, "", "")
}

// MEFItem returns the item of a MEF code.
func MEFItem(m directory.MEF) (Item, error) {
	return build(pkMEFs, m.Code, TypeMEF, m, "", "")
}

// PersonItem returns the profile item of a person.
func PersonItem(p directory.Person) (Item, error) {
	gsiPK, gsiSK := "", ""
	if p.PurgeAfter != "" {
		gsiPK, gsiSK = purgeShard(p.ID), p.PurgeAfter+"#"+p.ID
	}
	return build(PersonPK(p.ID), skProfile, TypePerson, p, gsiPK, gsiSK)
}

// ExternalIDItem returns the item that maps an external identifier to a
// person, for single sign-on.
func ExternalIDItem(kind, value, person string) (Item, error) {
	return build(ExternalIDPK(kind, value), "#EXT", TypeExternalID, struct {
		Person string `dynamodbav:"person"`
	}{person}, "", "")
}

// MembershipItem returns the item of a membership.
func MembershipItem(m directory.Membership) (Item, error) {
	return build(PersonPK(m.Person), MembershipSK(m.School, m.Role), TypeMembership, m,
		SchoolPK(m.School)+suffixMembers, string(m.Role)+"#"+directory.SortKey(m.Name)+"#"+m.Person)
}

// LinkItem returns the item of a link between a person and a group.
func LinkItem(l directory.Link) (Item, error) {
	return build(PersonPK(l.Person), LinkSK(l.Year, l.School, l.Group, l.Role), TypeLink, l,
		GroupMembersPK(l.School, l.Year, l.Group), string(l.Role)+"#"+directory.SortKey(l.Name)+"#"+l.Person)
}

// RelationItem returns the item of a relation between a pupil and a
// related person.
func RelationItem(r directory.Relation) (Item, error) {
	return build(PersonPK(r.Pupil), RelationSK(r.Relative), TypeRelation, r,
		PersonPK(r.Relative)+suffixKids, directory.SortKey(r.PupilName)+"#"+r.Pupil)
}

// SourceItem records that a feed of source came from academy.
func SourceItem(source, academy string) (Item, error) {
	return build("SOURCE#"+source, academy, TypeSource, struct {
		Academy string `dynamodbav:"academy"`
	}{academy}, "", "")
}

// KeyOf returns the primary key of an item.
func KeyOf(item Item) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{table.PK: item[table.PK], table.SK: item[table.SK]}
}

// SortKeyOf returns the SK of an item.
func SortKeyOf(item Item) string { return attrString(item[table.SK]) }

// HashOf returns the content hash an item was written with.
func HashOf(item Item) string { return attrString(item[attrHash]) }

// TypeOf returns the item's type.
func TypeOf(item Item) string { return attrString(item[attrType]) }

// Hash returns a hash of every attribute of item except the hash itself.
// Equal items have equal hashes whatever the order of their map keys.
func Hash(item Item) string {
	h := fnv.New64a()
	writeMap(h, item)
	return strconv.FormatUint(h.Sum64(), 36)
}

func writeMap(w io.Writer, m map[string]types.AttributeValue) {
	names := make([]string, 0, len(m))
	for n := range m {
		if n != attrHash {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "%q:", n)
		writeValue(w, m[n])
		io.WriteString(w, ";")
	}
}

func writeValue(w io.Writer, v types.AttributeValue) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		fmt.Fprintf(w, "S%q", v.Value)
	case *types.AttributeValueMemberN:
		fmt.Fprintf(w, "N%s", v.Value)
	case *types.AttributeValueMemberBOOL:
		fmt.Fprintf(w, "B%t", v.Value)
	case *types.AttributeValueMemberNULL:
		io.WriteString(w, "0")
	case *types.AttributeValueMemberL:
		io.WriteString(w, "[")
		for _, e := range v.Value {
			writeValue(w, e)
			io.WriteString(w, ",")
		}
		io.WriteString(w, "]")
	case *types.AttributeValueMemberM:
		io.WriteString(w, "{")
		writeMap(w, v.Value)
		io.WriteString(w, "}")
	case *types.AttributeValueMemberSS:
		s := append([]string(nil), v.Value...)
		sort.Strings(s)
		fmt.Fprintf(w, "SS%q", s)
	default:
		fmt.Fprintf(w, "?%T", v)
	}
}

// Unmarshal decodes an item into v.
func Unmarshal(item Item, v any) error {
	if err := attributevalue.UnmarshalMap(item, v); err != nil {
		return fmt.Errorf("unmarshal %s item %s: %w", TypeOf(item), attrString(item[table.PK]), err)
	}
	return nil
}
