package sestest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

func TestMails_ReturnsWhatWasSent(t *testing.T) {
	client := Client(t)
	Clear(t)
	ctx := context.Background()

	out, err := client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("Cartable <ne-pas-repondre@cartable.example.fr>"),
		Destination:      &types.Destination{ToAddresses: []string{"łukasz@example.fr"}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String("Résumé du jour pour Łukasz"), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String("Bonjour,\nÀ bientôt."), Charset: aws.String("UTF-8")},
				Html: &types.Content{Data: aws.String("<p>Bonjour,</p>"), Charset: aws.String("UTF-8")},
			},
			Headers: []types.MessageHeader{{Name: aws.String("List-Unsubscribe"), Value: aws.String("<https://cartable.example.fr/u>")}},
		}},
	})
	if err != nil {
		t.Fatalf("SendEmail: %v", err)
	}

	mails := Mails(t)
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want 1: %+v", len(mails), mails)
	}
	m := mails[0]
	checks := []struct{ name, got, want string }{
		{"message id", m.MessageID, aws.ToString(out.MessageId)},
		{"subject", m.Subject, "Résumé du jour pour Łukasz"},
		{"text", m.Body.Text, "Bonjour,\nÀ bientôt."},
		{"HTML", m.Body.HTML, "<p>Bonjour,</p>"},
		{"header, any case", m.Header("list-unsubscribe"), "<https://cartable.example.fr/u>"},
		{"missing header", m.Header("List-Unsubscribe-Post"), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !slices.Equal(m.Destination.To, []string{"łukasz@example.fr"}) {
		t.Errorf("to = %q, want [łukasz@example.fr]", m.Destination.To)
	}

	Clear(t)
	if mails := Mails(t); len(mails) != 0 {
		t.Errorf("after Clear, got %d mails, want 0", len(mails))
	}
}

func TestStandIn_StopsWhenStandardInputCloses(t *testing.T) {
	Endpoint(t) // skips or fails as the other tests when not installed
	cli, err := entryPoint()
	if err != nil {
		t.Fatal(err)
	}
	p, err := startOnPort(cli)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })

	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the stand-in still runs 30 s after its standard input closed")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
}
