package awsconfig

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestSES_Endpoint(t *testing.T) {
	tests := []struct {
		name, env, want string
	}{
		{"local stand-in", "http://127.0.0.1:8005", "http://127.0.0.1:8005"},
		{"AWS", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvSESEndpoint, tt.env)
			client := SES(aws.Config{Region: DefaultRegion})
			if got := aws.ToString(client.Options().BaseEndpoint); got != tt.want {
				t.Errorf("BaseEndpoint = %q, want %q", got, tt.want)
			}
		})
	}
}
