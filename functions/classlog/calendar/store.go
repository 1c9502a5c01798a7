package calendar

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/account"
	"github.com/cartable-ent/cartable/shared/dynamo"
	"github.com/cartable-ent/cartable/shared/table"
)

// Keys and attributes of the calendar items.
const (
	prefixToken = "CAL#"                   // partition key of a token item, before the token's HMAC
	tokenSK     = "#CAL"                   // sort key of a token item
	pointerSK   = dynamo.CalendarPointerSK // sort key of the pointer item in the person's partition

	attrPerson    = "person"
	attrCreated   = "created"
	attrTokenHash = "tokenHash"
)

// maxTokenLen bounds the tokens that Person looks up. account.NewToken
// returns 43 characters, so anything far longer is not a token and costs no
// read.
const maxTokenLen = 128

// maxAttempts bounds the retries of Issue and Revoke when another request
// changes the same person's token between the read and the write.
const maxAttempts = 5

// ErrUnknown is returned by Person for a token that was never issued, was
// replaced by a newer one or was revoked.
var ErrUnknown = errors.New("unknown calendar token")

// Store keeps the secret tokens of the private calendar feeds. A feed's
// address contains the token, so anyone with the address can read the
// feed. The table stores only the token's HMAC under MAC, so a leaked table
// gives no working address. A person has at most one token at a time.
type Store struct {
	DB *dynamodb.Client
	// Table is the table's name, from configuration (see table.EnvName).
	Table string
	// MAC is the server's HMAC key (token.Keys.MAC), at least
	// account.MinKeyLen bytes.
	MAC []byte
}

// Issue creates a new token for person and returns it. The person's
// previous token, if any, stops working in the same transaction. The token
// is a secret: show it to its owner only, inside the feed's address, and
// never log it.
func (s *Store) Issue(ctx context.Context, person string, now time.Time) (string, error) {
	if person == "" {
		return "", errors.New("issue calendar token: missing person")
	}
	if err := account.CheckKey(s.MAC); err != nil {
		return "", fmt.Errorf("issue calendar token: %w", err)
	}
	token, err := account.NewToken()
	if err != nil {
		return "", fmt.Errorf("issue calendar token: %w", err)
	}
	hash := account.HashToken(s.MAC, token)

	for range maxAttempts {
		previous, err := s.currentHash(ctx, person)
		if err != nil {
			return "", fmt.Errorf("issue calendar token for %s: %w", person, err)
		}

		actions := []types.TransactWriteItem{
			{Put: &types.Put{
				TableName: aws.String(s.Table),
				Item: map[string]types.AttributeValue{
					table.PK:    str(prefixToken + hash),
					table.SK:    str(tokenSK),
					attrPerson:  str(person),
					attrCreated: str(now.UTC().Format(time.RFC3339)),
				},
				ConditionExpression: aws.String("attribute_not_exists(#pk)"),
				ExpressionAttributeNames: map[string]string{
					"#pk": table.PK,
				},
			}},
			{Put: s.putPointer(person, hash, previous, now)},
		}
		if previous != "" {
			actions = append(actions, types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(s.Table),
				Key:       tokenKey(previous),
			}})
		}

		_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions})
		if err == nil {
			return token, nil
		}
		if !lostRace(err, 1) {
			return "", fmt.Errorf("issue calendar token for %s: %w", person, err)
		}
		// Another request replaced or revoked the token since it was
		// read: read the pointer again.
	}
	return "", fmt.Errorf("issue calendar token for %s: %d attempts lost a race with other changes to the same token", person, maxAttempts)
}

// putPointer returns the write of the person's pointer to hash, on
// condition that the pointer still refers to previous ("" for none).
func (s *Store) putPointer(person, hash, previous string, now time.Time) *types.Put {
	put := &types.Put{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			table.PK:      str(dynamo.PersonPK(person)),
			table.SK:      str(pointerSK),
			attrTokenHash: str(hash),
			attrCreated:   str(now.UTC().Format(time.RFC3339)),
		},
		ExpressionAttributeNames: map[string]string{"#pk": table.PK},
	}
	if previous == "" {
		put.ConditionExpression = aws.String("attribute_not_exists(#pk)")
	} else {
		put.ConditionExpression = aws.String("#hash = :previous")
		put.ExpressionAttributeNames = map[string]string{"#hash": attrTokenHash}
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":previous": str(previous)}
	}
	return put
}

// Revoke deletes the person's token, so that the feed's address stops
// working at once. It returns nil when the person has no token.
func (s *Store) Revoke(ctx context.Context, person string) error {
	if person == "" {
		return errors.New("revoke calendar token: missing person")
	}

	for range maxAttempts {
		current, err := s.currentHash(ctx, person)
		if err != nil {
			return fmt.Errorf("revoke calendar token of %s: %w", person, err)
		}
		if current == "" {
			return nil
		}

		_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Delete: &types.Delete{
				TableName:                 aws.String(s.Table),
				Key:                       pointerKey(person),
				ConditionExpression:       aws.String("#hash = :current"),
				ExpressionAttributeNames:  map[string]string{"#hash": attrTokenHash},
				ExpressionAttributeValues: map[string]types.AttributeValue{":current": str(current)},
			}},
			{Delete: &types.Delete{TableName: aws.String(s.Table), Key: tokenKey(current)}},
		}})
		if err == nil {
			return nil
		}
		if !lostRace(err, 0) {
			return fmt.Errorf("revoke calendar token of %s: %w", person, err)
		}
		// A new token was issued since the pointer was read: revoke that
		// one instead.
	}
	return fmt.Errorf("revoke calendar token of %s: %d attempts lost a race with other changes to the same token", person, maxAttempts)
}

// Person returns the person a token belongs to, or ErrUnknown. Both reads
// are strongly consistent, so a token stops working as soon as Issue or
// Revoke returns. Errors never contain the token.
func (s *Store) Person(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > maxTokenLen {
		return "", ErrUnknown
	}
	if err := account.CheckKey(s.MAC); err != nil {
		return "", fmt.Errorf("read calendar token: %w", err)
	}
	hash := account.HashToken(s.MAC, token)

	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            tokenKey(hash),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", fmt.Errorf("read calendar token: %w", err)
	}
	if out.Item == nil {
		return "", ErrUnknown
	}
	person := attrString(out.Item[attrPerson])
	if person == "" {
		return "", errors.New("read calendar token: token item without a person")
	}

	// The pointer must still name this token. Transactions keep the two
	// items in step, but deleting a person's partition (the directory's
	// purge) removes the pointer and leaves the token item behind.
	current, err := s.currentHash(ctx, person)
	if err != nil {
		return "", fmt.Errorf("read calendar token of %s: %w", person, err)
	}
	if current != hash {
		return "", ErrUnknown
	}
	return person, nil
}

// currentHash returns the HMAC of the person's token, or "" when the
// person has none.
func (s *Store) currentHash(ctx context.Context, person string) (string, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            pointerKey(person),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", fmt.Errorf("read calendar pointer: %w", err)
	}
	return attrString(out.Item[attrTokenHash]), nil
}

// lostRace reports whether err is a transaction canceled because another
// request changed the same items. That is the case when the condition of
// the pointer's action (at index pointer) failed, or when DynamoDB saw two
// transactions on one item at the same time.
func lostRace(err error, pointer int) bool {
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		return false
	}
	for i, reason := range canceled.CancellationReasons {
		switch code := aws.ToString(reason.Code); {
		case code == "TransactionConflict":
			return true
		case code == "ConditionalCheckFailed" && i == pointer:
			return true
		}
	}
	return false
}

func tokenKey(hash string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{table.PK: str(prefixToken + hash), table.SK: str(tokenSK)}
}

func pointerKey(person string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{table.PK: str(dynamo.PersonPK(person)), table.SK: str(pointerSK)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func attrString(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
