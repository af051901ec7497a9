package flows_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/danvan/danvan/flows"
)

const expired = "Nút này đã cũ"

var codeRe = regexp.MustCompile(`#([A-Z0-9]{4,8})`)

// pledge registers a resident of zone and records a one-line pledge,
// returning its code.
func (w *ward) pledge(id int64, name, zone, line string) string {
	w.t.Helper()
	r := w.person(id, name)
	r.send("/start z_" + zone)
	r.send(line)
	m := r.expect("Đã ghi nhận khoản ủng hộ <b>#")
	return codeRe.FindStringSubmatch(m.Text)[1]
}

// staleCase is one button that records, reverses or decides something: first
// leaves a message with that button about one thing; the conversation is
// cancelled; second asks the same question about another thing.
type staleCase struct {
	name   string
	who    int64 // the person acting, from the example setup
	action string
	first  func(w *ward, p *person) *message
	second func(w *ward, p *person) *message
}

// A button acts only on what its message was about. For every button that
// changes data, the attack of the probe: the question about one thing is
// abandoned with /huy, the same question is asked about another, and the
// old message's button is pressed. It must be refused and change nothing;
// the new message's button still works.
func TestStaleButtonsActOnNothingElse(t *testing.T) {
	codes := map[string]string{} // the pledges of each run, by letter
	receiptList := func(key string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			code := codes[key]
			p.send("/xacnhan")
			list := p.expect("Các khoản đang chờ nộp")
			p.press(list, "rp", "#"+code)
			return p.expect("#" + code)
		}
	}
	over := func(key string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			code := codes[key]
			p.send("/xacnhan " + code + " 1tr")
			return p.expect("nhiều hơn phần còn lại")
		}
	}
	correction := func(key string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			code := codes[key]
			p.send("/dieuchinh " + code)
			return p.expect("Chọn biên nhận cần điều chỉnh")
		}
	}
	guidedPledge := func(code string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			p.send("/ungho " + code)
			if m := p.last(); strings.Contains(m.Text, "Bạn muốn ủng hộ gì") {
				p.press(m, "t", "Tiền")
			}
			p.press(p.last(), "q", "500.000")
			p.press(p.expect("Bạn định nộp vào khi nào?"), "d", "Không hẹn")
			return p.expect("500.000 ₫")
		}
	}
	cancelPledge := func(key string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			code := codes[key]
			p.send("/khoancuatoi " + code)
			p.press(p.last(), "mc", "")
			return p.expect("Hủy khoản <b>#" + code)
		}
	}
	closeCampaign := func(code string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			p.send("/dongchiendich " + code)
			return p.last()
		}
	}
	removeRole := func(label string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			p.send("/vaitro")
			p.press(p.expect("Các vai trò"), "id", label)
			return p.last()
		}
	}
	household := func(code, name string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			p.send("/hogiadinh " + code + " 500k " + name)
			return p.expect(name)
		}
	}
	progress := func(code string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			p.send("/tiendo " + code)
			p.send("20")
			p.press(p.last(), "gs", "")
			return p.last()
		}
	}
	invite := func(role string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			p.send("/moi")
			p.press(p.last(), "ir", role)
			return p.last()
		}
	}
	publish := func(code string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			p.send("/taochiendich")
			p.send("Sân chơi " + code)
			p.send(code)
			zones := p.expect("Chiến dịch vận động ở những khu nào?")
			p.press(zones, "kz", "Khu 1")
			p.press(zones, "kd", "")
			p.press(p.expect("Mục tiêu 1: loại gì?"), "kk", "Tiền")
			p.send("50tr")
			p.press(p.expect("Đã thêm"), "kn", "")
			p.send("bỏ qua") // starts
			p.send("bỏ qua") // ends
			p.send("bỏ qua") // bank
			p.press(p.expect("bảng vinh danh"), "kh", "")
			return p.expect("Kiểm tra lại trước khi đăng")
		}
	}
	const group = -100888
	toggles := func(w *ward, p *person) *message {
		p.sendIn(group, "/lienket")
		menu := w.chats[group][len(w.chats[group])-1]
		p.press(menu, "lm", "Chiến dịch")
		return menu
	}
	statementSent := false
	statementGift := func(row string) func(w *ward, p *person) *message {
		return func(w *ward, p *person) *message {
			if !statementSent {
				data, err := os.ReadFile("../cmd/danvan/testdata/saoke-vietcombank.csv")
				if err != nil {
					w.t.Fatal(err)
				}
				ev := p.event(p.id, flows.EventOther)
				ev.Document = &flows.Document{FileID: "saoke", Name: "saoke.csv", MIME: "text/csv", Size: int64(len(data)), Data: data}
				w.handle(ev)
				statementSent = true
			}
			p.press(p.find("<b>Dòng "+row+"</b>"), "sg", "")
			return p.last()
		}
	}
	cases := []staleCase{
		{"receive all that is open", 100001, "ra", receiptList("A"), receiptList("B")},
		{"receive more than is open", 100001, "ry", over("A"), over("B")},
		{"reverse a receipt", 100001, "rc", correction("A"), correction("B")},
		{"confirm a pledge", 300009, "y", guidedPledge("DIEUHOA"), guidedPledge("THIETBI")},
		{"cancel one's pledge", 300001, "my", cancelPledge("A"), cancelPledge("C")},
		{"close a campaign", 100003, "kq", closeCampaign("DIEUHOA"), closeCampaign("THIETBI")},
		{"remove a role", 100004, "iy", removeRole("Bình"), removeRole("Nam")},
		{"record a household", 100001, "rb", household("DIEUHOA", "Hộ ông Tư"), household("THIETBI", "Hộ bà Năm")},
		{"save progress", 100003, "gs", progress("SANNHA"), progress("THAMHOI")},
		{"invite someone", 100003, "is", invite("Trưởng khu"), invite("Thủ quỹ")},
		{"publish a campaign", 100003, "kp", publish("SANCHOI1"), publish("SANCHOI2")},
		{"link a campaign to a group", 100003, "lt", toggles, toggles},
		{"record a transfer as a gift", 100001, "sgc", statementGift("9"), statementGift("13")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWard(t)
			statementSent = false
			codes["A"] = w.pledge(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
			codes["B"] = w.pledge(300002, "Cúc", "YG-K1", "/ungho DIEUHOA 500k")
			codes["C"] = w.pledge(300001, "Lan", "YG-K1", "/ungho THIETBI 500k")
			p := w.person(c.who, "Staff")
			p.send("/start z_YG-K1")
			// The correction case needs something received on both.
			if c.action == "rc" {
				p.send("/xacnhan " + codes["A"] + " 200k")
				p.send("/xacnhan " + codes["B"] + " 200k")
			}
			p.send("/huy") // from no conversation, as the probe did
			old := c.first(w, p)
			p.send("/huy")
			fresh := c.second(w, p)
			before := w.snapshot()
			if n := p.press(old, c.action, ""); !strings.Contains(n, expired) {
				t.Errorf("the old message's button was answered %q, want %q", n, expired)
			}
			if changed := w.changedSince(before); len(changed) != 0 {
				t.Fatalf("the old message's %q button changed %v", c.action, changed)
			}
			// The question asked now still takes its own button.
			if n := p.press(fresh, c.action, ""); strings.Contains(n, expired) {
				t.Fatalf("the current message's button was refused: %q", n)
			}
			if c.action == "rc" {
				p.send("ghi nhầm") // the reason the reversal asks for
			}
			if changed := w.changedSince(before); len(changed) == 0 {
				t.Fatalf("the current message's %q button changed nothing", c.action)
			}
		})
	}
}
