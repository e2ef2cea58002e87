package kiosk

import (
	"context"

	"rathaus/sync/login"
)

// StaffAccount is sync/login's staff sign-in as the kiosk's StaffLogin:
// the device grant that checks the staff role and neither keeps the
// tokens nor puts the kiosk into the staff member's account.
type StaffAccount struct{ Login *login.Manager }

var _ StaffLogin = StaffAccount{}

// StartDeviceLogin starts the grant; wait returns nil once a staff
// account confirmed the code, an error with code citizen.EFORBIDDEN for
// any other account.
func (s StaffAccount) StartDeviceLogin(ctx context.Context) (StaffCode, func(context.Context) error, error) {
	g, err := s.Login.StartStaffDevice(ctx)
	if err != nil {
		return StaffCode{}, nil, err
	}
	return StaffCode{UserCode: g.UserCode, VerificationURI: g.VerificationURI, VerificationURIComplete: g.VerificationURIComplete},
		func(ctx context.Context) error {
			_, err := g.Wait(ctx)
			return err
		}, nil
}
