package zalo

import "fmt"

// The few sentences the Zalo channel says on its own, Vietnamese first.
type text struct{ vi, en string }

var (
	noFiles = text{
		"📎 Tệp %s không gửi được qua Zalo. Xin nhận tệp qua Telegram, hoặc nhờ quản trị viên chạy <code>danvan export</code>.",
		"📎 The file %s cannot be sent on Zalo. Get it on Telegram, or ask an administrator to run <code>danvan export</code>.",
	}
)

// t is the sentence in lang ("vi", English otherwise), in plain text.
func t(lang string, m text, args ...any) string {
	s := m.en
	if lang == "vi" {
		s = m.vi
	}
	return PlainText(fmt.Sprintf(s, args...))
}
