package flows

import (
	"fmt"

	"github.com/danvan/danvan/internal/catalog"
)

// msg names a text the bot says. Every text lives in the catalogue below, in
// Vietnamese first and English second; code never writes user-facing words.
type msg int

const (
	msgWelcome msg = iota + 1
	msgWelcomeBack
	msgHelp
	msgHelpGroup
	msgAskZone
	msgZoneSaved
	msgNoZones
	msgCancelled
	msgNothingToCancel
	msgUnknownCommand
	msgPrivateOnly
	msgOnlyText
	msgUseButtons
	msgNotUnderstood
	msgBadLink
	msgBadInvitation
	msgButtonExpired
	msgChosen
	msgNoOpenCampaigns
	msgCampaignsHeader
	msgCampaignLine
	msgPledgeButton
	msgAskCampaign
	msgUnknownCampaign
	msgCampaignClosed
	msgNothingPledgeable
	msgAskTarget
	msgAskQuantity
	msgAskQuantityExample
	msgConfirmPledge
	msgConfirmNamed
	msgConfirmAnonymous
	msgConfirmPlain
	msgCancelButton
	msgPledged
	msgPledgedBank
	msgPledgedQR
	msgQRButton
	msgQRNothingOpen
	msgPledgeUsage
	msgNotPledgeableTarget
	msgWrongKind
	msgNoTargetOfKind
	msgQtyEmpty
	msgQtyUnparseable
	msgQtyZero
	msgQtyNegative
	msgQtyTooLarge
	msgQtyTooLargeNumber
	msgQtyTooSmall
	msgQtyTooSmallThousands
	msgQtyPrecision
	msgQtyNeedUnit
	msgMyPledgesNone
	msgMyPledgesHeader
	msgMyPledgeLine
	msgSummaryUsage
	msgSummaryHeader
	msgSummaryTarget
	msgSummaryPledged
	msgSummaryNoPledges
	msgDue
	msgApology
	msgCmdCampaigns
	msgCmdPledge
	msgCmdMyPledges
	msgCmdSummary
	msgCmdHelp
	msgCmdCancel
	msgCmdConfirm
	msgCmdHousehold
	msgCmdGift
	msgCmdCorrect
	msgCmdNewCampaign
	msgCmdEditCampaign
	msgCmdCloseCampaign
	msgCmdProgress
	msgCmdEditPledge
	msgCmdExport
	msgCmdAnnual
	msgHelpResidentMore
	msgHelpHead
	msgHelpConfirm
	msgHelpHousehold
	msgHelpGift
	msgHelpClaims
	msgHelpCorrect
	msgHelpStatement
	msgHelpExport
	msgHelpAnnual
	msgHelpNewCampaign
	msgHelpEditCampaign
	msgHelpProgress
	msgHelpEditPledge
	msgHelpHistory
	msgHelpInvite
	msgHelpInviteAny
	msgHelpGroupLinks
	msgHelpRoles
	msgHelpTreasurer
	msgHelpCadre
	msgHelpAdmin
)

// catalogue holds {Vietnamese, English} for each msg. The texts are
// fmt formats in Telegram's HTML subset; arguments that came from people
// are escaped by the caller.
var catalogue = map[msg][2]string{
	msgWelcome: {
		"Xin chào <b>%s</b>! Đây là bot <b>Dân vận khéo</b>: bạn có thể xem các công trình, mô hình của khu dân cư và đăng ký ủng hộ tiền, ngày công, đất hoặc hiện vật ngay trên điện thoại.",
		"Hello <b>%s</b>! This is the <b>Skilful Mass Mobilisation</b> bot: see your neighbourhood's campaigns and pledge money, labour days, land or goods from your phone.",
	},
	msgWelcomeBack: {
		"Chào <b>%s</b>! Khu của bạn: <b>%s</b>. Gõ /chiendich để xem các chiến dịch, /ungho để ủng hộ.",
		"Hello <b>%s</b>! Your zone: <b>%s</b>. Send /campaigns to see the campaigns, /pledge to pledge.",
	},
	msgHelp: {
		"<b>Bot có thể giúp bạn:</b>\n" +
			"/chiendich — các chiến dịch đang vận động ở khu của bạn\n" +
			"/ungho — đăng ký ủng hộ (hoặc gõ nhanh: <code>/ungho DIEUHOA 500k</code>)\n" +
			"/cuatoi — các khoản bạn đã đăng ký và đã nộp\n" +
			"/tongket MÃ — kết quả vận động của một chiến dịch\n" +
			"/huy — dừng thao tác đang làm\n\n" +
			"Số tiền gõ như thường ngày: <code>500k</code>, <code>2tr</code>, <code>1tr5</code>, <code>2.000.000đ</code>; ngày công: <code>3 công</code>; đất: <code>20m2</code>.",
		"<b>What I can do:</b>\n" +
			"/campaigns — campaigns running in your zone\n" +
			"/pledge — pledge (or in one line: <code>/pledge DIEUHOA 500k</code>)\n" +
			"/mypledges — what you pledged and what was received\n" +
			"/summary CODE — a campaign's progress\n" +
			"/cancel — stop what you are doing\n\n" +
			"Type amounts as you say them: <code>500k</code>, <code>2tr</code>, <code>1tr5</code>, <code>2.000.000đ</code>; labour: <code>3 days</code>; land: <code>20m2</code>.",
	},
	msgHelpGroup: {
		"Trong nhóm, gõ <code>/tongket MÃ</code> để xem kết quả vận động. Để đăng ký ủng hộ, hãy nhắn riêng cho bot.",
		"In a group, send <code>/summary CODE</code> to see a campaign's progress. To pledge, write to me privately.",
	},
	msgAskZone:         {"Bạn ở khu (thôn) nào? Chọn một khu bên dưới:", "Which zone do you live in? Choose below:"},
	msgZoneSaved:       {"Đã lưu: bạn ở <b>%s</b>.", "Saved: you live in <b>%s</b>."},
	msgNoZones:         {"Chưa có khu dân cư nào được thiết lập. Vui lòng báo cán bộ phường.", "No zones have been set up yet. Please tell the ward's cadres."},
	msgCancelled:       {"Đã dừng. Gõ /huongdan để xem bot làm được gì.", "Stopped. Send /help to see what I can do."},
	msgNothingToCancel: {"Không có thao tác nào đang làm dở.", "There is nothing to stop."},
	msgUnknownCommand:  {"Bot không hiểu lệnh <code>/%s</code>. Gõ /huongdan để xem các lệnh.", "I don't know the command <code>/%s</code>. Send /help to see the commands."},
	msgPrivateOnly:     {"Lệnh này chỉ dùng khi nhắn riêng với bot.", "This command works only in a private chat with me."},
	msgOnlyText:        {"Bot chỉ đọc được chữ. ", "I can only read text. "},
	msgUseButtons:      {"Hãy chọn bằng các nút ở tin nhắn trên, hoặc gõ /huy để dừng.", "Please choose with the buttons above, or send /cancel to stop."},
	msgNotUnderstood:   {"Bot chưa hiểu ý bạn. Gõ /huongdan để xem bot làm được gì.", "I didn't understand. Send /help to see what I can do."},
	msgBadLink:         {"Đường dẫn này không hợp lệ. Gõ /chiendich để xem các chiến dịch.", "This link is not valid. Send /campaigns to see the campaigns."},
	msgBadInvitation:   {"Lời mời này không hợp lệ hoặc đã hết hạn. Hãy xin cán bộ một lời mời mới.", "This invitation is not valid or has expired. Ask a cadre for a new one."},
	msgButtonExpired:   {"Nút này đã cũ. Hãy dùng tin nhắn mới nhất.", "This button is out of date. Please use the latest message."},
	msgChosen:          {"→ <b>%s</b>", "→ <b>%s</b>"},
	msgNoOpenCampaigns: {"Hiện chưa có chiến dịch nào đang vận động ở khu của bạn.", "There are no open campaigns in your zone right now."},
	msgCampaignsHeader: {"<b>Các chiến dịch đang vận động</b>", "<b>Open campaigns</b>"},
	msgCampaignLine:    {"\n\n<b>%s</b> · mã <code>%s</code>\n%s", "\n\n<b>%s</b> · code <code>%s</code>\n%s"},
	msgPledgeButton:    {"Ủng hộ %s", "Pledge to %s"},
	msgAskCampaign:     {"Bạn muốn ủng hộ chiến dịch nào?", "Which campaign would you like to support?"},
	msgUnknownCampaign: {"Không có chiến dịch mã <code>%s</code>. Gõ /chiendich để xem các mã.", "There is no campaign with code <code>%s</code>. Send /campaigns to see the codes."},
	msgCampaignClosed:  {"Chiến dịch <b>%s</b> đã kết thúc, không nhận đăng ký mới.", "The campaign <b>%s</b> is closed and takes no new pledges."},
	msgNothingPledgeable: {
		"Chiến dịch <b>%s</b> không có mục nào để đăng ký ủng hộ.",
		"The campaign <b>%s</b> has nothing to pledge to.",
	},
	msgAskTarget:          {"<b>%s</b>\nBạn muốn ủng hộ gì?", "<b>%s</b>\nWhat would you like to give?"},
	msgAskQuantity:        {"<b>%s</b> — %s\nBạn ủng hộ bao nhiêu? Chọn nhanh hoặc gõ số lượng.", "<b>%s</b> — %s\nHow much would you like to give? Choose or type an amount."},
	msgAskQuantityExample: {"Ví dụ: <code>%s</code>", "For example: <code>%s</code>"},
	msgConfirmPledge: {
		"Xác nhận đăng ký ủng hộ <b>%s</b> (%s) cho <b>%s</b>?",
		"Confirm your pledge of <b>%s</b> (%s) to <b>%s</b>?",
	},
	msgConfirmNamed:     {"✅ Đồng ý, ghi tên tôi", "✅ Yes, show my name"},
	msgConfirmAnonymous: {"✅ Đồng ý, giấu tên", "✅ Yes, anonymously"},
	msgConfirmPlain:     {"✅ Đồng ý", "✅ Yes"},
	msgCancelButton:     {"✖ Hủy", "✖ Cancel"},
	msgPledged: {
		"Cảm ơn bạn! Đã ghi nhận khoản ủng hộ <b>#%s</b>: %s cho <b>%s</b>.\nGõ /cuatoi để xem các khoản của bạn.",
		"Thank you! Your pledge <b>#%s</b> is recorded: %s to <b>%s</b>.\nSend /mypledges to see your pledges.",
	},
	msgPledgedBank: {
		"\n\nChuyển khoản: %s, tài khoản <code>%s</code> (%s), nội dung <code>%s</code>.",
		"\n\nBank transfer: %s, account <code>%s</code> (%s), memo <code>%s</code>.",
	},
	msgQRButton:      {"📷 Mã QR #%s", "📷 QR code #%s"},
	msgQRNothingOpen: {"Khoản #%s không còn gì để chuyển khoản.", "Nothing is left to transfer on pledge #%s."},
	msgPledgedQR: {
		"📷 Quét mã VietQR này bằng ứng dụng ngân hàng để chuyển %s cho %s; nội dung <code>%s</code> đã điền sẵn, xin giữ nguyên để thủ quỹ đối chiếu.",
		"📷 Scan this VietQR code with your banking app to transfer %s to %s; the memo <code>%s</code> is filled in — please keep it so the treasurer can match your transfer.",
	},
	msgPledgeUsage: {
		"Cú pháp: <code>/ungho MÃ SỐ_LƯỢNG</code>, ví dụ <code>/ungho DIEUHOA 500k</code>. Hoặc gõ /ungho để được hướng dẫn từng bước.",
		"Usage: <code>/pledge CODE AMOUNT</code>, e.g. <code>/pledge DIEUHOA 500k</code>. Or send /pledge to be guided step by step.",
	},
	msgNotPledgeableTarget: {"Mục này chỉ để theo dõi tiến độ, không nhận đăng ký ủng hộ.", "This goal tracks progress only; it takes no pledges."},
	msgWrongKind: {
		"Ở bước này cần %s, nhưng bạn gõ %s. ",
		"This step needs %s, but you typed %s. ",
	},
	msgNoTargetOfKind: {
		"Chiến dịch <b>%s</b> không nhận %s. Có thể ủng hộ: %s.",
		"The campaign <b>%s</b> does not take %s. You can give: %s.",
	},
	msgQtyEmpty:             {"Bạn chưa gõ số lượng. ", "You didn't type an amount. "},
	msgQtyUnparseable:       {"Bot không đọc được số lượng này. ", "I can't read that amount. "},
	msgQtyZero:              {"Số lượng phải lớn hơn 0. ", "The amount must be more than zero. "},
	msgQtyNegative:          {"Số lượng không được âm. ", "The amount can't be negative. "},
	msgQtyTooLarge:          {"Số lượng này quá lớn (tối đa %s). ", "That amount is too large (at most %s). "},
	msgQtyTooLargeNumber:    {"Số này quá lớn. ", "That number is too large. "},
	msgQtyTooSmall:          {"Số tiền quá nhỏ: ít nhất %s. ", "That amount is too small: at least %s. "},
	msgQtyTooSmallThousands: {"Số tiền quá nhỏ (ít nhất %s): bạn muốn gõ <code>%s</code>? ", "That amount is too small (at least %s): did you mean <code>%s</code>? "},
	msgQtyPrecision:         {"Số lẻ không hợp lệ (%s). ", "Too many decimals (%s). "},
	msgQtyNeedUnit:          {"Hãy ghi rõ đơn vị, ví dụ <code>500k</code>, <code>3 công</code>, <code>20m2</code>. ", "Please add a unit, e.g. <code>500k</code>, <code>3 days</code>, <code>20m2</code>. "},
	msgMyPledgesNone:        {"Bạn chưa đăng ký ủng hộ khoản nào. Gõ /ungho để bắt đầu.", "You have no pledges yet. Send /pledge to start."},
	msgMyPledgesHeader:      {"<b>Các khoản ủng hộ của bạn</b>", "<b>Your pledges</b>"},
	msgMyPledgeLine: {
		"\n\n<b>#%s</b> · %s\n%s — đã nhận %s · <i>%s</i>",
		"\n\n<b>#%s</b> · %s\n%s — received %s · <i>%s</i>",
	},
	msgSummaryUsage:   {"Cú pháp: <code>/tongket MÃ</code>, ví dụ <code>/tongket DIEUHOA</code>. Các mã: %s", "Usage: <code>/summary CODE</code>, e.g. <code>/summary DIEUHOA</code>. Codes: %s"},
	msgSummaryHeader:  {"<b>%s</b> · mã <code>%s</code>", "<b>%s</b> · code <code>%s</code>"},
	msgSummaryTarget:  {"\n\n<b>%s</b>: đã nhận %s / %s (%d%%)\n%s", "\n\n<b>%s</b>: received %s of %s (%d%%)\n%s"},
	msgSummaryPledged: {"\nĐã đăng ký: %s · %d lượt", "\nPledged: %s · %d pledges"},
	msgSummaryNoPledges: {
		"\nChưa có ai đăng ký.",
		"\nNo pledges yet.",
	},
	msgDue: {" · hạn %s", " · due %s"},
	msgApology: {
		"Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này. Bạn vui lòng thử lại sau ít phút.",
		"Sorry, something went wrong with that message. Please try again in a few minutes.",
	},
	msgCmdCampaigns:     {"Các chiến dịch đang vận động", "Open campaigns"},
	msgCmdPledge:        {"Đăng ký ủng hộ", "Make a pledge"},
	msgCmdMyPledges:     {"Các khoản ủng hộ của tôi", "My pledges"},
	msgCmdSummary:       {"Kết quả vận động của một chiến dịch", "A campaign's progress"},
	msgCmdHelp:          {"Hướng dẫn", "Help"},
	msgCmdCancel:        {"Dừng thao tác đang làm", "Stop what I am doing"},
	msgCmdConfirm:       {"Ghi nhận đã nhận tiền, hiện vật", "Record what was received"},
	msgCmdHousehold:     {"Ghi ủng hộ cho hộ không có điện thoại", "Pledge for a household without a phone"},
	msgCmdGift:          {"Ghi khoản tặng không qua đăng ký", "Record a gift without a pledge"},
	msgCmdCorrect:       {"Điều chỉnh một lần nhận (bút toán đảo)", "Reverse a receipt"},
	msgCmdNewCampaign:   {"Tạo chiến dịch mới", "Create a campaign"},
	msgCmdEditCampaign:  {"Sửa chiến dịch", "Edit a campaign"},
	msgCmdCloseCampaign: {"Kết thúc chiến dịch", "Close a campaign"},
	msgCmdProgress:      {"Báo cáo tiến độ công trình", "Report progress"},
	msgCmdEditPledge:    {"Sửa hoặc hủy một khoản ủng hộ", "Change or cancel a pledge"},
	msgCmdExport:        {"Xuất số liệu (Excel, CSV)", "Export figures (Excel, CSV)"},
	msgCmdAnnual:        {"Báo cáo năm", "Annual report"},
	msgHelpResidentMore: {
		"\n/khoancuatoi MÃ — đổi số lượng, hạn nộp hoặc hủy khoản của bạn\n/danop MÃ — báo bạn đã nộp\n/nhacnho tat|bat — tắt hoặc bật tin nhắc hạn nộp",
		"\n/mypledge CODE — change the amount or due date of your pledge, or cancel it\n/paid CODE — say you have paid\n/reminders off|on — turn due-date reminders off or on",
	},
	msgHelpHead:         {"\n\n<b>Trưởng khu:</b>", "\n\n<b>Zone head:</b>"},
	msgHelpTreasurer:    {"\n\n<b>Thủ quỹ:</b>", "\n\n<b>Treasurer:</b>"},
	msgHelpCadre:        {"\n\n<b>Cán bộ:</b>", "\n\n<b>Cadre:</b>"},
	msgHelpAdmin:        {"\n\n<b>Quản trị:</b>", "\n\n<b>Admin:</b>"},
	msgHelpConfirm:      {"\n/xacnhan [MÃ [SỐ]] — ghi nhận đã nhận (không ghi mã: chọn trong danh sách)", "\n/confirm [CODE [AMOUNT]] — record what was received (no code: choose from a list)"},
	msgHelpHousehold:    {"\n/hogiadinh — ghi khoản ủng hộ cho hộ không có điện thoại", "\n/household — pledge for a household without a phone"},
	msgHelpGift:         {"\n/tang MÃ_CD SỐ TÊN — ghi khoản tặng không qua đăng ký", "\n/gift CAMPAIGN AMOUNT NAME — record a gift without a pledge"},
	msgHelpClaims:       {"\n/chapnhan SỐ, /tuchoi SỐ — xử lý báo nộp", "\n/accept N, /reject N — decide a payment claim"},
	msgHelpCorrect:      {"\n/dieuchinh MÃ (khoản tặng: №SỐ_PHIẾU) — điều chỉnh (bút toán đảo) một lần nhận, có lý do", "\n/correct CODE (a gift: №RECEIPT) — reverse a receipt, with a reason"},
	msgHelpStatement:    {"\n📄 Gửi tệp sao kê ngân hàng (Excel hoặc CSV) — đối chiếu chuyển khoản theo mã khoản ủng hộ", "\n📄 Send the bank statement (Excel or CSV) — match transfers by pledge code"},
	msgHelpExport:       {"\n/xuat [MÃ] [NĂM] — xuất số liệu (Excel, CSV)", "\n/export [CODE] [YEAR] — export figures (Excel, CSV)"},
	msgHelpAnnual:       {"\n/baocaonam [ĐỊA_BÀN] [NĂM] — báo cáo năm", "\n/annual [AREA] [YEAR] — the annual report"},
	msgHelpNewCampaign:  {"\n/taochiendich — tạo chiến dịch mới", "\n/newcampaign — create a campaign"},
	msgHelpEditCampaign: {"\n/suachiendich MÃ, /dongchiendich MÃ — sửa, kết thúc chiến dịch", "\n/editcampaign CODE, /closecampaign CODE — edit or close a campaign"},
	msgHelpProgress:     {"\n/tiendo MÃ — báo cáo tiến độ công trình", "\n/progress CODE — report progress on the works"},
	msgHelpEditPledge:   {"\n/suakhoan MÃ — sửa hoặc hủy một khoản ủng hộ, có lý do", "\n/editpledge CODE — change or cancel a pledge, with a reason"},
	msgHelpHistory:      {"\n/lichsu MÃ — nhật ký thay đổi của chiến dịch", "\n/history CODE — the campaign's trail of changes"},
	msgHelpInvite:       {"\n/moi — mời người nhận vai trò", "\n/invite — invite someone to a role"},
	msgHelpInviteAny:    {"\n/moi — mời người nhận bất kỳ vai trò nào", "\n/invite — invite someone to any role"},
	msgHelpGroupLinks:   {"\nTrong nhóm: /lienket — liên kết nhóm với địa bàn, đơn vị, chiến dịch; /lichtongket THỨ GIỜ — đổi lịch gửi tổng kết tuần", "\nIn a group: /linkgroup — link the group to an area, a unit, campaigns; /schedule DAY HOUR — change when the weekly summary is sent"},
	msgHelpRoles:        {"\n/vaitro — xem và gỡ vai trò", "\n/roles — list and remove roles"},
}

// registerTexts adds the texts of one conversation to the catalogue; each
// file of this package numbers its messages from its own base.
func registerTexts(texts map[msg][2]string) {
	for m, pair := range texts {
		if _, dup := catalogue[m]; dup {
			panic(fmt.Sprintf("flows: message %d registered twice", m))
		}
		catalogue[m] = pair
	}
}

// lang picks the catalogue language for a platform language code: Vietnamese
// unless the person's language is known and is not Vietnamese.
func lang(code string) string {
	if code == "" || len(code) >= 2 && code[:2] == "vi" {
		return "vi"
	}
	return "en"
}

// t renders a catalogue text in lang.
func t(lang string, m msg, args ...any) string {
	return catalog.Text("flows", catalogue, lang, m, args...)
}
