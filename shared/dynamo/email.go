package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/table"
)

// Email address items. Bounces and complaints name an address, not a
// person, so every address set on an account has a lookup partition that
// lists its owners, one item per person (two guardians of one family may
// share an address):
//
//	item          PK                         SK                      attributes
//	address owner EMAIL#<lower-cased addr>   P#<person>              person
//	mail counter  P#<person>                 #MAILS#<kind>#<window>  count, expiresAt
//
// PutAccountEmail keeps the owners in line with the accounts, in the same
// transaction as the account's write. The purge deletes a person's item
// with the account. A mail counter limits the account mails one person
// can trigger in a window, and expires after it.
const (
	// TypeEmailOwner is the type of an address owner item.
	TypeEmailOwner = "emailowner"
	// TypeMailCount is the type of a mail counter item.
	TypeMailCount = "mailcount"

	prefixEmail     = "EMAIL#"
	prefixMailCount = "#MAILS#"
)

// EmailPK returns the partition that lists an address's owners. Addresses
// are compared without case: mail providers treat the local part without
// case in practice, and SES reports the address as the mail gave it.
func EmailPK(address string) string {
	return prefixEmail + NormalizeEmail(address)
}

// NormalizeEmail returns the form of an address that lookups use: trimmed
// and lower-cased.
func NormalizeEmail(address string) string {
	return strings.ToLower(strings.TrimSpace(address))
}

// emailOwnerKey returns the key of a person's item under an address.
func emailOwnerKey(address, person string) map[string]types.AttributeValue {
	return key(EmailPK(address), PersonPK(person))
}

// PutAccountEmail writes an account like PutAccount and, in the same
// transaction, moves the person from the owners of previous (the address
// the account had when it was read, "" for none) to the owners of
// a.Email. When the address did not change, it is PutAccount. It returns
// ErrConflict when the stored account changed since it was read.
func (s *Store) PutAccountEmail(ctx context.Context, a *account.Account, previous string) error {
	if NormalizeEmail(previous) == NormalizeEmail(a.Email) {
		return s.PutAccount(ctx, a)
	}
	prev := a.Version
	a.Version++
	item, err := AccountItem(*a)
	if err != nil {
		a.Version = prev
		return err
	}
	put := &types.Put{
		TableName: aws.String(s.Table), Item: item,
		ExpressionAttributeNames:  map[string]string{"#v": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.Itoa(prev)}},
		ConditionExpression:       aws.String("#v = :v"),
	}
	if prev == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(#pk) OR #v = :v")
		put.ExpressionAttributeNames["#pk"] = table.PK
	}

	// The person leaves the previous address's owners and joins the new
	// one's in the same transaction.
	actions := []types.TransactWriteItem{{Put: put}}
	if previous != "" {
		actions = append(actions, types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(s.Table), Key: emailOwnerKey(previous, a.Person),
		}})
	}
	if a.Email != "" {
		owner := emailOwnerKey(a.Email, a.Person)
		owner["person"] = str(a.Person)
		owner[attrType] = str(TypeEmailOwner)
		actions = append(actions, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: owner}})
	}

	if _, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions}); err != nil {
		a.Version = prev
		if isConditionFailed(err) {
			return fmt.Errorf("account %s: %w", a.Person, ErrConflict)
		}
		return fmt.Errorf("write account %s and its address: %w", a.Person, err)
	}
	return nil
}

// EmailOwners returns the people whose account has the address, compared
// without case, in the order of their ids.
func (s *Store) EmailOwners(ctx context.Context, address string) ([]string, error) {
	items, err := s.Partition(ctx, EmailPK(address))
	if err != nil {
		return nil, fmt.Errorf("read address owners: %w", err)
	}
	people := make([]string, 0, len(items))
	for _, it := range items {
		if p := attrString(it["person"]); p != "" {
			people = append(people, p)
		}
	}
	return people, nil
}

// MarkEmailUnreachable records on a person's account that mail to address
// failed for good, for reason (account.UnreachableBounce or
// account.UnreachableComplaint), at the given time. It changes nothing
// and returns false when the account no longer has that address (compared
// as stored, so the caller passes the account's own spelling), when it is
// already marked for the same reason, or when a bounce follows a
// complaint, because the complaint is the stronger sign of the owner's
// wishes.
func (s *Store) MarkEmailUnreachable(ctx context.Context, person, address, reason string, at time.Time) (bool, error) {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.Table),
		Key:              AccountKey(person),
		UpdateExpression: aws.String("SET emailUnreachable = :r, emailUnreachableAt = :at, version = version + :one"),
		ConditionExpression: aws.String("attribute_exists(PK) AND email = :e AND " +
			"(attribute_not_exists(emailUnreachable) OR (emailUnreachable <> :r AND emailUnreachable <> :complaint))"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":r": str(reason), ":at": str(at.UTC().Format(time.RFC3339)), ":e": str(address),
			":complaint": str(account.UnreachableComplaint), ":one": &types.AttributeValueMemberN{Value: "1"},
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark address of %s unreachable: %w", person, err)
	}
	return true, nil
}

// CountAccountMail counts one account mail of a kind ("verify", "reset")
// for a person in the window that starts at window (Unix seconds), and
// returns the count after it. The counter expires at expires.
func (s *Store) CountAccountMail(ctx context.Context, person, kind string, window int64, expires time.Time) (int, error) {
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.Table),
		Key:                      key(PersonPK(person), prefixMailCount+kind+"#"+strconv.FormatInt(window, 10)),
		UpdateExpression:         aws.String("ADD #c :one SET #ttl = :exp, #t = :t"),
		ExpressionAttributeNames: map[string]string{"#c": "count", "#ttl": table.TTL, "#t": attrType},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": &types.AttributeValueMemberN{Value: "1"},
			":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
			":t":   str(TypeMailCount),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("count %s mail of %s: %w", kind, person, err)
	}
	n, _ := strconv.Atoi(attrNumber(out.Attributes["count"]))
	return n, nil
}
