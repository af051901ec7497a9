package demo

import (
	"strings"
	"testing"
)

func TestRenderHTML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<b>Khu 1</b>: 500.000 &amp; hơn", "<b>Khu 1</b>: 500.000 &amp; hơn"},
		{"<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>", "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{`<img src=x onerror="alert(1)">`, "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"},
		{`<b onclick="x()">a</b>`, "<b>a</b>"},
		{"<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", "<b>a</b><i>b</i><u>c</u><s>d</s>"},
		{"<pre><code>x &lt; y</code></pre>", "<pre><code>x &lt; y</code></pre>"},
		{`<a href="https://vietqr.io/x?a=1&amp;b=2">QR</a>`, `<a href="https://vietqr.io/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">QR</a>`},
		{`<a href="javascript:alert(1)">x</a>`, "<a>x</a>"},
		{`<a href='tg://user?id=1'>x</a>`, `<a href="tg://user?id=1" target="_blank" rel="noopener noreferrer">x</a>`},
		{"<b>unclosed", "<b>unclosed</b>"},
		{"</i>stray<i>", "stray<i></i>"},
		{"a < b > c", "a &lt; b &gt; c"},
		{"tail <b", "tail &lt;b"},
	} {
		if got := RenderHTML(c.in); got != c.want {
			t.Errorf("RenderHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// No output of RenderHTML opens a tag other than the allowed ones.
func TestRenderHTMLOnlyAllowedTags(t *testing.T) {
	inputs := []string{"<scr<script>ipt>", "<<b>>", "<svg/onload=alert(1)>", "<a href=\"https://x\" onclick=\"y\">z</a>", "<b\n onmouseover=1>x</b>", "<iframe srcdoc='<b>'>"}
	for _, in := range inputs {
		out := RenderHTML(in)
		for i := 0; i < len(out); i++ {
			if out[i] != '<' {
				continue
			}
			rest := strings.TrimPrefix(out[i+1:], "/")
			ok := false
			for _, tag := range []string{"b>", "i>", "u>", "s>", "code>", "pre>", "a>", `a href="`} {
				ok = ok || strings.HasPrefix(rest, tag)
			}
			if !ok {
				t.Errorf("RenderHTML(%q) = %q opens a tag at %d", in, out, i)
			}
			if strings.Contains(out, "onclick") && strings.Contains(out, "<a href") && !strings.Contains(out, `rel="noopener noreferrer">`) {
				t.Errorf("RenderHTML(%q) = %q keeps an attribute", in, out)
			}
		}
	}
}
