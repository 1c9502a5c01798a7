package dynamotest

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cartable-ent/cartable/shared/dynamotest/dynamolocal"
	"github.com/cartable-ent/cartable/shared/table"
)

func TestMain(m *testing.M) { Main(m) }

func item(pk, sk string, extra map[string]types.AttributeValue) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		table.PK: &types.AttributeValueMemberS{Value: pk},
		table.SK: &types.AttributeValueMemberS{Value: sk},
	}
	for k, v := range extra {
		it[k] = v
	}
	return it
}

func key(pk, sk string) map[string]types.AttributeValue { return item(pk, sk, nil) }

func getName(t *testing.T, client *dynamodb.Client, name, pk, sk string) (string, bool) {
	t.Helper()
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(name), Key: key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem(%s, %s): %v", pk, sk, err)
	}
	if out.Item == nil {
		return "", false
	}
	v, ok := out.Item["name"].(*types.AttributeValueMemberS)
	if !ok {
		t.Fatalf("GetItem(%s, %s): attribute name = %#v, want a string", pk, sk, out.Item["name"])
	}
	return v.Value, true
}

func TestNewTable_Definition(t *testing.T) {
	client, name := NewTable(t)
	ctx := context.Background()

	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	desc := out.Table
	if got := desc.TableStatus; got != types.TableStatusActive {
		t.Errorf("status = %s, want %s", got, types.TableStatusActive)
	}
	var keys []string
	for _, k := range desc.KeySchema {
		keys = append(keys, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
	}
	if got, want := strings.Join(keys, ","), table.PK+":HASH,"+table.SK+":RANGE"; got != want {
		t.Errorf("key schema = %s, want %s", got, want)
	}
	if len(desc.GlobalSecondaryIndexes) != 1 || aws.ToString(desc.GlobalSecondaryIndexes[0].IndexName) != table.GSI1 {
		t.Errorf("indexes = %+v, want only %s", desc.GlobalSecondaryIndexes, table.GSI1)
	}

	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTimeToLive: %v", err)
	}
	if got := aws.ToString(ttl.TimeToLiveDescription.AttributeName); got != table.TTL {
		t.Errorf("TTL attribute = %q, want %q", got, table.TTL)
	}
}

func TestNewTable_PutGetQueryIndex(t *testing.T) {
	client, name := NewTable(t)
	ctx := context.Background()

	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(name),
		Item: item("SCHOOL#0750001A", "PUPIL#1", map[string]types.AttributeValue{
			"name":       &types.AttributeValueMemberS{Value: "Zoë Łukasiewicz"},
			table.GSI1PK: &types.AttributeValueMemberS{Value: "CLASS#0750001A#6A"},
			table.GSI1SK: &types.AttributeValueMemberS{Value: "PUPIL#1"},
		}),
	})
	if err != nil {
		t.Fatalf("PutItem: %v", err)
	}

	got, ok := getName(t, client, name, "SCHOOL#0750001A", "PUPIL#1")
	if !ok || got != "Zoë Łukasiewicz" {
		t.Errorf("GetItem name = %q (found %v), want %q", got, ok, "Zoë Łukasiewicz")
	}

	// Global secondary indexes are eventually consistent, in DynamoDB Local
	// too in principle, so poll briefly.
	var count int32
	for range 50 {
		out, err := client.Query(ctx, &dynamodb.QueryInput{
			TableName:                aws.String(name),
			IndexName:                aws.String(table.GSI1),
			KeyConditionExpression:   aws.String("#pk = :pk"),
			ExpressionAttributeNames: map[string]string{"#pk": table.GSI1PK},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: "CLASS#0750001A#6A"},
			},
		})
		if err != nil {
			t.Fatalf("Query %s: %v", table.GSI1, err)
		}
		if count = out.Count; count > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if count != 1 {
		t.Errorf("Query %s count = %d, want 1", table.GSI1, count)
	}
}

func TestNewTable_Transaction(t *testing.T) {
	client, name := NewTable(t)
	ctx := context.Background()

	put := func(pk, sk, value string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{
			TableName:                aws.String(name),
			Item:                     item(pk, sk, map[string]types.AttributeValue{"name": &types.AttributeValueMemberS{Value: value}}),
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": table.PK},
		}}
	}

	// A unique login and the account that owns it, written together.
	_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		put("LOGIN#zoe.martin", "LOGIN", "account-1"),
		put("ACCOUNT#1", "ACCOUNT", "Zoë Martin"),
	}})
	if err != nil {
		t.Fatalf("first TransactWriteItems: %v", err)
	}

	// The same login for another account: the whole transaction must fail,
	// and the second account must not exist afterwards.
	_, err = client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		put("ACCOUNT#2", "ACCOUNT", "Zoé Martin"),
		put("LOGIN#zoe.martin", "LOGIN", "account-2"),
	}})
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		t.Fatalf("second TransactWriteItems error = %v, want a TransactionCanceledException", err)
	}
	var codes []string
	for _, r := range canceled.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	if got, want := strings.Join(codes, ","), "None,ConditionalCheckFailed"; got != want {
		t.Errorf("cancellation reasons = %s, want %s", got, want)
	}

	if got, ok := getName(t, client, name, "LOGIN#zoe.martin", "LOGIN"); !ok || got != "account-1" {
		t.Errorf("login owner = %q (found %v), want account-1", got, ok)
	}
	if got, ok := getName(t, client, name, "ACCOUNT#2", "ACCOUNT"); ok {
		t.Errorf("ACCOUNT#2 exists with name %q, want no item: the failed transaction wrote part of itself", got)
	}
}

func TestNewTable_TablesAreSeparate(t *testing.T) {
	clientA, nameA := NewTable(t)
	_, nameB := NewTable(t)
	if nameA == nameB {
		t.Fatalf("two NewTable calls returned the same name %q", nameA)
	}

	_, err := clientA.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(nameA),
		Item:      item("P", "S", map[string]types.AttributeValue{"name": &types.AttributeValueMemberS{Value: "a"}}),
	})
	if err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	if got, ok := getName(t, clientA, nameB, "P", "S"); ok {
		t.Errorf("table %s holds %q written to %s", nameB, got, nameA)
	}
}

func TestNewTable_DeletedAfterTest(t *testing.T) {
	var name string
	var client *dynamodb.Client
	t.Run("inner", func(t *testing.T) {
		client, name = NewTable(t)
	})
	if name == "" {
		t.Skip("the inner test was skipped")
	}

	_, err := client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeTable(%s) after its test error = %v, want ResourceNotFoundException", name, err)
	}
}

func TestTableName(t *testing.T) {
	tests := []struct {
		name     string
		testName string
		contains string
	}{
		{"plain", "TestStore", "-TestStore"},
		{"subtest", "TestStore/guardian with two children", "-TestStore_guardian_with_two_children"},
		{"accents", "TestImport/Zoë", "-TestImport_Zo_"},
		{"long", strings.Repeat("x", 400), "-xxxx"},
	}
	valid := func(s string) bool {
		return len(s) >= 3 && len(s) <= 255 && !unsafeTableChars.MatchString(s)
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tableName(tt.testName)
			if !valid(got) {
				t.Errorf("tableName(%q) = %q (%d bytes), want 3 to 255 of [a-zA-Z0-9_.-]", tt.testName, got, len(got))
			}
			if !strings.Contains(got, tt.contains) {
				t.Errorf("tableName(%q) = %q, want it to contain %q", tt.testName, got, tt.contains)
			}
			if seen[got] {
				t.Errorf("tableName(%q) = %q, returned before", tt.testName, got)
			}
			seen[got] = true
		})
	}
}

// TestServer_ListensOnLoopbackOnly checks that the DynamoDB Local this
// package starts cannot be reached through the machine's other addresses.
func TestServer_ListensOnLoopbackOnly(t *testing.T) {
	Endpoint(t)
	if server == nil {
		t.Skip("the tests use " + EnvEndpoint + ", not a DynamoDB Local of their own")
	}
	dir, err := dynamolocal.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if !dynamolocal.LoopbackLauncher(dir) {
		if os.Getenv("CI") == "true" {
			t.Fatal("the loopback launcher is not compiled: install a JDK and run `make tools`")
		}
		t.Skip("the loopback launcher is not compiled (no JDK when `make tools` ran)")
	}

	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatalf("list interface addresses: %v", err)
	}
	checked := 0
	for _, a := range addrs {
		ipNet, ok := a.(*net.IPNet)
		if !ok || ipNet.IP.IsLoopback() || ipNet.IP.IsLinkLocalUnicast() {
			continue
		}
		addr := net.JoinHostPort(ipNet.IP.String(), strconv.Itoa(server.port))
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			conn.Close()
			t.Errorf("DynamoDB Local accepts connections on %s, want 127.0.0.1 only", addr)
		}
		checked++
	}
	if checked == 0 {
		t.Skip("this machine has no non-loopback address to check")
	}
}
