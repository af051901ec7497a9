package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// noChromium is the one line a machine without Chromium gets.
const noChromium = "the demo's browser test needs Debian's chromium, which is not on PATH: apt-get install chromium"

// checkChromium is TestMain's first step: under CI=true a missing Chromium
// fails the package at once, before a database is started, rather than
// after every other test has run; elsewhere the browser test skips.
func checkChromium() {
	if os.Getenv("CI") != "true" {
		return
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		fmt.Fprintln(os.Stderr, noChromium)
		os.Exit(1)
	}
}

// browser opens the demo page in Debian's headless Chromium (never a
// downloaded one). .ci/run installs it; without it the test is skipped
// with one line saying what to install.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip(noChromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1700, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// js runs an expression in the page and returns its result.
func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitText waits until persona's chat shows want, and returns its text.
func waitText(t *testing.T, ctx context.Context, persona, want string) string {
	t.Helper()
	// The columns are built once the page has loaded its personas.
	expr := fmt.Sprintf(`(document.querySelector('section.phone[data-persona=%q] .log') || {innerText: ""}).innerText`, persona)
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if last = js[string](t, ctx, expr); strings.Contains(last, want) {
			return last
		}
	}
	t.Fatalf("%s's chat never showed %q; it shows:\n%s", persona, want, last)
	return ""
}

// say types text into persona's box and sends it, as a person would.
func say(t *testing.T, ctx context.Context, persona, text string) {
	t.Helper()
	sel := fmt.Sprintf(`section.phone[data-persona=%q] form input[name=text]`, persona)
	if _, err := chromedp.Run(ctx, chromedp.SendKeys(chromedp.CSS(sel), text+"\n")); err != nil {
		t.Fatalf("typing %q for %s: %v", text, persona, err)
	}
}

// press clicks the last inline button in persona's chat whose label
// contains label.
func press(t *testing.T, ctx context.Context, persona, label string) {
	t.Helper()
	expr := fmt.Sprintf(`(() => {
		const bs = [...document.querySelectorAll('section.phone[data-persona=%q] .msg button')].filter(b => b.textContent.includes(%q));
		if (!bs.length) return false;
		bs[bs.length - 1].click();
		return true;
	})()`, persona, label)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if js[bool](t, ctx, expr) {
			return
		}
	}
	t.Fatalf("no button %q in %s's chat", label, persona)
}

// typeChoice types, in persona's Zalo chat, the key ("1", "b") of the
// option whose label contains label in the last list the bot showed there,
// as a person on Zalo answers a list.
func typeChoice(t *testing.T, ctx context.Context, persona, label string) {
	t.Helper()
	expr := fmt.Sprintf(`(() => {
		const bot = [...document.querySelectorAll('section.phone[data-persona=%q] .msg:not(.mine) .body')];
		for (const line of (bot.length ? bot[bot.length - 1].innerText : "").split("\n")) {
			const m = line.match(/^([0-9]{1,2}|[a-z])\. (.*)$/);
			if (m && m[2].includes(%q)) return m[1];
		}
		return "";
	})()`, persona, label)
	key := js[string](t, ctx, expr)
	if key == "" {
		t.Fatalf("no option %q in the last list of %s's chat:\n%s", label, persona, waitText(t, ctx, persona, ""))
	}
	say(t, ctx, persona, key)
}

// waitPicture waits until persona's chat shows a picture the browser
// decoded, and returns how many it shows.
func waitPicture(t *testing.T, ctx context.Context, persona string) int {
	t.Helper()
	expr := fmt.Sprintf(`[...document.querySelectorAll('section.phone[data-persona=%q] .msg img')].filter(i => i.complete && i.naturalWidth > 0).length`, persona)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := js[int](t, ctx, expr); n > 0 {
			return n
		}
	}
	t.Fatalf("%s's chat shows no picture", persona)
	return 0
}

// In a real browser: a resident pledges with buttons, the head records
// the receipt, and the group's summary shows the new total; a resident on
// Zalo pledges by typing the numbers of the lists, and sees her VietQR
// code.
func TestDemoInBrowser(t *testing.T) {
	ctx := browser(t)
	base := startDemo(t)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	say(t, ctx, "resident1", "/start z_YG-K1")
	waitText(t, ctx, "resident1", "Đã lưu: bạn ở Khu 1")
	press(t, ctx, "resident1", "Ủng hộ DIEUHOA")
	waitText(t, ctx, "resident1", "Bạn muốn ủng hộ gì?")
	press(t, ctx, "resident1", "Tiền")
	waitText(t, ctx, "resident1", "Bạn ủng hộ bao nhiêu?")
	press(t, ctx, "resident1", "500.000 ₫")
	waitText(t, ctx, "resident1", "Bạn định nộp vào khi nào?")
	press(t, ctx, "resident1", "Khi chiến dịch kết thúc")
	waitText(t, ctx, "resident1", "Xác nhận đăng ký ủng hộ 500.000 ₫")
	press(t, ctx, "resident1", "ghi tên tôi")
	chat := waitText(t, ctx, "resident1", "Đã ghi nhận khoản ủng hộ #")
	code := regexp.MustCompile(`#([A-Z0-9]{4,8})`).FindStringSubmatch(chat)
	if code == nil {
		t.Fatalf("no pledge code in %q", chat)
	}

	say(t, ctx, "head", "/xacnhan "+code[1])
	waitText(t, ctx, "head", "Đã ghi nhận 500.000 ₫ cho khoản #"+code[1])

	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`button[data-job="weekly_summary"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "group", "đã nhận 500.000 ₫")

	// On Zalo: plain text, lists answered by typing, no buttons; the
	// VietQR code is the picture the local Zalo API fetched from serve.
	if n := js[int](t, ctx, `document.querySelectorAll('section.phone[data-channel="zalo"] h2 .badge').length`); n != 1 {
		t.Errorf("the Zalo column does not say Zalo")
	}
	say(t, ctx, "zalo", "khu YG-K2")
	waitText(t, ctx, "zalo", "Khu 2")
	say(t, ctx, "zalo", "ungho")
	chat = waitText(t, ctx, "zalo", "Bạn muốn ủng hộ chiến dịch nào?")
	if !strings.Contains(chat, "1. ") || !strings.Contains(chat, "Lắp điều hòa") {
		t.Fatalf("the campaigns are not a numbered list in the Zalo column:\n%s", chat)
	}
	typeChoice(t, ctx, "zalo", "Lắp điều hòa")
	waitText(t, ctx, "zalo", "Bạn muốn ủng hộ gì?")
	typeChoice(t, ctx, "zalo", "Tiền")
	waitText(t, ctx, "zalo", "Bạn ủng hộ bao nhiêu?")
	typeChoice(t, ctx, "zalo", "500.000 ₫")
	waitText(t, ctx, "zalo", "Bạn định nộp vào khi nào?")
	typeChoice(t, ctx, "zalo", "Khi chiến dịch kết thúc")
	waitText(t, ctx, "zalo", "Xác nhận đăng ký ủng hộ 500.000 ₫")
	typeChoice(t, ctx, "zalo", "ghi tên tôi")
	waitText(t, ctx, "zalo", "Cảm ơn bạn!")
	waitText(t, ctx, "zalo", "VietQR")
	waitPicture(t, ctx, "zalo")
	if n := js[int](t, ctx, `document.querySelectorAll('section.phone[data-persona="zalo"] .msg button, section.phone[data-persona="zalo"] input[type=file]').length`); n != 0 {
		t.Errorf("the Zalo column has %d buttons or file pickers", n)
	}

	// The treasurer sends a bank statement from the computer: the page's
	// upload carries its token.
	statement, err := filepath.Abs("testdata/saoke-vietcombank.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.SetUploadFiles(chromedp.CSS(`section.phone[data-persona="head"] input[type=file]`), []string{statement})); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "head", "Sao kê Vietcombank (saoke-vietcombank.csv)")

	// The page escapes what people type.
	say(t, ctx, "resident3", "<script>alert(1)</script> & <b>hi</b>")
	waitText(t, ctx, "resident3", "<script>alert(1)</script> & <b>hi</b>")
	if n := js[int](t, ctx, `document.querySelectorAll('.log script, .log b b').length`); n != 0 {
		t.Errorf("typed HTML became %d elements", n)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("DANVAN_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "demo.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)

	// A second tab on the same page shows the same conversations, and what
	// is sent from it shows in the first; a reload keeps everything.
	tab2, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if _, err := chromedp.Run(tab2, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	waitText(t, tab2, "head", "Đã ghi nhận 500.000 ₫ cho khoản #"+code[1])
	say(t, tab2, "resident3", "/chiendich")
	waitText(t, ctx, "resident3", "Lắp điều hòa nhà văn hóa")
	if _, err := chromedp.Run(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "resident1", "Đã ghi nhận khoản ủng hộ #"+code[1])
	waitText(t, ctx, "resident3", "Lắp điều hòa nhà văn hóa")
	waitText(t, ctx, "zalo", "Cảm ơn bạn!")
	waitPicture(t, ctx, "zalo")
}
