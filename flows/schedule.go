package flows

// When a group gets its weekly summary (/schedule DAY HOUR), and the ways
// people write a day and an hour.

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
)

// schedule is /schedule [DAY HOUR] in a group: without arguments it shows
// the current schedule.
func (tr *turn) schedule(args string) error {
	if _, _, _, err := tr.groupLinks(); err != nil {
		return err
	}
	day, hour, err := tr.st.GroupSchedule(tr.ctx, tr.ev.ChatID)
	if err != nil {
		return err
	}
	current := tr.scheduleName(day, hour)
	if strings.TrimSpace(args) == "" {
		tr.say(t(tr.lang, msgSCurrent, current) + t(tr.lang, msgSUsage))
		return nil
	}
	ok, err := tr.mayScheduleGroup()
	if err != nil || !ok {
		return err
	}
	newDay, newHour, problem := parseSchedule(args)
	if problem != (msg{}) {
		tr.say(t(tr.lang, problem, esc(truncate(strings.TrimSpace(args), 30))) + t(tr.lang, msgSUsage) + t(tr.lang, msgSKept, current))
		return nil
	}
	if err := tr.st.SetGroupSchedule(tr.ctx, tr.ev.ChatID, newDay, newHour); err != nil {
		return err
	}
	if err := tr.auditGroup(0, "schedule", map[string]any{"weekday": newDay, "hour": newHour, "before": map[string]int{"weekday": day, "hour": hour}}); err != nil {
		return err
	}
	tr.say(t(tr.lang, msgSChanged, tr.scheduleName(newDay, newHour)))
	return nil
}

// mayScheduleGroup: an admin, a cadre of the unit the group is linked to
// or of a linked campaign's unit, or any cadre for a group linked to
// nothing of a unit yet. Others are told.
func (tr *turn) mayScheduleGroup() (bool, error) {
	gs, ok, err := tr.groupGrants(msgSNotAllowed)
	if err != nil || !ok || gs.Admin() {
		return ok, err
	}
	_, unitID, campaigns, err := tr.groupLinks()
	if err != nil {
		return false, err
	}
	owned := unitID == 0 && len(campaigns) == 0
	if unitID != 0 && gs.CadreOf(unitID) {
		owned = true
	}
	for _, id := range campaigns {
		c, err := tr.st.Campaign(tr.ctx, id)
		if err != nil {
			return false, err
		}
		if gs.CadreOf(c.UnitID) {
			owned = true
		}
	}
	if !owned {
		tr.say(t(tr.lang, msgSNotAllowed))
	}
	return owned, nil
}

// scheduleName writes a schedule the way people say it: "thứ Hai 8:00".
func (tr *turn) scheduleName(day, hour int) string {
	return t(tr.lang, msgSWhen, t(tr.lang, weekdayNames[(day+6)%7]), hour)
}

var weekdayNames = [7]msg{msgSMonday, msgSTuesday, msgSWednesday, msgSThursday, msgSFriday, msgSSaturday, msgSSunday}

// weekdays reads the ways people write a day of the week, once lowercased
// and stripped of spaces and diacritics: thu2, t2, thứ hai, CN, chủ nhật,
// Monday, mon…
var weekdays = map[string]int{
	"thu2": 1, "t2": 1, "thuhai": 1, "mon": 1, "monday": 1,
	"thu3": 2, "t3": 2, "thuba": 2, "tue": 2, "tuesday": 2,
	"thu4": 3, "t4": 3, "thutu": 3, "wed": 3, "wednesday": 3,
	"thu5": 4, "t5": 4, "thunam": 4, "thu": 4, "thursday": 4,
	"thu6": 5, "t6": 5, "thusau": 5, "fri": 5, "friday": 5,
	"thu7": 6, "t7": 6, "thubay": 6, "sat": 6, "saturday": 6,
	"cn": 7, "chunhat": 7, "sun": 7, "sunday": 7,
}

var hourPattern = regexp.MustCompile(`^(\d{1,2})(?:h|g|giờ|gio|:00|h00|g00)?$`)

// parseSchedule reads "DAY HOUR" (e.g. "thu2 8", "CN 20h", "thứ 7 19:00");
// problem names what is wrong, 0 when nothing.
func parseSchedule(s string) (weekday, hour int, problem msg) {
	fields := strings.Fields(strings.ToLower(s))
	if len(fields) < 2 {
		return 0, 0, msgSNeedBoth
	}
	day, ok := weekdays[strings.NewReplacer(" ", "", "-", "").Replace(danvan.Fold(strings.Join(fields[:len(fields)-1], "")))]
	if !ok {
		return 0, 0, msgSBadDay
	}
	m := hourPattern.FindStringSubmatch(fields[len(fields)-1])
	if m == nil {
		return 0, 0, msgSBadHour
	}
	h, err := strconv.Atoi(m[1])
	if err != nil || h > 23 {
		return 0, 0, msgSBadHour
	}
	return day, h, msg{}
}

var (
	msgSCurrent = msg{"🗓 Lịch tổng kết tuần của nhóm: <b>%s</b>.", "🗓 This group's weekly summary: <b>%s</b>."}
	msgSUsage   = msg{
		"\nĐổi lịch: <code>/lichtongket thu2 8</code> (thứ Hai 8:00) hoặc <code>/lichtongket CN 20</code> (Chủ nhật 20:00).",
		"\nTo change it: <code>/schedule mon 8</code> (Monday 8:00) or <code>/schedule sun 20</code> (Sunday 20:00).",
	}
	msgSKept       = msg{"\nLịch cũ vẫn giữ nguyên: <b>%s</b>.", "\nThe schedule stays as it was: <b>%s</b>."}
	msgSChanged    = msg{"🗓 Đã đổi lịch tổng kết tuần của nhóm: <b>%s</b>.", "🗓 This group's weekly summary is now on <b>%s</b>."}
	msgSNotAllowed = msg{"Chỉ cán bộ phụ trách nhóm hoặc quản trị mới đổi được lịch tổng kết.", "Only the group's cadres and admins can change its schedule."}
	msgSNeedBoth   = msg{
		"Lịch <code>%s</code> chưa đủ: cần cả ngày trong tuần và giờ.",
		"The schedule <code>%s</code> is incomplete: it needs a day of the week and an hour.",
	}
	msgSBadDay = msg{
		"Bot không hiểu ngày trong <code>%s</code>: hãy gõ thu2 … thu7 hoặc CN.",
		"I can't read the day in <code>%s</code>: use mon … sun.",
	}
	msgSBadHour = msg{
		"Giờ trong <code>%s</code> không hợp lệ: hãy gõ một giờ tròn từ 0 đến 23, ví dụ <code>8</code> hoặc <code>20h</code>.",
		"The hour in <code>%s</code> is not valid: use a whole hour from 0 to 23, e.g. <code>8</code> or <code>20h</code>.",
	}
	msgSWhen      = msg{"%s %d:00", "%s %d:00"}
	msgSMonday    = msg{"thứ Hai", "Monday"}
	msgSTuesday   = msg{"thứ Ba", "Tuesday"}
	msgSWednesday = msg{"thứ Tư", "Wednesday"}
	msgSThursday  = msg{"thứ Năm", "Thursday"}
	msgSFriday    = msg{"thứ Sáu", "Friday"}
	msgSSaturday  = msg{"thứ Bảy", "Saturday"}
	msgSSunday    = msg{"Chủ nhật", "Sunday"}
)
