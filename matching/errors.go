package matching

import (
	"errors"
	"fmt"
	"strings"
)

// The domain errors. Every error the store and the matching code return
// wraps one of these, and the HTTP layer maps each to one status.
var (
	ErrInvalid      = errors.New("invalid input")
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnprocessable is a well-formed request that cannot be carried
	// out as sent: an idempotency key reused with a different body.
	ErrUnprocessable = errors.New("unprocessable")
	// ErrUnavailable is a request that could not be carried out because
	// the database did not answer in time or is gone: worth retrying
	// later.
	ErrUnavailable = errors.New("unavailable")
)

// FieldError names one invalid field of a request, as a dotted path
// ("near.lat", "opening_hours[2].closes").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError collects every invalid field of one request. It wraps
// ErrInvalid.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.Is match ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Add records one invalid field.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Errors = append(e.Errors, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Merge adds the errors of other, prefixing each field with prefix.
func (e *ValidationError) Merge(prefix string, other error) {
	if other == nil {
		return
	}
	var ve *ValidationError
	if errors.As(other, &ve) {
		for _, fe := range ve.Errors {
			f := fe.Field
			if prefix != "" {
				if f == "" {
					f = prefix
				} else {
					f = prefix + "." + f
				}
			}
			e.Errors = append(e.Errors, FieldError{Field: f, Message: fe.Message})
		}
		return
	}
	e.Errors = append(e.Errors, FieldError{Field: prefix, Message: other.Error()})
}

// Err returns e when it holds any error and nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Errors) == 0 {
		return nil
	}
	return e
}

// Invalid returns a ValidationError for a single field.
func Invalid(field, format string, args ...any) error {
	ve := &ValidationError{}
	ve.Add(field, format, args...)
	return ve
}
