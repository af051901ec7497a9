package export

import (
	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/catalog"
)

// Exports are read by committees, so they speak Vietnamese unless asked
// for English. The catalogue is this package's own, like report's: the
// kind and status names are the ones the chat uses.

type msg int

const (
	msgSheetCampaigns msg = iota + 1
	msgSheetTargets
	msgSheetPledges
	msgSheetReceipts
	msgFileCampaigns
	msgFileTargets
	msgFilePledges
	msgFileReceipts

	// Column headers.
	msgColCampaignCode
	msgColTitle
	msgColUnitCode
	msgColUnit
	msgColZones
	msgColStarts
	msgColEnds
	msgColCampaignStatus
	msgColBankBIN
	msgColBankAccount
	msgColBankName
	msgColHonourBoard
	msgColDescription
	msgColPosition
	msgColKind
	msgColLabel
	msgColUnitLabel
	msgColGoal
	msgColPledged
	msgColPledgeCount
	msgColReceived
	msgColPercent
	msgColPledgeCode
	msgColTarget
	msgColPledger
	msgColZone
	msgColQuantity
	msgColOutstanding
	msgColStatus
	msgColDue
	msgColPledgedAt
	msgColRecordedFor
	msgColPublicName
	msgColCancelledAt
	msgColCancelReason
	msgColReceiptNo
	msgColRecordedAt
	msgColGiver
	msgColMethod
	msgColRecordedBy
	msgColReverses
	msgColReason

	msgYes
	msgNo
	msgUnitMoney
	msgUnitLabour
	msgUnitLand
	msgUnitPercent

	msgCampaignDraft
	msgCampaignActive
	msgCampaignClosed

	msgMethodCash
	msgMethodTransfer
	msgMethodInKind
	msgMethodLabour

	// The annual report.
	msgAnnualSheet
	msgAnnualTitle
	msgAnnualTitleNoArea
	msgAnnualCount
	msgAnnualMeaning
	msgAnnualTotal
	msgAnnualNothing
	msgAnnualByUnit
	msgAnnualByCampaign
	msgAnnualUnitLine
	msgAnnualUnitNothing
	msgAnnualAmount
	msgAnnualMore
	msgAnnualMoreKinds
	msgAnnualColUnitCode
	msgAnnualColUnit
	msgAnnualColCampaigns
	msgAnnualColCampaignCode
	msgAnnualColCampaign
	msgAnnualColPledged
	msgAnnualColReceived
	msgAnnualTotalRow
	msgUnitSingular
	msgUnitPlural
	msgCampaignSingular
	msgCampaignPlural
)

var catalogue = map[msg][2]string{
	msgSheetCampaigns: {"Chiến dịch", "Campaigns"},
	msgSheetTargets:   {"Mục tiêu", "Targets"},
	msgSheetPledges:   {"Khoản ủng hộ", "Pledges"},
	msgSheetReceipts:  {"Sổ thu", "Receipts"},
	// File names stay ASCII: zip tools and some mail and chat clients
	// mangle anything else.
	msgFileCampaigns: {"chien-dich.csv", "campaigns.csv"},
	msgFileTargets:   {"muc-tieu.csv", "targets.csv"},
	msgFilePledges:   {"khoan-ung-ho.csv", "pledges.csv"},
	msgFileReceipts:  {"so-thu.csv", "receipts.csv"},

	msgColCampaignCode:   {"Mã chiến dịch", "Campaign code"},
	msgColTitle:          {"Tên chiến dịch", "Title"},
	msgColUnitCode:       {"Mã đơn vị", "Unit code"},
	msgColUnit:           {"Đơn vị", "Unit"},
	msgColZones:          {"Địa bàn", "Zones"},
	msgColStarts:         {"Ngày bắt đầu", "Starts"},
	msgColEnds:           {"Ngày kết thúc", "Ends"},
	msgColCampaignStatus: {"Trạng thái", "Status"},
	msgColBankBIN:        {"Mã ngân hàng (BIN)", "Bank (BIN)"},
	msgColBankAccount:    {"Số tài khoản", "Account number"},
	msgColBankName:       {"Tên tài khoản", "Account name"},
	msgColHonourBoard:    {"Bảng vinh danh", "Honour board"},
	msgColDescription:    {"Mô tả", "Description"},
	msgColPosition:       {"Thứ tự", "Position"},
	msgColKind:           {"Loại", "Kind"},
	msgColLabel:          {"Nội dung", "Label"},
	msgColUnitLabel:      {"Đơn vị tính", "Unit of measure"},
	msgColGoal:           {"Mục tiêu cần đạt", "Goal"},
	msgColPledged:        {"Đã đăng ký", "Pledged"},
	msgColPledgeCount:    {"Số lượt đăng ký", "Pledges"},
	msgColReceived:       {"Đã nhận", "Received"},
	msgColPercent:        {"Đạt (%)", "Received (%)"},
	msgColPledgeCode:     {"Mã khoản", "Pledge code"},
	msgColTarget:         {"Mục tiêu", "Target"},
	msgColPledger:        {"Người ủng hộ", "Pledger"},
	msgColZone:           {"Khu", "Zone"},
	msgColQuantity:       {"Số lượng", "Quantity"},
	msgColOutstanding:    {"Còn thiếu", "Outstanding"},
	msgColStatus:         {"Trạng thái", "Status"},
	msgColDue:            {"Hạn nộp", "Due"},
	msgColPledgedAt:      {"Thời điểm đăng ký", "Pledged at"},
	msgColRecordedFor:    {"Người ghi hộ", "Recorded by"},
	msgColPublicName:     {"Công khai tên", "Public name"},
	msgColCancelledAt:    {"Thời điểm hủy", "Cancelled at"},
	msgColCancelReason:   {"Lý do hủy", "Cancel reason"},
	msgColReceiptNo:      {"Số phiếu", "Receipt no."},
	msgColRecordedAt:     {"Thời điểm ghi", "Recorded at"},
	msgColGiver:          {"Người nộp", "Giver"},
	msgColMethod:         {"Hình thức", "Method"},
	msgColRecordedBy:     {"Người ghi", "Recorded by"},
	msgColReverses:       {"Đảo phiếu số", "Reverses no."},
	msgColReason:         {"Lý do", "Reason"},

	msgYes:         {"có", "yes"},
	msgNo:          {"không", "no"},
	msgUnitMoney:   {"đồng", "đồng"},
	msgUnitLabour:  {"ngày công", "labour days"},
	msgUnitLand:    {"m²", "m²"},
	msgUnitPercent: {"%", "%"},

	msgCampaignDraft:  {"nháp", "draft"},
	msgCampaignActive: {"đang vận động", "active"},
	msgCampaignClosed: {"đã kết thúc", "closed"},

	msgMethodCash:     {"tiền mặt", "cash"},
	msgMethodTransfer: {"chuyển khoản", "bank transfer"},
	msgMethodInKind:   {"hiện vật", "in kind"},
	msgMethodLabour:   {"ngày công", "labour done"},

	msgAnnualSheet:       {"Báo cáo năm", "Annual report"},
	msgAnnualTitle:       {"Báo cáo năm %d — %s", "Annual report %d — %s"},
	msgAnnualTitleNoArea: {"Báo cáo năm %d", "Annual report %d"},
	msgAnnualCount:       {"%d %s đăng ký %d %s.", "%d %s registered %d %s."},
	msgAnnualMeaning: {
		"Đã đăng ký: các khoản đăng ký trong năm, không tính khoản đã hủy. Đã nhận: các lần thu ghi sổ trong năm, đã trừ bút toán đảo.",
		"Pledged: pledges made during the year, cancelled ones excluded. Received: receipts recorded during the year, reversals netted.",
	},
	msgAnnualTotal:       {"%s: đã đăng ký %s, đã nhận %s", "%s: pledged %s, received %s"},
	msgAnnualNothing:     {"Chưa có khoản đóng góp nào trong năm.", "Nothing was pledged or received during the year."},
	msgAnnualByUnit:      {"Theo đơn vị", "By unit"},
	msgAnnualByCampaign:  {"Theo mô hình", "By campaign"},
	msgAnnualUnitLine:    {"• <b>%s</b> · %d %s: %s", "• <b>%s</b> · %d %s: %s"},
	msgAnnualUnitNothing: {"chưa có đóng góp", "nothing yet"},
	msgAnnualAmount:      {"đăng ký %s, nhận %s", "pledged %s, received %s"},
	msgAnnualMore:        {"… và %d đơn vị khác", "… and %d more"},
	msgAnnualMoreKinds:   {"… và %d loại khác", "… and %d more"},

	msgAnnualColUnitCode:     {"Mã đơn vị", "Unit code"},
	msgAnnualColUnit:         {"Đơn vị", "Unit"},
	msgAnnualColCampaigns:    {"Số mô hình", "Campaigns"},
	msgAnnualColCampaignCode: {"Mã mô hình", "Campaign code"},
	msgAnnualColCampaign:     {"Tên mô hình", "Campaign"},
	msgAnnualColPledged:      {"%s đã đăng ký (%s)", "%s pledged (%s)"},
	msgAnnualColReceived:     {"%s đã nhận (%s)", "%s received (%s)"},
	msgAnnualTotalRow:        {"Tổng cộng", "Total"},
	msgUnitSingular:          {"đơn vị", "unit"},
	msgUnitPlural:            {"đơn vị", "units"},
	msgCampaignSingular:      {"mô hình", "campaign"},
	msgCampaignPlural:        {"mô hình", "campaigns"},
}

// t looks a message up in lang ("en" for English, anything else
// Vietnamese) and fills in args.
func t(lang string, m msg, args ...any) string {
	return catalog.Text("export", catalogue, lang, m, args...)
}

func kindName(lang string, k danvan.Kind) string { return catalog.KindName(lang, k) }

// targetName names a target as the chat does: its kind, and its label
// when it has one ("Hiện vật: điều hòa").
func targetName(lang string, tg danvan.Target) string { return catalog.TargetName(lang, tg) }

// unitOf is what a target's quantities count, for the "unit of measure"
// column next to bare numbers: the currency, labour days, m², the goods'
// counting word (or the item itself), a measure's unit, %.
func unitOf(lang string, tg danvan.Target) string {
	switch tg.Kind {
	case danvan.KindMoney:
		return t(lang, msgUnitMoney)
	case danvan.KindLabour:
		return t(lang, msgUnitLabour)
	case danvan.KindLand:
		return t(lang, msgUnitLand)
	case danvan.KindPercent:
		return t(lang, msgUnitPercent)
	case danvan.KindGoods:
		if tg.Unit == "" {
			return tg.Label
		}
	}
	return tg.Unit
}

var campaignStatusMessages = map[danvan.CampaignStatus]msg{
	danvan.CampaignDraft:  msgCampaignDraft,
	danvan.CampaignActive: msgCampaignActive,
	danvan.CampaignClosed: msgCampaignClosed,
}

var methodMessages = map[danvan.ReceiptMethod]msg{
	danvan.MethodCash:     msgMethodCash,
	danvan.MethodTransfer: msgMethodTransfer,
	danvan.MethodInKind:   msgMethodInKind,
	danvan.MethodLabour:   msgMethodLabour,
}

// named looks a value up in one of the maps above; a value the catalogue
// does not know (a newer version's) is written as stored rather than
// dropped.
func named[K ~string](lang string, names map[K]msg, v K) string {
	if m, ok := names[v]; ok {
		return t(lang, m)
	}
	return string(v)
}

func yesNo(lang string, b bool) string {
	if b {
		return t(lang, msgYes)
	}
	return t(lang, msgNo)
}
