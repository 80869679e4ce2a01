package relay

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline"
)

// ContentType is the media type of an encoded [CloudEvent]: the
// CloudEvents 1.0 JSON format in structured mode.
const ContentType = "application/cloudevents+json"

// DefaultSource is the CloudEvents source of a relay whose Config names
// none.
const DefaultSource = "lifeline"

// CloudEvent is an outbox event in the CloudEvents 1.0 JSON format, which
// receivers in any language read without lifeline's code. Type is the
// event's kind (such as "recording.delete-audio"), Subject the id it is
// about, and Data a JSON object of ids and non-personal values only:
// "company_id", "subject_id" and the fields [Catalog] lists for the type.
// CompanyID is the extension attribute "companyid", the company the event
// belongs to, for routing. ID is the outbox event's id, unchanged on every
// redelivery: receivers deduplicate on it.
type CloudEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            time.Time       `json:"time"`
	Subject         string          `json:"subject,omitempty"`
	DataContentType string          `json:"datacontenttype"`
	CompanyID       string          `json:"companyid"`
	Data            json.RawMessage `json:"data"`
}

// Envelope wraps an outbox event in a [CloudEvent] with the given source.
// It fails only on a payload that is not a JSON object of strings, which
// lifeline never writes.
func Envelope(source string, e lifeline.OutboxEvent) (*CloudEvent, error) {
	data := map[string]string{}
	if e.Payload != "" {
		if err := json.Unmarshal([]byte(e.Payload), &data); err != nil {
			return nil, fmt.Errorf("relay: the payload of event %s is not a JSON object of strings: %w", e.ID, err)
		}
	}
	data["company_id"] = e.CompanyID
	data["subject_id"] = e.SubjectID
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return &CloudEvent{
		SpecVersion: "1.0", ID: e.ID, Source: source, Type: e.Kind, Time: e.CreatedAt.UTC(),
		Subject: e.SubjectID, DataContentType: "application/json", CompanyID: e.CompanyID, Data: raw,
	}, nil
}

// JSON returns the event in the CloudEvents JSON format ([ContentType]).
func (c *CloudEvent) JSON() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		// Every field is a string, a time or JSON already checked.
		panic("relay: encoding a CloudEvent: " + err.Error())
	}
	return b
}

// EventType documents one outbox event type: what it asks of the host and
// which ids its data carries.
type EventType struct {
	// Type is the CloudEvents type, the outbox event's kind.
	Type string
	// Subject says what the CloudEvents subject (and data's subject_id)
	// holds.
	Subject string
	// Data lists the data fields beyond company_id and subject_id.
	Data []string
	// Action is what the host does on receiving it.
	Action string
}

// catalog is every event type lifeline writes; a test checks it against
// the kinds the facade declares and the payload fields it writes.
var catalog = []EventType{
	{Type: lifeline.EventDeleteAudio, Subject: "the recording's id", Data: []string{"owner_id"},
		Action: "Delete the recording's audio from the host's storage."},
	{Type: lifeline.EventNumberReleased, Subject: "the number, in E.164", Data: []string{"office_id"},
		Action: "Release the number at the carrier."},
	{Type: lifeline.EventWelcomeEmail, Subject: "the user's id",
		Action: "Send the welcome email; read the address with GetUser when sending."},
	{Type: lifeline.EventInvitationEmail, Subject: "the user's id",
		Action: "Send the invitation email; read the address with GetUser when sending."},
	{Type: lifeline.EventPasswordResetEmail, Subject: "the user's id",
		Action: "Send the password reset email; read the address with GetUser when sending."},
	{Type: lifeline.EventUserAnonymized, Subject: "the user's id",
		Action: "Erase what the host keeps of the user."},
}

// Catalog returns every event type lifeline writes, in a fixed order.
func Catalog() []EventType {
	out := slices.Clone(catalog)
	for i := range out {
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}

// CatalogMarkdown renders [Catalog] as the Markdown table the package's
// documentation shows.
func CatalogMarkdown() string {
	var b strings.Builder
	b.WriteString("| type | subject | data | host action |\n|---|---|---|---|\n")
	for _, t := range catalog {
		fields := []string{"`company_id`", "`subject_id`"}
		for _, f := range t.Data {
			fields = append(fields, "`"+f+"`")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", t.Type, t.Subject, strings.Join(fields, ", "), t.Action)
	}
	return b.String()
}
