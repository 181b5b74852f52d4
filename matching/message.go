package matching

import (
	"strings"
	"unicode/utf8"
)

// The subjects a message may be about.
const (
	SubjectBooking     = "booking"
	SubjectPartnership = "partnership"
)

// MaxAuthorNameLength bounds the name a message is signed with, in
// characters.
const MaxAuthorNameLength = 200

// NormaliseMessageBody trims a message's body and checks it: UTF-8 text
// without NUL characters, from 1 to MaxMessageLength characters once
// trimmed. Problems are added to ve under field.
func NormaliseMessageBody(ve *ValidationError, field, body string) string {
	body = strings.TrimSpace(body)
	n := utf8.RuneCountInString(body)
	switch {
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		ve.Add(field, "must be text without NUL characters")
	case n == 0:
		ve.Add(field, "must not be empty")
	case n > MaxMessageLength:
		ve.Add(field, "must be at most %d characters (got %d)", MaxMessageLength, n)
	}
	return body
}

// Validate checks a message before it is posted: a known subject, an
// author organisation, and a body NormaliseMessageBody accepts unchanged.
// It returns a *ValidationError.
func (m *Message) Validate() error {
	ve := &ValidationError{}
	if m.SubjectType != SubjectBooking && m.SubjectType != SubjectPartnership {
		ve.Add("subject_type", "must be %s or %s", SubjectBooking, SubjectPartnership)
	}
	if m.SubjectID == "" {
		ve.Add("subject_id", "is required")
	}
	if m.OrganisationID == "" {
		ve.Add("organisation_id", "is required")
	}
	if b := NormaliseMessageBody(ve, "body", m.Body); b != m.Body && len(ve.Errors) == 0 {
		ve.Add("body", "must not begin or end with white space")
	}
	if utf8.RuneCountInString(m.AuthorName) > MaxAuthorNameLength || strings.ContainsRune(m.AuthorName, 0) {
		ve.Add("author_name", "must be at most %d characters, without NUL", MaxAuthorNameLength)
	}
	return ve.Err()
}
