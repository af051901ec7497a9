package danvan

import (
	"testing"
	"time"
)

func TestPledgeStatus(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC) // a DATE as the database gives it
	lateEvening := time.Date(2026, 11, 29, 23, 30, 0, 0, hcm)
	pastMidnight := time.Date(2026, 11, 30, 0, 30, 0, 0, hcm) // still 29 November in UTC
	cases := []struct {
		name  string
		p     Pledge
		today time.Time
		want  PledgeStatus
	}{
		{"nothing received", Pledge{Quantity: 100}, lateEvening, PledgePledged},
		{"part received", Pledge{Quantity: 100, Received: 40}, lateEvening, PledgePartial},
		{"all received", Pledge{Quantity: 100, Received: 100}, lateEvening, PledgeFulfilled},
		{"more than pledged", Pledge{Quantity: 100, Received: 120}, lateEvening, PledgeFulfilled},
		{"cancelled wins", Pledge{Quantity: 100, Received: 100, Cancelled: true}, lateEvening, PledgeCancelled},
		{"due today is not overdue", Pledge{Quantity: 100, Due: due}, lateEvening, PledgePledged},
		{"overdue from the next day in Hà Nội time", Pledge{Quantity: 100, Due: due}, pastMidnight, PledgeOverdue},
		{"partly paid and late is overdue", Pledge{Quantity: 100, Received: 10, Due: due}, pastMidnight, PledgeOverdue},
		{"fulfilled late is fulfilled", Pledge{Quantity: 100, Received: 100, Due: due}, pastMidnight, PledgeFulfilled},
	}
	for _, c := range cases {
		if got := c.p.Status(c.today); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestCampaignOpenOn(t *testing.T) {
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	ends := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	c := Campaign{Status: CampaignActive, Ends: ends}
	if !c.OpenOn(time.Date(2026, 12, 31, 23, 59, 0, 0, hcm)) {
		t.Error("closed on its last day")
	}
	if c.OpenOn(time.Date(2027, 1, 1, 0, 1, 0, 0, hcm)) {
		t.Error("open the day after it ended")
	}
	c.Status = CampaignClosed
	if c.OpenOn(time.Date(2026, 6, 1, 0, 0, 0, 0, hcm)) {
		t.Error("a closed campaign is open")
	}
	if (Campaign{Status: CampaignActive}).OpenOn(time.Now()) != true {
		t.Error("an active campaign without an end is not open")
	}
}
