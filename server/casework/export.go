package casework

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// AuditCSVHeader is the first row of an audit export.
var AuditCSVHeader = []string{"seq", "case", "number", "at", "actor", "action",
	"status_before", "status_after", "assignee_before", "assignee_after", "detail"}

// WriteAuditCSV writes audit entries as CSV (RFC 4180), header first.
func WriteAuditCSV(w io.Writer, entries []AuditEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(AuditCSVHeader); err != nil {
		return err
	}
	for _, e := range entries {
		row := []string{strconv.FormatInt(e.Seq, 10), e.Case, e.Number, e.At.UTC().Format(time.RFC3339), e.Actor, e.What,
			e.Before.Status, e.After.Status, e.Before.Assignee, e.After.Assignee, e.Detail}
		for i := range row {
			row[i] = defuse(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps a spreadsheet from reading a cell a clerk or citizen wrote
// as a formula (CSV injection): such a cell gets a leading apostrophe.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Find returns the case with this id or number.
func (s *Service) Find(ctx context.Context, idOrNumber string) (File, error) {
	f, err := s.store.CaseFile(ctx, idOrNumber)
	if err == nil || !errors.Is(err, ErrNoCase) {
		return f, err
	}
	p, err := s.store.ListCases(ctx, Query{Number: idOrNumber, Limit: 2})
	if err != nil {
		return File{}, err
	}
	for _, c := range p.Cases {
		if c.Number == idOrNumber {
			return s.store.CaseFile(ctx, c.ID)
		}
	}
	return File{}, ErrNoCase
}
