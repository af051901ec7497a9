package catalog

import (
	"strings"

	"github.com/danvan/danvan"
)

// kinds names the kinds of target the same way in the chat, the groups'
// summaries and the exports, so a committee reads one word for one thing.
var kinds = map[danvan.Kind][2]string{
	danvan.KindMoney:   {"Tiền", "Money"},
	danvan.KindLabour:  {"Ngày công", "Labour days"},
	danvan.KindLand:    {"Hiến đất", "Land"},
	danvan.KindGoods:   {"Hiện vật", "Goods"},
	danvan.KindMeasure: {"Khối lượng", "Measure"},
	danvan.KindPercent: {"Chỉ tiêu", "Indicator"},
}

// KindName names kind k in lang; an unknown kind is shown as it is stored.
func KindName(lang string, k danvan.Kind) string {
	if _, ok := kinds[k]; !ok {
		return string(k)
	}
	return Text("catalog", kinds, lang, k)
}

// TargetName names a target as plain text: its kind, and its label when it
// has one ("Hiện vật: điều hòa").
func TargetName(lang string, tg danvan.Target) string {
	name := KindName(lang, tg.Kind)
	if tg.Label != "" {
		name += ": " + tg.Label
	}
	return name
}

// Quantity writes q of target tg in lang, as plain text: goods counted in
// their unit when the setup gives one ("16 chiếc điều hòa", else "16 điều
// hòa"), measures in theirs ("40 m").
func Quantity(lang string, tg danvan.Target, q danvan.Quantity) string {
	unit := tg.Unit
	if tg.Kind == danvan.KindGoods {
		unit = strings.TrimSpace(tg.Unit + " " + tg.Label)
	}
	return danvan.FormatQuantity(tg.Kind, q, unit, lang)
}

// statuses names a pledge's status, the same in the chat and the exports.
var statuses = map[danvan.PledgeStatus][2]string{
	danvan.PledgePledged:   {"đã đăng ký", "pledged"},
	danvan.PledgePartial:   {"đã nộp một phần", "partly received"},
	danvan.PledgeFulfilled: {"đã nộp đủ", "fulfilled"},
	danvan.PledgeCancelled: {"đã hủy", "cancelled"},
	danvan.PledgeOverdue:   {"quá hạn", "overdue"},
}

// StatusName names a pledge status in lang; an unknown one is shown as it
// is stored.
func StatusName(lang string, s danvan.PledgeStatus) string {
	if _, ok := statuses[s]; !ok {
		return string(s)
	}
	return Text("catalog", statuses, lang, s)
}
