package lifeline

import "reflect"

// StagedResultTypes returns the result type of every stageable operation:
// what a change set's Results may hold behind its any, for the walk of
// TestNoReadReturnsASecret.
func StagedResultTypes() []reflect.Type {
	var types []reflect.Type
	for _, s := range registry {
		if s.Stageable {
			types = append(types, s.result)
		}
	}
	return types
}
