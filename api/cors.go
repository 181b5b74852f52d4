package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// CORS (https://fetch.spec.whatwg.org/#http-cors-protocol) lets pages on
// other origins call the API. The API authenticates with bearer tokens,
// never with cookies, so credentials are never allowed cross-origin.
const (
	corsAllowMethods  = "GET, HEAD, POST, PATCH, DELETE"
	corsAllowHeaders  = "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, X-Request-ID, Common-Ground-Organisation"
	corsExposeHeaders = "ETag, Link, Location, Retry-After, X-Request-ID, RateLimit, RateLimit-Policy"
	corsMaxAge        = "600" // seconds a browser may keep a preflight's answer
)

// cors answers preflight requests (OPTIONS with Access-Control-Request-
// Method) with 204, on any path, and marks every answer to an allowed
// origin as readable by it. origins are the allowed origins; empty or "*"
// allows any.
func cors(origins []string) gin.HandlerFunc {
	anyOrigin := len(origins) == 0 || slices.Contains(origins, "*")
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
		if origin == "" {
			c.Next()
			return
		}
		h := c.Writer.Header()
		switch {
		case anyOrigin:
			h.Set("Access-Control-Allow-Origin", "*")
		case slices.ContainsFunc(origins, func(o string) bool { return strings.EqualFold(o, origin) }):
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		default:
			h.Add("Vary", "Origin")
			if preflight {
				c.AbortWithStatus(http.StatusNoContent) // without Allow-Origin: the browser refuses
				return
			}
			c.Next()
			return
		}
		if preflight {
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		c.Next()
	}
}
