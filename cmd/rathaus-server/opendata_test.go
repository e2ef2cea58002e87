package main

import (
	"io"
	"testing"

	"rathaus/server"
)

func TestOpenDataFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    server.OpenDataConfig
		wantErr bool
	}{
		{name: "none: the defaults of server/opendata", want: server.OpenDataConfig{}},
		{
			name: "flags over the environment",
			args: []string{"--public-url", "https://portal.musterstadt.de", "--opendata-publisher", "Stadt Musterstadt"},
			env:  map[string]string{envPublicURL: "https://old.example", envContributor: "http://dcat-ap.de/def/contributors/musterstadt"},
			want: server.OpenDataConfig{BaseURL: "https://portal.musterstadt.de", Publisher: "Stadt Musterstadt",
				ContributorID: "http://dcat-ap.de/def/contributors/musterstadt"},
		},
		{name: "a public URL without a scheme", args: []string{"--public-url", "portal.musterstadt.de"}, wantErr: true},
		{name: "a public URL with a query", args: []string{"--public-url", "https://portal.musterstadt.de/?a=b"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			err := m.ParseFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseFlags = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && m.OpenData != tt.want {
				t.Errorf("OpenData = %+v, want %+v", m.OpenData, tt.want)
			}
		})
	}
}
