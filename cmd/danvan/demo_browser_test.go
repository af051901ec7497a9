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

// In a real browser: a resident pledges with buttons, the head records
// the receipt, and the group's summary shows the new total.
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
}
