package accounts

import (
	"strings"
	"testing"

	"rathaus/api"
)

func TestPassword(t *testing.T) {
	fast := Params{Memory: 64, Time: 1, Threads: 1}
	h := hashWith("correct horse battery", fast)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash = %q; want the PHC argon2id format", h)
	}
	tests := []struct {
		name, hash, pw string
		want           bool
	}{
		{"right password", h, "correct horse battery", true},
		{"wrong password", h, "correct horse batterY", false},
		{"empty password", h, "", false},
		{"not a hash", "plain", "plain", false},
		{"bcrypt is not read", "$2a$10$abcdefghijklmnopqrstuv", "x", false},
		{"costs out of bounds", strings.Replace(h, "t=1", "t=99", 1), "correct horse battery", false},
		{"salted differently", hashWith("correct horse battery", fast), "correct horse battery", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifyPassword(tt.hash, tt.pw); got != tt.want {
				t.Errorf("VerifyPassword = %v; want %v", got, tt.want)
			}
		})
	}
	if a, b := hashWith("x", fast), hashWith("x", fast); a == b {
		t.Error("two hashes of one password are equal; want a salt each")
	}
}

func TestDefaultHash(t *testing.T) {
	h := HashPassword("ein langes Passwort")
	if !VerifyPassword(h, "ein langes Passwort") || VerifyPassword(h, "ein anderes Passwort") {
		t.Error("the default parameters do not verify their own hash")
	}
}

func TestGeneratePassword(t *testing.T) {
	a, b := GeneratePassword(), GeneratePassword()
	if a == b {
		t.Errorf("two generated passwords are equal: %q", a)
	}
	if err := CheckPassword(a); err != nil {
		t.Errorf("CheckPassword(%q) = %v", a, err)
	}
	if got := len(strings.ReplaceAll(a, "-", "")); got != 20 {
		t.Errorf("generated %q has %d characters; want 20", a, got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		a    Account
		code string
	}{
		{"fine", Account{Email: "Anna@Example.org", Name: "Anna", Roles: []string{api.RoleCitizen}}, ""},
		{"no email", Account{Name: "Anna"}, CodeEmail},
		{"a name and an address", Account{Email: "Anna <anna@example.org>"}, CodeEmail},
		{"control character in name", Account{Email: "a@example.org", Name: "A\nB"}, CodeName},
		{"unknown role", Account{Email: "a@example.org", Roles: []string{"admin"}}, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			got := ""
			if e, ok := err.(*Error); ok {
				got = e.Code
				if e.Text["de"] == "" || e.Text["en"] == "" {
					t.Errorf("error %v lacks German or English", e)
				}
			} else if err != nil {
				t.Fatalf("Validate = %v; want an *Error", err)
			}
			if got != tt.code {
				t.Errorf("Validate code = %q; want %q", got, tt.code)
			}
		})
	}
	if got, _ := NormalEmail(" Anna@Example.ORG "); got != "anna@example.org" {
		t.Errorf("NormalEmail = %q; want anna@example.org", got)
	}
	if err := CheckPassword("short"); err == nil {
		t.Error("CheckPassword(short) = nil; want a refusal")
	}
}

// BenchmarkVerifyPassword is what one login costs the backend:
// go test -run '^$' -bench VerifyPassword ./server/accounts/
func BenchmarkVerifyPassword(b *testing.B) {
	h := HashPassword("ein langes Passwort")
	for b.Loop() {
		VerifyPassword(h, "ein langes Passwort")
	}
}
