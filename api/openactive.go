package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"commonground/matching"
	"commonground/openactive"
)

// OpenDataStore is what the open-data feeds need of the database: a
// consistent snapshot, the change log through its revision, and the
// current revision.
type OpenDataStore interface {
	Snapshot(ctx context.Context, sink matching.SnapshotSink) (int64, error)
	ChangeLog(ctx context.Context, through int64) (*matching.ChangeLog, error)
	Revision(ctx context.Context) (int64, error)
}

// feedRefresh is how long a built feed serves a changed database before
// it is built again: a second's staleness keeps a stream of writes from
// rebuilding it on every page.
const feedRefresh = time.Second

// openData holds the OpenActive feeds of the newest snapshot taken.
type openData struct {
	mu    sync.Mutex // one build at a time
	feed  *openactive.Feed
	built time.Time
}

// feed returns the feeds of a snapshot no older than the current revision
// (or than feedRefresh, when the database keeps changing), taking a new
// snapshot when needed.
func (h *handler) openActiveFeed(ctx context.Context) (*openactive.Feed, error) {
	var rev int64
	if h.engine != nil {
		rev = h.engine.Revision()
	} else {
		r, err := h.store.Revision(ctx)
		if err != nil {
			return nil, err
		}
		rev = r
	}
	od := &h.openData
	od.mu.Lock()
	defer od.mu.Unlock()
	if f := od.feed; f != nil && (f.Revision() >= rev || h.now().Sub(od.built) < feedRefresh) {
		return f, nil
	}
	d := openactive.NewData()
	rev, err := h.store.Snapshot(ctx, d)
	if err != nil {
		return nil, err
	}
	d.Revision = rev
	d.Sort()
	cl, err := h.store.ChangeLog(ctx, rev)
	if err != nil {
		return nil, err
	}
	od.feed = openactive.NewFeed(h.links(), h.tax, d, cl)
	od.built = h.now()
	return od.feed, nil
}

// links says where the feeds' items point: the configured public URL.
func (h *handler) links() openactive.Links { return openactive.Links{Base: h.publicURL} }

// openActiveDataset serves GET /openactive: the dataset site, an HTML
// page with the Dataset as JSON-LD.
func (h *handler) openActiveDataset(c *gin.Context) {
	body, err := openactive.DatasetHTML(openactive.NewDataset(openactive.Site{Base: h.publicURL, Publisher: "Common Ground"}))
	if err != nil {
		fail(c, fmt.Errorf("render the dataset site: %w", err))
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	writeTaggedBody(c, http.StatusOK, "text/html; charset=utf-8", bodyETag(body), body)
}

// openActiveLogo serves GET /openactive/logo.svg: the publisher's logo
// the dataset site names.
func (h *handler) openActiveLogo(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	writeTaggedBody(c, http.StatusOK, "image/svg+xml", bodyETag(openactive.Logo), openactive.Logo)
}

// facilityUseFeed serves GET /openactive/facility-uses.
func (h *handler) facilityUseFeed(c *gin.Context) {
	h.rpdeFeed(c, "/openactive/facility-uses", func(f *openactive.Feed, feed string, at openactive.Cursor) *openactive.Page {
		return f.FacilityUsePage(feed, at, openactive.PageSize)
	})
}

// slotFeed serves GET /openactive/slots.
func (h *handler) slotFeed(c *gin.Context) {
	h.rpdeFeed(c, "/openactive/slots", func(f *openactive.Feed, feed string, at openactive.Cursor) *openactive.Page {
		return f.SlotPage(feed, at, openactive.PageSize, h.now())
	})
}

// rpdeFeed answers one page of an RPDE feed after the afterTimestamp and
// afterId of the query. A page with items is cached for an hour (its items
// only ever move to later pages); the end of the feed, which new items
// join, for 8 seconds, as the RPDE specification recommends.
func (h *handler) rpdeFeed(c *gin.Context, path string, page func(*openactive.Feed, string, openactive.Cursor) *openactive.Page) {
	at, err := openactive.ParseCursor(c.Request.URL.Query())
	if err != nil {
		fail(c, err)
		return
	}
	f, err := h.openActiveFeed(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	p := page(f, h.publicURL+path, at)
	body, err := json.Marshal(p)
	if err != nil {
		fail(c, fmt.Errorf("encode feed page: %w", err))
		return
	}
	if len(p.Items) == 0 {
		c.Header("Cache-Control", "public, max-age=8")
	} else {
		c.Header("Cache-Control", "public, max-age=3600")
	}
	writeTaggedBody(c, http.StatusOK, "application/json; charset=utf-8", bodyETag(body), body)
}
