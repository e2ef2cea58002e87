package appointments

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/ui/kit"
)

// Book is the choice of a time: service, office, day and slot, from the
// slots cached on the device (with their age), refreshed from the backend
// when it answers.
type Book struct {
	a        *Area
	replaces string
	root     fyne.CanvasObject

	service, office, day *kit.Select
	age                  *widget.Label
	refresh              *kit.Button
	slots                *fyne.Container
	none                 *widget.Label
	deadline             *widget.Label

	offices   api.Offices
	services  []string // ids, in the order of service's options
	officeIDs []string
	cached    api.Slots
	days      []string // "2006-01-02" of day's options
}

func newBook(a *Area, service, replaces string) *Book {
	b := &Book{a: a, replaces: replaces, slots: container.NewGridWrap(slotCell())}
	b.service = kit.NewSelect(nil, func(string) { b.onService() })
	b.service.PlaceHolder = lang.L("Choose a service")
	b.office = kit.NewSelect(nil, func(string) { b.onOffice() })
	b.office.PlaceHolder = lang.L("Choose an office")
	b.day = kit.NewSelect(nil, func(string) { b.showSlots() })
	b.day.PlaceHolder = lang.L("Choose a day")
	b.age = widget.NewLabel("")
	b.refresh = kit.NewWrapButton(lang.L("Refresh"), theme.ViewRefreshIcon(), b.onRefresh)
	b.none = kit.Wrapped("")
	b.deadline = kit.Wrapped("")
	b.deadline.Importance = widget.WarningImportance
	b.deadline.Hide()
	intro := lang.L("Choose a time. Your booking is saved on this device and sent as soon as there is a connection.")
	if replaces != "" {
		intro = lang.L("Choose the new time. Your old appointment is cancelled once the new one is booked.")
	}
	b.root = kit.WatchLook(kit.NewVScroll(container.NewPadded(container.NewVBox(
		kit.Wrapped(intro), b.service, b.deadline, b.office,
		container.NewBorder(nil, nil, nil, b.refresh, b.age),
		b.day, b.none, b.slots))), b.onLook)
	b.loadOffices()
	if service != "" {
		if i := slices.Index(b.services, service); i >= 0 {
			b.service.SetSelectedIndex(i)
		}
	}
	if len(b.offices.Offices) == 0 {
		go b.fetch("", "")
	}
	return b
}

// slotCell is the room of a time's button: 96x44, or what "00:00" needs
// at a larger text size (at 200 % a fixed 44 cut the times in half).
func slotCell() fyne.Size {
	const widest = "00:00" // measured, never shown: not a text for lang
	m := kit.NewButton(widest, nil, nil).MinSize()
	return fyne.NewSize(max(96, m.Width), max(44, m.Height))
}

// onLook gives the times' buttons the room the new text size needs.
func (b *Book) onLook() {
	b.slots.Layout = layout.NewGridWrapLayout(slotCell())
	b.slots.Refresh()
}

// Title is the screen's name.
func (b *Book) Title() string { return lang.L("Book an appointment") }

// Content is the screen's root.
func (b *Book) Content() fyne.CanvasObject { return b.root }

// loadOffices fills the services from the cached offices.
func (b *Book) loadOffices() {
	b.offices = b.a.offices()
	b.services = nil
	var titles []string
	for _, of := range b.offices.Offices {
		for _, s := range of.Services {
			if !slices.Contains(b.services, s) {
				b.services = append(b.services, s)
				titles = append(titles, b.a.serviceTitle(s))
			}
		}
	}
	sel := b.selectedService()
	b.service.SetOptions(titles)
	if i := slices.Index(b.services, sel); i >= 0 && b.service.SelectedIndex() != i {
		b.service.SetSelectedIndex(i)
	}
	if len(b.offices.Offices) == 0 {
		b.age.SetText(lang.L("No appointment times on this device yet; they load when there is a connection."))
	}
}

func (b *Book) selectedService() string {
	if i := b.service.SelectedIndex(); i >= 0 && i < len(b.services) {
		return b.services[i]
	}
	return ""
}

func (b *Book) selectedOffice() string {
	if i := b.office.SelectedIndex(); i >= 0 && i < len(b.officeIDs) {
		return b.officeIDs[i]
	}
	return ""
}

func (b *Book) onService() {
	svc := b.selectedService()
	if d, ok := b.a.deadline(svc); ok {
		b.deadline.SetText(deadlineText(d))
		b.deadline.Show()
	} else {
		b.deadline.Hide()
	}
	b.officeIDs = nil
	var names []string
	for _, of := range b.offices.Offices {
		if slices.Contains(of.Services, svc) {
			b.officeIDs = append(b.officeIDs, of.ID)
			names = append(names, of.Name.In(kit.Lang()))
		}
	}
	b.office.ClearSelected()
	b.office.SetOptions(names)
	if len(names) == 1 {
		b.office.SetSelectedIndex(0)
	}
	b.showCached()
}

func (b *Book) onOffice() {
	b.showCached()
	if svc, of := b.selectedService(), b.selectedOffice(); svc != "" && of != "" {
		go b.fetch(svc, of)
	}
}

func (b *Book) onRefresh() { go b.fetch(b.selectedService(), b.selectedOffice()) }

// fetch asks the backend for the offices and the slots (off the UI's
// goroutine) and shows what the store then has; offline, the cached ones
// stay, with their age.
func (b *Book) fetch(service, office string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := b.a.d.Sync.RefreshAppointments(ctx, service, office)
	fyne.Do(func() {
		if len(b.offices.Offices) == 0 {
			b.loadOffices()
		}
		if service == b.selectedService() && office == b.selectedOffice() {
			b.showCached()
		}
		if err != nil && office != "" && office == b.selectedOffice() {
			b.age.SetText(b.age.Text + " " + lang.L("(offline: saved times shown)"))
		}
	})
}

// showCached shows the cached slots of the chosen service and office.
func (b *Book) showCached() {
	svc, of := b.selectedService(), b.selectedOffice()
	b.cached = api.Slots{}
	b.days = nil
	b.day.ClearSelected()
	b.day.SetOptions(nil)
	b.slots.Objects = nil
	b.slots.Refresh()
	b.none.Hide()
	if svc == "" || of == "" {
		return
	}
	ctx, cancel := ctxShort()
	defer cancel()
	sl, fetched, ok, err := b.a.d.Store.CachedSlots(ctx, svc, of)
	switch {
	case err != nil:
		b.age.SetText(kit.ErrorText(err))
		return
	case !ok:
		b.age.SetText(lang.L("Not loaded yet"))
		return
	}
	b.age.SetText(Age(fetched, b.a.d.Now()))
	loc := b.a.location(b.offices)
	now := b.a.d.Now()
	var labels []string
	for _, s := range sl.Slots {
		if !s.Start.After(now) {
			continue // passed while the list was cached
		}
		b.cached.Slots = append(b.cached.Slots, s)
		d := s.Start.In(loc).Format(time.DateOnly)
		if !slices.Contains(b.days, d) {
			b.days = append(b.days, d)
			labels = append(labels, weekday(s.Start.In(loc).Weekday())+" "+kit.DayMonth(s.Start.In(loc)))
		}
	}
	if len(b.days) == 0 {
		b.none.SetText(lang.L("No free times in the next weeks. Try another office."))
		b.none.Show()
		return
	}
	b.day.SetOptions(labels)
	b.day.SetSelectedIndex(0)
}

// showSlots shows the chosen day's free times as buttons.
func (b *Book) showSlots() {
	b.slots.Objects = nil
	i := b.day.SelectedIndex()
	if i < 0 || i >= len(b.days) {
		b.slots.Refresh()
		return
	}
	loc := b.a.location(b.offices)
	for _, s := range b.cached.Slots {
		if s.Start.In(loc).Format(time.DateOnly) != b.days[i] {
			continue
		}
		s := s
		b.slots.Add(kit.NewButton(s.Start.In(loc).Format("15:04"), nil, func() { b.onSlot(s) }))
	}
	b.slots.Refresh()
}

// onSlot asks to confirm the time, then books it.
func (b *Book) onSlot(s api.Slot) {
	loc := b.a.location(b.offices)
	of := b.a.office(b.offices, b.selectedOffice())
	msg := b.a.serviceTitle(b.selectedService()) + "\n" + when(s, loc) + "\n" + of.Name.In(kit.Lang()) + ", " + of.Address
	kit.ShowConfirm(lang.L("Book this appointment?"), msg, lang.L("Book"), lang.L("Cancel"), func(ok bool) {
		if ok {
			b.Confirm(s)
		}
	}, b.a.d.Window)
}

// Confirm books the slot (the confirmed choice), queues it and shows its
// ticket screen.
func (b *Book) Confirm(s api.Slot) {
	ctx, cancel := ctxShort()
	defer cancel()
	ap, err := b.a.d.Store.BookAppointment(ctx, b.selectedService(), b.selectedOffice(), s, b.replaces)
	if err != nil {
		kit.ShowInfo(lang.L("Not booked"), kit.ErrorText(err), b.a.d.Window)
		return
	}
	b.a.d.Sync.Kick()
	b.a.list.Refresh()
	b.a.d.Nav.OpenTicket(ap.Local)
}
