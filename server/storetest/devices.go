package storetest

import (
	"context"
	"errors"
	"testing"

	"rathaus/server"
)

func testDevices(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	s := open(t)
	addDevice(t, s, "d_a")
	addDevice(t, s, "d_b")
	addDevice(t, s, "d_c")
	addDevice(t, s, "d_d")
	if err := s.CreateDevice(ctx, server.NewDevice{ID: "d_x", TokenHash: hash("d_a"), Created: created}); err == nil {
		t.Error("a second device with the same token hash was stored")
	}
	if err := s.CreateDevice(ctx, server.NewDevice{ID: "d_a", TokenHash: hash("another"), Created: created}); err == nil {
		t.Error("a second device with the same id was stored")
	}

	if err := s.LinkDevices(ctx, "acc1", "d_a", "d_b"); err != nil {
		t.Fatalf("LinkDevices: %v", err)
	}
	// Linking again, to the same account or with a device more, is fine.
	if err := s.LinkDevices(ctx, "acc1", "d_b"); err != nil {
		t.Fatalf("LinkDevices again: %v", err)
	}
	// A missing device links none of them.
	if err := s.LinkDevices(ctx, "acc2", "d_c", "d_missing"); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("LinkDevices with a missing device: err = %v, want ErrNotFound", err)
	}
	if err := s.LinkDevices(ctx, "", "d_d"); err == nil {
		t.Error("LinkDevices to an empty account id succeeded")
	}
	tests := []struct {
		token string
		want  server.Device
		err   error
	}{
		{"d_a", server.Device{ID: "d_a", Account: "acc1"}, nil},
		{"d_b", server.Device{ID: "d_b", Account: "acc1"}, nil},
		{"d_c", server.Device{ID: "d_c"}, nil},
		{"d_d", server.Device{ID: "d_d"}, nil},
		{"nobody", server.Device{}, server.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			got, err := s.DeviceByToken(ctx, hash(tt.token))
			if got.ID != tt.want.ID || got.Account != tt.want.Account || got.SigningKey != nil || !errors.Is(err, tt.err) {
				t.Errorf("DeviceByToken = %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}
