// Command infra is Cartable's CDK app. The CDK command-line tool runs it
// from the repository root with "go run ./infra", as set in cdk.json. It
// synthesizes the Cartable stack and checks it with cdk-nag's AWS Solutions
// rules.
//
// Context keys, unset in cdk.json, for -c key=value on the command line:
//
//	region     AWS region to deploy to; default eu-west-3 (Paris), so the
//	           data stays in the EU. The CARTABLE_REGION environment
//	           variable also sets it; the context key wins.
//	distDir    folder of the functions' zip files, relative to the working
//	           directory; default dist (written by make build).
//	serviceURL public https URL of the service, printed on activation
//	           letters and linked from mails; default the HTTP API's URL.
//	mailDomain domain that mails are sent from, such as ent.example.fr;
//	           required. The stack creates its SES identity.
//	mailFrom   From header of the mails; default
//	           "Cartable <notifications@<mailDomain>>".
//	mailFromDomain
//	           custom MAIL FROM domain, a subdomain of mailDomain such as
//	           bounce.ent.example.fr; default none (SES's own).
//	sesSendRate
//	           the account's SES maximum send rate, in mails per second;
//	           default 14.
//	alarmEmail address that the alarms are mailed to; default none.
//
// The account is the one of the caller's credentials (CDK_DEFAULT_ACCOUNT,
// set by the CDK command-line tool); without credentials the stack is
// synthesized for any account.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/cartable-ent/cartable/infra/stack"
)

// DefaultRegion is the region the stack deploys to when neither the region
// context key nor CARTABLE_REGION sets one.
const DefaultRegion = "eu-west-3"

// StackID is the stack's construct id and CloudFormation name.
const StackID = "Cartable"

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func run() error {
	app := awscdk.NewApp(nil)

	// The CDK command-line tool always sets CDK_DEFAULT_REGION, to the
	// profile's region or else us-east-1, so it cannot tell an explicit
	// choice from no choice: the region comes from the context or from
	// CARTABLE_REGION instead.
	region := contextString(app, "region", os.Getenv("CARTABLE_REGION"))
	if region == "" {
		region = DefaultRegion
	}
	distDir := contextString(app, "distDir", "dist")
	if err := checkAssets(distDir); err != nil {
		return err
	}

	mailDomain := contextString(app, "mailDomain", "")
	if mailDomain == "" {
		return errors.New("mailDomain is not set: pass the domain that mails are sent from, as in -c mailDomain=ent.example.fr (see docs/email.md)")
	}
	sesSendRate, err := contextFloat(app, "sesSendRate")
	if err != nil {
		return err
	}

	var account *string
	if a := os.Getenv("CDK_DEFAULT_ACCOUNT"); a != "" {
		account = jsii.String(a)
	}

	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		Verbose: jsii.Bool(true),
		Reports: jsii.Bool(true),
	}), nil)

	_, err = stack.NewCartableStack(app, StackID, &stack.CartableStackProps{
		StackProps: awscdk.StackProps{
			Env:         &awscdk.Environment{Account: account, Region: jsii.String(region)},
			Description: jsii.String("Cartable: serverless backend of a school ENT"),
		},
		AssetDir:       distDir,
		ServiceURL:     contextString(app, "serviceURL", ""),
		MailDomain:     mailDomain,
		MailFrom:       contextString(app, "mailFrom", ""),
		MailFromDomain: contextString(app, "mailFromDomain", ""),
		SESSendRate:    sesSendRate,
		AlarmEmail:     contextString(app, "alarmEmail", ""),
	})
	if err != nil {
		return err
	}

	app.Synth(nil)
	return nil
}

// contextString returns the string value of the context key, or def when
// the key is unset or empty.
func contextString(app awscdk.App, key, def string) string {
	v, ok := app.Node().TryGetContext(jsii.String(key)).(string)
	if !ok || v == "" {
		return def
	}
	return v
}

// contextFloat returns the number of the context key, 0 when it is unset.
// The value is a string when it comes from -c key=value, a number when it
// comes from cdk.json.
func contextFloat(app awscdk.App, key string) (float64, error) {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case nil:
		return 0, nil
	case float64:
		return v, nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			return 0, fmt.Errorf("invalid %s %q, want a positive number such as 14", key, v)
		}
		return f, nil
	default:
		return 0, fmt.Errorf("invalid %s %v, want a positive number such as 14", key, v)
	}
}

// checkAssets returns an error that names a missing zip file in dir and the
// make target that builds it. CDK would only report "no such file".
func checkAssets(dir string) error {
	for _, fn := range stack.Functions {
		path := stack.AssetPath(dir, fn)
		_, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("function package %s not found: run make build first", path)
		}
		if err != nil {
			return fmt.Errorf("check function package: %w", err)
		}
	}
	return nil
}
