package relay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline/errs"
)

// Endpoint is the URL one company's events are posted to, and the secrets
// that sign them.
type Endpoint struct {
	// URL is an http or https URL.
	URL string
	// Secrets sign every request, each "whsec_" followed by the base64 of
	// a 24 to 64 byte key (NewSecret makes one). During a rotation give
	// two, the new and the old: each request then carries a signature by
	// each, so the receiver accepts it with either.
	Secrets []string
}

// WebhookConfig configures [Webhooks].
type WebhookConfig struct {
	// Endpoints maps a company id to its endpoint. A company with none
	// has nobody to tell: its events are acknowledged without a request.
	Endpoints map[string]Endpoint
	// Timeout bounds one request, from dialing to the end of the answer.
	// Default 10s.
	Timeout time.Duration
	// AllowPrivate lets requests go to loopback, private, link-local and
	// other non-public addresses. Leave it off in production: an endpoint
	// URL is supplied by a tenant and must not reach the host's own
	// network (server-side request forgery). Tests and development turn
	// it on.
	AllowPrivate bool
	// Clock gives the webhook-timestamp. Default: the real clock.
	Clock clock.Clock
}

// Webhooks is a Sink that posts each event to its company's endpoint per
// the Standard Webhooks specification: the body is the CloudEvents JSON,
// and the headers webhook-id (the event id, the same on every
// redelivery), webhook-timestamp (Unix seconds) and webhook-signature
// ("v1,<base64 HMAC-SHA256 of id.timestamp.body>", one per secret,
// separated by spaces) let the receiver check it with [Verify].
//
// A 2xx answer is a delivery. 410 Gone disables the endpoint until the
// process restarts: the event, and every later one of that company, is
// parked dead with the reason. Any other answer, a timeout or a network
// error is retried by the relay with its backoff, up to its MaxAttempts.
// Redirects are not followed.
//
// The dialer checks every address a request connects to, after name
// resolution: unless AllowPrivate is set, loopback, private, link-local,
// unspecified, multicast and shared (100.64.0.0/10) addresses are refused
// before anything is sent, and the event is parked dead with the reason.
// Proxies from the environment are not used, as they would connect in the
// dialer's place.
//
// Endpoints come from the host's configuration in this version. An audited
// operation registering a company's endpoints, kept in a store table, is
// left for a later change.
type Webhooks struct {
	cfg    WebhookConfig
	client *http.Client

	mu       sync.Mutex
	disabled map[string]string
}

// NewWebhooks checks cfg's endpoints and secrets and returns the sink.
func NewWebhooks(cfg WebhookConfig) (*Webhooks, error) {
	const op = "relay.NewWebhooks"
	for company, ep := range cfg.Endpoints {
		u, err := url.Parse(ep.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errs.E(errs.Invalid, op, "the webhook endpoint of company %.40q must be an http or https URL", company)
		}
		if len(ep.Secrets) == 0 {
			return nil, errs.E(errs.Invalid, op, "the webhook endpoint of company %.40q has no signing secret", company)
		}
		for _, s := range ep.Secrets {
			if _, err := secretKey(s); err != nil {
				return nil, errs.E(errs.Invalid, op, "a signing secret of company %.40q: %v", company, err)
			}
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Timeout < 0 {
		return nil, errs.E(errs.Invalid, op, "the request timeout must be positive")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.New()
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	if !cfg.AllowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	client := &http.Client{
		Transport:     transport,
		Timeout:       cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Webhooks{cfg: cfg, client: client, disabled: map[string]string{}}, nil
}

// Disabled returns the companies whose endpoint answered 410 Gone, with
// the reason.
func (w *Webhooks) Disabled() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]string, len(w.disabled))
	for k, v := range w.disabled {
		out[k] = v
	}
	return out
}

// Deliver implements Sink.
func (w *Webhooks) Deliver(ctx context.Context, e *CloudEvent) error {
	ep, ok := w.cfg.Endpoints[e.CompanyID]
	if !ok {
		return nil
	}
	w.mu.Lock()
	reason, off := w.disabled[e.CompanyID]
	w.mu.Unlock()
	if off {
		return Permanent(errors.New(reason))
	}
	body := e.JSON()
	ts := w.cfg.Clock.Now()
	sig, err := Sign(ep.Secrets, e.ID, ts, body)
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("the webhook endpoint URL cannot be requested: %w", err))
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("webhook-id", e.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.client.Do(req)
	if err != nil {
		var refused *refusedError
		if errors.As(err, &refused) {
			return Permanent(refused)
		}
		return fmt.Errorf("the webhook request failed: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusGone:
		reason := "the webhook endpoint answered 410 Gone: it is disabled"
		w.mu.Lock()
		w.disabled[e.CompanyID] = reason
		w.mu.Unlock()
		return Permanent(errors.New(reason))
	}
	return fmt.Errorf("the webhook endpoint answered %d", resp.StatusCode)
}

// refusedError is a dial to an address the host did not allow.
type refusedError struct{ addr netip.Addr }

func (r *refusedError) Error() string {
	return fmt.Sprintf("the webhook endpoint resolves to %s, a non-public address, and the host does not allow those", r.addr)
}

// shared is 100.64.0.0/10, carrier-grade NAT space: not public, yet not
// what netip calls private.
var shared = netip.MustParsePrefix("100.64.0.0/10")

// refusePrivate is a net.Dialer Control function: it runs once the name is
// resolved, on the very address about to be connected, so a name that
// resolves to a private address (or changes its answer between a check
// and the dial) is refused too.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || shared.Contains(ip) ||
		(ip.Is4() && ip.As4()[0] == 0) {
		return &refusedError{ip}
	}
	return nil
}

// NewSecret returns a new signing secret: "whsec_" and the base64 of 32
// random bytes.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

// secretKey decodes a "whsec_" secret into its HMAC key.
func secretKey(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return nil, errors.New(`a signing secret starts with "whsec_"`)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New(`a signing secret is "whsec_" followed by base64`)
	}
	if len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("a signing secret's key must be 24 to 64 bytes, not %d", len(key))
	}
	return key, nil
}

func signature(key []byte, id string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, ts)
	m.Write(body)
	return m.Sum(nil)
}

// Sign returns the webhook-signature header of a request: one
// "v1,<base64>" entry per secret, in order, separated by spaces.
func Sign(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	var out []string
	for _, s := range secrets {
		key, err := secretKey(s)
		if err != nil {
			return "", err
		}
		out = append(out, "v1,"+base64.StdEncoding.EncodeToString(signature(key, id, ts.Unix(), body)))
	}
	return strings.Join(out, " "), nil
}

// ErrUnverified is what [Verify] returns, wrapped with the reason, for a
// request that is not proved to come from the sender.
var ErrUnverified = errors.New("webhook not verified")

// DefaultTolerance is how far a request's webhook-timestamp may be from
// the receiver's clock, either way: the Standard Webhooks recommendation.
const DefaultTolerance = 5 * time.Minute

// Verify checks a received webhook: its headers webhook-id,
// webhook-timestamp and webhook-signature against the raw body, as it
// arrived. It accepts the request when its timestamp is within tolerance
// of now and one of its "v1" signatures is that of one of secrets (give
// the old and the new during a rotation); comparisons are constant-time.
// A receiver answers 401 when Verify fails, and deduplicates accepted
// requests on webhook-id.
func Verify(secrets []string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, tsText, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || tsText == "" || sigs == "" {
		return fmt.Errorf("%w: a webhook-id, webhook-timestamp or webhook-signature header is missing", ErrUnverified)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: webhook-timestamp is not a number of seconds", ErrUnverified)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: webhook-timestamp is more than %s away from now", ErrUnverified, tolerance)
	}
	for _, s := range secrets {
		key, err := secretKey(s)
		if err != nil {
			return err
		}
		want := signature(key, id, ts, body)
		for _, entry := range strings.Fields(sigs) {
			b64, ok := strings.CutPrefix(entry, "v1,")
			if !ok {
				continue
			}
			got, err := base64.StdEncoding.DecodeString(b64)
			if err == nil && subtle.ConstantTimeCompare(got, want) == 1 {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: no signature matches a secret", ErrUnverified)
}
