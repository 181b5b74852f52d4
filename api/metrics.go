package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"commonground/matching"
)

// metrics are what GET /metrics exposes, in the Prometheus text format:
// requests by route and status with their latency, booking outcomes and
// retried booking transactions, the read model's size and revision, and
// the Go runtime's and the process's own figures. Each router has its own
// registry, so several routers (in tests) never collide.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	bookings *prometheus.CounterVec
}

func newMetrics(engine *matching.Engine, st BookingStore) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commonground_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "commonground_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		bookings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commonground_booking_requests_total",
			Help: "Booking requests by outcome: booked, conflict (nothing booked) or replayed (an Idempotency-Key seen before).",
		}, []string{"outcome"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.bookings,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st != nil {
		m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "commonground_booking_lost_races_total",
			Help: "Booking transactions that lost a race to a concurrent one (the same Idempotency-Key, or a deadlock PostgreSQL broke); all but the fifth attempt are retried.",
		}, func() float64 { return float64(st.LostRaces()) }))
	}
	if engine != nil {
		m.registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "commonground_read_model_revision",
				Help: "The store revision the matching read model has caught up to.",
			}, func() float64 { return float64(engine.Revision()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "commonground_read_model_spaces",
				Help: "Spaces held by the matching read model.",
			}, func() float64 { _, _, n := engine.Counts(); return float64(n) }),
		)
	}
	return m
}

// observe records one answered request.
func (m *metrics) observe(method, route string, status int, took time.Duration) {
	method = methodLabel(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(took.Seconds())
}

// methodLabel is the method as the metrics name it: one of the methods of
// RFC 9110 and PATCH, or "other", so that a client inventing methods
// cannot add series without end.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "other"
}

// handler serves GET /metrics.
func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}

// bookingOutcome names what came of a booking request, for the metrics.
func bookingOutcome(status int, replayed bool) string {
	switch {
	case replayed:
		return "replayed"
	case status == http.StatusCreated:
		return "booked"
	}
	return "conflict"
}
