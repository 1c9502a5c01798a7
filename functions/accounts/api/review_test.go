package api

import (
	"net/http"
	"testing"
)

// TestEmail_AddressSESCannotSendToIs400 gives addresses that the form
// check accepts but that SES rejects: SES does not support SMTPUTF8
// (RFC 6531), so a recipient address must be 7-bit ASCII, with a Unicode
// domain in Punycode (SES API reference, Destination). When the API
// accepts one, it returns 202 « message sent », but the verification mail
// can only fail five times and wait in the dead-letter queue.
func TestEmail_AddressSESCannotSendToIs400(t *testing.T) {
	e := newEnv(t)
	e.verifiedGuardian()
	bearer := e.guardian()
	for _, address := range []string{"élise.dupont@example.fr", "marie@exämple.fr"} {
		t.Run(address, func(t *testing.T) {
			w := e.do(http.MethodPut, "/v1/accounts/me/email", bearer, emailRequest{Email: address}, nil)
			if w.Code != http.StatusBadRequest {
				t.Errorf("status = %d, want 400; body: %s", w.Code, w.Body.String())
			}
			for _, m := range e.mails() {
				t.Errorf("mail %s queued to an address SES rejects", m.Key)
			}
		})
	}
}
