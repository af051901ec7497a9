package demo

import (
	"html"
	"net/url"
	"strings"
)

// allowed maps the tags Telegram's HTML parse mode knows to the tag the
// page recreates for them.
var allowed = map[string]string{
	"b": "b", "strong": "b",
	"i": "i", "em": "i",
	"u": "u", "ins": "u",
	"s": "s", "strike": "s", "del": "s",
	"code": "code", "pre": "pre",
	"a": "a",
}

// RenderHTML turns a message the bot sent in Telegram's HTML into HTML the
// page may insert as is: only b, i, u, s, code, pre and a are recreated,
// without attributes except an http(s) or tg link's href; every other
// character is escaped, so a name with <script> stays text. Tags are
// balanced: a stray closing tag is dropped and open ones are closed.
func RenderHTML(s string) string {
	var b strings.Builder
	var open []string
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(escapeText(s))
			break
		}
		b.WriteString(escapeText(s[:lt]))
		s = s[lt:]
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			b.WriteString(escapeText(s))
			break
		}
		tag := s[1:gt]
		name, closing, attrs := parseTag(tag)
		out, ok := allowed[name]
		switch {
		case !ok:
			b.WriteString(escapeText(s[:gt+1]))
		case closing:
			if len(open) > 0 && open[len(open)-1] == out {
				open = open[:len(open)-1]
				b.WriteString("</" + out + ">")
			}
		default:
			open = append(open, out)
			if out == "a" {
				b.WriteString("<a")
				if href := safeHref(attrs); href != "" {
					b.WriteString(` href="` + html.EscapeString(href) + `" target="_blank" rel="noopener noreferrer"`)
				}
				b.WriteString(">")
			} else {
				b.WriteString("<" + out + ">")
			}
		}
		s = s[gt+1:]
	}
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i] + ">")
	}
	return b.String()
}

// EscapeText is plain text (what a resident typed) made safe for the page.
func EscapeText(s string) string { return html.EscapeString(s) }

// escapeText re-escapes text from Telegram HTML: entities are decoded,
// then everything is escaped again.
func escapeText(s string) string { return html.EscapeString(html.UnescapeString(s)) }

func parseTag(tag string) (name string, closing bool, attrs string) {
	// As in HTML, a name follows '<' or '</' directly: "a < b > c" is text.
	if strings.HasPrefix(tag, "/") {
		closing = true
		tag = tag[1:]
	}
	if tag == "" || !(tag[0] >= 'a' && tag[0] <= 'z' || tag[0] >= 'A' && tag[0] <= 'Z') {
		return "", closing, ""
	}
	end := strings.IndexAny(tag, " \t\n/")
	if end < 0 {
		end = len(tag)
	}
	return strings.ToLower(tag[:end]), closing, tag[end:]
}

// safeHref finds href="…" in the attributes and keeps it only for the
// schemes Telegram links use.
func safeHref(attrs string) string {
	i := strings.Index(strings.ToLower(attrs), "href=")
	if i < 0 {
		return ""
	}
	v := strings.TrimSpace(attrs[i+len("href="):])
	if v == "" {
		return ""
	}
	if q := v[0]; q == '"' || q == '\'' {
		j := strings.IndexByte(v[1:], q)
		if j < 0 {
			return ""
		}
		v = v[1 : j+1]
	} else if j := strings.IndexAny(v, " \t\n"); j >= 0 {
		v = v[:j]
	}
	v = html.UnescapeString(v)
	u, err := url.Parse(v)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "tg":
		return u.String()
	}
	return ""
}
