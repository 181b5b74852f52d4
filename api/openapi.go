package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the OpenAPI 3.1 description of this API, route by
// route (the team's api.md is the contract it follows); it is edited by
// hand, and openapi_test.go keeps it true: its paths
// are exactly the routes NewRouter registers, and every field a real
// response carries is declared in it.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI serves GET /openapi.json.
func (h *handler) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", openAPIDocument)
}
