package store

import (
	"gorm.io/gorm"

	"commonground/matching"
)

// keysetPage restricts q (a query on table) to the page after page.AfterID
// in the order of column then id, newest first when desc, and to
// page.Limit rows. The row the cursor names is looked up by its ID, so a
// page follows on even if rows were added meanwhile. column must be a
// column name of table, never input.
func keysetPage(q *gorm.DB, table, column string, desc bool, page matching.Page) *gorm.DB {
	cmp, order := ">", column+", id"
	if desc {
		cmp, order = "<", column+" DESC, id DESC"
	}
	if a := page.AfterID; a != "" {
		at := "(SELECT " + column + " FROM " + table + " WHERE id = ?)"
		q = q.Where("("+column+" "+cmp+" "+at+" OR ("+column+" = "+at+" AND id "+cmp+" ?))", a, a, a)
	}
	q = q.Order(order)
	if page.Limit > 0 {
		q = q.Limit(page.Limit)
	}
	return q
}
