package notify_test

import (
	"fmt"
	"strings"
	"time"

	"commonground/notify"
)

// A worker retrying a webhook waits RetryDelay after each failed attempt
// and gives up after AttemptsFor attempts, a little over a day.
func ExampleRetryDelay() {
	base := 5 * time.Second
	var waits []string
	for attempt := 1; attempt <= 12; attempt++ {
		waits = append(waits, notify.RetryDelay(attempt, base).String())
	}
	fmt.Println(strings.Join(waits, " "))
	fmt.Println(notify.AttemptsFor(base, 24*time.Hour), "attempts")
	// Output:
	// 5s 10s 20s 40s 1m20s 2m40s 5m20s 10m40s 21m20s 42m40s 1h0m0s 1h0m0s
	// 34 attempts
}

func ExampleComposeEventMail() {
	msg := notify.ComposeEventMail(notify.Event{
		Event:     "partnership.proposed",
		CreatedAt: time.Date(2026, 12, 10, 14, 5, 0, 0, time.UTC),
		Summary:   "Leaps and Bounds proposed a partnership",
	}, "https://commonground.example/")
	fmt.Println(msg.Subject)
	// The text part, up to the signature line ("-- ") and what it says.
	text, _, _ := strings.Cut(msg.Text, "-- \n")
	fmt.Print(text)
	// Output:
	// Common Ground: Leaps and Bounds proposed a partnership
	// Leaps and Bounds proposed a partnership
	//
	// When: Thursday 10 December 2026, 14:05
	// See it on Common Ground: https://commonground.example/dashboard/partners
}
