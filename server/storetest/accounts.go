package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/accounts"
)

func testAccounts(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	anna := accounts.Account{ID: "a_anna", Email: "anna@example.org", Name: "Anna Muster",
		Roles: []string{api.RoleCitizen}, PasswordHash: "$argon2id$x", Created: created}
	create := func(t *testing.T, s Store, a accounts.Account) {
		t.Helper()
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatalf("CreateAccount(%s): %v", a.Email, err)
		}
	}

	t.Run("an account is found by id and by email in any case", func(t *testing.T) {
		s := open(t)
		create(t, s, anna)
		for _, get := range []func() (accounts.Account, error){
			func() (accounts.Account, error) { return s.Account(ctx, "a_anna") },
			func() (accounts.Account, error) { return s.AccountByEmail(ctx, "Anna@Example.ORG") },
		} {
			got, err := get()
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != anna.ID || got.Email != anna.Email || got.Name != anna.Name || got.PasswordHash != anna.PasswordHash ||
				!got.Has(api.RoleCitizen) || got.Has(api.RoleStaff) || got.Disabled || !got.Created.Equal(created) {
				t.Errorf("account = %+v; want %+v", got, anna)
			}
		}
	})

	t.Run("unknown accounts are ErrNotFound", func(t *testing.T) {
		s := open(t)
		if _, err := s.Account(ctx, "a_nobody"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("Account = %v; want ErrNotFound", err)
		}
		if _, err := s.AccountByEmail(ctx, "nobody@example.org"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("AccountByEmail = %v; want ErrNotFound", err)
		}
		if err := s.SetAccountDisabled(ctx, "a_nobody", true); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("SetAccountDisabled = %v; want ErrNotFound", err)
		}
	})

	t.Run("an email is taken once, in any case", func(t *testing.T) {
		s := open(t)
		create(t, s, anna)
		again := anna
		again.ID, again.Email = "a_other", "ANNA@example.org"
		if err := s.CreateAccount(ctx, again); !errors.Is(err, accounts.ErrExists) {
			t.Errorf("CreateAccount with a taken email = %v; want ErrExists", err)
		}
	})

	t.Run("the list holds accounts that log in, by email", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_1")
		if err := s.LinkDevices(ctx, "acc_grouping_only", "d_1"); err != nil {
			t.Fatal(err)
		}
		bert := accounts.Account{ID: "a_bert", Email: "bert@example.org", Roles: []string{api.RoleCitizen, api.RoleStaff}, Created: created}
		create(t, s, bert)
		create(t, s, anna)
		got, err := s.Accounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "a_anna" || got[1].ID != "a_bert" || !got[1].Has(api.RoleStaff) {
			t.Errorf("Accounts = %+v; want anna, then bert (staff)", got)
		}
	})

	t.Run("disabled and enabled again", func(t *testing.T) {
		s := open(t)
		create(t, s, anna)
		for _, want := range []bool{true, false} {
			if err := s.SetAccountDisabled(ctx, "a_anna", want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Account(ctx, "a_anna")
			if err != nil || got.Disabled != want {
				t.Errorf("after SetAccountDisabled(%v): Disabled = %v, %v", want, got.Disabled, err)
			}
		}
	})

	t.Run("a device linked to a login account, then unlinked", func(t *testing.T) {
		s := open(t)
		create(t, s, anna)
		addDevice(t, s, "d_1")
		if err := s.LinkDevices(ctx, "a_anna", "d_1"); err != nil {
			t.Fatal(err)
		}
		if d, err := s.DeviceByToken(ctx, hash("d_1")); err != nil || d.Account != "a_anna" {
			t.Fatalf("after link: device = %+v, %v; want account a_anna", d, err)
		}
		if err := s.UnlinkDevice(ctx, "d_1"); err != nil {
			t.Fatal(err)
		}
		if d, err := s.DeviceByToken(ctx, hash("d_1")); err != nil || d.Account != "" {
			t.Errorf("after unlink: device = %+v, %v; want no account", d, err)
		}
		if err := s.UnlinkDevice(ctx, "d_1"); err != nil {
			t.Errorf("unlinking an unlinked device = %v; want nil", err)
		}
		if err := s.UnlinkDevice(ctx, "d_nobody"); !errors.Is(err, server.ErrNotFound) {
			t.Errorf("UnlinkDevice(unknown) = %v; want ErrNotFound", err)
		}
		if got, err := s.Account(ctx, "a_anna"); err != nil || got.Email != anna.Email {
			t.Errorf("the account after unlink = %+v, %v; want it kept", got, err)
		}
	})
}

func testGrants(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	exp := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	g := accounts.Grant{ID: "rt:abc", Kind: "refresh", Subject: "a_anna", Client: "rathaus-app", Data: []byte(`{"x":1}`), Expires: exp}
	put := func(t *testing.T, s Store, g accounts.Grant) {
		t.Helper()
		if err := s.PutGrant(ctx, g); err != nil {
			t.Fatalf("PutGrant(%s): %v", g.ID, err)
		}
	}
	same := func(a, b accounts.Grant) bool {
		return a.ID == b.ID && a.Kind == b.Kind && a.Subject == b.Subject && a.Client == b.Client &&
			string(a.Data) == string(b.Data) && a.Expires.Equal(b.Expires)
	}

	t.Run("put, get, replace", func(t *testing.T) {
		s := open(t)
		put(t, s, g)
		if got, err := s.Grant(ctx, g.ID); err != nil || !same(got, g) {
			t.Errorf("Grant = %+v, %v; want %+v", got, err, g)
		}
		g2 := g
		g2.Subject, g2.Data, g2.Expires = "a_bert", []byte(`{"x":2}`), exp.Add(time.Hour)
		put(t, s, g2)
		if got, err := s.Grant(ctx, g.ID); err != nil || !same(got, g2) {
			t.Errorf("Grant after replace = %+v, %v; want %+v", got, err, g2)
		}
		if _, err := s.Grant(ctx, "rt:nothing"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("Grant(unknown) = %v; want ErrNotFound", err)
		}
	})

	t.Run("a grant is taken once", func(t *testing.T) {
		s := open(t)
		put(t, s, g)
		if got, err := s.TakeGrant(ctx, g.ID); err != nil || !same(got, g) {
			t.Fatalf("TakeGrant = %+v, %v; want %+v", got, err, g)
		}
		if _, err := s.TakeGrant(ctx, g.ID); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("second TakeGrant = %v; want ErrNotFound", err)
		}
		if _, err := s.Grant(ctx, g.ID); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("Grant after take = %v; want ErrNotFound", err)
		}
	})

	t.Run("of callers taking at once one gets it", func(t *testing.T) {
		s := open(t)
		put(t, s, g)
		var won, lost atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				_, err := s.TakeGrant(ctx, g.ID)
				switch {
				case err == nil:
					won.Add(1)
				case errors.Is(err, accounts.ErrNotFound):
					lost.Add(1)
				default:
					t.Errorf("TakeGrant: %v", err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 || lost.Load() != 7 {
			t.Errorf("won %d, lost %d; want 1 and 7", won.Load(), lost.Load())
		}
	})

	t.Run("deleted by id and when expired", func(t *testing.T) {
		s := open(t)
		for i, id := range []string{"at:1", "at:2", "at:3", "at:4"} {
			h := g
			h.ID, h.Expires = id, exp.Add(time.Duration(i)*time.Hour)
			put(t, s, h)
		}
		if err := s.DeleteGrants(ctx, "at:1", "at:unknown"); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteExpiredGrants(ctx, exp.Add(150*time.Minute)) // at:2 and at:3
		if err != nil || n != 2 {
			t.Errorf("DeleteExpiredGrants = %d, %v; want 2", n, err)
		}
		for id, want := range map[string]bool{"at:1": false, "at:2": false, "at:3": false, "at:4": true} {
			_, err := s.Grant(ctx, id)
			if got := err == nil; got != want {
				t.Errorf("Grant(%s) found = %v (%v); want %v", id, got, err, want)
			}
		}
	})

	t.Run("grants outlive a restart", func(t *testing.T) {
		s := open(t)
		if s.Reopen == nil {
			t.Skip("the store cannot be reopened")
		}
		put(t, s, g)
		again := s.Reopen(t)
		if got, err := again.Grant(ctx, g.ID); err != nil || !same(got, g) {
			t.Errorf("Grant after reopen = %+v, %v; want %+v", got, err, g)
		}
	})
}
