package report

import (
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/catalog"
)

// The report package speaks to groups without going through flows, so it
// keeps its own small catalogue: Vietnamese first, English second. Groups
// are spoken to in Vietnamese; English is here for the day a group asks.

type msg int

const (
	msgHeader msg = iota + 1
	msgCampaign
	msgFinal
	msgTarget
	msgPledged
	msgNoPledges
	msgChange
	msgChangeMeasure
	msgZones
	msgZoneLine
	msgNoZone
	msgMeasure
	msgMeasureNone
	msgMeasureUpdated
	msgHonour
	msgHonourLine
	msgHonourMore
	msgChartCaption
	msgChartTitle
	msgChartAxis
	msgChartGoal
	msgChartPledged
	msgChartReceived
	msgMilestone50
	msgMilestone100
)

var catalogue = map[msg][2]string{
	msgHeader:         {"📊 <b>Tổng kết tuần</b> · %s", "📊 <b>Weekly summary</b> · %s"},
	msgCampaign:       {"<b>%s</b> · mã <code>%s</code>", "<b>%s</b> · code <code>%s</code>"},
	msgFinal:          {"🏁 Chiến dịch đã kết thúc. Đây là bản tổng kết cuối cùng.", "🏁 The campaign has ended. This is its final summary."},
	msgTarget:         {"<b>%s</b>: đã nhận %s / %s (%d%%)", "<b>%s</b>: received %s of %s (%d%%)"},
	msgPledged:        {"Đã đăng ký: %s · %d lượt", "Pledged: %s · pledges: %d"},
	msgNoPledges:      {"Chưa có ai đăng ký.", "No pledges yet."},
	msgChange:         {"Từ lần trước: đăng ký %s, đã nhận %s", "Since last time: pledged %s, received %s"},
	msgChangeMeasure:  {"Từ lần trước: %s", "Since last time: %s"},
	msgZones:          {"Theo khu:", "By zone:"},
	msgZoneLine:       {"• %s: đăng ký %s · nhận %s", "• %s: pledged %s · received %s"},
	msgNoZone:         {"Chưa chọn khu", "No zone chosen"},
	msgMeasure:        {"<b>%s</b>: %s / %s (%d%%)", "<b>%s</b>: %s of %s (%d%%)"},
	msgMeasureNone:    {"<b>%s</b>: chưa có báo cáo tiến độ · mục tiêu %s", "<b>%s</b>: no progress reported yet · goal %s"},
	msgMeasureUpdated: {"Cập nhật %s", "Updated %s"},
	msgHonour:         {"🏅 <b>Bảng vinh danh</b>", "🏅 <b>Honour board</b>"},
	msgHonourLine:     {"• %s: %s", "• %s: %s"},
	msgHonourMore:     {"… và %d người khác", "… and %d more"},
	msgChartCaption:   {"Biểu đồ tiến độ (tiền): đã nhận, đã đăng ký và mục tiêu của từng chiến dịch.", "Progress chart (money): received, pledged and goal of each campaign."},
	msgChartTitle:     {"Tiến độ vận động · %s", "Campaign progress · %s"},
	msgChartAxis:      {"triệu đồng", "million đồng"},
	msgChartGoal:      {"Mục tiêu", "Goal"},
	msgChartPledged:   {"Đã đăng ký", "Pledged"},
	msgChartReceived:  {"Đã nhận", "Received"},
	msgMilestone50: {
		"🎉 <b>%s</b> (<code>%s</code>) đã nhận được hơn một nửa mục tiêu: %s / %s (%d%%). Cảm ơn bà con!",
		"🎉 <b>%s</b> (<code>%s</code>) has received over half its goal: %s of %s (%d%%). Thank you all!",
	},
	msgMilestone100: {
		"🏆 <b>%s</b> (<code>%s</code>) đã đạt mục tiêu: %s / %s (%d%%). Xin chân thành cảm ơn bà con!",
		"🏆 <b>%s</b> (<code>%s</code>) has reached its goal: %s of %s (%d%%). Heartfelt thanks to everyone!",
	},
}

// t looks a message up in lang ("en" for English, anything else
// Vietnamese) and fills in args.
func t(lang string, m msg, args ...any) string {
	return catalog.Text("report", catalogue, lang, m, args...)
}

// targetName names a target as plain text: its kind and label, as /summary
// does.
func targetName(lang string, tg danvan.Target) string { return catalog.TargetName(lang, tg) }

// quantity writes q in the target's kind and unit, as plain text.
func quantity(lang string, tg danvan.Target, q danvan.Quantity) string {
	return catalog.Quantity(lang, tg, q)
}

// signed writes a change with its sign, "+0" included, so that a line
// reads the same every week.
func signed(lang string, tg danvan.Target, d danvan.Quantity) string {
	if d < 0 {
		return quantity(lang, tg, d)
	}
	return "+" + quantity(lang, tg, d)
}

// progressBar draws percent as ten blocks, readable in any chat font (the
// same bar as /summary).
func progressBar(percent int64) string {
	full := int(min(max(percent, 0), 100) / 10)
	return strings.Repeat("▓", full) + strings.Repeat("░", 10-full)
}
