package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// An in-process caller (the web pages) makes its requests through the
// whole router, so that authentication, limits, validation and logging
// are the API's own; but it need not read the answer as JSON. A request
// whose context carries an Answer has its success answer handed over as
// the Go value the handler built, by the handlers that answer through
// respond; every other answer is written as usual.

type answerKey struct{}

// Answer receives a handler's success answer as a Go value.
type Answer struct {
	value any
}

// InProcess returns ctx with an Answer for the request made under it.
func InProcess(ctx context.Context) (context.Context, *Answer) {
	a := &Answer{}
	return context.WithValue(ctx, answerKey{}, a), a
}

// Taken reports whether the handler handed its answer over.
func (a *Answer) Taken() bool { return a.value != nil }

// Into stores the answer in out, a pointer: directly when out points to
// the answer's type, else by way of its JSON (the answer as the wire
// would have carried it).
func (a *Answer) Into(out any) error {
	v, o := reflect.ValueOf(a.value), reflect.ValueOf(out)
	if o.Kind() == reflect.Pointer && !o.IsNil() {
		switch {
		case v.Type() == o.Type():
			o.Elem().Set(v.Elem())
			return nil
		case v.Type() == o.Type().Elem():
			o.Elem().Set(v)
			return nil
		}
	}
	b, err := json.Marshal(a.value)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// Value is the answer as the handler built it; nil if not taken.
func (a *Answer) Value() any { return a.value }

// handOver gives v, the success answer, to an in-process caller if the
// request has one, and reports whether it did. v must not be changed
// after: the caller owns it, and its JSON must be what the wire carries.
func handOver(c *gin.Context, v any) bool {
	a, ok := c.Request.Context().Value(answerKey{}).(*Answer)
	if !ok {
		return false
	}
	a.value = v
	c.Status(http.StatusOK)
	return true
}

// respond answers 200 with v as JSON, or hands v to an in-process
// caller.
func respond(c *gin.Context, v any) {
	if !handOver(c, v) {
		c.JSON(http.StatusOK, v)
	}
}

// NearbySpaces is GET /v1/nearby's answer for rooms as an in-process
// caller takes it. Its JSON is the GeoJSON FeatureCollection the wire
// carries.
type NearbySpaces struct {
	Spaces     []matching.NearbySpace
	NextCursor *string
}

// MarshalJSON writes the answer as GeoJSON.
func (n *NearbySpaces) MarshalJSON() ([]byte, error) {
	return appendSpacesCollection(nil, n.Spaces, n.NextCursor), nil
}

// DistanceKm is a room's distance as the JSON answer gives it.
func (n *NearbySpaces) DistanceKm(i int) float64 { return km(n.Spaces[i].DistanceM) }
