package flows

import "fmt"

// msg is a text the bot says, in Vietnamese and in English: fmt formats in
// the chat's HTML subset, whose arguments that came from people are escaped
// by the caller. Each text is a named value next to the conversation that
// says it (the ones below are everybody's); code never writes user-facing
// words. A test checks that both languages take the same arguments and
// that every text is said somewhere.
type msg struct{ vi, en string }

// Texts every conversation uses, and the residents' own.
var (
	msgWelcome = msg{
		"Xin chào <b>%s</b>! Đây là bot <b>Dân vận khéo</b>: bạn có thể xem các công trình, mô hình của khu dân cư và đăng ký ủng hộ tiền, ngày công, đất hoặc hiện vật ngay trên điện thoại.",
		"Hello <b>%s</b>! This is the <b>Skilful Mass Mobilisation</b> bot: see your neighbourhood's campaigns and pledge money, labour days, land or goods from your phone.",
	}
	msgWelcomeBack = msg{
		"Chào <b>%s</b>! Khu của bạn: <b>%s</b>. Gõ /chiendich để xem các chiến dịch, /ungho để ủng hộ.",
		"Hello <b>%s</b>! Your zone: <b>%s</b>. Send /campaigns to see the campaigns, /pledge to pledge.",
	}
	msgHelp = msg{
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
	}
	msgHelpGroup = msg{
		"Trong nhóm, gõ <code>/tongket MÃ</code> để xem kết quả vận động. Để đăng ký ủng hộ, hãy nhắn riêng cho bot.",
		"In a group, send <code>/summary CODE</code> to see a campaign's progress. To pledge, write to me privately.",
	}
	msgAskZone           = msg{"Bạn ở khu (thôn) nào? Chọn một khu bên dưới:", "Which zone do you live in? Choose below:"}
	msgZoneSaved         = msg{"Đã lưu: bạn ở <b>%s</b>.", "Saved: you live in <b>%s</b>."}
	msgNoZones           = msg{"Chưa có khu dân cư nào được thiết lập. Vui lòng báo cán bộ phường.", "No zones have been set up yet. Please tell the ward's cadres."}
	msgCancelled         = msg{"Đã dừng. Gõ /huongdan để xem bot làm được gì.", "Stopped. Send /help to see what I can do."}
	msgNothingToCancel   = msg{"Không có thao tác nào đang làm dở.", "There is nothing to stop."}
	msgUnknownCommand    = msg{"Bot không hiểu lệnh <code>/%s</code>. Gõ /huongdan để xem các lệnh.", "I don't know the command <code>/%s</code>. Send /help to see the commands."}
	msgPrivateOnly       = msg{"Lệnh này chỉ dùng khi nhắn riêng với bot.", "This command works only in a private chat with me."}
	msgOnlyText          = msg{"Bot chỉ đọc được chữ. ", "I can only read text. "}
	msgTypeAnswer        = msg{"Hãy gõ câu trả lời cho câu hỏi ở trên, hoặc gõ /huy để dừng.", "Please type your answer to the question above, or send /cancel to stop."}
	msgUseButtons        = msg{"Hãy chọn bằng các nút ở tin nhắn trên, hoặc gõ /huy để dừng.", "Please choose with the buttons above, or send /cancel to stop."}
	msgUseList           = msg{"Hãy trả lời bằng số (hoặc chữ cái) của danh sách ở trên, hoặc gõ huy để dừng.", "Please reply with a number (or letter) of the list above, or send cancel to stop."}
	msgNotUnderstood     = msg{"Bot chưa hiểu ý bạn. Gõ /huongdan để xem bot làm được gì.", "I didn't understand. Send /help to see what I can do."}
	msgBadLink           = msg{"Đường dẫn này không hợp lệ. Gõ /chiendich để xem các chiến dịch.", "This link is not valid. Send /campaigns to see the campaigns."}
	msgBadInvitation     = msg{"Lời mời này không hợp lệ hoặc đã hết hạn. Hãy xin cán bộ một lời mời mới.", "This invitation is not valid or has expired. Ask a cadre for a new one."}
	msgButtonExpired     = msg{"Nút này đã cũ. Hãy dùng tin nhắn mới nhất.", "This button is out of date. Please use the latest message."}
	msgChosen            = msg{"→ <b>%s</b>", "→ <b>%s</b>"}
	msgNoOpenCampaigns   = msg{"Hiện chưa có chiến dịch nào đang vận động ở khu của bạn.", "There are no open campaigns in your zone right now."}
	msgCampaignsHeader   = msg{"<b>Các chiến dịch đang vận động</b>", "<b>Open campaigns</b>"}
	msgCampaignLine      = msg{"\n\n<b>%s</b> · mã <code>%s</code>\n%s", "\n\n<b>%s</b> · code <code>%s</code>\n%s"}
	msgPledgeButton      = msg{"Ủng hộ %s", "Pledge to %s"}
	msgAskCampaign       = msg{"Bạn muốn ủng hộ chiến dịch nào?", "Which campaign would you like to support?"}
	msgUnknownCampaign   = msg{"Không có chiến dịch mã <code>%s</code>. Gõ /chiendich để xem các mã.", "There is no campaign with code <code>%s</code>. Send /campaigns to see the codes."}
	msgCampaignClosed    = msg{"Chiến dịch <b>%s</b> đã kết thúc, không nhận đăng ký mới.", "The campaign <b>%s</b> is closed and takes no new pledges."}
	msgNothingPledgeable = msg{
		"Chiến dịch <b>%s</b> không có mục nào để đăng ký ủng hộ.",
		"The campaign <b>%s</b> has nothing to pledge to.",
	}
	msgAskTarget          = msg{"<b>%s</b>\nBạn muốn ủng hộ gì?", "<b>%s</b>\nWhat would you like to give?"}
	msgAskQuantity        = msg{"<b>%s</b> — %s\nBạn ủng hộ bao nhiêu? Chọn nhanh hoặc gõ số lượng.", "<b>%s</b> — %s\nHow much would you like to give? Choose or type an amount."}
	msgAskQuantityExample = msg{"Ví dụ: <code>%s</code>", "For example: <code>%s</code>"}
	msgConfirmPledge      = msg{
		"Xác nhận đăng ký ủng hộ <b>%s</b> (%s) cho <b>%s</b>?",
		"Confirm your pledge of <b>%s</b> (%s) to <b>%s</b>?",
	}
	msgConfirmNamed     = msg{"✅ Đồng ý, ghi tên tôi", "✅ Yes, show my name"}
	msgConfirmAnonymous = msg{"✅ Đồng ý, giấu tên", "✅ Yes, anonymously"}
	msgConfirmPlain     = msg{"✅ Đồng ý", "✅ Yes"}
	msgCancelButton     = msg{"✖ Hủy", "✖ Cancel"}
	msgPledged          = msg{
		"Cảm ơn bạn! Đã ghi nhận khoản ủng hộ <b>#%s</b>: %s cho <b>%s</b>.\nGõ /cuatoi để xem các khoản của bạn.",
		"Thank you! Your pledge <b>#%s</b> is recorded: %s to <b>%s</b>.\nSend /mypledges to see your pledges.",
	}
	msgPledgedBank = msg{
		"\n\nChuyển khoản: %s, tài khoản <code>%s</code> (%s), nội dung <code>%s</code>.",
		"\n\nBank transfer: %s, account <code>%s</code> (%s), memo <code>%s</code>.",
	}
	msgQRButton      = msg{"📷 Mã QR #%s", "📷 QR code #%s"}
	msgQRNothingOpen = msg{"Khoản #%s không còn gì để chuyển khoản.", "Nothing is left to transfer on pledge #%s."}
	msgPledgedQR     = msg{
		"📷 Quét mã VietQR này bằng ứng dụng ngân hàng để chuyển %s cho %s; nội dung <code>%s</code> đã điền sẵn, xin giữ nguyên để thủ quỹ đối chiếu.",
		"📷 Scan this VietQR code with your banking app to transfer %s to %s; the memo <code>%s</code> is filled in — please keep it so the treasurer can match your transfer.",
	}
	msgQRAlt = msg{
		"💳 Chuyển khoản %s vào %s, tài khoản <code>%s</code> (%s), nội dung <code>%s</code>.",
		"💳 Transfer %s to %s, account <code>%s</code> (%s), memo <code>%s</code>.",
	}
	msgPledgeUsage = msg{
		"Cú pháp: <code>/ungho MÃ SỐ_LƯỢNG</code>, ví dụ <code>/ungho DIEUHOA 500k</code>. Hoặc gõ /ungho để được hướng dẫn từng bước.",
		"Usage: <code>/pledge CODE AMOUNT</code>, e.g. <code>/pledge DIEUHOA 500k</code>. Or send /pledge to be guided step by step.",
	}
	msgNotPledgeableTarget = msg{"Mục này chỉ để theo dõi tiến độ, không nhận đăng ký ủng hộ.", "This goal tracks progress only; it takes no pledges."}
	msgWrongKind           = msg{
		"Ở bước này cần %s, nhưng bạn gõ %s. ",
		"This step needs %s, but you typed %s. ",
	}
	msgNoTargetOfKind = msg{
		"Chiến dịch <b>%s</b> không nhận %s. Có thể ủng hộ: %s.",
		"The campaign <b>%s</b> does not take %s. You can give: %s.",
	}
	msgQtyEmpty             = msg{"Bạn chưa gõ số lượng. ", "You didn't type an amount. "}
	msgQtyUnparseable       = msg{"Bot không đọc được số lượng này. ", "I can't read that amount. "}
	msgQtyZero              = msg{"Số lượng phải lớn hơn 0. ", "The amount must be more than zero. "}
	msgQtyNegative          = msg{"Số lượng không được âm. ", "The amount can't be negative. "}
	msgQtyTooLarge          = msg{"Số lượng này quá lớn (tối đa %s). ", "That amount is too large (at most %s). "}
	msgQtyTooLargeNumber    = msg{"Số này quá lớn. ", "That number is too large. "}
	msgQtyTooSmall          = msg{"Số tiền quá nhỏ: ít nhất %s. ", "That amount is too small: at least %s. "}
	msgQtyTooSmallThousands = msg{"Số tiền quá nhỏ (ít nhất %s): bạn muốn gõ <code>%s</code>? ", "That amount is too small (at least %s): did you mean <code>%s</code>? "}
	msgQtyPrecision         = msg{"Số lẻ không hợp lệ (%s). ", "Too many decimals (%s). "}
	msgQtyNeedUnit          = msg{"Hãy ghi rõ đơn vị, ví dụ <code>500k</code>, <code>3 công</code>, <code>20m2</code>. ", "Please add a unit, e.g. <code>500k</code>, <code>3 days</code>, <code>20m2</code>. "}
	msgMyPledgesNone        = msg{"Bạn chưa đăng ký ủng hộ khoản nào. Gõ /ungho để bắt đầu.", "You have no pledges yet. Send /pledge to start."}
	msgMyPledgesHeader      = msg{"<b>Các khoản ủng hộ của bạn</b>", "<b>Your pledges</b>"}
	msgMyPledgeLine         = msg{
		"\n\n<b>#%s</b> · %s\n%s — đã nhận %s · <i>%s</i>",
		"\n\n<b>#%s</b> · %s\n%s — received %s · <i>%s</i>",
	}
	msgSummaryUsage     = msg{"Cú pháp: <code>/tongket MÃ</code>, ví dụ <code>/tongket DIEUHOA</code>. Các mã: %s", "Usage: <code>/summary CODE</code>, e.g. <code>/summary DIEUHOA</code>. Codes: %s"}
	msgSummaryHeader    = msg{"<b>%s</b> · mã <code>%s</code>", "<b>%s</b> · code <code>%s</code>"}
	msgSummaryTarget    = msg{"\n\n<b>%s</b>: đã nhận %s / %s (%d%%)\n%s", "\n\n<b>%s</b>: received %s of %s (%d%%)\n%s"}
	msgSummaryPledged   = msg{"\nĐã đăng ký: %s · %d lượt", "\nPledged: %s · pledges: %d"}
	msgSummaryNoPledges = msg{
		"\nChưa có ai đăng ký.",
		"\nNo pledges yet.",
	}
	msgDue     = msg{" · hạn %s", " · due %s"}
	msgApology = msg{
		"Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này. Bạn vui lòng thử lại sau ít phút.",
		"Sorry, something went wrong with that message. Please try again in a few minutes.",
	}
	msgCmdCampaigns     = msg{"Các chiến dịch đang vận động", "Open campaigns"}
	msgCmdPledge        = msg{"Đăng ký ủng hộ", "Make a pledge"}
	msgCmdMyPledges     = msg{"Các khoản ủng hộ của tôi", "My pledges"}
	msgCmdSummary       = msg{"Kết quả vận động của một chiến dịch", "A campaign's progress"}
	msgCmdHelp          = msg{"Hướng dẫn", "Help"}
	msgCmdCancel        = msg{"Dừng thao tác đang làm", "Stop what I am doing"}
	msgCmdConfirm       = msg{"Ghi nhận đã nhận tiền, hiện vật", "Record what was received"}
	msgCmdHousehold     = msg{"Ghi ủng hộ cho hộ không có điện thoại", "Pledge for a household without a phone"}
	msgCmdGift          = msg{"Ghi khoản tặng không qua đăng ký", "Record a gift without a pledge"}
	msgCmdCorrect       = msg{"Điều chỉnh một lần nhận (bút toán đảo)", "Reverse a receipt"}
	msgCmdNewCampaign   = msg{"Tạo chiến dịch mới", "Create a campaign"}
	msgCmdEditCampaign  = msg{"Sửa chiến dịch", "Edit a campaign"}
	msgCmdCloseCampaign = msg{"Kết thúc chiến dịch", "Close a campaign"}
	msgCmdProgress      = msg{"Báo cáo tiến độ công trình", "Report progress"}
	msgCmdEditPledge    = msg{"Sửa hoặc hủy một khoản ủng hộ", "Change or cancel a pledge"}
	msgCmdExport        = msg{"Xuất số liệu (Excel, CSV)", "Export figures (Excel, CSV)"}
	msgCmdAnnual        = msg{"Báo cáo năm", "Annual report"}
	msgHelpResidentMore = msg{
		"\n/khoancuatoi MÃ — đổi số lượng, hạn nộp hoặc hủy khoản của bạn\n/danop MÃ — báo bạn đã nộp\n/nhacnho tat|bat — tắt hoặc bật tin nhắc hạn nộp\n/theodoi MÃ — nhận tổng kết tuần của chiến dịch trong tin nhắn riêng\n/taikhoan — nối tài khoản Telegram và Zalo của bạn làm một",
		"\n/mypledge CODE — change the amount or due date of your pledge, or cancel it\n/paid CODE — say you have paid\n/reminders off|on — turn due-date reminders off or on\n/follow CODE — get a campaign's weekly summary in your private chat\n/account — join your Telegram and Zalo accounts into one",
	}
	msgHelpHead         = msg{"\n\n<b>Trưởng khu:</b>", "\n\n<b>Zone head:</b>"}
	msgHelpTreasurer    = msg{"\n\n<b>Thủ quỹ:</b>", "\n\n<b>Treasurer:</b>"}
	msgHelpCadre        = msg{"\n\n<b>Cán bộ:</b>", "\n\n<b>Cadre:</b>"}
	msgHelpAdmin        = msg{"\n\n<b>Quản trị:</b>", "\n\n<b>Admin:</b>"}
	msgHelpConfirm      = msg{"\n/xacnhan [MÃ [SỐ]] — ghi nhận đã nhận (không ghi mã: chọn trong danh sách)", "\n/confirm [CODE [AMOUNT]] — record what was received (no code: choose from a list)"}
	msgHelpHousehold    = msg{"\n/hogiadinh — ghi khoản ủng hộ cho hộ không có điện thoại", "\n/household — pledge for a household without a phone"}
	msgHelpGift         = msg{"\n/tang MÃ_CD SỐ TÊN — ghi khoản tặng không qua đăng ký", "\n/gift CAMPAIGN AMOUNT NAME — record a gift without a pledge"}
	msgHelpClaims       = msg{"\n/chapnhan SỐ, /tuchoi SỐ — xử lý báo nộp", "\n/accept N, /reject N — decide a payment claim"}
	msgHelpCorrect      = msg{"\n/dieuchinh MÃ (khoản tặng: №SỐ_PHIẾU) — điều chỉnh (bút toán đảo) một lần nhận, có lý do", "\n/correct CODE (a gift: №RECEIPT) — reverse a receipt, with a reason"}
	msgHelpStatement    = msg{"\n📄 Gửi tệp sao kê ngân hàng (Excel hoặc CSV) — đối chiếu chuyển khoản theo mã khoản ủng hộ", "\n📄 Send the bank statement (Excel or CSV) — match transfers by pledge code"}
	msgHelpExport       = msg{"\n/xuat [MÃ] [NĂM] — xuất số liệu (Excel, CSV)", "\n/export [CODE] [YEAR] — export figures (Excel, CSV)"}
	msgHelpAnnual       = msg{"\n/baocaonam [ĐỊA_BÀN] [NĂM] — báo cáo năm", "\n/annual [AREA] [YEAR] — the annual report"}
	msgHelpNewCampaign  = msg{"\n/taochiendich — tạo chiến dịch mới", "\n/newcampaign — create a campaign"}
	msgHelpEditCampaign = msg{"\n/suachiendich MÃ, /dongchiendich MÃ — sửa, kết thúc chiến dịch", "\n/editcampaign CODE, /closecampaign CODE — edit or close a campaign"}
	msgHelpProgress     = msg{"\n/tiendo MÃ — báo cáo tiến độ công trình", "\n/progress CODE — report progress on the works"}
	msgHelpEditPledge   = msg{"\n/suakhoan MÃ — sửa hoặc hủy một khoản ủng hộ, có lý do", "\n/editpledge CODE — change or cancel a pledge, with a reason"}
	msgHelpHistory      = msg{"\n/lichsu MÃ — nhật ký thay đổi của chiến dịch", "\n/history CODE — the campaign's trail of changes"}
	msgHelpInvite       = msg{"\n/moi — mời người nhận vai trò", "\n/invite — invite someone to a role"}
	msgHelpInviteAny    = msg{"\n/moi — mời người nhận bất kỳ vai trò nào", "\n/invite — invite someone to any role"}
	msgHelpGroupLinks   = msg{"\nTrong nhóm: /lienket — liên kết nhóm với địa bàn, đơn vị, chiến dịch; /lichtongket THỨ GIỜ — đổi lịch gửi tổng kết tuần", "\nIn a group: /linkgroup — link the group to an area, a unit, campaigns; /schedule DAY HOUR — change when the weekly summary is sent"}
	msgHelpRoles        = msg{"\n/vaitro — xem và gỡ vai trò", "\n/roles — list and remove roles"}
)

// lang picks the catalogue language for a platform language code: Vietnamese
// unless the person's language is known and is not Vietnamese.
func lang(code string) string {
	if code == "" || len(code) >= 2 && code[:2] == "vi" {
		return "vi"
	}
	return "en"
}

// t renders text m in lang ("en", or Vietnamese), with args filled in.
func t(lang string, m msg, args ...any) string {
	s := m.vi
	if lang == "en" {
		s = m.en
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}
