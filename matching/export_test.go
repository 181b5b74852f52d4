package matching

// SetDenseSpaces sets how many spaces a load must bring for the spaces'
// grid to use dense cells (denseCellDeg), so tests can run small models
// on them.
func SetDenseSpaces(e *Engine, n int) { e.denseSpaces = n }
