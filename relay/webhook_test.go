package relay_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline/relay"
)

// The Standard Webhooks specification's published test vector.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func vectorHeaders(sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", sig)
	return h
}

func TestSignAndVerifyVector(t *testing.T) {
	at := time.Unix(vectorTimestamp, 0)
	got, err := relay.Sign([]string{vectorSecret}, vectorID, at, []byte(vectorBody))
	if err != nil || got != vectorSignature {
		t.Fatalf("Sign = %q, %v; want %q", got, err, vectorSignature)
	}
	other := relay.NewSecret()
	both, err := relay.Sign([]string{other, vectorSecret}, vectorID, at, []byte(vectorBody))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		secrets []string
		sig     string
		body    string
		now     time.Time
		ok      bool
	}{
		{"the vector", []string{vectorSecret}, vectorSignature, vectorBody, at, true},
		{"two signatures, the receiver knows the second secret", []string{vectorSecret}, both, vectorBody, at, true},
		{"the receiver knows the old and the new secret", []string{other, vectorSecret}, vectorSignature, vectorBody, at, true},
		{"4m59s late", []string{vectorSecret}, vectorSignature, vectorBody, at.Add(4*time.Minute + 59*time.Second), true},
		{"a changed body", []string{vectorSecret}, vectorSignature, `{"test": 2432232315}`, at, false},
		{"another secret", []string{other}, vectorSignature, vectorBody, at, false},
		{"5m1s late", []string{vectorSecret}, vectorSignature, vectorBody, at.Add(5*time.Minute + time.Second), false},
		{"5m1s early", []string{vectorSecret}, vectorSignature, vectorBody, at.Add(-5*time.Minute - time.Second), false},
		{"a v2 signature", []string{vectorSecret}, strings.Replace(vectorSignature, "v1,", "v2,", 1), vectorBody, at, false},
	} {
		err := relay.Verify(c.secrets, vectorHeaders(c.sig), []byte(c.body), c.now, relay.DefaultTolerance)
		if c.ok && err != nil {
			t.Errorf("%s: Verify = %v, want success", c.name, err)
		}
		if !c.ok && !errors.Is(err, relay.ErrUnverified) {
			t.Errorf("%s: Verify = %v, want ErrUnverified", c.name, err)
		}
	}
}

// receiver is a webhook endpoint answering with codes in turn (the last
// one for good), verifying every request with its one secret.
type receiver struct {
	t      *testing.T
	clk    clock.Clock
	secret string
	codes  []int
	delay  time.Duration

	mu       sync.Mutex
	ids      []string
	verified []bool
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(rc.delay)
	body, _ := io.ReadAll(r.Body)
	err := relay.Verify([]string{rc.secret}, r.Header, body, rc.clk.Now(), relay.DefaultTolerance)
	rc.mu.Lock()
	n := len(rc.ids)
	rc.ids = append(rc.ids, r.Header.Get("webhook-id"))
	rc.verified = append(rc.verified, err == nil)
	rc.mu.Unlock()
	w.WriteHeader(rc.codes[min(n, len(rc.codes)-1)])
}

func (rc *receiver) requests() ([]string, []bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.ids...), append([]bool(nil), rc.verified...)
}

// TestWebhookRetriedUntil200 answers 500 twice, then 200: the event is
// posted three times with its id and a valid signature each time, then
// acknowledged. The endpoint is in rotation (two secrets) and the
// receiver knows only the new one.
func TestWebhookRetriedUntil200(t *testing.T) {
	mock := clock.NewMock()
	mock.Set(time.Now())
	svc, st := newSQLite(t, mock)
	oldSecret, newSecret := relay.NewSecret(), relay.NewSecret()
	rc := &receiver{t: t, clk: mock, secret: newSecret, codes: []int{500, 500, 200}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sink, err := relay.NewWebhooks(relay.WebhookConfig{AllowPrivate: true, Clock: mock,
		Endpoints: map[string]relay.Endpoint{"cmp_a": {URL: srv.URL, Secrets: []string{newSecret, oldSecret}}}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRelay(t, relay.Config{Service: svc, Sink: sink, Clock: mock})
	e := event("cmp_a", 1)
	appendEvents(t, st, e)
	for range 5 {
		runOnce(t, r)
		mock.Add(time.Hour)
	}
	ids, verified := rc.requests()
	if want := []string{e.ID, e.ID, e.ID}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("webhook-id of the requests = %q, want %q", ids, want)
	}
	for i, ok := range verified {
		if !ok {
			t.Errorf("request %d did not verify", i+1)
		}
	}
	if s := r.Stats(); s.Delivered != 1 || s.Retried != 2 || s.Dead != 0 {
		t.Errorf("stats %+v, want 2 retried, then 1 delivered", s)
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events pending, want 0", n)
	}
}

// TestWebhook410Disables answers 410 Gone: the event is parked dead with
// the reason, and the company's next event is parked without a request.
func TestWebhook410Disables(t *testing.T) {
	svc, st := newSQLite(t, nil)
	secret := relay.NewSecret()
	rc := &receiver{t: t, clk: clock.New(), secret: secret, codes: []int{410}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sink, err := relay.NewWebhooks(relay.WebhookConfig{AllowPrivate: true,
		Endpoints: map[string]relay.Endpoint{"cmp_a": {URL: srv.URL, Secrets: []string{secret}}}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRelay(t, relay.Config{Service: svc, Sink: sink, Concurrency: 1})
	appendEvents(t, st, event("cmp_a", 1), event("cmp_a", 2))
	runOnce(t, r)
	for _, n := range []int{1, 2} {
		dead, ok := deadEvent(t, st, "cmp_a", event("cmp_a", n).ID)
		if !ok || !strings.Contains(dead.LastError, "410 Gone") {
			t.Errorf("event %d: dead %v with reason %q, want dead with a reason naming 410 Gone", n, ok, dead.LastError)
		}
	}
	if ids, _ := rc.requests(); len(ids) != 1 {
		t.Errorf("the endpoint got %d requests, want 1: a disabled endpoint gets none", len(ids))
	}
	if _, ok := sink.Disabled()["cmp_a"]; !ok {
		t.Error("the endpoint is not listed as disabled")
	}
}

// TestWebhookRefusesLoopback posts to 127.0.0.1, and to a name that
// resolves to it, without the host's opt-in: nothing reaches the
// endpoint, and the event is parked dead with the reason.
func TestWebhookRefusesLoopback(t *testing.T) {
	svc, st := newSQLite(t, nil)
	secret := relay.NewSecret()
	rc := &receiver{t: t, clk: clock.New(), secret: secret, codes: []int{200}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	sink, err := relay.NewWebhooks(relay.WebhookConfig{Endpoints: map[string]relay.Endpoint{
		"cmp_a": {URL: srv.URL, Secrets: []string{secret}},
		"cmp_b": {URL: byName, Secrets: []string{secret}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRelay(t, relay.Config{Service: svc, Sink: sink})
	appendEvents(t, st, event("cmp_a", 1), event("cmp_b", 2))
	runOnce(t, r)
	for _, e := range []struct{ company, url string }{{"cmp_a", srv.URL}, {"cmp_b", byName}} {
		dead, ok := deadEvent(t, st, e.company, event(e.company, map[string]int{"cmp_a": 1, "cmp_b": 2}[e.company]).ID)
		if !ok || !strings.Contains(dead.LastError, "non-public address") {
			t.Errorf("event posted to %s: dead %v with reason %q, want dead, refused as a non-public address", e.url, ok, dead.LastError)
		}
	}
	if ids, _ := rc.requests(); len(ids) != 0 {
		t.Errorf("the endpoint got %d requests, want none", len(ids))
	}
}

// TestWebhookTimeout bounds a request: an endpoint slower than the timeout
// is a failure to retry, reported within the timeout.
func TestWebhookTimeout(t *testing.T) {
	secret := relay.NewSecret()
	rc := &receiver{t: t, clk: clock.New(), secret: secret, codes: []int{200}, delay: 500 * time.Millisecond}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sink, err := relay.NewWebhooks(relay.WebhookConfig{AllowPrivate: true, Timeout: 50 * time.Millisecond,
		Endpoints: map[string]relay.Endpoint{"cmp_a": {URL: srv.URL, Secrets: []string{secret}}}})
	if err != nil {
		t.Fatal(err)
	}
	ce, err := relay.Envelope(relay.DefaultSource, event("cmp_a", 1))
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	err = sink.Deliver(bg, ce)
	if took := time.Since(began); err == nil || relay.IsPermanent(err) || took > 400*time.Millisecond {
		t.Errorf("a request to a slow endpoint: %v after %s, want a failure to retry within the 50ms timeout", err, took)
	}
}

// TestNewWebhooksRefusesBadConfig checks the endpoint configuration.
func TestNewWebhooksRefusesBadConfig(t *testing.T) {
	for name, ep := range map[string]relay.Endpoint{
		"a file URL":             {URL: "file:///etc/passwd", Secrets: []string{relay.NewSecret()}},
		"no secret":              {URL: "https://hooks.example/x"},
		"a secret without whsec": {URL: "https://hooks.example/x", Secrets: []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}},
		"a short key":            {URL: "https://hooks.example/x", Secrets: []string{"whsec_c2hvcnQ="}},
	} {
		if _, err := relay.NewWebhooks(relay.WebhookConfig{Endpoints: map[string]relay.Endpoint{"cmp_a": ep}}); err == nil {
			t.Errorf("%s: NewWebhooks accepted it", name)
		}
	}
}
