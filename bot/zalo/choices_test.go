package zalo

import (
	"strconv"
	"strings"
	"testing"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/flows"
)

func buttons(rows ...[]string) [][]danvan.Button {
	var bs [][]danvan.Button
	n := 0
	for _, r := range rows {
		var row []danvan.Button
		for _, label := range r {
			n++
			row = append(row, danvan.Button{Text: label, Data: "d" + strconv.Itoa(n)})
		}
		bs = append(bs, row)
	}
	return bs
}

func TestMenu(t *testing.T) {
	confirm := buttons([]string{"✅ Xác nhận", "❌ Hủy"})
	amounts := buttons([]string{"100.000đ", "200.000đ"}, []string{"500.000đ"}, []string{"Số khác"})
	for _, tc := range []struct {
		name     string
		buttons  [][]danvan.Button
		lettered bool
		lang     string
		want     string
	}{
		{"numbered, vi", confirm, false, "vi", "1. ✅ Xác nhận\n2. ❌ Hủy\nTrả lời bằng số"},
		{"numbered, en", confirm, false, "en", "1. ✅ Xác nhận\n2. ❌ Hủy\nReply with the number"},
		{"lettered, rows flattened, vi", amounts, true, "vi", "a. 100.000đ\nb. 200.000đ\nc. 500.000đ\nd. Số khác\nTrả lời bằng chữ cái"},
		{"lettered, another language", amounts[:1], true, "fr", "a. 100.000đ\nb. 200.000đ\nReply with the letter"},
		{"labels as plain text on one line", buttons([]string{"Hộ <b>Bình</b> &amp; con", "hai\ndòng"}), false, "vi",
			"1. Hộ Bình & con\n2. hai dòng\nTrả lời bằng số"},
		{"no button", nil, false, "vi", ""},
		{"empty rows", [][]danvan.Button{{}, {}}, true, "vi", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Menu(tc.buttons, tc.lettered, tc.lang); got != tc.want {
				t.Errorf("Menu = %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestOptionKeys(t *testing.T) {
	for i, want := range map[int]string{0: "a", 1: "b", 25: "z", 26: "aa", 27: "ab", 51: "az", 52: "ba", 701: "zz", 702: "aaa"} {
		if got := optionKey(i, true); got != want {
			t.Errorf("optionKey(%d, lettered) = %q, want %q", i, got, want)
		}
		if got := letterIndex(want); got != i {
			t.Errorf("letterIndex(%q) = %d, want %d", want, got, i)
		}
	}
	// Every key Menu writes picks its option, in both modes, past 26.
	for _, lettered := range []bool{false, true} {
		labels := make([]string, 800)
		for i := range labels {
			labels[i] = "Lựa chọn số " + strconv.Itoa(i)
		}
		bs := buttons(labels)
		menu := strings.Split(Menu(bs, lettered, "vi"), "\n")
		for i := range labels {
			key, _, _ := strings.Cut(menu[i], ". ")
			got, ok := Pick(key, bs, lettered)
			if !ok || got != bs[0][i] {
				t.Fatalf("lettered %v: Pick(%q) = %v, %v; want option %d", lettered, key, got, ok, i)
			}
		}
	}
}

func TestPick(t *testing.T) {
	confirm := buttons([]string{"✅ Xác nhận", "❌ Hủy"}, []string{"⬅️ Quay lại"})
	amounts := buttons([]string{"100.000đ", "200.000đ", "500.000đ"}, []string{"Số khác"})
	yesNo := buttons([]string{"Có", "Không"})
	years := buttons([]string{"2024", "2025"})
	twins := buttons([]string{"Đồng ý", "dong y!"}, []string{"Hủy"})
	for _, tc := range []struct {
		reply    string
		buttons  [][]danvan.Button
		lettered bool
		want     string // the picked option's data, "" for none
	}{
		{"1", confirm, false, "d1"},
		{" 2 ", confirm, false, "d2"},
		{"3.", confirm, false, "d3"},
		{"2)", confirm, false, "d2"},
		{"(2)", confirm, false, "d2"},
		{"２", confirm, false, "d2"},
		{"０３．", confirm, false, "d3"},
		{"02", confirm, false, "d2"},
		{"4", confirm, false, ""},
		{"0", confirm, false, ""},
		{"-1", confirm, false, ""},
		{"", confirm, false, ""},
		{"  ", confirm, false, ""},
		{"xac nhan", confirm, false, "d1"},
		{"XÁC NHẬN!", confirm, false, "d1"},
		{"  xác   nhận ", confirm, false, "d1"},
		{"✅ Xác nhận", confirm, false, "d1"},
		{"huy", confirm, false, "d2"},
		{"quay lai", confirm, false, "d3"},
		{"xác", confirm, false, ""},
		{"a", confirm, false, ""}, // letters are not keys in numbered mode
		{"b", amounts, true, "d2"},
		{"B.", amounts, true, "d2"},
		{"d)", amounts, true, "d4"},
		{"ｃ", amounts, true, "d3"},
		{"e", amounts, true, ""},
		{"2", amounts, true, ""},   // an amount, not option 2
		{"500", amounts, true, ""}, // an amount
		{"so khac", amounts, true, "d4"},
		{"500.000đ", amounts, true, "d3"},
		{"có", yesNo, true, "d1"}, // a word, not letters
		{"co", yesNo, true, "d1"},
		{"KHÔNG", yesNo, true, "d2"},
		{"2", years, false, "d2"},
		{"2025", years, false, "d2"}, // beyond the keys: a label
		{"2023", years, false, ""},
		{"dong y", twins, false, ""}, // two labels read alike
		{"1", twins, false, "d1"},    // the key still tells them apart
		{"huy", twins, false, "d3"},
		{"1", nil, false, ""},
	} {
		got, ok := Pick(tc.reply, tc.buttons, tc.lettered)
		if ok != (tc.want != "") || got.Data != tc.want {
			t.Errorf("Pick(%q, lettered %v) = %+v, %v; want %q", tc.reply, tc.lettered, got, ok, tc.want)
		}
	}
}

func FuzzPick(f *testing.F) {
	f.Add("2", "✅ Xác nhận|❌ Hủy", false)
	f.Add("b.", "100.000đ|200.000đ|Số khác", true)
	f.Add("xac nhan", "✅ Xác nhận|Xac nhan", false)
	f.Add("５００", "a|b", true)
	f.Fuzz(func(t *testing.T, reply, labels string, lettered bool) {
		var row []danvan.Button
		for i, l := range strings.Split(labels, "|") {
			row = append(row, danvan.Button{Text: l, Data: strconv.Itoa(i)})
		}
		bs := [][]danvan.Button{row}
		got, ok := Pick(reply, bs, lettered)
		if ok {
			i, err := strconv.Atoi(got.Data)
			if err != nil || i >= len(row) || row[i] != got {
				t.Fatalf("Pick(%q) = %+v, not one of the options", reply, got)
			}
		} else if got != (danvan.Button{}) {
			t.Fatalf("Pick(%q) = %+v with false", reply, got)
		}
		if lettered && isDigits(keyOf(reply)) && ok {
			t.Fatalf("lettered: the number %q picked %+v", reply, got)
		}
		// Deterministic, and every key picks its own option.
		if got2, ok2 := Pick(reply, bs, lettered); got2 != got || ok2 != ok {
			t.Fatalf("Pick(%q) changed its mind", reply)
		}
		for i := range min(len(row), 30) {
			if p, ok := Pick(optionKey(i, lettered), bs, lettered); !ok || p != row[i] {
				t.Fatalf("key %q picks %+v, %v; want option %d", optionKey(i, lettered), p, ok, i)
			}
		}
	})
}

func TestCommand(t *testing.T) {
	commands := map[string]bool{"start": true, "ungho": true, "huongdan": true, "cuatoi": true, "huy": true, "help": true}
	known := func(name string) bool { return commands[name] }
	for _, tc := range []struct {
		text       string
		name, args string
	}{
		{"ungho DIEUHOA 500k", "ungho", "DIEUHOA 500k"},
		{"huongdan", "huongdan", ""},
		{"/cuatoi", "cuatoi", ""},
		{"UNGHO", "ungho", ""},
		{"Huongdan", "huongdan", ""},
		{"ủnghộ DIEUHOA", "ungho", "DIEUHOA"},
		{"  ungho   DIEUHOA\n500k  ", "ungho", "DIEUHOA\n500k"},
		{"/UNGHO Điều hòa 1 triệu", "ungho", "Điều hòa 1 triệu"},
		{"Hủy", "huy", ""},
		{"Ủng hộ DIEUHOA", "", ""},
		{"Ung ho DIEUHOA", "", ""},
		{"xin chào", "", ""},
		{"500k", "", ""},
		{"/", "", ""},
		{"", "", ""},
		{"/lenh_la", "", ""},
		{"ungho.", "", ""},
		// Typed deep links.
		{"z_YG-K1", "start", "z_YG-K1"},
		{"/z_YG-K1", "start", "z_YG-K1"},
		{"khu YG-K1", "start", "z_YG-K1"},
		{"Khu  yg-k1 ", "start", "z_yg-k1"},
		{"KHU z_YG-K1", "start", "z_YG-K1"},
		{"c_DIEUHOA", "start", "c_DIEUHOA"},
		{"C_DIEUHOA", "start", "c_DIEUHOA"},
		{"i_Ab3-x_9", "start", "i_Ab3-x_9"},
		{"khu phố 3", "", ""},
		{"khu", "", ""},
		{"z_YG-K1 nữa", "", ""},
		{"c_ĐIỀU", "", ""},
		{"x_DIEUHOA", "", ""},
		{"c_", "", ""},
		{"c_" + strings.Repeat("A", 62), "start", "c_" + strings.Repeat("A", 62)},
		{"c_" + strings.Repeat("A", 63), "", ""},
	} {
		name, args, ok := Command(tc.text, known)
		if name != tc.name || args != tc.args || ok != (tc.name != "") {
			t.Errorf("Command(%q) = %q, %q, %v; want %q, %q, %v", tc.text, name, args, ok, tc.name, tc.args, tc.name != "")
		}
	}
	// known decides: a name it does not know is text.
	if _, _, ok := Command("ungho DIEUHOA", func(string) bool { return false }); ok {
		t.Error("an unknown name is a command")
	}
	if name, _, ok := Command("c_DIEUHOA", nil); !ok || name != "start" {
		t.Error("a link needs no known commands")
	}
	// known is asked the folded name.
	var asked string
	Command("ỦNGHỘ x", func(n string) bool { asked = n; return true })
	if asked != "ungho" {
		t.Errorf("known was asked %q, want %q", asked, "ungho")
	}
}

// A typed reply is the press it stands for against the chat's latest list:
// key or label while the list is open, only a bare key once it was answered
// (to be refused as an old button), only a bare key in a group.
func TestTyped(t *testing.T) {
	buttons := [][]danvan.Button{{{Text: "✅ Đồng ý", Data: "7:ok:1"}, {Text: "✖ Hủy", Data: "7:x:0"}}}
	open := danvan.Keyboard{MessageID: 41, Kind: danvan.OutSend, Text: "Xác nhận?", Buttons: buttons, Open: true}
	closed := open
	closed.Open = false
	for _, tc := range []struct {
		name  string
		text  string
		group bool
		kb    danvan.Keyboard
		shown bool
		data  string // "" when the text stays text
	}{
		{"key", "1", false, open, true, "7:ok:1"},
		{"key with a dot", " 2. ", false, open, true, "7:x:0"},
		{"label without accents", "dong y", false, open, true, "7:ok:1"},
		{"no such option", "3", false, open, true, ""},
		{"no list", "1", false, danvan.Keyboard{}, false, ""},
		{"answered list, key", "1", false, closed, true, "7:ok:1"},
		{"answered list, label", "đồng ý", false, closed, true, ""},
		{"group, key", "2", true, open, true, "7:x:0"},
		{"group, label", "hủy", true, open, true, ""},
	} {
		ev := flows.Event{Kind: flows.EventText, Text: tc.text, Group: tc.group}
		Typed(&ev, tc.kb, tc.shown)
		if tc.data == "" {
			if ev.Kind != flows.EventText || ev.Text != tc.text {
				t.Errorf("%s: %q became %+v", tc.name, tc.text, ev)
			}
			continue
		}
		if ev.Kind != flows.EventButton || ev.Data != tc.data || ev.MessageID != 41 || ev.MessageText != "Xác nhận?" || ev.Text != "" {
			t.Errorf("%s: %q became %+v, want a press of %s on message 41", tc.name, tc.text, ev, tc.data)
		}
	}
}
