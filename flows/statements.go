package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/reconcile"
	"github.com/danvan/danvan/statement"
)

// Bank statements: a treasurer sends the campaign account's statement as a
// file; transfers whose memo names a pledge become receipts once the
// treasurer confirms, and the others are shown one by one with buttons to
// assign them to a pledge, record them as a gift, or set them aside.
// Nothing is applied before a press, so a statement read only in part
// changes nothing by itself; every bank transaction is claimed in
// bank_transactions before its receipt is written, so a statement sent
// twice, or a button pressed twice, applies it once.

// statementStore is what statements need from storage.
type statementStore interface {
	SaveStatement(ctx context.Context, s *danvan.Statement, lines []danvan.BankLine) error
	LockStatement(ctx context.Context, id int64) (danvan.Statement, error)
	DecideStatement(ctx context.Context, id int64, decision string) error
	StatementLines(ctx context.Context, statementID int64) ([]danvan.BankLine, error)
	StatementLine(ctx context.Context, id int64) (danvan.BankLine, error)
	HandledTransactions(ctx context.Context, keys []string) (map[string]bool, error)
	// HandleTransaction claims a bank transaction; false when it was
	// handled before.
	HandleTransaction(ctx context.Context, key string, lineID, by int64) (bool, error)
	LinkTransactionReceipt(ctx context.Context, key string, receiptID int64) error
	PledgesByCodes(ctx context.Context, codes []string) ([]danvan.PledgeLine, error)
}

// lineMessagesShown bounds the lines asked about one by one; the rest are
// shown when the statement is sent again, the handled ones gone by then.
const lineMessagesShown = 10

// problemsShown bounds the unreadable lines listed in a statement's report.
const problemsShown = 5

const (
	stepStatementPledge = "st_pledge" // typing the pledge code a transfer is for
	stepStatementGift   = "st_gift"   // choosing the campaign a transfer is a gift to
)

func statementsConversation(c *conversation) {
	c.globalActions(map[string]func(*turn, int64) error{
		"sa": (*turn).applyStatement,
		"sx": (*turn).dropStatement,
		"sd": (*turn).recordDiffering,
		"sk": (*turn).setLineAside,
		"sp": (*turn).assignLine,
		"sg": (*turn).giftLine,
	})
	c.actions(map[string]action{
		"sgc": on((*turn).giftLineTo, stepStatementGift),
	})
	c.textStep(stepStatementPledge, (*turn).assignLineTo)
}

// treasurer reports whether the person keeps any unit's money, telling them
// otherwise.
func (tr *turn) treasurer() (danvan.Grants, bool, error) {
	gs, err := tr.grants()
	if err != nil {
		return nil, false, err
	}
	if !gs.Admin() && len(gs.Units(danvan.RoleTreasurer)) == 0 {
		tr.say(t(tr.lang, msgStNotTreasurer))
		return gs, false, nil
	}
	return gs, true, nil
}

// document is a file someone sent: a treasurer's bank statement.
func (tr *turn) document() error {
	gs, ok, err := tr.treasurer()
	if err != nil || !ok {
		return err
	}
	d := tr.ev.Document
	switch {
	case d.TooLarge:
		tr.say(t(tr.lang, msgStTooLarge, megabytes(d.Size), megabytes(statement.MaxSize)))
		return nil
	case d.Data == nil:
		tr.say(t(tr.lang, msgStUnavailable))
		return nil
	}
	read, err := statement.Parse(d.Data, tr.e.Layouts())
	if err != nil {
		tr.say(tr.statementError(err))
		return nil
	}
	s := danvan.Statement{SentBy: tr.person.ID, FileName: truncate(d.Name, 100), Layout: read.Layout,
		Bank: read.Bank, Account: read.Account, Problems: len(read.Problems)}
	lines := bankLines(read)
	if len(lines) == 0 {
		tr.say(t(tr.lang, msgStNoLines, esc(s.FileName)) + tr.problemList(read.Problems))
		return nil
	}
	if err := tr.st.SaveStatement(tr.ctx, &s, lines); err != nil {
		return err
	}
	items, err := tr.classify(gs, lines)
	if err != nil {
		return err
	}
	known, err := tr.knownAccount(gs, s.Account)
	if err != nil {
		return err
	}
	if !known {
		tr.say(t(tr.lang, msgStOtherAccount, esc(s.Account)))
	}
	tr.reportStatement(s, items, read.Problems)
	return nil
}

// knownAccount reports whether a statement's account (when the file names
// it) is the account of a campaign of the person's units: a statement of
// another account is still read, since the codes decide, but the treasurer
// is warned that it may be the wrong file.
func (tr *turn) knownAccount(gs danvan.Grants, account string) (bool, error) {
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	if digits(account) == "" {
		return true, nil
	}
	cs, err := tr.st.LinkableCampaigns(tr.ctx, gs.Units(danvan.RoleTreasurer), gs.Admin())
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.Bank != nil && digits(c.Bank.Account) == digits(account) {
			return true, nil
		}
	}
	return false, nil
}

// bankLines are a statement's transactions as the domain keeps them.
func bankLines(s *statement.Statement) []danvan.BankLine {
	lines := make([]danvan.BankLine, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = danvan.BankLine{Row: l.Row, Key: l.Key, Ref: l.Ref, Date: l.Date, Amount: l.Amount,
			Currency: l.Currency, Memo: l.Memo}
	}
	return lines
}

// Layouts are the statement layouts tried: the ones configured first, then
// the built-in ones.
func (e *Engine) Layouts() []statement.Layout {
	return append(append([]statement.Layout(nil), e.layouts...), statement.BuiltinLayouts()...)
}

func megabytes(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
}

// statementError explains why a file could not be read as a statement.
func (tr *turn) statementError(err error) string {
	var unknown *statement.UnknownLayoutError
	var notCSV *statement.NotCSVError
	switch {
	case errors.As(err, &unknown):
		seen := make([]string, 0, 3)
		for _, l := range unknown.Lines {
			if len(seen) == 3 {
				break
			}
			seen = append(seen, esc(truncate(l, 80)))
		}
		return t(tr.lang, msgStUnknownLayout, strings.Join(seen, "\n"))
	case errors.Is(err, statement.ErrTooLarge):
		return t(tr.lang, msgStTooLarge, "> "+megabytes(statement.MaxSize), megabytes(statement.MaxSize))
	case errors.As(err, &notCSV) && notCSV.Kind == "xls":
		return t(tr.lang, msgStOldExcel)
	case errors.Is(err, statement.ErrNotCSV):
		return t(tr.lang, msgStNotCSV)
	case errors.Is(err, statement.ErrEmpty):
		return t(tr.lang, msgStEmpty)
	}
	return t(tr.lang, msgStNotCSV)
}

// problemList names the first lines that could not be read.
func (tr *turn) problemList(ps []statement.Problem) string {
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgStProblems, len(ps)))
	for i, p := range ps {
		if i == problemsShown {
			b.WriteString(t(tr.lang, msgStMoreProblems, len(ps)-problemsShown))
			break
		}
		b.WriteString(t(tr.lang, msgStProblemLine, p.Row, tr.problemReason(p.Reason), esc(truncate(p.Text, 60))))
	}
	return b.String()
}

var problemReasons = map[statement.Reason]msg{
	statement.ReasonBrokenLine:      msgStReasonBroken,
	statement.ReasonBadDate:         msgStReasonDate,
	statement.ReasonBadAmount:       msgStReasonAmount,
	statement.ReasonNoAmount:        msgStReasonNoAmount,
	statement.ReasonBothSides:       msgStReasonBothSides,
	statement.ReasonForeignCurrency: msgStReasonCurrency,
}

func (tr *turn) problemReason(r statement.Reason) string {
	if m, ok := problemReasons[r]; ok {
		return t(tr.lang, m)
	}
	return t(tr.lang, msgStReasonBroken)
}

// classify sorts lines against the pledges the person may record money for.
func (tr *turn) classify(gs danvan.Grants, lines []danvan.BankLine) ([]reconcile.Item, error) {
	keys := make([]string, len(lines))
	var codes []string
	for i, l := range lines {
		keys[i] = l.Key
		codes = append(codes, statement.CodeCandidates(l.Memo)...)
	}
	handled, err := tr.st.HandledTransactions(tr.ctx, keys)
	if err != nil {
		return nil, err
	}
	found, err := tr.st.PledgesByCodes(tr.ctx, codes)
	if err != nil {
		return nil, err
	}
	units := map[int64]int64{} // campaign → unit
	byCode := map[string]*danvan.PledgeLine{}
	for i := range found {
		pl := &found[i]
		if pl.Target.Kind != danvan.KindMoney {
			continue
		}
		unit, ok := units[pl.Pledge.CampaignID]
		if !ok {
			c, err := tr.st.Campaign(tr.ctx, pl.Pledge.CampaignID)
			if err != nil {
				return nil, err
			}
			unit, units[pl.Pledge.CampaignID] = c.UnitID, c.UnitID
		}
		if gs.TreasurerOf(unit) {
			byCode[pl.Pledge.Code] = pl
		}
	}
	lookup := func(code string) (*danvan.PledgeLine, bool) { p, ok := byCode[code]; return p, ok }
	return reconcile.Classify(lines, statement.CodeCandidates, lookup, handled), nil
}

// reportStatement tells the treasurer what the statement holds, offers to
// apply the matched transfers, and asks about the others one by one.
func (tr *turn) reportStatement(s danvan.Statement, items []reconcile.Item, problems []statement.Problem) {
	sum := reconcile.Sum(items)
	text := tr.statementSummary(s, sum) + tr.problemList(problems)
	var buttons [][]danvan.Button
	if n := sum.Count[reconcile.Matched]; n > 0 {
		text += t(tr.lang, msgStNothingYet)
		buttons = [][]danvan.Button{
			{globalButton(t(tr.lang, msgStApplyButton, n), "sa", s.ID)},
			{globalButton(t(tr.lang, msgStDropButton), "sx", s.ID)},
		}
	}
	tr.say(text, buttons...)
	shown := 0
	for _, it := range items {
		switch it.Outcome {
		case reconcile.Differs, reconcile.Unmatched, reconcile.Ambiguous:
		default:
			continue
		}
		if shown == lineMessagesShown {
			rest := sum.Count[reconcile.Differs] + sum.Count[reconcile.Unmatched] + sum.Count[reconcile.Ambiguous] - shown
			tr.say(t(tr.lang, msgStMoreLines, rest))
			break
		}
		shown++
		tr.say(tr.lineText(it), tr.lineButtons(it)...)
	}
}

func (tr *turn) statementSummary(s danvan.Statement, sum reconcile.Totals) string {
	lines := 0
	for _, n := range sum.Count {
		lines += n
	}
	bank := s.Bank
	if bank == "" {
		bank = t(tr.lang, msgStSomeBank) // read with the generic layout
	}
	text := t(tr.lang, msgStHeader, esc(bank), esc(s.FileName), lines)
	for _, o := range []reconcile.Outcome{reconcile.Matched, reconcile.Differs, reconcile.Unmatched,
		reconcile.Ambiguous, reconcile.Handled, reconcile.Outgoing} {
		if n := sum.Count[o]; n > 0 {
			amount := sum.Amount[o]
			if amount < 0 {
				amount = -amount
			}
			text += t(tr.lang, outcomeMessages[o], n, esc(danvan.FormatMoney(danvan.Quantity(amount))))
		}
	}
	return text
}

// lineHead shows a transaction: its line, date, amount and memo.
func (tr *turn) lineHead(l danvan.BankLine) string {
	return t(tr.lang, msgStLine, l.Row, l.Date.Format("02/01/2006"), esc(danvan.FormatMoney(danvan.Quantity(l.Amount))), esc(truncate(l.Memo, 140)))
}

// lineText shows one transaction and what its memo names.
func (tr *turn) lineText(it reconcile.Item) string {
	l := it.Line
	text := tr.lineHead(l)
	switch it.Outcome {
	case reconcile.Differs:
		p := it.Pledge.Pledge
		text += t(tr.lang, msgStDiffers, esc(p.Code), esc(it.Pledge.CampaignCode),
			esc(danvan.FormatMoney(p.Quantity)), esc(danvan.FormatMoney(p.Received)), esc(danvan.FormatMoney(max(it.Open(), 0))))
		if p.Cancelled {
			text += t(tr.lang, msgStCancelledPledge)
		}
	case reconcile.Ambiguous:
		codes := make([]string, len(it.Codes))
		for i, c := range it.Codes {
			codes[i] = "#" + esc(c)
		}
		text += t(tr.lang, msgStAmbiguous, strings.Join(codes, ", "))
	default:
		text += t(tr.lang, msgStUnmatched)
	}
	return text
}

func (tr *turn) lineButtons(it reconcile.Item) [][]danvan.Button {
	id := it.Line.ID
	var rows [][]danvan.Button
	if it.Outcome == reconcile.Differs && !it.Pledge.Pledge.Cancelled {
		rows = append(rows, []danvan.Button{globalButton(t(tr.lang, msgStRecordButton,
			danvan.FormatMoney(danvan.Quantity(it.Line.Amount)), it.Pledge.Pledge.Code), "sd", id)})
	}
	rows = append(rows,
		[]danvan.Button{globalButton(t(tr.lang, msgStAssignButton), "sp", id)},
		[]danvan.Button{globalButton(t(tr.lang, msgStGiftButton), "sg", id)},
		[]danvan.Button{globalButton(t(tr.lang, msgStSkipButton), "sk", id)},
	)
	return rows
}

var outcomeMessages = map[reconcile.Outcome]msg{
	reconcile.Matched:   msgStMatched,
	reconcile.Differs:   msgStDiffersCount,
	reconcile.Unmatched: msgStUnmatchedCount,
	reconcile.Ambiguous: msgStAmbiguousCount,
	reconcile.Handled:   msgStHandledCount,
	reconcile.Outgoing:  msgStOutgoingCount,
}

var (
	msgStNotTreasurer = msg{
		"Tôi chỉ đọc tệp sao kê ngân hàng do thủ quỹ gửi. Bạn hãy gửi tin nhắn bằng chữ.",
		"I only read bank statements sent by treasurers. Please send text.",
	}
	msgStTooLarge = msg{
		"Tệp quá lớn (%s MB): sao kê chỉ được tối đa %s MB. Hãy xuất sao kê ngắn hơn (ví dụ từng tháng) rồi gửi lại.",
		"The file is too large (%s MB): a statement may be at most %s MB. Export a shorter period (a month, say) and send it again.",
	}
	msgNoFilesHere = msg{
		"Ứng dụng này không chuyển tệp đến bot. Thủ quỹ gửi tệp sao kê qua Telegram, hoặc nhờ quản trị viên chạy <code>danvan reconcile</code>.",
		"This app does not bring files to the bot. Treasurers send a statement file on Telegram, or ask an administrator to run <code>danvan reconcile</code>.",
	}
	msgStUnavailable = msg{
		"Tôi chưa tải được tệp này từ Telegram. Bạn gửi lại giúp tôi nhé.",
		"I could not download this file from Telegram. Please send it again.",
	}
	msgStUnknownLayout = msg{
		"Tôi không nhận ra mẫu sao kê này: không thấy dòng tiêu đề có cột ngày, số tiền và nội dung. Những dòng đầu tôi thấy:\n<pre>%s</pre>\nHãy xuất sao kê dạng CSV từ ngân hàng điện tử; nếu ngân hàng dùng mẫu khác, quản trị viên có thể khai báo mẫu (xem README).",
		"I do not recognise this statement layout: no header row with date, amount and memo columns. The first lines I see:\n<pre>%s</pre>\nExport the statement as CSV from internet banking; for another bank's layout an admin can configure it (see the README).",
	}
	msgStNotCSV = msg{
		"Tôi không đọc được tệp này như một sao kê. Trong ngân hàng điện tử, hãy tải sao kê dạng Excel (.xlsx) hoặc CSV rồi gửi tệp đó.",
		"I cannot read this file as a statement. In internet banking, download the statement as Excel (.xlsx) or CSV and send that file.",
	}
	msgStOtherAccount = msg{
		"⚠️ Sao kê này của tài khoản <code>%s</code>, không phải tài khoản của chiến dịch nào đơn vị bạn đang vận động. Xin kiểm tra lại tệp; các khoản vẫn chỉ được ghi nhận khi bạn bấm xác nhận.",
		"⚠️ This statement is of account <code>%s</code>, which is not the account of any of your unit's running campaigns. Please check the file; nothing is recorded until you confirm.",
	}
	msgStOldExcel = msg{
		"Đây là tệp Excel đời cũ (.xls). Hãy mở tệp rồi lưu lại dạng .xlsx hoặc CSV và gửi lại.",
		"This is an old Excel file (.xls). Open it, save it as .xlsx or CSV, and send it again.",
	}
	msgStEmpty   = msg{"Tệp trống, không có gì để đọc.", "The file is empty: nothing to read."}
	msgStNoLines = msg{
		"Trong tệp <b>%s</b> không có giao dịch nào đọc được; không có gì thay đổi.",
		"No transaction could be read in <b>%s</b>; nothing changed.",
	}
	msgStProblems       = msg{"\n\n❗ %d dòng không đọc được (không ghi nhận):", "\n\n❗ %d lines could not be read (nothing recorded from them):"}
	msgStMoreProblems   = msg{"\n• … và %d dòng khác", "\n• … and %d more"}
	msgStProblemLine    = msg{"\n• dòng %d: %s — <code>%s</code>", "\n• line %d: %s — <code>%s</code>"}
	msgStReasonBroken   = msg{"dòng hỏng", "broken line"}
	msgStReasonDate     = msg{"ngày không đọc được", "unreadable date"}
	msgStReasonAmount   = msg{"số tiền không đọc được", "unreadable amount"}
	msgStReasonCurrency = msg{
		"ngoại tệ, không ghi nhận", "foreign currency, not recorded",
	}
	msgStReasonNoAmount  = msg{"không có số tiền", "no amount"}
	msgStReasonBothSides = msg{"có cả ghi nợ và ghi có", "both debit and credit"}
	msgStHeader          = msg{"📄 <b>Sao kê %s</b> (%s): %d giao dịch.\n", "📄 <b>%s statement</b> (%s): %d transactions.\n"}
	msgStMatched         = msg{"\n✅ Khớp mã khoản ủng hộ: %d khoản, %s", "\n✅ Match a pledge code: %d, %s"}
	msgStDiffersCount    = msg{"\n⚠️ Số tiền khác số đã đăng ký: %d khoản, %s (hỏi từng khoản bên dưới)", "\n⚠️ Amount differs from the pledge: %d, %s (asked one by one below)"}
	msgStUnmatchedCount  = msg{"\n❓ Không có mã khoản ủng hộ: %d khoản, %s", "\n❓ No pledge code: %d, %s"}
	msgStAmbiguousCount  = msg{"\n❓ Có nhiều mã khoản ủng hộ: %d khoản, %s", "\n❓ Several pledge codes: %d, %s"}
	msgStHandledCount    = msg{"\n🔁 Đã xử lý trước đây: %d khoản, %s", "\n🔁 Handled before: %d, %s"}
	msgStOutgoingCount   = msg{"\n↗️ Tiền chuyển đi (bỏ qua): %d khoản, %s", "\n↗️ Money out (ignored): %d, %s"}
	msgStNothingYet      = msg{
		"\n\nChưa ghi nhận gì. Bấm nút dưới đây để ghi nhận các khoản khớp.",
		"\n\nNothing recorded yet. Press the button below to record the matched transfers.",
	}
	msgStApplyButton = msg{"✅ Ghi nhận %d khoản khớp", "✅ Record %d matched"}
	msgStDropButton  = msg{"Bỏ sao kê này", "Drop this statement"}
	msgStMoreLines   = msg{
		"… và %d giao dịch khác cần xem. Xử lý các giao dịch trên rồi gửi lại sao kê để xem tiếp (những khoản đã xử lý sẽ không lặp lại).",
		"… and %d more transactions to look at. Handle those above, then send the statement again to see the rest (handled ones are not repeated).",
	}
	msgStLine            = msg{"<b>Dòng %d</b> · %s · %s\n<i>%s</i>", "<b>Line %d</b> · %s · %s\n<i>%s</i>"}
	msgStDiffers         = msg{"\nMã #%s (%s): đăng ký %s, đã nhận %s, còn %s.", "\nCode #%s (%s): pledged %s, received %s, open %s."}
	msgStCancelledPledge = msg{"\nKhoản ủng hộ này đã hủy.", "\nThis pledge was cancelled."}
	msgStAmbiguous       = msg{"\nNội dung có nhiều mã khoản ủng hộ: %s.", "\nThe memo has several pledge codes: %s."}
	msgStUnmatched       = msg{"\nNội dung không có mã khoản ủng hộ nào.", "\nThe memo has no pledge code."}
	msgStRecordButton    = msg{"Ghi nhận %s cho #%s", "Record %s for #%s"}
	msgStAssignButton    = msg{"Gán cho một khoản ủng hộ…", "Assign to a pledge…"}
	msgStGiftButton      = msg{"Ghi là ủng hộ trực tiếp…", "Record as a direct gift…"}
	msgStSkipButton      = msg{"Bỏ qua giao dịch này", "Set this transaction aside"}
	msgStNotYours        = msg{
		"Sao kê này do thủ quỹ khác gửi; chỉ người gửi hoặc quản trị viên xử lý được.",
		"Another treasurer sent this statement; only they or an admin can act on it.",
	}
	msgStDropped        = msg{"Đã bỏ sao kê <b>%s</b>; không ghi nhận gì từ đó.", "Statement <b>%s</b> dropped; nothing recorded from it."}
	msgStAlreadyApplied = msg{"Sao kê <b>%s</b> đã được ghi nhận rồi.", "Statement <b>%s</b> was already recorded."}
	msgStApplied        = msg{
		"✅ Sao kê <b>%s</b>: đã ghi nhận %d khoản chuyển khoản, tổng %s. Người ủng hộ đã được báo.",
		"✅ Statement <b>%s</b>: recorded %d transfers, %s in all. The pledgers were told.",
	}
	msgStNotMoney     = msg{"Khoản #%s không phải khoản ủng hộ bằng tiền.", "Pledge #%s is not a money pledge."}
	msgStLineHandled  = msg{"Giao dịch ở dòng %d đã được xử lý rồi.", "The transaction on line %d was handled already."}
	msgStLineRecorded = msg{"✅ Đã ghi nhận %s cho #%s (chuyển khoản).", "✅ Recorded %s for #%s (transfer)."}
	msgStLineSetAside = msg{"Đã bỏ qua giao dịch này.", "Set aside."}
	msgStAskPledge    = msg{
		"Giao dịch dòng %d (%s) là cho khoản ủng hộ nào? Gõ mã, ví dụ <code>K7Q2</code>.",
		"Which pledge is the transfer on line %d (%s) for? Type its code, e.g. <code>K7Q2</code>.",
	}
	msgStAskPledgeAgain = msg{"Gõ mã khoản ủng hộ, ví dụ <code>K7Q2</code>, hoặc /huy.", "Type a pledge code, e.g. <code>K7Q2</code>, or /cancel."}
	msgStNoCampaign     = msg{"Đơn vị của bạn không có chiến dịch nào nhận tiền.", "Your unit has no campaign that takes money."}
	msgStSomeBank       = msg{"ngân hàng", "bank"}
	msgStAskCampaign    = msg{"Giao dịch dòng %d (%s) là ủng hộ trực tiếp cho chiến dịch nào?", "Which campaign is the transfer on line %d (%s) a gift to?"}
)
