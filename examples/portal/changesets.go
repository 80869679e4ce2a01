package main

import "net/http"

// fakeCarrier is the demo carrier the re-sync reads.
type fakeCarrier struct{}

func newFakeCarrier(demo) *fakeCarrier { return &fakeCarrier{} }

func (p *portal) changeSetRoutes(m *http.ServeMux) {}
