package stack

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// FeedbackEvents are the SES events that the configuration set publishes
// to the mail feedback topic. Deliveries, opens and clicks are left out:
// each published event is an SNS message and a Lambda invocation to pay
// for, and the mailfeedback function acts on bounces and complaints only.
var FeedbackEvents = []string{"BOUNCE", "COMPLAINT"}

// mailSettings are the checked mail props.
type mailSettings struct {
	domain         string // SES identity, lowercase
	from           string // From header
	mailFromDomain string // custom MAIL FROM domain, "" for SES's own
}

// checkMailProps returns the mail settings of props, or an error that
// names the invalid prop.
func checkMailProps(props *CartableStackProps) (mailSettings, error) {
	if props.MailDomain == "" {
		return mailSettings{}, errors.New("MailDomain is required: the domain that mails are sent from, such as ent.example.fr")
	}
	domain := strings.ToLower(props.MailDomain)
	if !validDomain(domain) {
		return mailSettings{}, fmt.Errorf("invalid MailDomain %q, want a domain name such as ent.example.fr", props.MailDomain)
	}
	s := mailSettings{domain: domain, from: props.MailFrom}
	if s.from == "" {
		s.from = "Cartable <notifications@" + domain + ">"
	}
	addr, err := mail.ParseAddress(s.from)
	if err != nil {
		return mailSettings{}, fmt.Errorf("invalid MailFrom %q, want an address such as \"Cartable <notifications@%s>\": %w", s.from, domain, err)
	}
	if _, host, _ := strings.Cut(addr.Address, "@"); strings.ToLower(host) != domain {
		return mailSettings{}, fmt.Errorf("invalid MailFrom %q: its address must be in MailDomain %s", s.from, domain)
	}
	if props.MailFromDomain != "" {
		s.mailFromDomain = strings.ToLower(props.MailFromDomain)
		if !validDomain(s.mailFromDomain) || !strings.HasSuffix(s.mailFromDomain, "."+domain) {
			return mailSettings{}, fmt.Errorf("invalid MailFromDomain %q, want a subdomain of %s such as bounce.%s", props.MailFromDomain, domain, domain)
		}
	}
	if props.AlarmEmail != "" {
		if _, err := mail.ParseAddress(props.AlarmEmail); err != nil || strings.ContainsAny(props.AlarmEmail, "<>") {
			return mailSettings{}, fmt.Errorf("invalid AlarmEmail %q, want a bare address such as ops@example.fr", props.AlarmEmail)
		}
	}
	return s, nil
}

// validDomain reports whether name is a lowercase DNS name of at least two
// labels, each of 1 to 63 letters, digits or inner hyphens.
func validDomain(name string) bool {
	if len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// mailSending holds the SES resources and the feedback topic that the
// sendmail and mailfeedback functions use.
type mailSending struct {
	configurationSet awsses.ConfigurationSet
	identity         awsses.EmailIdentity
	feedback         awssns.Topic // bounces and complaints, published by SES
	// configurationSetARN is the configuration set's ARN, which SendEmail
	// authorizes against along with the identity's.
	configurationSetARN *string
}

// newMailSending defines the SES configuration set, the domain identity
// and the topic that receives bounces and complaints.
//
// The configuration set publishes reputation metrics (bounce and complaint
// rates) to CloudWatch, and adds the addresses that bounce or complain to
// the account's suppression list, so that SES stops sending to them even
// before the mailfeedback function marks the account.
//
// The identity signs with Easy DKIM (RSA 2048-bit). Its three CNAME records
// must be published in the domain's DNS before SES verifies it: the stack
// outputs them (docs/email.md).
func newMailSending(scope awscdk.Stack, settings mailSettings, key awskms.IKey) mailSending {
	configurationSet := awsses.NewConfigurationSet(scope, jsii.String("MailConfigurationSet"), &awsses.ConfigurationSetProps{
		ReputationMetrics:  jsii.Bool(true),
		SendingEnabled:     jsii.Bool(true),
		SuppressionReasons: awsses.SuppressionReasons_BOUNCES_AND_COMPLAINTS,
	})
	configurationSetARN := scope.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ses"),
		Resource:     jsii.String("configuration-set"),
		ResourceName: configurationSet.ConfigurationSetName(),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})

	identityProps := &awsses.EmailIdentityProps{
		Identity:         awsses.Identity_Domain(jsii.String(settings.domain)),
		ConfigurationSet: configurationSet,
		DkimSigning:      jsii.Bool(true),
		DkimIdentity:     awsses.DkimIdentity_EasyDkim(awsses.EasyDkimSigningKeyLength_RSA_2048_BIT),
		// Bounces and complaints reach the feedback topic; SES need not
		// also mail them to the sender's address.
		FeedbackForwarding: jsii.Bool(false),
	}
	if settings.mailFromDomain != "" {
		identityProps.MailFromDomain = jsii.String(settings.mailFromDomain)
		// Until the MX record exists, SES sends with its own MAIL FROM
		// domain rather than rejecting the mail.
		identityProps.MailFromBehaviorOnMxFailure = awsses.MailFromBehaviorOnMxFailure_USE_DEFAULT_VALUE
	}
	identity := awsses.NewEmailIdentity(scope, jsii.String("MailIdentity"), identityProps)

	feedback := awssns.NewTopic(scope, jsii.String("MailFeedbackTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Cartable mail bounces and complaints"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// SES publishes for this configuration set of this account only.
	feedback.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("PublishMailFeedback"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("ses.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*feedback.TopicArn()),
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{
				"aws:SourceAccount": scope.Account(),
				"aws:SourceArn":     configurationSetARN,
			},
		},
	}))

	events := make([]awsses.EmailSendingEvent, len(FeedbackEvents))
	for i, e := range FeedbackEvents {
		events[i] = awsses.EmailSendingEvent(e)
	}
	destination := configurationSet.AddEventDestination(jsii.String("MailFeedbackDestination"), &awsses.ConfigurationSetEventDestinationOptions{
		Destination: awsses.EventDestination_SnsTopic(feedback),
		Events:      &events,
		Enabled:     jsii.Bool(true),
	})
	// SES checks that it may publish when the destination is created: wait
	// for the topic's policy (a child of the topic) and the key's.
	destination.Node().AddDependency(feedback, key)

	return mailSending{
		configurationSet:    configurationSet,
		identity:            identity,
		feedback:            feedback,
		configurationSetARN: configurationSetARN,
	}
}

// addMailOutputs outputs the DNS records that the identity needs, and the
// configuration set's name.
func addMailOutputs(scope awscdk.Stack, m mailSending) {
	for i, r := range *m.identity.DkimRecords() {
		awscdk.NewCfnOutput(scope, jsii.String(fmt.Sprintf("MailDKIMRecord%d", i+1)), &awscdk.CfnOutputProps{
			Description: jsii.String("Easy DKIM CNAME record to publish in the mail domain's DNS: name, then value"),
			Value:       awscdk.Fn_Join(jsii.String(" CNAME "), &[]*string{r.Name, r.Value}),
		})
	}
	awscdk.NewCfnOutput(scope, jsii.String("MailConfigurationSetName"), &awscdk.CfnOutputProps{
		Description: jsii.String("SES configuration set of every mail (" + EnvSESConfigurationSet + ")"),
		Value:       m.configurationSet.ConfigurationSetName(),
	})
}
